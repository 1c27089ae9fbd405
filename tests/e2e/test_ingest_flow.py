"""The real flow (Prefect test server, GX, DuckDB file, Parquet) on ../shared/seeds and crafted files."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from corpus_etl.settings import Settings
from tests.unit.test_split import SEED_TITLES

pytestmark = pytest.mark.e2e


def _run(sources: list[Path], wh: Path, **kw):
    from flows.ingest import ingest

    return ingest([str(s) for s in sources], Settings(warehouse=wh, **kw))


def _rows(wh: Path, sql: str, params=None):
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def seeded(prefect_api, seeds_dir, tmp_path_factory):
    """A warehouse built from a copy of the seeds, and the summaries of two runs."""
    src = tmp_path_factory.mktemp("src")
    for p in seeds_dir.glob("*.txt"):
        shutil.copy(p, src / p.name)
    wh = tmp_path_factory.mktemp("wh")
    first = _run([src], wh)
    snapshot = _rows(wh, "select * exclude (run_id, ingested_at) from articles order by article_id")
    second = _run([src], wh)
    return src, wh, first, second, snapshot


def test_seeds_load_six_articles_with_titles(seeded):
    _, wh, first, _, _ = seeded
    assert first["n_discovered"] == 5 and first["n_processed"] == 5 and first["n_failed"] == 0
    titles = _rows(wh, "select title from articles where kind = 'article' order by source_path, ordinal")
    assert [t for (t,) in titles] == [t for k in sorted(SEED_TITLES) for t in SEED_TITLES[k]]
    assert _rows(wh, "select distinct language from articles") == [("en",)]
    assert first["n_quarantined"] == 0
    # the collection is the SOURCE argument, on every source and article row
    src = str(seeded[0].resolve())
    assert _rows(wh, "select distinct collection from sources") == [(src,)]
    assert _rows(wh, "select distinct collection from v_articles") == [(src,)]


def test_contract_columns_and_ids(seeded):
    _, wh, first, _, _ = seeded
    cols = [r[0] for r in _rows(wh, "select column_name from information_schema.columns where table_name = 'articles'")]
    for c in (
        "article_id",
        "source_id",
        "source_path",
        "ordinal",
        "kind",
        "title",
        "body",
        "language",
        "language_prob",
        "authors",
        "tags",
        "char_start",
        "char_end",
        "n_words",
        "content_hash",
        "run_id",
        "ingested_at",
    ):
        assert c in cols
    (n, n_ids) = _rows(wh, "select count(*), count(distinct article_id) from articles")[0]
    assert n == n_ids
    assert _rows(wh, "select distinct run_id from articles") == [(first["run_id"],)]
    assert _rows(wh, "select count(*) from runs where run_id = ? and status = 'completed'", [first["run_id"]]) == [(1,)]
    # authors and tags are lists; the body has no run of blank lines
    authors = dict(
        _rows(
            wh,
            "select regexp_extract(source_path, '/(\\d{3})_[^/]*$', 1), authors from articles "
            "where kind = 'article' and ordinal = 0",
        )
    )
    assert authors["001"] == ["Peter Henderson"] and authors["004"] == ["David Curry"]
    assert _rows(wh, "select count(*) from articles where body like '%' || chr(10) || chr(10) || chr(10) || '%'") == [
        (0,)
    ]


def test_every_character_is_accounted_for(seeded):
    _, wh, _, _, _ = seeded
    # Top-level spans (records, quarantined records, removed spans between records) tile each source.
    gaps = _rows(
        wh,
        """
        with spans as (
            select source_id, char_start, char_end from articles
            union all select source_id, char_start, char_end from quarantine
            union all select source_id, char_start, char_end from removed_spans where article_id is null
        ), ordered as (
            select *, lag(char_end, 1, 0) over (partition by source_id order by char_start) as prev_end from spans
        )
        select s.path from sources s
        where exists (select 1 from ordered o where o.source_id = s.source_id and o.char_start <> o.prev_end)
           or s.n_chars <> (select max(char_end) from spans x where x.source_id = s.source_id)
        """,
    )
    assert gaps == []


def test_parquet_matches_duckdb(seeded):
    _, wh, _, _, _ = seeded
    con = duckdb.connect()
    pq = con.execute(
        "select article_id, language, title from read_parquet(?, hive_partitioning = true) order by article_id",
        [str(wh / "parquet" / "articles" / "**" / "*.parquet")],
    ).fetchall()
    assert pq == _rows(wh, "select article_id, language, title from articles order by article_id")
    files = list((wh / "parquet" / "articles").rglob("*.parquet"))
    assert files and all(f.read_bytes()[:4] == b"PAR1" for f in files)
    meta = con.execute("select distinct compression from parquet_metadata(?)", [str(files[0])]).fetchall()
    assert meta == [("ZSTD",)]


def test_second_run_is_a_no_op(seeded):
    _, wh, first, second, snapshot = seeded
    assert second["n_skipped"] == 5 and second["n_processed"] == 0 and second["n_loaded"] == 0
    assert _rows(wh, "select * exclude (run_id, ingested_at) from articles order by article_id") == snapshot
    assert _rows(wh, "select distinct run_id from articles") == [(first["run_id"],)]
    assert _rows(wh, "select distinct status, last_run_id from sources") == [("skipped", second["run_id"])]
    assert _rows(wh, "select count(distinct first_run_id) from sources") == [(1,)]


def test_changed_file_replaces_its_articles_and_bad_files_fail(prefect_api, seeds_dir, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    seed = sorted(seeds_dir.glob("002*"))[0]
    shutil.copy(seed, src / "a.txt")
    (src / "empty.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (src / "brief.txt").write_text("Ferries run hourly.\n", encoding="utf-8")
    wh = tmp_path / "wh"
    s1 = _run([src], wh)
    assert s1["n_failed"] == 1 and s1["n_quarantined"] == 1
    failed = _rows(wh, "select path, status, error from sources where status = 'failed'")
    assert len(failed) == 1 and failed[0][0].endswith("empty.png") and "PNG" in failed[0][2]
    q = _rows(wh, "select source_path, failed_expectations from quarantine")
    assert q[0][0].endswith("brief.txt") and any("fewer than 5 words" in f for f in q[0][1])
    old_ids = {r[0] for r in _rows(wh, "select article_id from articles where source_path like '%a.txt'")}
    # change the file: two copies of the article separated by a separator line
    text = seed.read_text(encoding="utf-8")
    (src / "a.txt").write_text(text + "\n\n-----\n\n" + text, encoding="utf-8")
    s2 = _run([src], wh)
    # a.txt changed and the PNG failed before: both are processed; the brief is unchanged
    assert (s2["n_processed"], s2["n_skipped"], s2["n_failed"]) == (2, 1, 1)
    new = _rows(wh, "select article_id, ordinal, run_id from articles where source_path like '%a.txt' order by ordinal")
    assert [o for _, o, _ in new] == [0, 1]
    assert {r for _, _, r in new} == {s2["run_id"]}
    # the first article's text is unchanged, so it keeps its id; the second is new
    assert new[0][0] in old_ids and new[1][0] not in old_ids and len(old_ids) == 1


def test_second_concurrent_run_is_refused_naming_the_holder(prefect_api, seeds_dir, tmp_path):
    from warehouse.loader import WarehouseLocked
    from warehouse.lock import run_lock

    wh = tmp_path / "wh"
    with run_lock(wh, "run-holding-it"), pytest.raises(WarehouseLocked, match="run-holding-it"):
        _run([seeds_dir], wh)
    # once released, a run goes through; a run left 'running' by a dead process is marked crashed
    s = _run([seeds_dir], wh)
    con = duckdb.connect(str(wh / "corpus.duckdb"))
    con.execute("update runs set status = 'running', finished_at = null where run_id = ?", [s["run_id"]])
    con.close()
    (wh / "staging" / s["run_id"]).mkdir(parents=True)
    s2 = _run([seeds_dir], wh)
    assert _rows(wh, "select status from runs where run_id = ?", [s["run_id"]]) == [("crashed",)]
    assert _rows(wh, "select status from runs where run_id = ?", [s2["run_id"]]) == [("completed",)]
    assert not (wh / "staging" / s["run_id"]).exists()


def test_run_publishes_dashboard_and_prefect_artifact(seeded):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    _, wh, first, _, _ = seeded
    assert (wh / "docs" / "index.html").is_file()
    with get_client(sync_client=True) as client:
        arts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["corpus-etl-data-quality"]))
        )
    assert any(first["run_id"] in (a.description or "") and "expectations passed" in str(a.data) for a in arts)


def test_deleted_file_is_flagged_and_comes_back_when_restored(prefect_api, seeds_dir, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for p in sorted(seeds_dir.glob("*.txt"))[:2]:
        shutil.copy(p, src / p.name)
    wh = tmp_path / "wh"
    _run([src], wh)
    gone = sorted(src.glob("*.txt"))[0]
    kept_text = gone.read_text(encoding="utf-8")
    gone.unlink()
    s = _run([src], wh)
    assert s["n_deleted"] == 1 and s["n_skipped"] == 1
    assert _rows(wh, "select status, last_run_id from sources where path = ?", [str(gone)]) == [
        ("deleted", s["run_id"])
    ]
    assert _rows(wh, "select n_deleted from runs where run_id = ?", [s["run_id"]]) == [(1,)]
    # its records are kept (nothing lost), flagged through the source status
    assert _rows(wh, "select count(*) from articles join sources using (source_id) where status = 'deleted'")[0][0] > 0
    assert _rows(wh, "select distinct source_path = ?, is_current from v_articles order by 1", [str(gone)]) == [
        (False, True),
        (True, False),
    ]
    gone.write_text(kept_text, encoding="utf-8")
    s = _run([src], wh)
    assert s["n_processed"] == 1 and s["n_deleted"] == 0
    assert _rows(wh, "select status from sources where path = ?", [str(gone)]) == [("loaded",)]


def test_reprocess_applies_a_rule_change_and_its_revert(prefect_api, seeds_dir, tmp_path):
    """Rules changed after a load reach the loaded files only through --reprocess; reverting the change and
    reprocessing again gives back the same rows (the rule's removed spans too)."""
    from corpus_etl.rules import DEFAULT_RULES

    src = tmp_path / "src"
    src.mkdir()
    for p in seeds_dir.glob("*.txt"):
        shutil.copy(p, src / p.name)
    wh = tmp_path / "wh"
    articles = "select * exclude (run_id, ingested_at) from articles order by article_id"
    spans = "select source_id, char_start, char_end, rule from removed_spans order by all"
    _run([src], wh)
    before, before_spans = _rows(wh, articles), _rows(wh, spans)
    hits = _rows(wh, "select count(*), any_value(source_id) from removed_spans where rule = 'read_more_link'")[0]
    assert hits[0] > 0  # a seed's "READ MORE: <teaser headline>" line
    # A rules file without the 'read_more_link' rule (a new version).
    text = DEFAULT_RULES.read_text(encoding="utf-8").replace('version = "', 'version = "test-', 1)
    start = text.index('[[line]]\nname = "read_more_link"')
    end = text.index("[[line]]", start + 1)
    rules = tmp_path / "rules.toml"
    rules.write_text(text[:start] + text[end:], encoding="utf-8")
    unchanged = _run([src], wh, extraction={"rules_path": str(rules)})
    assert unchanged["n_skipped"] == 5 and _rows(wh, articles) == before  # the files did not change
    changed = _run([src], wh, extraction={"rules_path": str(rules)}, reprocess=True)
    assert (changed["n_processed"], changed["n_skipped"]) == (5, 0)
    assert _rows(wh, "select count(*) from removed_spans where rule = 'read_more_link'") == [(0,)]
    bodies = _rows(wh, "select string_agg(body, ' ') from articles where source_id = ?", [hits[1]])[0][0]
    assert "READ MORE: BlackBerry" in bodies
    assert _rows(wh, "select distinct run_id from articles") == [(changed["run_id"],)]
    # Revert: the packaged rules again, every file re-extracted: the first load's rows come back.
    reverted = _run([src], wh, reprocess=True)
    assert reverted["n_processed"] == 5
    assert _rows(wh, articles) == before and _rows(wh, spans) == before_spans
