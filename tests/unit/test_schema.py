"""The schema module is the single source of the DDL, the README contract and the GX suites' columns."""

from __future__ import annotations

import json

import duckdb

from corpus_etl import schema
from corpus_etl.docs import contract_markdown
from expectations import SUITE_NAMES, SUITES_DIR
from tests.conftest import REPO
from warehouse.db import create_table_sql, ensure_schema


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


def test_readme_contract_is_generated_from_the_schema():
    assert contract_markdown() in (REPO / "README.md").read_text(encoding="utf-8")


def test_suites_reference_only_schema_columns_and_have_severities():
    check_columns = {"_body_sha256", "_source_chars"}  # derived in corpus_etl.validate.with_check_columns
    for name in SUITE_NAMES:
        data = json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
        columns = set(schema.SUITE_TABLES[name].columns) | check_columns
        for exp in data["expectations"]:
            assert exp["meta"]["severity"] in ("error", "warning"), exp
            assert exp["meta"].get("reason"), exp
            for key in ("column", "column_A", "column_B"):
                if key in exp["kwargs"]:
                    assert exp["kwargs"][key] in columns, (name, exp)
