"""DuckDB access: connections, the one identifier-quoting helper, SQL files and DDL from the schema."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from corpus_etl.schema import TABLES, TableSpec

SQL_DIR = Path(__file__).with_name("sql")
SCHEMA_VERSION = 1


def quote_ident(name: str) -> str:
    """Quote an SQL identifier for DuckDB (the only place identifiers are quoted)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote a string literal, for the few places DuckDB takes no bound parameter (COPY ... TO 'path')."""
    return "'" + value.replace("'", "''") + "'"


@cache
def sql(name: str) -> str:
    """The text of ``warehouse/sql/<name>.sql`` (one statement per file, values bound with ``?``)."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").strip().rstrip(";")


def duckdb_type(t: pa.DataType) -> str:
    """DuckDB column type for an Arrow type of the schema module."""
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "VARCHAR"
    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_int32(t):
        return "INTEGER"
    if pa.types.is_float64(t):
        return "DOUBLE"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_date32(t):
        return "DATE"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
    if pa.types.is_list(t):
        return duckdb_type(t.value_type) + "[]"
    raise TypeError(f"no DuckDB type for {t}")


def create_table_sql(spec: TableSpec) -> str:
    """CREATE TABLE IF NOT EXISTS for a table of the schema module."""
    cols = ",\n  ".join(
        f"{quote_ident(f.name)} {duckdb_type(f.type)}{'' if f.nullable else ' NOT NULL'}" for f in spec.schema
    )
    return f"CREATE TABLE IF NOT EXISTS {quote_ident(spec.name)} (\n  {cols}\n)"


def comment_sql(spec: TableSpec) -> list[str]:
    """COMMENT ON statements carrying the schema's descriptions into the database catalog."""
    out = [f"COMMENT ON TABLE {quote_ident(spec.name)} IS {quote_literal(spec.description)}"]
    for f in spec.schema:
        out.append(
            f"COMMENT ON COLUMN {quote_ident(spec.name)}.{quote_ident(f.name)} "
            f"IS {quote_literal(spec.column_description(f.name))}"
        )
    return out


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse database (read-only for queries and reports)."""
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path))


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table of the schema module (idempotent) and record the schema version."""
    con.execute("BEGIN")
    for spec in TABLES:
        con.execute(create_table_sql(spec))
        for stmt in comment_sql(spec):
            con.execute(stmt)
    con.execute(sql("load/create_schema_version"))
    con.execute(sql("load/set_schema_version"), [SCHEMA_VERSION])
    con.execute("COMMIT")


def fetch_dicts(con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Run a query and return its rows as dicts (the result is fully read before returning)."""
    cur = con.execute(query, params or [])
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
