"""The analytics writer on real DuckDB files: incremental story clusters, deletions, the BBC corpus, search.

Articles are written straight into ``articles`` (as a run's load would: a file's rows replace its old
rows), so these tests need neither Prefect nor the splitter; tests/e2e/test_warehouse_analytics.py runs
the same step after the real flow.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus_etl import schema
from corpus_etl.analytics import minhash as mh
from corpus_etl.decode import decode_bytes
from corpus_etl.discover import source_id_for
from corpus_etl.normalize import normalize_text
from corpus_etl.pipeline import article_id_for, sha256_hex
from tests.conftest import CORPORA, need_shared
from warehouse.analytics import update_analytics
from warehouse.db import ensure_schema
from warehouse.loader import open_writer

AT = datetime(2026, 1, 1, tzinfo=UTC)
Record = tuple[str | None, str, str | None]  # title, body, outlet


def article_row(path: str, ordinal: int, record: Record, at: datetime, run_id: str) -> dict[str, object]:
    """An ``articles`` row for a record of a file (language 'en', spans nominal)."""
    title, body, outlet = record
    sid = source_id_for(path)
    content_hash = sha256_hex(body)
    return {
        "article_id": article_id_for(sid, ordinal, content_hash),
        "source_id": sid,
        "source_path": path,
        "ordinal": ordinal,
        "kind": "article",
        "title": title,
        "body": body,
        "language": "en",
        "language_prob": 0.99,
        "authors": [],
        "outlet": outlet,
        "tags": [],
        "char_start": 0,
        "char_end": len(body),
        "n_words": len(body.split()),
        "n_paragraphs": body.count("\n\n") + 1,
        "content_hash": content_hash,
        "run_id": run_id,
        "ingested_at": at,
    }


def put(db: Path, files: dict[str, list[Record] | None], run_id: str, at: datetime) -> list[str]:
    """Load files as a run does: each file's records replace its old rows; None removes them all.

    Returns:
        The source ids of the files (what the flow passes to the analytics step).
    """
    ids = [source_id_for(p) for p in files]
    arts = [article_row(p, i, r, at, run_id) for p, recs in files.items() for i, r in enumerate(recs or [])]
    srcs = [
        {
            "source_id": source_id_for(p),
            "path": p,
            "size_bytes": 0,
            "n_chars": sum(len(r[1]) for r in recs),
            "n_articles": len(recs),
            "n_quarantined": 0,
            "n_removed_spans": 0,
            "status": "loaded",
            "first_run_id": run_id,
            "last_run_id": run_id,
            "loaded_run_id": run_id,
        }
        for p, recs in files.items()
        if recs is not None
    ]
    new = not db.exists()
    with open_writer(db) as con:
        if new:
            ensure_schema(con)
        con.register("stg_articles", schema.to_table(schema.ARTICLES, arts))
        con.register("stg_sources", schema.to_table(schema.SOURCES, srcs))
        con.execute("BEGIN")
        con.execute("DELETE FROM articles WHERE source_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
        con.execute("DELETE FROM sources WHERE source_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
        con.execute("INSERT INTO articles BY NAME SELECT * FROM stg_articles")
        con.execute("INSERT INTO sources BY NAME SELECT * FROM stg_sources")
        con.execute("COMMIT")
    return ids


def rows(db: Path, query: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


CLUSTER_ROWS = (
    "SELECT cluster_id, article_id, source_id, outlet, is_canonical, match, round(similarity, 6), cluster_size "
    "FROM story_clusters ORDER BY article_id"
)

# ---------------------------------------------------------------- a small universe of stories and edits

_WORDS = [f"w{i}" for i in range(3000)]


def story(seed: int, n: int = 200) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(_WORDS) for _ in range(n)]


def variant(seed: int, kind: int) -> str:
    """Story ``seed`` as told by a variant: 0 original, 1 light edit, 2 trimmed to 60%, 3 heavy rewrite."""
    words = story(seed)
    rng = random.Random(seed * 10 + kind)
    if kind == 1:
        words = [f"e{rng.randrange(10**6)}" if rng.random() < 0.02 else w for w in words]
    elif kind == 2:
        words = words[: int(len(words) * 0.6)]
    elif kind == 3:
        words = [f"e{rng.randrange(10**6)}" if rng.random() < 0.25 else w for w in words]
    return " ".join(words)


PATHS = [f"/feeds/outlet{i % 3}/f{i}.txt" for i in range(7)]
contents = st.one_of(
    st.none(),
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3)), min_size=1, max_size=2),
)
runs = st.lists(st.dictionaries(st.sampled_from(PATHS), contents, min_size=1, max_size=4), min_size=1, max_size=3)


def _records(spec: list[tuple[int, int]] | None) -> list[Record] | None:
    if spec is None:
        return None
    return [(f"story {s}", variant(s, k), None if k else "Wire") for s, k in spec]


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty warehouse (schema created once; copied by tests that need many)."""
    db = tmp_path_factory.mktemp("template") / "corpus.duckdb"
    put(db, {}, "init", AT)
    return db


