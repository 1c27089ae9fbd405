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
3. Linking: the new articles and the dissolved clusters' members are compared with every article
   sharing an LSH bucket with them (exact Jaccard of the shingle sets, or equal content hashes); the
   verified pairs and the existing clusters they touch are merged into connected components, and only
   the clusters that changed are rewritten (canonical member and similarities per
   ``corpus_etl.analytics.clusters``).

The result is the same as clustering all current articles at once (the clusters are the connected
components of the same verified-candidate graph), whatever order the articles arrived in.

Why DuckDB tables for the LSH state (``minhash_signatures``, ``lsh_buckets``) rather than a pickled
``datasketch.MinHashLSH`` beside the database: the state changes in the same transaction as the
clusters and articles it describes (a crash cannot leave them out of step), deleting the articles of a
changed file is a ``DELETE``, candidate lookup is one join for a whole run instead of a Python query per
article, nothing has to be unpickled (pickles are code and tied to library versions), and analysts can
query it. The stored signatures let the banding change without re-reading the bodies.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from corpus_etl import schema
from corpus_etl.analytics import minhash as mh
from corpus_etl.analytics.clusters import Member, UnionFind, canonical, outlet_for
from corpus_etl.analytics.index import STAGED, index_tables
from corpus_etl.analytics.search import TOKENIZER_VERSION

from .db import fetch_dicts, quote_ident, quote_literal, rollback_quietly, sql
from .loader import open_writer

CHUNK = 2000  # articles read and indexed at a time


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
            )
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "changed": self.changed}


def update_analytics(
    db_path: Path, run_id: str, changed_source_ids: Iterable[str] | None = None, staged_dir: Path | None = None
) -> AnalyticsSummary:
    """Bring story clusters and the search index up to date with ``articles``, in one transaction.

    Args:
        db_path: the DuckDB file.
        run_id: the run recorded on the rows written.
        changed_source_ids: the files this run loaded (processed) again; their articles are indexed
            afresh even when their ids did not change. None or empty: only the difference between
            ``articles`` and the indexes is applied (new, removed and re-versioned articles).
        staged_dir: the run's staging directory, whose ``batch-*.index.<table>.parquet`` files hold the
            index rows the batch workers computed (``corpus_etl.analytics.index``); they are inserted
            with one statement per table. Articles they do not cover are indexed here.

    Returns:
        The counts of what changed.
    """
    t0 = time.perf_counter()
    changed = sorted(set(changed_source_ids or ()))
    with open_writer(db_path) as con:
        con.execute("BEGIN")
        try:
            counts = _Updater(con, run_id, staged_dir).run(changed)
            con.execute("COMMIT")
        except BaseException:
            rollback_quietly(con)
            raise
    return AnalyticsSummary(**counts, seconds=round(time.perf_counter() - t0, 3))


def _ids(rows: list[tuple[Any, ...]]) -> list[str]:
    return [r[0] for r in rows]


