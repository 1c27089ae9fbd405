"""Schema versions on real DuckDB files: a version-1 warehouse is upgraded on open, a newer one is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from corpus_etl import schema
from corpus_etl_cli.main import app
from warehouse import migrations
from warehouse.analytics import update_analytics
from warehouse.db import (
    SCHEMA_VERSION,
    SchemaMismatch,
    SchemaTooNew,
    create_table_sql,
    ensure_schema,
    stored_schema_version,
    view_names,
)
from warehouse.loader import begin_run
from warehouse.readonly import open_for_query
from warehouse.search import search

pytestmark = pytest.mark.e2e
V1_TABLES = (
    "sources",
    "articles",
    "paragraphs",
    "removed_spans",
    "quarantine",
    "clusters",
    "runs",
    "dq_runs",
    "dq_results",
)
V2_TABLES = ("minhash_signatures", "lsh_buckets", "story_clusters", "search_docs", "search_terms")


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[tuple[str, str, str]]]:
    """Table -> its (column, type, nullable) (order-free: rows are always written BY NAME)."""
    out: dict[str, set[tuple[str, str, str]]] = {}
    for table, col, typ, nullable in con.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name IN (SELECT table_name FROM duckdb_tables())"
    ).fetchall():
        out.setdefault(table, set()).add((col, typ, nullable))
    return out


def _v1_warehouse(path: Path) -> None:
    """A warehouse as version 1 wrote it (its frozen DDL), holding two articles."""
    con = duckdb.connect(str(path))
    migrations.create_baseline(con, 1)
    at = datetime(2025, 6, 1, tzinfo=UTC)
    body = " ".join(f"word{i}" for i in range(60))
    for i, (aid, sid) in enumerate((("a1", "s1"), ("a2", "s2"))):
        con.execute(
            "INSERT INTO articles (article_id, source_id, source_path, ordinal, kind, title, body, language, "
            "language_prob, authors, tags, char_start, char_end, n_words, n_paragraphs, content_hash, run_id, "
            "ingested_at) VALUES (?, ?, ?, 0, 'article', 'T', ?, 'en', 1, [], [], 0, 1, 60, 1, 'h', 'old', ?)",
            [aid, sid, f"/old/outlet{i}/x.txt", body, at],
        )
    con.close()


def test_version_1_warehouse_is_upgraded_on_open_and_backfilled(tmp_path):
    db = tmp_path / "corpus.duckdb"
    _v1_warehouse(db)
    con = duckdb.connect(str(db))
    assert stored_schema_version(con) == 1
    assert set(_columns(con)) == {*V1_TABLES, "schema_version"}
    con.close()

    # the writer's first step (every run does it) upgrades the warehouse, keeping its rows
    begin_run(db, "run-v2", "corpus-etl-ingest", datetime.now(UTC), ["x"], "{}")
    con = duckdb.connect(str(db), read_only=True)
    versions = [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()]
    assert versions == [1, 2, 3, 4, 5, 6, 7] == list(range(1, SCHEMA_VERSION + 1))
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (2,)
    for name in view_names():
        con.execute(f"SELECT * FROM {name}").fetchall()
    migrated = _columns(con)
    con.close()

    # the upgraded warehouse has exactly the tables and columns of a new one
    fresh = duckdb.connect()
    ensure_schema(fresh)
    assert migrated == _columns(fresh)

    # its articles are indexed by the next analytics update: an exact-duplicate cluster
    s = update_analytics(db, "run-v2", None)
    assert (s.signatures_added, s.search_added, s.clusters, s.cluster_members) == (2, 2, 1, 2)


def test_version_5_story_clusters_lose_the_folder_as_outlet(tmp_path):
    """Version 6: story_clusters.outlet is the article's outlet (NULL when its page names none), not the folder
    name version 5 wrote; the articles gain the source identity columns (NULL until the file's next load)."""
    db = tmp_path / "corpus.duckdb"
    con = duckdb.connect(str(db))
    migrations.create_baseline(con, 5)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for aid, outlet in (("a1", "The Canadian Press"), ("a2", None)):
        con.execute(
            "INSERT INTO articles (article_id, source_id, source_path, ordinal, kind, body, language, language_prob, "
            "authors, outlet, tags, char_start, char_end, n_words, n_paragraphs, content_hash, run_id, ingested_at) "
            "VALUES (?, 's', '/data/bbc/x.txt', 0, 'article', 'b', 'en', 1, [], ?, [], 0, 1, 1, 1, 'h', 'r', ?)",
            [aid, outlet, at],
        )
        con.execute(
            "INSERT INTO story_clusters VALUES ('a1', ?, 's', ?, ? = 'a1', 'exact', 1, 2, 'r')",
            [aid, outlet or "bbc", aid],
        )
    con.execute("INSERT INTO line_hashes (source_id, outlet, line_hash, run_id) VALUES ('s', '/data/bbc', 'h', 'r')")
    ensure_schema(con)
    assert stored_schema_version(con) == SCHEMA_VERSION
    # line_hashes.outlet was a folder: renamed, rows kept
    assert con.execute("SELECT source_id, folder FROM line_hashes").fetchall() == [("s", "/data/bbc")]
    got = con.execute("SELECT article_id, outlet FROM story_clusters ORDER BY 1").fetchall()
    assert got == [("a1", "The Canadian Press"), ("a2", None)]
    got = con.execute("SELECT outlet, outlet_source, site FROM v_articles ORDER BY article_id").fetchall()
    assert got == [("The Canadian Press", None, None), (None, None, None)]
    con.close()


def test_every_not_null_column_is_created_by_a_migration():
    """Nullable columns are added on open; a NOT NULL column must come from a frozen migration step."""
    steps = migrations.steps()
    assert sorted(steps) == list(range(1, SCHEMA_VERSION + 1))
    con = duckdb.connect()
    migrations.create_baseline(con, SCHEMA_VERSION)
    built = {t: {c for c, _, _ in cols} for t, cols in _columns(con).items()}
    assert set(built) == {t.name for t in schema.TABLES} | {"schema_version"}
    for spec in schema.TABLES:
        for f in spec.schema:
            assert f.nullable or f.name in built[spec.name], f"{spec.name}.{f.name} is NOT NULL: add a migration"
    # the analytics tables of version 2 are frozen as the schema module declares them (but for the one change
    # of version 6: story_clusters.outlet nullable)
    frozen = {stmt.split("\n", 1)[1] for stmt in migrations.statements(2)}
    declared = {create_table_sql(schema.BY_NAME[t]) for t in V2_TABLES}
    v6 = ('"outlet" VARCHAR,', '"outlet" VARCHAR NOT NULL,')
    assert {d.replace(*v6) if '"story_clusters"' in d else d for d in declared} == frozen


def test_a_missing_not_null_column_is_refused_with_what_to_do(tmp_path):
    con = duckdb.connect(str(tmp_path / "corpus.duckdb"))
    ensure_schema(con)
    con.execute("ALTER TABLE story_clusters DROP COLUMN is_canonical")
    with pytest.raises(SchemaMismatch, match="story_clusters lacks the NOT NULL column is_canonical"):
        ensure_schema(con)
    con.close()


def test_a_warehouse_from_a_newer_version_is_refused_with_what_to_do(tmp_path):
    db = tmp_path / "corpus.duckdb"
    con = duckdb.connect(str(db))
    ensure_schema(con)
    con.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION + 1])
    with pytest.raises(SchemaTooNew, match="upgrade corpus-etl"):
        ensure_schema(con)
    con.close()
    proc = CliRunner().invoke(app, ["analytics", "-w", str(tmp_path)])
    assert proc.exit_code == 1 and "written by a newer corpus-etl" in proc.stderr