@given(runs)
@example(  # the canonical's file is deleted, then a bridge member changes: the cluster splits and regroups
    [
        {PATHS[0]: [(0, 0)], PATHS[1]: [(0, 2)], PATHS[2]: [(0, 1), (1, 0)]},
        {PATHS[3]: [(0, 3), (1, 1)], PATHS[0]: None},
        {PATHS[4]: [(0, 1)], PATHS[1]: [(2, 0)], PATHS[2]: [(1, 2)]},
    ]
)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_incremental_updates_equal_clustering_from_scratch(tmp_path_factory, empty_db, plan):
    """Whatever the order of arrivals, changes and deletions, the clusters equal a one-shot clustering."""
    tmp = tmp_path_factory.mktemp("inc")
    db, fresh = tmp / "inc.duckdb", tmp / "fresh.duckdb"
    shutil.copy(empty_db, db)
    shutil.copy(empty_db, fresh)
    final: dict[str, tuple[list[Record], datetime, str]] = {}
    for i, run in enumerate(plan):
        at, run_id = AT + timedelta(hours=i), f"run{i}"
        files = {p: _records(spec) for p, spec in run.items()}
        changed = put(db, files, run_id, at)
        update_analytics(db, run_id, changed)
        for p, recs in files.items():
            if recs is None:
                final.pop(p, None)
            else:
                final[p] = (recs, at, run_id)
    by_run: dict[tuple[datetime, str], dict[str, list[Record] | None]] = defaultdict(dict)
    for p, (recs, at, run_id) in final.items():
        by_run[(at, run_id)][p] = recs
    for (at, run_id), files in sorted(by_run.items()):
        put(fresh, files, run_id, at)
    update_analytics(fresh, "once", None)

    assert rows(db, CLUSTER_ROWS) == rows(fresh, CLUSTER_ROWS)
    for table in ("minhash_signatures", "search_docs"):
        q = f"SELECT article_id FROM {table} ORDER BY 1"
        assert rows(db, q) == rows(fresh, q) == rows(db, "SELECT article_id FROM articles ORDER BY 1")
    q = "SELECT band, bucket, article_id FROM lsh_buckets ORDER BY ALL"
    assert rows(db, q) == rows(fresh, q)
    # every cluster has one canonical member, its id; no article is in two clusters
    for cid, n, canon in rows(db, "SELECT cluster_id, count(*), sum(is_canonical::INT) FROM story_clusters GROUP BY 1"):
        assert canon == 1 and n >= 2
        assert rows(db, "SELECT is_canonical FROM story_clusters WHERE article_id = ?", [cid]) == [(True,)]


