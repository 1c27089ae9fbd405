"""The schema module is the single source of the DDL, docs/contract.md and the GX suites' columns."""

from __future__ import annotations

import json

import duckdb

from corpus_etl import schema
from expectations import SUITE_NAMES, SUITES_DIR
from tests.conftest import REPO
from warehouse.db import BOOKKEEPING_COMMENTS, connect, create_table_sql, ensure_schema, schema_is_current, view_names
from warehouse.docs import contract_markdown


def test_ddl_creates_every_table_with_the_schema_columns():
    con = duckdb.connect()
    ensure_schema(con)
    ensure_schema(con)  # idempotent
    for spec in schema.TABLES:
        cols = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
                [spec.name],
            ).fetchall()
        ]
        assert cols == spec.columns
        # Arrow tables of the schema load into the DDL table by name
        con.register("t", schema.empty_table(spec))
        con.execute(f"insert into {spec.name} by name select * from t")
    assert "NOT NULL" in create_table_sql(schema.ARTICLES)


def test_every_column_is_described():
    for spec in schema.TABLES:
        assert spec.description
        for name in spec.columns:
            assert spec.column_description(name), f"{spec.name}.{name} has no description"


def test_every_view_is_described_column_by_column_in_its_order():
    """schema.VIEWS lists each view of warehouse/sql/views/ with exactly the columns DuckDB gives it."""
    assert sorted(v.name for v in schema.VIEWS) == view_names()
    con = duckdb.connect()
    ensure_schema(con)
    for spec in schema.VIEWS:
        cols = [
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where table_name = ? order by column_index", [spec.name]
            ).fetchall()
        ]
        assert cols == spec.columns, f"describe the columns of {spec.name} in corpus_etl/schema.py VIEWS"
        assert spec.description
        for name in spec.columns:
            assert spec.column_description(name), f"{spec.name}.{name} has no description"


def test_catalog_comments_every_table_view_and_column_an_analyst_sees():
    """duckdb_tables()/duckdb_views()/duckdb_columns() carry the schema module's descriptions."""
    con = duckdb.connect()
    ensure_schema(con)
    specs = {s.name: s for s in (*schema.TABLES, *schema.VIEWS)}
    main = "database_name = current_database() and schema_name = 'main'"
    tables = dict(con.execute(f"select table_name, comment from duckdb_tables() where {main}").fetchall())
    views = dict(con.execute(f"select view_name, comment from duckdb_views() where {main} and not internal").fetchall())
    book = BOOKKEEPING_COMMENTS  # the upgrades' bookkeeping tables, described too
    assert set(tables) | set(views) == set(specs) | set(book)
    for name, comment in {**tables, **views}.items():
        assert comment == (book[name][""] if name in book else specs[name].description), name
    assert set(views) == {v.name for v in schema.VIEWS}
    rows = con.execute(
        f"select table_name, column_name, comment from duckdb_columns() where {main} order by all"
    ).fetchall()
    assert len(rows) == sum(len(s.columns) for s in specs.values()) + sum(len(c) - 1 for c in book.values())
    for table, column, comment in rows:
        want = book[table][column] if table in book else specs[table].column_description(column)
        assert comment == want, (table, column)
    # one meaning per column name: the view's outlet is the table's (the page's own naming, never a folder)
    for view in ("v_articles", "v_story_members"):
        assert specs[view].column_description("outlet") == schema.ARTICLES.column_description("outlet"), view


def test_a_reopened_warehouse_file_has_the_schema_it_was_given(tmp_path):
    """The catalog read back from the file (written in the pinned storage version, ``db.STORAGE_VERSION``) is the
    catalog ensure_schema recorded: a view whose SQL the storage format rewrites would have every run apply the
    schema again (``1e6`` came back as ``CAST(1000000.0 AS DOUBLE)``)."""
    db = tmp_path / "corpus.duckdb"
    con = connect(db)
    ensure_schema(con)
    assert schema_is_current(con)
    con.close()
    con = connect(db)
    try:
        assert schema_is_current(con)
    finally:
        con.close()


def test_contract_page_is_generated_from_the_schema():
    assert contract_markdown() in (REPO / "docs" / "contract.md").read_text(encoding="utf-8")


def test_suites_reference_only_schema_columns_and_have_severities():
    check_columns = {"_body_sha256", "_source_chars"}  # derived in expectations.validate.with_check_columns
    for name in SUITE_NAMES:
        data = json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
        columns = set(schema.SUITE_TABLES[name].columns) | check_columns
        for exp in data["expectations"]:
            assert exp["meta"]["severity"] in ("error", "warning"), exp
            assert exp["meta"].get("reason"), exp
            for key in ("column", "column_A", "column_B"):
                if key in exp["kwargs"]:
                    assert exp["kwargs"][key] in columns, (name, exp)