def test_query_tools_tell_how_to_upgrade_a_version_1_warehouse(tmp_path):
    _v1_warehouse(tmp_path / "corpus.duckdb")
    proc = CliRunner().invoke(app, ["search", "word1", "-w", str(tmp_path)])
    assert proc.exit_code == 1
    assert "schema version 1" in proc.stderr and f"corpus-etl analytics --warehouse {tmp_path}" in proc.stderr
    up = CliRunner().invoke(app, ["analytics", "-w", str(tmp_path)])
    assert up.exit_code == 0 and f"upgraded the warehouse to schema version {SCHEMA_VERSION}" in up.stdout, up.stderr
    assert "2 articles indexed" in up.stdout and "1 story clusters (2 articles)" in up.stdout
    assert "1 event stories (2 articles, 2 placed now)" in up.stdout  # the old articles are placed in stories
    rc = open_for_query(tmp_path)
    try:
        assert rc.note is None and [r["source_path"] for r in search(rc.con, "word1")] == [
            "/old/outlet0/x.txt",
            "/old/outlet1/x.txt",
        ]
    finally:
        rc.close()


@pytest.fixture
def fresh_fingerprint():
    """Clear the cached SQL texts and schema fingerprint before and after (a test points them elsewhere)."""
    from warehouse import db

    db.sql.cache_clear()
    db.schema_fingerprint.cache_clear()
    yield db
    db.sql.cache_clear()
    db.schema_fingerprint.cache_clear()


