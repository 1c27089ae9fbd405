"""The analytics writer: story clusters (MinHash LSH) and the search index, updated incrementally.

``update_analytics`` runs once per ingest run, after the run's batches are loaded, as the single writer
(the caller holds the run lock), in one transaction. It works from the difference between ``articles``
and the analytics tables, so it never recomputes from scratch and it repairs itself after a crash or a
quarantine replay:

1. Stale rows: signatures and search documents of articles that left ``articles``, of the files this run
   loaded again (``changed_source_ids``) and of an older index version are dropped. A story cluster that
   loses a member is dissolved; its other members are linked again below.
2. New rows: every eligible article the indexes lack gets its shingles, MinHash signature, LSH band
   buckets and term counts.
3. Linking: the new articles and the dissolved clusters' members are linked to every article sharing an
   LSH bucket with them (exact Jaccard of the shingle sets >= the threshold, or equal content hashes).
   The work is done on distinct texts (byte-identical copies are one node, so n syndicated copies cost
   one), on bucket lists rather than pair lists (``corpus_etl.analytics.clusters.BucketLinker``: a pair
   already connected is never verified, so a bucket of k near-identical copies costs about k checks), read
   from DuckDB a part at a time; the shingle sets the batch workers staged are streamed once into a
   temporary file and read back by offset (``_HashCache``), the others computed from the bodies into a
   bounded cache; the existing clusters they touch are joined whole, and only the components that differ
   from an existing cluster are rewritten (canonical member and similarities per
   ``corpus_etl.analytics.clusters``), a range at a time.
4. Event stories: the indexed articles no story holds yet are placed in stories of any outlet on one event
   (``warehouse.stories``, ``corpus_etl.analytics.events``); placed articles keep their story.

Memory is bounded whatever the corpus size: Python holds one part of the bucket lists, one range of member
rows, one parent per distinct text (the union-find) and two integers per distinct text (the spool's index),
never a corpus-wide set of shingles or pairs; DuckDB holds what the update claims of its instance
(``warehouse.db.memory_claim``): ``ANALYTICS_MEMORY_LIMIT`` for the set-based statements, which spill to
``<db>.tmp`` beyond it, and ``LINK_MEMORY_LIMIT`` while Python links and writes. The rows are checkpointed into
the database file right after the commit at ``CHECKPOINT_MEMORY_LIMIT``. Replayed alone
(``bench/analytics_replay.py``) the update peaks at 385 MiB on the 200 MB benchmark and 467 MiB on the 1 GB one,
during the set-based statements (DuckDB's 256 MB and the spool's record batches); it was 538 and 672 MiB.

The result is the same as clustering all current articles at once (the clusters are the connected
components of the same verified-candidate graph), whatever order the articles arrived in; the one
exception is documented at ``BucketLinker`` (a bucket of more than 64 mutually *dissimilar* texts).

Why DuckDB tables for the LSH state (``minhash_signatures``, ``lsh_buckets``) rather than a pickled
``datasketch.MinHashLSH`` beside the database: the state changes in the same transaction as the
clusters and articles it describes (a crash cannot leave them out of step), deleting the articles of a
changed file is a ``DELETE``, candidate lookup is one join for a whole run instead of a Python query per
article, nothing has to be unpickled (pickles are code and tied to library versions), and analysts can
query it. The stored signatures let the banding change without re-reading the bodies.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import duckdb

from corpus_etl import limits
from corpus_etl.analytics import params
from corpus_etl.analytics.clusters import BucketLinker, Member, canonical, outlet_for
from corpus_etl.analytics.search import TOKENIZER_VERSION
from corpus_etl.memory import trim

if TYPE_CHECKING:
    import pyarrow as pa

    from corpus_etl.analytics import minhash as mh
    from corpus_etl.settings import AnalyticsSettings, MemorySettings

from corpus_etl.settings import DEFAULT_ANALYTICS

from .db import (
    MemoryClaim,
    checkpoint_quietly,
    fetch_dicts,
    memory_claim,
    quote_ident,
    quote_literal,
    registered,
    sql,
    transaction,
)
from .loader import memory_limit, open_writer
from .stories import update_stories

CHUNK = 2000  # articles read and indexed at a time
LIST_ENTRIES = 20_000  # members of LSH bucket lists (distinct texts) read and linked at a time
GROUP_ROWS = 20_000  # member rows of changed components written at a time (a larger component alone)
HASH_CACHE = 1_000_000  # shingle hashes held at most (8 MB): staged sets are read back from a file (_HashCache)
SPOOL_ROWS = 256  # staged shingle sets written to the file at a time (about 2 MB)
# failed checks remembered (a pair sharing several bands is checked once; an int each, about 60 bytes: 15 MB)
FAILED_MEMO = 250_000
# DuckDB's share of the update (``warehouse.db.memory_claim``): the set-based statements (staged inserts, the
# bucket, node and member joins) get the writer's limit; the Python phases (linking bucket lists, writing the
# clusters), which hold the shingle sets and rows in Python and only run small lookups, give most of it back.
# These are the defaults; a run's own are its ``settings.memory`` (analytics, analytics_link, checkpoint).
ANALYTICS_MEMORY_LIMIT = limits.ANALYTICS
LINK_MEMORY_LIMIT = limits.ANALYTICS_LINK
CHECKPOINT_MEMORY_LIMIT = limits.CHECKPOINT


@dataclass(frozen=True)
class AnalyticsSummary:
    """What an update changed, and the size of the indexes after it."""

    signatures_added: int
    signatures_removed: int
    search_added: int
    search_removed: int
    clusters_written: int
    clusters_dissolved: int
    clusters: int
    cluster_members: int
    seconds: float
    # the linking's work (``BucketLinker``): distinct texts in the graph, bucket lists read, pairs verified,
    # (text, bucket) checks stopped at ``BUCKET_TRIES``, the largest bucket (distinct texts), bodies hashed,
    # shingle sets read from the batch workers' staging files instead
    nodes: int = 0
    bucket_lists: int = 0
    pairs_checked: int = 0
    checks_capped: int = 0
    largest_bucket: int = 0
    shingle_sets_computed: int = 0
    shingle_sets_staged: int = 0
    # the event stories (``warehouse.stories``): articles placed now, rows dropped, totals after the update
    stories_placed: int = 0
    stories_removed: int = 0
    stories: int = 0
    story_members: int = 0

    @property
    def changed(self) -> bool:
        return any(
            (
                self.signatures_added,
                self.signatures_removed,
                self.search_added,
                self.search_removed,
                self.clusters_written,
                self.clusters_dissolved,
                self.stories_placed,
                self.stories_removed,
            )
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "changed": self.changed}


def update_analytics(
    db_path: Path,
    run_id: str,
    changed_source_ids: Iterable[str] | None = None,
    staged_dir: Path | None = None,
    memory: MemorySettings | None = None,
    analytics: AnalyticsSettings | None = None,
) -> AnalyticsSummary:
    """Bring story clusters and the search index up to date with ``articles`` in one transaction, then the event
    stories in transactions of their own (``warehouse.stories``: one per chunk of articles placed, so that the
    rows a run adds are never all held uncommitted at once; a crash leaves the articles placed so far, and the
    next update places the rest).

    Args:
        db_path: the DuckDB file.
        run_id: the run recorded on the rows written.
        changed_source_ids: the files this run loaded (processed) again; their articles are indexed
            afresh even when their ids did not change. None or empty: only the difference between
            ``articles`` and the indexes is applied (new, removed and re-versioned articles).
        staged_dir: the run's staging directory, whose ``batch-*.index.<table>.parquet`` files hold the
            index rows the batch workers computed (``corpus_etl.analytics.index``); they are inserted
            with one statement per table. Articles they do not cover are indexed here.
        memory: the run's DuckDB memory limits (``settings.memory``: writer, analytics, analytics_link,
            checkpoint); the defaults when None.
        analytics: the near-duplicate index's parameters (``settings.analytics``; the defaults when None): the
            signatures of another ``index_version`` are dropped and made again, their clusters relinked.

    Returns:
        The counts of what changed.
    """
    t0 = time.perf_counter()
    changed = sorted(set(changed_source_ids or ()))
    if analytics is None:
        analytics = DEFAULT_ANALYTICS
    shares = _Limits(*(memory_limit(memory, k) for k in ("analytics", "analytics_link", "checkpoint")))
    with open_writer(db_path, memory) as con, memory_claim(con, db_path, shares.sets) as claim:
        with transaction(con):
            updater = _Updater(con, run_id, staged_dir, claim, analytics, shares)
            counts = {**updater.run(changed), **updater.stats}
        _checkpoint(con, claim, shares.checkpoint)
        claim.set(shares.sets)  # the stories' joins
        counts.update(update_stories(con, run_id))
        _checkpoint(con, claim, shares.checkpoint)
    return AnalyticsSummary(**counts, seconds=round(time.perf_counter() - t0, 3))


@dataclass(frozen=True)
class _Limits:
    """The update's DuckDB shares (``ANALYTICS_MEMORY_LIMIT``, ``LINK_MEMORY_LIMIT``, ``CHECKPOINT_MEMORY_LIMIT``
    by default; the run's ``settings.memory``)."""

    sets: str = ANALYTICS_MEMORY_LIMIT
    link: str = LINK_MEMORY_LIMIT
    checkpoint: str = CHECKPOINT_MEMORY_LIMIT