class _Updater:
    """One update, on one connection inside one transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: str, staged_dir: Path | None = None) -> None:
        self.con = con
        self.run_id = run_id
        self.staged = {
            name: sorted(str(p) for p in staged_dir.glob(f"batch-*.index.{name}.parquet")) if staged_dir else []
            for name in STAGED
        }
        self.hashes: dict[str, mh.Hashes] = {}
        self.content_hash: dict[str, str] = {}

    def run(self, changed: list[str]) -> dict[str, int]:
        con = self.con
        con.execute(
            sql("analytics/stale").format(stale=quote_ident("an_stale_sig"), index=quote_ident("minhash_signatures")),
            [changed, mh.INDEX_VERSION],
        )
        con.execute(
            sql("analytics/stale").format(stale=quote_ident("an_stale_search"), index=quote_ident("search_docs")),
            [changed, TOKENIZER_VERSION],
        )
        con.execute(sql("analytics/affected_clusters"))
        survivors = _ids(con.execute(sql("analytics/survivors")).fetchall())
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

        sig_todo = _ids(
            con.execute(
                sql("analytics/to_index").format(index=quote_ident("minhash_signatures")), [mh.MIN_WORDS]
            ).fetchall()
        )
        search_todo = _ids(
            con.execute(sql("analytics/to_index").format(index=quote_ident("search_docs")), [0]).fetchall()
        )
        self._index(sig_todo, search_todo)
        written = self._link(sorted(set(sig_todo) | set(survivors)))
        totals = fetch_dicts(con, sql("analytics/totals"))[0]
        return {
            "signatures_added": len(sig_todo),
            "signatures_removed": sig_removed,
            "search_added": len(search_todo),
            "search_removed": search_removed,
            "clusters_written": written,
            "clusters_dissolved": dissolved,
            "clusters": int(totals["clusters"]),
            "cluster_members": int(totals["cluster_members"]),
        }

    def _count(self, table: str) -> int:
        rows = self.con.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchall()
        return int(rows[0][0]) if rows else 0

    def _insert(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        staged = f"stg_an_{name}"
        self.con.register(staged, table)
        try:
            self.con.execute(sql("load/insert_staged").format(table=quote_ident(name), staged=quote_ident(staged)))
        finally:
            self.con.unregister(staged)

    def _bodies(self, ids: list[str]) -> list[dict[str, Any]]:
        return fetch_dicts(self.con, sql("analytics/bodies"), [ids])

    def _insert_staged(self, todo: list[str], tables: tuple[str, ...]) -> set[str]:
        """Insert the workers' staged index rows of the ``todo`` articles into ``tables``; return the ids
        covered (the first table's)."""
        if not todo or not self.staged[tables[0]]:
            return set()
        con = self.con
        con.execute(sql("analytics/todo"), [todo])
        covered: set[str] = set()
        for i, name in enumerate(tables):
            files = ", ".join(quote_literal(f) for f in self.staged[name])
            if not files:
                continue
            if i == 0:
                con.execute(sql("analytics/staged_covered").format(files=files))
                covered = set(_ids(con.execute("SELECT article_id FROM an_covered").fetchall()))
            cols = ", ".join(quote_ident(c) for c in STAGED[name].columns)
            con.execute(sql("analytics/insert_staged_index").format(table=quote_ident(name), cols=cols, files=files))
        return covered

    def _index(self, sig_todo: list[str], search_todo: list[str]) -> None:
        """Insert signatures, LSH buckets and search postings for the articles to index: the rows the
        workers staged, and rows computed here for the articles no staging file covers."""
        sig_done = self._insert_staged(sig_todo, ("minhash_signatures", "lsh_buckets"))
        search_done = self._insert_staged(search_todo, ("search_docs", "search_terms"))
        want_sig = set(sig_todo) - sig_done
        want_search = set(search_todo) - search_done
        todo = sorted(want_sig | want_search)
        for i in range(0, len(todo), CHUNK):
            rows = self._bodies(todo[i : i + CHUNK])
            for name, table in index_tables(rows, self.run_id, want_sig, want_search, self.hashes).items():
                self._insert(name, table)
            for row in rows:
                if row["article_id"] in want_sig:
                    self.content_hash[row["article_id"]] = row["content_hash"]

    def _ensure_content_hashes(self, ids: Iterable[str]) -> None:
        missing = sorted(set(ids) - self.content_hash.keys())
        for i in range(0, len(missing), CHUNK * 10):
            rows = self.con.execute(sql("analytics/content_hashes"), [missing[i : i + CHUNK * 10]]).fetchall()
            self.content_hash.update(dict(rows))

    def _ensure_hashes(self, ids: Iterable[str]) -> None:
        missing = sorted(set(ids) - self.hashes.keys())
        for i in range(0, len(missing), CHUNK):
            for row in self._bodies(missing[i : i + CHUNK]):
                self.hashes[row["article_id"]] = mh.shingle_hashes(row["body"])
                self.content_hash[row["article_id"]] = row["content_hash"]

    def _link(self, relink: list[str]) -> int:
        """Link the given articles to their near-duplicates; rewrite the clusters that changed.

        Returns:
            How many clusters were written.
        """
        if not relink:
            return 0
        con = self.con
        pairs = [(a, b) for a, b in con.execute(sql("analytics/candidates"), [relink]).fetchall()]
        nodes = set(relink) | {b for _, b in pairs}
        self._ensure_content_hashes({x for p in pairs for x in p})
        ch = self.content_hash
        # shingle sets are needed only where a pair's bodies differ (equal content hashes are a match)
        self._ensure_hashes({x for a, b in pairs if ch[a] != ch[b] for x in (a, b)})
        edges = mh.similar_pairs(pairs, self.hashes, self.content_hash)
        old: dict[str, dict[str, tuple[str, float]]] = {}  # cluster_id -> member -> (match, similarity)
        for cid, aid, match, sim in con.execute(sql("analytics/clusters_of"), [sorted(nodes)]).fetchall():
            old.setdefault(cid, {})[aid] = (match, sim)
        uf = UnionFind(nodes)
        for a, b in edges:
            uf.union(a, b)
        for members in old.values():
            first, *rest = sorted(members)
            for m in rest:
                uf.union(first, m)
        cluster_of = {aid: cid for cid, members in old.items() for aid in members}
        groups = []
        for group in uf.groups():
            if len(group) < 2:
                continue
            covered = {cluster_of[m] for m in group if m in cluster_of}
            if len(covered) == 1 and set(old[next(iter(covered))]) == set(group):
                continue  # an existing cluster nothing new joined
            groups.append((group, covered))
        if not groups:
            return 0
        facts = {
            r["article_id"]: Member(
                article_id=r["article_id"],
                source_id=r["source_id"],
                source_path=r["source_path"],
                ordinal=r["ordinal"],
                n_words=r["n_words"],
                content_hash=r["content_hash"],
                ingested_at=r["ingested_at"],
                outlet=outlet_for(r["outlet"], r["source_path"]),
            )
            for r in fetch_dicts(con, sql("analytics/member_facts"), [[m for g, _ in groups for m in g]])
        }
        rows: dict[str, list[Any]] = {c: [] for c in schema.STORY_CLUSTERS.columns}
        for group, _ in groups:
            canon = canonical(facts[m] for m in group)
            kept = old.get(canon.article_id, {})  # an old cluster with the same canonical keeps its similarities
            need = [m for m in group if m not in kept and facts[m].content_hash != canon.content_hash]
            if need:
                self._ensure_hashes([*need, canon.article_id])
            for m in group:
                f = facts[m]
                if m == canon.article_id:
                    match, sim = "canonical", 1.0
                elif f.content_hash == canon.content_hash:
                    match, sim = "exact", 1.0
                elif m in kept:
                    match, sim = kept[m]
                else:
                    match, sim = "near", round(mh.jaccard(self.hashes[m], self.hashes[canon.article_id]), 6)
                rows["cluster_id"].append(canon.article_id)
                rows["article_id"].append(m)
                rows["source_id"].append(f.source_id)
                rows["outlet"].append(f.outlet)
                rows["is_canonical"].append(m == canon.article_id)
                rows["match"].append(match)
                rows["similarity"].append(sim)
                rows["cluster_size"].append(len(group))
                rows["run_id"].append(self.run_id)
        replaced = sorted({cid for _, covered in groups for cid in covered})
        if replaced:
            con.execute(sql("analytics/delete_clusters"), [replaced])
        self._insert("story_clusters", pa.Table.from_pydict(rows, schema=schema.STORY_CLUSTERS.schema))
        return len(groups)