def _applied(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the applications of the schema (create_views runs once in each full ensure_schema)."""
    from warehouse import db

    calls: list[int] = []
    real = db.create_views
    monkeypatch.setattr(db, "create_views", lambda con: (calls.append(1), real(con))[1])
    return calls


def test_a_current_schema_is_not_applied_again(tmp_path, monkeypatch, fresh_fingerprint):
    db = fresh_fingerprint
    applied = _applied(monkeypatch)
    con = duckdb.connect(str(tmp_path / "corpus.duckdb"))
    ensure_schema(con)
    assert db.schema_is_current(con) and len(applied) == 1
    before = db.catalog_digest(con)
    assert ensure_schema(con) == [] and len(applied) == 1  # nothing run: same files, same catalog
    assert db.catalog_digest(con) == before
    con.close()
    # a reopened file is still current (the fingerprint is stored in it)
    con = duckdb.connect(str(tmp_path / "corpus.duckdb"))
    ensure_schema(con)
    assert len(applied) == 1
    con.close()


def test_a_changed_view_file_is_applied(tmp_path, monkeypatch, fresh_fingerprint):
    import shutil

    db = fresh_fingerprint
    sql_dir = tmp_path / "sql"
    shutil.copytree(db.SQL_DIR, sql_dir)
    monkeypatch.setattr(db, "SQL_DIR", sql_dir)
    con = duckdb.connect(str(tmp_path / "corpus.duckdb"))
    ensure_schema(con)
    old = db.schema_fingerprint()
    (sql_dir / "views" / "v_language_mix.sql").write_text(
        "CREATE OR REPLACE VIEW v_language_mix AS SELECT 42 AS answer", encoding="utf-8"
    )
    db.sql.cache_clear()
    db.schema_fingerprint.cache_clear()  # a new process reads the files anew
    assert db.schema_fingerprint() != old and not db.schema_is_current(con)
    ensure_schema(con)
    assert con.execute("SELECT * FROM v_language_mix").fetchall() == [(42,)]
    assert db.schema_is_current(con)
    con.close()


def test_a_changed_schema_module_is_applied(tmp_path, monkeypatch, fresh_fingerprint):
    db = fresh_fingerprint
    sources = db.schema_sources()
    copy = tmp_path / "schema.py"
    copy.write_bytes(sources[0].read_bytes())
    assert sources[0].name == "schema.py"
    monkeypatch.setattr(db, "schema_sources", lambda: [copy, *sources[1:]])
    applied = _applied(monkeypatch)
    con = duckdb.connect(str(tmp_path / "corpus.duckdb"))
    ensure_schema(con)
    ensure_schema(con)
    assert len(applied) == 1
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# a new description\n", encoding="utf-8")
    db.schema_fingerprint.cache_clear()
    ensure_schema(con)
    assert len(applied) == 2 and db.schema_is_current(con)
    con.close()


@pytest.mark.parametrize(
    "ddl",
    [
        "DROP VIEW v_language_mix",
        "CREATE OR REPLACE VIEW v_articles AS SELECT 1 AS x",  # another corpus-etl's view
        "COMMENT ON TABLE articles IS 'changed'",
        "ALTER TABLE articles DROP COLUMN standfirst",  # a nullable column: added again, as before
        "DELETE FROM schema_fingerprint",
    ],
)
def test_any_ddl_since_makes_the_schema_be_applied_again(tmp_path, monkeypatch, fresh_fingerprint, ddl):
    db = fresh_fingerprint
    applied = _applied(monkeypatch)
    con = duckdb.connect(str(tmp_path / "corpus.duckdb"))
    ensure_schema(con)
    expected = db.catalog_digest(con)
    con.execute(ddl)
    assert not db.schema_is_current(con)
    ensure_schema(con)
    assert len(applied) == 2 and db.schema_is_current(con)
    if "DROP COLUMN" in ddl:  # added again at the end of the table (add_missing_columns), so not the same catalog
        assert "standfirst" in {c for c, _, _ in _columns(con)["articles"]}
    else:
        assert db.catalog_digest(con) == expected
    con.close()