def _checkpoint(con: duckdb.DuckDBPyConnection, claim: MemoryClaim, limit: str = CHECKPOINT_MEMORY_LIMIT) -> None:
    """Write the update's rows into the database file now, at the small ``limit`` (``CHECKPOINT_MEMORY_LIMIT`` by
    default): left to
    the close of the instance's last connection, the checkpoint of a first run's index rows (85 M search
    postings on the 1 GB benchmark) ran at the writer's limit and took the process 160 MiB over the rest of
    the update. Skipped if DuckDB cannot checkpoint now (another step's transaction): the close does it."""
    claim.set(limit)
    checkpoint_quietly(con)


def group_ranges(sizes: list[int], limit: int) -> list[tuple[int, int]]:
    """Consecutive ranges ``[start, stop)`` of groups ``0 .. len(sizes) - 1`` (``sizes[g]`` rows each) that
    hold at most ``limit`` rows, or one group alone when it holds more; together they cover every group."""
    out: list[tuple[int, int]] = []
    start, held = 0, 0
    for g, n in enumerate(sizes):
        if g > start and held + n > limit:
            out.append((start, g))
            start, held = g, 0
        held += n
    if start < len(sizes):
        out.append((start, len(sizes)))
    return out


class _HashCache:
    """Shingle-hash sets of nodes (distinct texts), bounded in memory whatever the corpus size.

    The sets the batch workers staged are written once, in one streaming pass, to an unnamed temporary file
    (``spool``: every set's hashes back to back, a start and a length per node) and read back with one
    ``pread`` per set when asked for: the file lives in the page cache, not in the process, and a lookup
    costs no query (a query per batch of nodes scanned the whole staged table each time, once per part of
    the bucket lists). Sets no staging file holds are computed from the bodies in batches (``load``). Both
    kinds are kept in a dict of about ``limit`` hashes in all (8 bytes each) besides those of the batch
    last asked for; the oldest entries are dropped first.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, limit: int = HASH_CACHE, shingle_words: int = 0) -> None:
        self.con = con
        self.shingle_words = shingle_words or params.SHINGLE_WORDS  # (the run's settings.analytics)
        self.limit = limit
        self.held = 0
        self.sets: dict[int, mh.Hashes] = {}
        self.computed = 0
        self.read = 0
        self.file: BinaryIO | None = None
        self.start: Any = None  # numpy int64 per node: offset of its first hash in the file (-1: not staged)
        self.length: Any = None  # numpy int64 per node: how many hashes

    def spool(self, query: str, params: list[Any], n_nodes: int, directory: Path | None) -> None:
        """Write the staged sets that ``query`` returns (node, hashes) to the temporary file, a record batch
        at a time (the result is streamed, never held whole)."""
        import numpy as np  # lazy: numpy stays off the unchanged-rerun path

        self.start = np.full(n_nodes, -1, dtype=np.int64)
        self.length = np.zeros(n_nodes, dtype=np.int64)
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        self.file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by ``close``
        at = 0
        reader = self.con.sql(query, params=params).to_arrow_reader(SPOOL_ROWS)
        for batch in reader:
            lists = batch.column(1)
            values = lists.values.to_numpy(zero_copy_only=False).astype("<u8", copy=False)
            offsets = lists.offsets.to_numpy()
            nodes = batch.column(0).to_numpy(zero_copy_only=False)
            base = int(offsets[0])
            chunk = values[base : int(offsets[-1])]
            self.file.write(memoryview(chunk))  # (no copy: the slice is contiguous)
            self.start[nodes] = at + (offsets[:-1] - base)
            self.length[nodes] = offsets[1:] - offsets[:-1]
            self.read += len(nodes)
            at += chunk.size
        self.file.flush()

    def close_sets(self) -> None:
        """Drop every set held (the temporary file stays)."""
        self.sets.clear()
        self.held = 0

    def close(self) -> None:
        """Drop every set held and the temporary file."""
        self.close_sets()
        if self.file is not None:
            self.file.close()
            self.file = None

    def _in_spool(self, node: int) -> bool:
        return self.file is not None and self.start[node] >= 0

    def _staged(self, node: int) -> mh.Hashes | None:
        if not self._in_spool(node):
            return None
        assert self.file is not None  # (for mypy: _in_spool says so)
        import numpy as np  # lazy: numpy stays off the unchanged-rerun path

        n = int(self.length[node])
        data = os.pread(self.file.fileno(), 8 * n, 8 * int(self.start[node]))
        return np.frombuffer(data, dtype="<u8").astype(np.uint64, copy=False)

    def __getitem__(self, node: int) -> mh.Hashes:
        h = self.sets.get(node)
        if h is None:
            h = self._staged(node)
            if h is None:
                self.load([node])
                return self.sets[node]
            self._keep(node, h)
        return h

    def _keep(self, node: int, h: mh.Hashes) -> None:
        if self.held + h.size > self.limit:
            self._evict()
        self.sets[node] = h
        self.held += h.size

    def _evict(self, keep: set[int] | None = None) -> None:
        """Drop the oldest sets (but those in ``keep``) until at most half the limit is held."""
        for old in [n for n in self.sets if keep is None or n not in keep]:
            if self.held <= self.limit // 2:
                break
            self.held -= self.sets.pop(old).size

    def load(self, nodes: Iterable[int]) -> None:
        """Compute the sets of the nodes no staging file holds and not held yet (a batch of bodies per
        query). Entries not asked for are dropped first (oldest first) to stay under the limit; the nodes
        asked for are all kept, even past it, until the next call."""
        wanted = {int(n) for n in nodes}
        missing = sorted(n for n in wanted - self.sets.keys() if not self._in_spool(n))
        if not missing:
            return
        self._evict(wanted)
        from corpus_etl.analytics import minhash as mh  # lazy: pyarrow, numpy stay off the unchanged-rerun path

        for i in range(0, len(missing), CHUNK):
            for node, body in self.con.execute(sql("analytics/node_bodies"), [missing[i : i + CHUNK]]).fetchall():
                h = mh.shingle_hashes(body, self.shingle_words)
                self.sets[int(node)] = h
                self.held += h.size
                self.computed += 1


class _Updater:
    """One update, on one connection inside one transaction."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        run_id: str,
        staged_dir: Path | None = None,
        claim: MemoryClaim | None = None,
        analytics: AnalyticsSettings | None = None,
        limits: _Limits | None = None,
    ) -> None:
        if analytics is None:
            analytics = DEFAULT_ANALYTICS
        self.params = analytics
        self.limits = limits or _Limits()
        self.con = con
        self.run_id = run_id
        self.claim = claim
        self.staged: dict[str, list[str]] = {}  # staged table -> its batch files
        if staged_dir:
            from corpus_etl.analytics.index import STAGED  # lazy: pyarrow, numpy stay off the unchanged-rerun path

            self.staged = {
                name: sorted(str(p) for p in staged_dir.glob(f"batch-*.index.{name}.parquet")) for name in STAGED
            }
        self.staged_dir = staged_dir
        self.staged_shingles = (
            sorted(str(p) for p in staged_dir.glob("batch-*.index.shingles.parquet")) if staged_dir else []
        )
        self.stats: dict[str, int] = {}

    def run(self, changed: list[str]) -> dict[str, int]:
        con = self.con
        con.execute(
            sql("analytics/stale").format(stale=quote_ident("an_stale_sig"), index=quote_ident("minhash_signatures")),
            [changed, self.params.index_version],
        )
        con.execute(
            sql("analytics/stale").format(stale=quote_ident("an_stale_search"), index=quote_ident("search_docs")),
            [changed, TOKENIZER_VERSION],
        )
        con.execute(sql("analytics/affected_clusters"))
        con.execute(sql("analytics/survivors"))
        dissolved = self._count("an_affected")
        con.execute(sql("analytics/delete_affected_clusters"))
        sig_removed = self._count("an_stale_sig")
        search_removed = self._count("an_stale_search")
        for table, stale in (
            ("minhash_signatures", "an_stale_sig"),
            ("lsh_buckets", "an_stale_sig"),
            ("search_docs", "an_stale_search"),
            ("search_terms", "an_stale_search"),
        ):
            con.execute(sql("analytics/delete_stale").format(table=quote_ident(table), stale=quote_ident(stale)))

        for todo, index, min_words in (
            ("an_sig_todo", "minhash_signatures", self.params.min_words),
            ("an_search_todo", "search_docs", 0),
        ):
            con.execute(sql("analytics/to_index").format(todo=quote_ident(todo), index=quote_ident(index)), [min_words])
        self._index()
        con.execute(sql("analytics/relink"))
        written = self._link()
        totals = fetch_dicts(con, sql("analytics/totals"))[0]
        return {
            "signatures_added": self._count("an_sig_todo"),
            "signatures_removed": sig_removed,
            "search_added": self._count("an_search_todo"),
            "search_removed": search_removed,
            "clusters_written": written,
            "clusters_dissolved": dissolved,
            "clusters": int(totals["clusters"]),
            "cluster_members": int(totals["cluster_members"]),
        }

    def _memory(self, limit: str) -> None:
        """Change the update's DuckDB share for the next phase (see ``LINK_MEMORY_LIMIT``)."""
        if self.claim is not None:
            self.claim.set(limit)

    def _count(self, table: str) -> int:
        rows = self.con.execute(sql("analytics/count").format(table=quote_ident(table))).fetchall()
        return int(rows[0][0]) if rows else 0

    def _insert(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        with registered(self.con, f"stg_an_{name}", table) as staged:
            self.con.execute(sql("load/insert_staged").format(table=quote_ident(name), staged=quote_ident(staged)))

    def _insert_staged(self, todo: str, tables: tuple[str, ...]) -> list[str]:
        """Insert the workers' staged index rows of the articles in the temp table ``todo`` into ``tables``;
        return the ids of ``todo`` that no staging file covered (the writer indexes them)."""
        con = self.con
        if self.staged.get(tables[0]):
            from corpus_etl.analytics.index import STAGED  # lazy: pyarrow, numpy stay off the unchanged-rerun path

            for i, name in enumerate(tables):
                files = ", ".join(quote_literal(f) for f in self.staged.get(name, []))
                if not files:
                    continue
                if i == 0:
                    con.execute(sql("analytics/staged_covered").format(todo=quote_ident(todo), files=files))
                cols = ", ".join(quote_ident(c) for c in STAGED[name].columns)
                for one in self.staged[name]:  # a batch's file at a time: the writer's memory stays bounded
                    con.execute(
                        sql("analytics/insert_staged_index").format(
                            table=quote_ident(name), cols=cols, files=quote_literal(one)
                        )
                    )
        else:
            con.execute(sql("analytics/empty_covered"))
        return [r[0] for r in con.execute(sql("analytics/uncovered").format(todo=quote_ident(todo))).fetchall()]

    def _index(self) -> None:
        """Insert signatures, LSH buckets and search postings for the articles to index: the rows the
        workers staged (one statement per table, from their Parquet files), and rows computed here for the
        articles no staging file covers (in chunks of ``CHUNK`` bodies)."""
        want_sig = set(self._insert_staged("an_sig_todo", ("minhash_signatures", "lsh_buckets")))
        want_search = set(self._insert_staged("an_search_todo", ("search_docs", "search_terms")))
        todo = sorted(want_sig | want_search)
        if not todo:
            return
        from corpus_etl.analytics.index import index_tables  # lazy: pyarrow, numpy stay off the unchanged-rerun path

        for i in range(0, len(todo), CHUNK):
            rows = fetch_dicts(self.con, sql("analytics/bodies"), [todo[i : i + CHUNK]])
            for name, table in index_tables(rows, self.run_id, want_sig, want_search, params=self.params).items():
                self._insert(name, table)

    def _link(self) -> int:
        """Link the articles of ``an_relink`` to their near-duplicates; rewrite the clusters that changed.

        Works on distinct texts (nodes), never on lists of pairs: the LSH buckets holding a text to link
        are read as lists of nodes, about ``LIST_ENTRIES`` member entries at a time, and linked by
        ``BucketLinker`` (see there for why a bucket of k copies costs about k checks). Shingle sets are
        computed from bodies only for the nodes of buckets that can still add a link, in batches, and kept
        in a bounded cache. The components are then joined with ``articles`` in DuckDB and only those that
        differ from an existing cluster are rewritten, a range of components at a time.

        Returns:
            How many clusters were written.
        """
        con = self.con
        if self._count("an_relink") == 0:  # nothing to link (every unchanged run): no buckets, no nodes
            return 0
        con.execute(sql("analytics/link_bucket_members"))
        con.execute(sql("analytics/link_nodes"))
        n_nodes = self._count("an_nodes")
        if n_nodes == 0:
            return 0

        con.execute(sql("analytics/link_lists"), [LIST_ENTRIES])
        cache = _HashCache(con, shingle_words=self.params.shingle_words)
        if self.staged_shingles:
            files = ", ".join(quote_literal(f) for f in self.staged_shingles)
            version = [self.params.index_version]
            cache.spool(sql("analytics/node_shingles").format(files=files), version, n_nodes, self.staged_dir)
        try:
            return self._link_nodes(n_nodes, cache)
        finally:
            cache.close()
            trim()

    def _link_nodes(self, n_nodes: int, cache: _HashCache) -> int:
        """The linking and the rewrite of ``_link`` once the nodes and their shingle sets are ready."""
        import pyarrow as pa  # lazy: pyarrow, numpy stay off the unchanged-rerun path

        from corpus_etl.analytics import minhash as mh  # lazy: as above

        con = self.con
        linker = BucketLinker(n_nodes)
        old = con.sql(sql("analytics/link_old_clusters")).to_arrow_table()
        cl, nodes = old.column("cluster").to_pylist(), old.column("node").to_pylist()
        for k in range(1, len(cl)):
            if cl[k] == cl[k - 1]:
                linker.union(nodes[k - 1], nodes[k])
        del old, cl, nodes
        failed: set[int] = set()  # failed pairs, packed as (smaller << 32) | larger node: one int each
        self._memory(self.limits.link)
        threshold = self.params.threshold

        def similar(a: int, b: int) -> bool:
            key = (a << 32) | b if a < b else (b << 32) | a
            if key in failed:
                return False
            if mh.jaccard(cache[a], cache[b]) >= threshold:
                return True
            if len(failed) >= FAILED_MEMO:
                failed.clear()
            failed.add(key)
            return False

        n_lists = self._count("an_lists")
        parts = int(con.execute(sql("analytics/link_list_parts")).fetchall()[0][0]) if n_lists else 0
        for part in range(parts):
            batch = con.execute(sql("analytics/link_lists_range"), [part]).fetchall()
            todo = [(ns, fr) for ns, fr in batch if not linker.connected(ns)]
            cache.load({n for ns, _ in todo for n in ns})
            for ns, fr in todo:
                linker.link_bucket(ns, fr, similar)
        self.stats = {
            "nodes": n_nodes,
            "bucket_lists": n_lists,
            "pairs_checked": linker.checks,
            "checks_capped": linker.capped,
            "largest_bucket": linker.largest,
            "shingle_sets_computed": cache.computed,
            "shingle_sets_staged": cache.read,
        }
        roots = linker.roots()
        comp = pa.table({"node": pa.array(range(n_nodes), pa.int64()), "comp": pa.array(roots, pa.int64())})
        del roots, linker
        failed.clear()
        cache.close_sets()
        trim()
        self._memory(self.limits.sets)
        with registered(con, "an_comp_rows", comp):
            con.execute(sql("analytics/link_components"))
        con.execute(sql("analytics/link_members"))
        sizes = [int(n) for _, n in con.execute(sql("analytics/group_sizes")).fetchall()]  # members by grp 0, 1, ...
        n_groups = len(sizes)
        if n_groups == 0:
            return 0
        con.execute(sql("analytics/delete_changed_clusters"))
        self._memory(self.limits.link)
        # Ranges of whole components of about GROUP_ROWS members: a fixed number of components held up to
        # 200,000 member rows as dicts (1.5 GB in the flow process on the 1 GB benchmark, whose stories
        # recur in clusters of up to 376 copies).
        for start, stop in group_ranges(sizes, GROUP_ROWS):
            rows = fetch_dicts(con, sql("analytics/member_rows"), [start, stop])
            self._write_groups(rows, cache)
            del rows
        return n_groups

    def _write_groups(self, rows: list[dict[str, Any]], cache: _HashCache) -> None:
        """Write the ``story_clusters`` rows of whole components (``member_rows``, ordered by grp)."""
        import pyarrow as pa  # lazy: pyarrow, numpy stay off the unchanged-rerun path

        from corpus_etl import schema  # lazy: as above
        from corpus_etl.analytics import minhash as mh  # lazy: as above

        groups: dict[int, list[dict[str, Any]]] = {}
        for r in rows:
            groups.setdefault(r["grp"], []).append(r)
        plan = []
        need: set[int] = set()
        for members in groups.values():
            facts = {
                r["article_id"]: Member(
                    article_id=r["article_id"],
                    source_id=r["source_id"],
                    source_path=r["source_path"],
                    ordinal=r["ordinal"],
                    n_words=r["n_words"],
                    content_hash=r["content_hash"],
                    ingested_at=r["ingested_at"],
                    outlet=outlet_for(r["outlet"]),
                )
                for r in members
            }
            canon = canonical(facts.values())
            canon_node = next(r["node"] for r in members if r["article_id"] == canon.article_id)
            plan.append((members, facts, canon, canon_node))
            for r in members:
                if r["old_cluster"] != canon.article_id and r["content_hash"] != canon.content_hash:
                    need.update((r["node"], canon_node))
        cache.load(need)
        out: dict[str, list[Any]] = {c: [] for c in schema.STORY_CLUSTERS.columns}
        for members, facts, canon, canon_node in plan:
            for r in members:
                m = r["article_id"]
                f = facts[m]
                if m == canon.article_id:
                    match, sim = "canonical", 1.0
                elif f.content_hash == canon.content_hash:
                    match, sim = "exact", 1.0
                elif r["old_cluster"] == canon.article_id:  # the old cluster of this canonical keeps its similarities
                    match, sim = r["old_match"], r["old_similarity"]
                else:
                    match, sim = "near", round(mh.jaccard(cache[r["node"]], cache[canon_node]), 6)
                out["cluster_id"].append(canon.article_id)
                out["article_id"].append(m)
                out["source_id"].append(f.source_id)
                out["outlet"].append(f.outlet)
                out["is_canonical"].append(m == canon.article_id)
                out["match"].append(match)
                out["similarity"].append(sim)
                out["cluster_size"].append(len(members))
                out["run_id"].append(self.run_id)
        self._insert("story_clusters", pa.Table.from_pydict(out, schema=schema.STORY_CLUSTERS.schema))