def test_changed_and_deleted_files_leave_their_clusters(tmp_path):
    db = tmp_path / "corpus.duckdb"
    wire, copy, edit, other = "/f/wire/a.txt", "/f/daily/b.txt", "/f/herald/c.txt", "/f/herald/d.txt"
    put(db, {wire: [("A", variant(1, 0), "Wire")]}, "r1", AT)
    assert update_analytics(db, "r1", [source_id_for(wire)]).clusters == 0
    ids = put(
        db,
        {copy: [("B", variant(1, 0), None)], edit: [("C", variant(1, 1), None)], other: [("D", variant(2, 0), None)]},
        "r2",
        AT + timedelta(hours=1),
    )
    s = update_analytics(db, "r2", ids)
    assert (s.signatures_added, s.clusters, s.cluster_members) == (3, 1, 3)
    (a_id,) = rows(db, "SELECT article_id FROM articles WHERE source_path = ?", [wire])[0]
    got = rows(db, "SELECT source_id, outlet, is_canonical, match, cluster_id FROM story_clusters ORDER BY match")
    assert got == [
        (source_id_for(wire), "Wire", True, "canonical", a_id),
        (source_id_for(copy), None, False, "exact", a_id),  # no outlet named: never the folder's name
        (source_id_for(edit), None, False, "near", a_id),
    ]
    (sim,) = rows(db, "SELECT similarity FROM story_clusters WHERE match = 'near'")[0]
    assert 0.5 <= sim < 1

    # the wire file changes: its old article leaves; the copies stay together under a new canonical
    put(db, {wire: [("A2", variant(3, 0), "Wire")]}, "r3", AT + timedelta(hours=2))
    s = update_analytics(db, "r3", [source_id_for(wire)])
    assert (s.signatures_removed, s.signatures_added, s.clusters_dissolved, s.clusters) == (1, 1, 1, 1)
    got = rows(db, "SELECT source_path, is_canonical, match FROM story_clusters JOIN articles USING (article_id)")
    assert sorted(got) == [(copy, True, "canonical"), (edit, False, "near")]
    assert rows(db, "SELECT count(*) FROM minhash_signatures WHERE article_id = ?", [a_id]) == [(0,)]
    assert rows(db, "SELECT count(*) FROM lsh_buckets WHERE article_id = ?", [a_id]) == [(0,)]
    assert rows(db, "SELECT count(*) FROM search_terms WHERE article_id = ?", [a_id]) == [(0,)]

    # the copy's file is deleted: the edit is alone, so there is no cluster left
    put(db, {copy: None}, "r4", AT + timedelta(hours=3))
    s = update_analytics(db, "r4", [])
    assert (s.clusters, s.cluster_members, s.signatures_removed) == (0, 0, 1)

    # nothing changed: nothing is written
    s = update_analytics(db, "r5", [])
    assert not s.changed


def test_rows_of_an_older_index_version_are_rebuilt(tmp_path):
    db = tmp_path / "corpus.duckdb"
    ids = put(db, {p: [("t", variant(i % 2, i % 3), None)] for i, p in enumerate(PATHS)}, "r1", AT)
    update_analytics(db, "r1", ids)
    before = rows(db, CLUSTER_ROWS)
    assert before
    con = duckdb.connect(str(db))
    con.execute("UPDATE minhash_signatures SET index_version = 'w4-old' WHERE source_id = ?", [ids[0]])
    con.execute("UPDATE search_docs SET index_version = 'old' WHERE source_id = ?", [ids[1]])
    con.close()
    s = update_analytics(db, "r2", [])
    assert (s.signatures_removed, s.signatures_added, s.search_removed, s.search_added) == (1, 1, 1, 1)
    assert rows(db, CLUSTER_ROWS) == before
    assert rows(db, "SELECT DISTINCT index_version FROM minhash_signatures") == [(mh.INDEX_VERSION,)]


