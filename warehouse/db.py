"""DuckDB access: connections, the one identifier-quoting helper, SQL files and DDL from the schema."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from corpus_etl.schema import TABLES, TableSpec

SQL_DIR = Path(__file__).with_name("sql")
# 1: the ingest tables (sources ... dq_results). 2: the analytics tables and views (warehouse/migrations/).
SCHEMA_VERSION = 3


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back after an error, keeping that error: a failed COMMIT (a full disk) has already ended the
    transaction, and "no transaction is active" must not replace "No space left on device"."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


class SchemaTooNew(RuntimeError):
    """The warehouse was written by a newer corpus-etl (a higher schema version than this one knows)."""


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
    if pa.types.is_int16(t):
        return "SMALLINT"
    if pa.types.is_uint32(t):
        return "UINTEGER"
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


# DuckDB's default memory limit is 80 % of RAM, and its buffer pool keeps what it read until then: the
# writer (in the flow process, for the whole run) would grow with the warehouse. Bounded, DuckDB spills
# large sorts and joins (the Parquet export, the analytics joins) to ``<db>.tmp`` instead. 256 MB, with
# the staged index rows inserted one batch file at a time (one statement for all of a 200 MB corpus's
# 6.4 M LSH rows ran out of memory at 256 MB): update-analytics of the 200 MB benchmark corpus peaks at
# 652 MiB instead of 895 MiB at 512 MB, with the same clusters (measured with bench/analytics_replay.py).
# Two threads: the machine's cores (the workers are gone by the time the big statements run). Insertion
# order is not kept: every read that needs an order says ORDER BY, and keeping it makes DuckDB buffer
# whole results. No progress bar: the writer runs in a flow, its output is a log.
WRITER_MEMORY_LIMIT = "256MB"
WRITER_THREADS = 2


def writer_config(path: Path) -> dict[str, str | int | bool]:
    """The DuckDB settings of the single writer's connection (see ``WRITER_MEMORY_LIMIT``)."""
    return {
        "memory_limit": WRITER_MEMORY_LIMIT,
        "threads": WRITER_THREADS,
        "preserve_insertion_order": False,
        "temp_directory": f"{path}.tmp",
    }


# The DuckDB memory limit of the reports' read-only connections (dashboard, Data Docs, the run's DQ summary).
# Unbounded, DuckDB kept what the report queries read: on the 200 MB benchmark warehouse the dashboard took the
# flow process to 850 MiB and the Data Docs to 511 MiB (measured alone), the flow's peak at the end of a run;
# at 128 MB: 468 and 355 MiB, the same pages. Larger sorts spill to the system's temporary directory.
REPORT_MEMORY_LIMIT = "128MB"


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse database (read-only for queries and reports; a writer's memory is bounded)."""
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config=writer_config(path))  # type: ignore[arg-type]
    con.execute("SET enable_progress_bar = false")  # a connection setting: the writer's output is a log
    return con


def connect_report(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for a report, its memory bounded (``REPORT_MEMORY_LIMIT``)."""
    return duckdb.connect(str(path), read_only=True, config={"memory_limit": REPORT_MEMORY_LIMIT})


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the database on ``con`` has a table ``name`` in its main schema."""
    rows = con.execute(sql("read/has_table"), [name]).fetchall()  # fetched to the end: nothing left pending
    return bool(rows and rows[0][0])


def stored_schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version the warehouse on ``con`` was written with; None for an empty database.

    A database with the ingest tables but no recorded version predates the version table: version 1.
    """
    if has_table(con, "schema_version"):
        rows = con.execute(sql("read/schema_version")).fetchall()
        if rows and rows[0][0] is not None:
            return int(rows[0][0])
    return 1 if has_table(con, "sources") else None


class SchemaMismatch(RuntimeError):
    """The warehouse lacks a NOT NULL column of the schema module that no migration adds."""


def add_missing_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Add the nullable columns of the schema module that the warehouse's tables lack (``ALTER TABLE``).

    A nullable column added to a table of the schema module needs no migration: an existing warehouse
    gets it (NULL in old rows) on its next open. A NOT NULL column has no value for old rows: it needs a
    migration step (``warehouse/migrations/``).

    Returns:
        The columns added, as "table.column".

    Raises:
        SchemaMismatch: a NOT NULL column is missing.
    """
    added: list[str] = []
    for spec in TABLES:
        have = {r[0] for r in con.execute(sql("read/table_columns"), [spec.name]).fetchall()}
        for f in spec.schema:
            if f.name in have:
                continue
            if not f.nullable:
                raise SchemaMismatch(
                    f"the warehouse's table {spec.name} lacks the NOT NULL column {f.name} and no migration adds "
                    "it: write its rows to a new warehouse (--warehouse NEW_DIR), or add a migration step in "
                    "warehouse/migrations/"
                )
            con.execute(
                f"ALTER TABLE {quote_ident(spec.name)} ADD COLUMN IF NOT EXISTS {quote_ident(f.name)} "
                f"{duckdb_type(f.type)}"
            )
            added.append(f"{spec.name}.{f.name}")
    return added


def view_names() -> list[str]:
    """The analytics views (``warehouse/sql/views/<name>.sql``), in creation order."""
    return sorted(p.stem for p in (SQL_DIR / "views").glob("*.sql"))


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the analytics views (``CREATE OR REPLACE VIEW``, one file each)."""
    for name in view_names():
        con.execute(sql(f"views/{name}"))


def ensure_schema(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Create or upgrade the warehouse schema in one transaction, and record the schema version.

    A new database gets every table of the schema module. A database written by an older version is
    upgraded by the migration steps after its version (``warehouse/migrations/``), then gets the
    nullable columns added to the schema module since (``add_missing_columns``). The views are
    recreated every time. Idempotent.

    Returns:
        The versions whose migrations were applied (empty when none was needed).

    Raises:
        SchemaTooNew: the database was written by a newer corpus-etl.
        SchemaMismatch: the database lacks a NOT NULL column that no migration adds.
    """
    con.execute("BEGIN")
    try:
        found = stored_schema_version(con)
        if found is not None and found > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the warehouse has schema version {found} but this corpus-etl knows versions up to "
                f"{SCHEMA_VERSION}: it was written by a newer corpus-etl; upgrade corpus-etl to use it"
            )
        con.execute(sql("load/create_schema_version"))
        applied: list[int] = []
        if found is not None and found < SCHEMA_VERSION:
            from .migrations import migrate

            applied = migrate(con, found)
        for spec in TABLES:
            con.execute(create_table_sql(spec))
        if found is not None:
            add_missing_columns(con)
        for spec in TABLES:
            for stmt in comment_sql(spec):
                con.execute(stmt)
        create_views(con)
        con.execute(sql("load/set_schema_version"), [SCHEMA_VERSION])
        con.execute("COMMIT")
    except BaseException:
        rollback_quietly(con)
        raise
    return applied


def fetch_dicts(con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Run a query and return its rows as dicts (the result is fully read before returning)."""
    cur = con.execute(query, params or [])
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