def test_index_rows_staged_by_the_workers_equal_rows_computed_in_the_writer(tmp_path):
    """The batch workers' staged index rows (corpus_etl.analytics.index) give the same tables as the writer's
    own computation; articles no staging file covers (here: half of them) are indexed by the writer."""
    import pyarrow.parquet as pq

    from corpus_etl.analytics.index import index_tables

    files = {
        p: [("t", variant(i % 2, i % 3), None), ("u", " ".join(story(40 + i, 30)), None)] for i, p in enumerate(PATHS)
    }
    tables = ["minhash_signatures", "lsh_buckets", "search_docs", "search_terms", "story_clusters"]
    results = {}
    for mode in ("writer", "staged"):
        db = tmp_path / mode / "corpus.duckdb"
        ids = put(db, files, "r1", AT)
        staged = None
        if mode == "staged":
            staged = tmp_path / mode / "staging"
            staged.mkdir()
            arts = [article_row(p, i, r, AT, "r1") for p, recs in files.items() for i, r in enumerate(recs)]
            for name, table in index_tables(arts[: len(arts) // 2], "r1", with_shingles=True).items():
                pq.write_table(table, staged / f"batch-000000.index.{name}.parquet")
        s = update_analytics(db, "r1", ids, staged)
        assert s.signatures_added == s.search_added == 2 * len(PATHS)
        if mode == "staged":  # the staged shingle sets are read, the others computed from the bodies
            assert s.shingle_sets_staged > 0 and s.shingle_sets_computed > 0
        else:
            assert s.shingle_sets_staged == 0 and s.shingle_sets_computed > 0
        cols = {t: ", ".join(c for c in schema.BY_NAME[t].columns if c != "run_id") for t in tables}
        results[mode] = {t: rows(db, f"SELECT {cols[t]} FROM {t} ORDER BY ALL") for t in tables}
    assert results["staged"] == results["writer"]
    assert results["writer"]["story_clusters"]


# ---------------------------------------------------------------- huge LSH buckets


def test_thousands_of_near_identical_texts_link_in_linear_work(tmp_path):
    """Syndicated wire copy: 1,500 byte-identical copies of a short story and 1,500 copies with one word
    changed each (distinct texts, all near-duplicates, all in the same huge buckets), plus unrelated
    stories, in two runs. One cluster of all 3,000, nothing else; the linking checks about one pair per
    distinct text (no pair list: it holds one bucket's members and one parent per text at a time)."""
    base = story(900, 60)
    rng = random.Random(5)

    def edited(i: int) -> str:
        w = list(base)
        w[rng.randrange(len(w))] = f"edit{i}"
        return " ".join(w)

    first = {f"/wire/a/{i:04d}.txt": [("Wire", " ".join(base), None)] for i in range(1500)}
    first |= {f"/other/{i}.txt": [("Other", " ".join(story(1000 + i, 60)), None)] for i in range(20)}
    second = {f"/wire/b/{i:04d}.txt": [("Wire", edited(i), None)] for i in range(1500)}
    db = tmp_path / "corpus.duckdb"
    s1 = update_analytics(db, "r1", put(db, first, "r1", AT))
    assert (s1.clusters, s1.cluster_members) == (1, 1500)
    assert s1.nodes == 1 + 20 and s1.pairs_checked == 0  # 1,500 identical copies are one text
    s2 = update_analytics(db, "r2", put(db, second, "r2", AT + timedelta(hours=1)))
    assert (s2.clusters, s2.cluster_members) == (1, 3000)
    assert s2.largest_bucket > 1000
    assert s2.pairs_checked <= 2 * 1501 and s2.checks_capped == 0  # linear, not 1,500^2 / 2
    ((size, sims),) = rows(db, "SELECT count(*), min(similarity) FROM story_clusters GROUP BY cluster_id")
    assert size == 3000 and sims >= mh.THRESHOLD
    assert rows(db, "SELECT count(*) FROM story_clusters JOIN articles USING (article_id) WHERE title = 'Other'") == [
        (0,)
    ]


# ---------------------------------------------------------------- the BBC corpus


def bbc_files(root: Path) -> dict[str, list[Record]]:
    """Each BBC file as one record: line 1 the title, the rest the body (normalised like the pipeline)."""
    out: dict[str, list[Record]] = {}
    for p in sorted(root.glob("*/*.txt")):
        text = decode_bytes(p.read_bytes()).text
        title, _, rest = text.partition("\n")
        paras = [normalize_text(x) for x in re.split(r"\n\s*\n", rest)]
        out[str(p)] = [(title.strip(), "\n\n".join(x for x in paras if x), None)]
    return out


# Near-duplicate clusters (not exact) of the BBC corpus, reviewed by reading each pair: all are revised
# versions of one story (updated figures, new quotes, a new headline), never two different stories.
BBC_NEAR = {
    ("business/209", "business/229"),
    ("business/254", "business/447"),
    ("business/260", "business/354"),
    ("entertainment/079", "entertainment/331"),
    ("entertainment/102", "entertainment/341"),
    ("entertainment/142", "entertainment/229"),
    ("entertainment/179", "entertainment/216"),
    ("politics/043", "politics/313"),
    ("politics/069", "politics/311", "politics/312"),
    ("politics/077", "politics/354"),
    ("politics/088", "politics/337"),
    ("politics/226", "politics/265"),
    ("sport/289", "sport/406"),
    ("sport/424", "sport/511"),
    ("sport/425", "sport/433"),
    ("sport/444", "sport/458"),
    ("tech/009", "tech/379"),
    ("tech/019", "tech/329"),
    ("tech/022", "tech/380"),
    ("tech/032", "tech/335"),
    ("tech/043", "tech/326"),
    ("tech/045", "tech/341"),
    ("tech/049", "tech/340"),
    ("tech/064", "tech/338"),
    ("tech/095", "tech/311"),
    ("tech/155", "tech/294"),
    ("tech/212", "tech/225"),
    ("tech/219", "tech/224"),
    ("tech/234", "tech/389"),
    ("tech/286", "tech/391"),
    # the same text but for punctuation, a paragraph break or a headline (Jaccard 1.0, other content hash)
    ("politics/067", "politics/390"),
    ("sport/181", "sport/182"),
    ("sport/332", "sport/344"),
    ("sport/432", "sport/438"),
    ("tech/048", "tech/342"),
}


def test_bbc_exact_duplicates_are_found_and_no_false_cluster(tmp_path):
    root = need_shared(CORPORA / "bbc_news" / "bbc")
    files = bbc_files(root)
    assert len(files) == 2225
    db = tmp_path / "corpus.duckdb"
    ids = put(db, files, "bbc", AT)
    t0 = time.perf_counter()
    s = update_analytics(db, "bbc", ids)
    seconds = time.perf_counter() - t0
    print(f"BBC analytics: {s} in {seconds:.1f} s")

    def key(path: object) -> str:
        return str(path).split("/bbc/")[-1].removesuffix(".txt")

    members = rows(
        db,
        "SELECT c.cluster_id, a.source_path, c.match, c.similarity, c.outlet "
        "FROM story_clusters AS c JOIN articles AS a USING (article_id)",
    )
    cluster_of = {key(p): cid for cid, p, _, _, _ in members}
    by_cluster: dict[object, list[tuple[object, ...]]] = defaultdict(list)
    for m in members:
        by_cluster[m[0]].append(m)

    # the 98 byte-identical files: each pair in one cluster, as exact copies
    by_bytes: dict[str, list[str]] = defaultdict(list)
    for p in files:
        by_bytes[hashlib.sha256(Path(p).read_bytes()).hexdigest()].append(key(p))
    pairs = [v for v in by_bytes.values() if len(v) > 1]
    assert len(pairs) == 98 and all(len(v) == 2 for v in pairs)
    for a, b in pairs:
        assert a in cluster_of and cluster_of[a] == cluster_of[b], (a, b)
        assert {m[2] for m in by_cluster[cluster_of[a]] if key(m[1]) in (a, b)} <= {"canonical", "exact"}

    # every group of equal bodies (the 98, plus 35 re-headlined copies) is in one cluster
    by_body: dict[str, list[str]] = defaultdict(list)
    for p, [(_, body, _)] in files.items():
        by_body[body].append(key(p))
    groups = [sorted(v) for v in by_body.values() if len(v) > 1]
    assert len(groups) == 133
    assert all(len({cluster_of[k] for k in g}) == 1 for g in groups)

    # no false cluster: one category per cluster, and the near clusters are exactly the reviewed ones
    assert all(len({m[4] for m in ms}) == 1 for ms in by_cluster.values())
    near = {tuple(sorted(key(m[1]) for m in ms)) for ms in by_cluster.values() if any(m[2] == "near" for m in ms)}
    assert near == BBC_NEAR
    assert all(m[3] >= mh.THRESHOLD for m in members)
    assert len(by_cluster) == len(groups) + len(BBC_NEAR) - 1  # politics/069 = 311 (exact), joined by 312 (near)
    assert seconds < 60


@given(st.lists(st.integers(min_value=1, max_value=50), max_size=60), st.integers(min_value=1, max_value=80))
@settings(max_examples=300, deadline=None)
def test_group_ranges_cover_every_group_in_bounded_ranges(sizes: list[int], limit: int) -> None:
    from warehouse.analytics import group_ranges

    ranges = group_ranges(sizes, limit)
    assert [g for a, b in ranges for g in range(a, b)] == list(range(len(sizes)))  # all, in order, once
    for a, b in ranges:
        held = sum(sizes[a:b])
        assert held <= limit or b - a == 1  # a component larger than the limit goes alone
        if b < len(sizes):
            assert held + sizes[b] > limit  # a range is closed only when the next group would not fit


def test_staged_shingle_sets_read_back_from_the_spool_file_as_staged(tmp_path: Path) -> None:
    """``_HashCache.spool`` writes the staged sets (several record batches of them, empty sets and nodes without
    a set among them) to its temporary file; every set reads back equal, a node with no staged set is computed
    from its body, and the cache never holds more than its limit besides the last set read."""
    import numpy as np

    from warehouse.analytics import SPOOL_ROWS, _HashCache

    rng = np.random.default_rng(7)
    n = 3 * SPOOL_ROWS + 5
    sets = {k: np.unique(rng.integers(0, 2**63, int(rng.integers(0, 40)), dtype=np.uint64)) for k in range(0, n, 2)}
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE an_nodes (node BIGINT, rep VARCHAR)")
    con.execute("CREATE TEMP TABLE articles (article_id VARCHAR, body VARCHAR)")
    con.execute("INSERT INTO an_nodes SELECT i, 'a' || i FROM range(?) AS t(i)", [n])
    body = "'word ' || i || ' and some more words'"
    con.execute(f"INSERT INTO articles SELECT 'a' || i, {body} FROM range(?) AS t(i)", [n])
    con.execute("CREATE TEMP TABLE staged (node BIGINT, hashes UBIGINT[])")
    con.executemany("INSERT INTO staged VALUES (?, ?)", [(k, [int(x) for x in v]) for k, v in sets.items()])
    cache = _HashCache(con, limit=100)
    cache.spool("SELECT node, hashes FROM staged WHERE node >= ?", [0], n, tmp_path)
    assert cache.read == len(sets)
    for k in range(n):
        got = cache[k]
        want = sets[k] if k in sets else mh.shingle_hashes(f"word {k} and some more words")
        assert got.dtype == np.uint64 and np.array_equal(got, want), k
        assert cache.held <= cache.limit + got.size
    assert cache.computed == n - len(sets)
    cache.close()
    assert cache.file is None and list(tmp_path.iterdir()) == []  # the spool file is gone with the cache
