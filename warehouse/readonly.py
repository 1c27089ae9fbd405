"""Read-only access for analysts: the database when it can be opened, else the Parquet copy.

DuckDB lets one process write a database file and, while it does, no other process may open it, not
even read-only. An ingest holds the file for its batch loads, its analytics update and its Parquet
export. ``open_for_query`` then falls back to an in-memory DuckDB whose tables are views over
``DIR/parquet/<table>/**/*.parquet`` (the copy of the last run that finished, swapped in atomically),
locked down: it can read only files under ``DIR/parquet`` (``allowed_directories``, then
``enable_external_access = false`` and ``lock_configuration``). On either, only SELECT and EXPLAIN statements
are run (a COPY could otherwise write inside that directory, or into the database's temporary directory).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from corpus_etl import schema

from .db import (
    DUCKDB_1X_STORAGE_NUMBERS,
    SCHEMA_VERSION,
    STORAGE_VERSION,
    create_table_sql,
    duckdb_type,
    quote_ident,
    quote_literal,
    storage_number,
    stored_schema_version,
    view_names,
)
from .db import sql as sql_file
from .loader import PARQUET_EXPORTS

READ_STATEMENTS = (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN)


class WarehouseUnavailable(RuntimeError):
    """The warehouse can be read neither from its database nor from its Parquet copy (says why)."""


class NotReadOnly(ValueError):
    """A statement other than SELECT or EXPLAIN was given where only reads are allowed."""


@dataclass
class ReadConnection:
    """A read-only connection and where it reads from ('database' or 'parquet'), with a note for stderr."""

    con: duckdb.DuckDBPyConnection
    source: str
    note: str | None = None

    def close(self) -> None:
        self.con.close()


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Keep a read-only connection to this database: no other file can be read or written through it, and no
    query can change that (``enable_external_access = false``, then ``lock_configuration``)."""
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def open_for_query(warehouse: Path) -> ReadConnection:
    """A read-only connection to the warehouse that cannot touch other files, or a clear error.

    The database is opened read-only with external access disabled. When a writer holds it (a running
    ingest), the Parquet copy is read instead, and the note says so.

    Raises:
        WarehouseUnavailable: no warehouse there, or the database is locked and there is no Parquet copy.
    """
    db = warehouse / "corpus.duckdb"
    if not db.exists():
        raise WarehouseUnavailable(
            f"no warehouse at {warehouse} (run `corpus-etl ingest SOURCE --warehouse {warehouse}` first)"
        )
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.IOException as exc:
        first = str(exc).splitlines()[0]
        if "lock" not in first.lower():
            raise WarehouseUnavailable(f"cannot open {db} read-only: {first}") from None
        parquet = warehouse / "parquet"
        if not any((parquet / "articles").rglob("*.parquet")):
            raise WarehouseUnavailable(
                f"{db} is locked by a writer (a running ingest) and there is no Parquet copy to read "
                f"instead (it is written at the end of the first run); retry when the ingest has finished. "
                f"DuckDB said: {first}"
            ) from None
        return ReadConnection(
            open_parquet(parquet),
            "parquet",
            f"{db} is locked by a writer (a running ingest); reading the Parquet copy in {parquet} "
            "(as of the last completed run; only SELECT queries)",
        )
    lock_down(con)
    note = None
    version = stored_schema_version(con)
    if version is not None and version < SCHEMA_VERSION:
        note = (
            f"the warehouse has schema version {version} (this corpus-etl writes {SCHEMA_VERSION}): its analytics "
            f"tables and views are missing; run `corpus-etl analytics --warehouse {warehouse}` (or any ingest) "
            "to upgrade it"
        )
    number = storage_number(db)
    if number is not None and number not in DUCKDB_1X_STORAGE_NUMBERS:
        note = (note + "; " if note else "") + (
            f"{db} is in DuckDB 2.0's storage format, which DuckDB 1.x clients cannot open; the next ingest or "
            f"`corpus-etl analytics --warehouse {warehouse}` rewrites it in format {STORAGE_VERSION}, which both read"
        )
    return ReadConnection(con, "database", note)


def _parquet_view_sql(
    con: duckdb.DuckDBPyConnection, parquet_dir: Path, spec: schema.TableSpec, files: list[Path]
) -> str:
    """A view of a table over its Parquet files: the table's columns (NULL for any an older copy lacks)."""
    root = parquet_dir / spec.name
    keys = sorted({part.split("=", 1)[0] for f in files for part in f.relative_to(root).parts[:-1] if "=" in part})
    types = ", ".join(f"{quote_literal(k)}: {'DATE' if k == 'ingest_date' else 'VARCHAR'}" for k in keys)
    hive = f", hive_types = {{{types}}}" if keys else ""
    source = f"read_parquet({quote_literal(str(root / '**' / '*.parquet'))}, hive_partitioning = true{hive})"
    have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    cols = ", ".join(
        quote_ident(f.name) if f.name in have else f"CAST(NULL AS {duckdb_type(f.type)}) AS {quote_ident(f.name)}"
        for f in spec.schema
    )
    return f"CREATE VIEW {quote_ident(spec.name)} AS SELECT {cols} FROM {source}"


def open_parquet(parquet_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the exported tables as views over their Parquet files, and the analytics views.

    A table with no Parquet file (empty when exported) is an empty table. The connection can read only
    files under ``parquet_dir``; its configuration is locked.
    """
    parquet_dir = parquet_dir.resolve()
    con = duckdb.connect(":memory:")
    con.execute(f"SET allowed_directories = [{quote_literal(str(parquet_dir) + '/')}]")
    con.execute("SET enable_external_access = false")
    for export in PARQUET_EXPORTS:
        spec = schema.BY_NAME[export.table]
        files = sorted((parquet_dir / spec.name).rglob("*.parquet"))
        if files:
            con.execute(_parquet_view_sql(con, parquet_dir, spec, files))
        else:
            con.execute(create_table_sql(spec))
    for name in view_names():
        try:
            con.execute(sql_file(f"views/{name}"))
        except duckdb.Error:  # a view over a table that is not exported is left out
            continue
    con.execute("SET lock_configuration = true")
    return con


def check_read_only(con: duckdb.DuckDBPyConnection, sql_text: str) -> None:
    """Raise ``NotReadOnly`` unless every statement of ``sql_text`` is a SELECT or an EXPLAIN."""
    for stmt in con.extract_statements(sql_text):
        if stmt.type not in READ_STATEMENTS:
            raise NotReadOnly(f"only SELECT and EXPLAIN statements can be run here (read-only), not {stmt.type.name}")


def run_query(
    rc: ReadConnection, sql_text: str, params: list[Any] | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a query on a read connection: only SELECT and EXPLAIN statements (``NotReadOnly`` otherwise).

    On the database too: a read-only DuckDB connection with external access disabled still writes into its
    temporary directory (``corpus.duckdb.tmp/``), so a ``COPY ... TO`` there succeeded; a CHECKPOINT, a PRAGMA
    or a SET is no query either.

    Returns:
        The column names and the rows.
    """
    check_read_only(rc.con, sql_text)
    try:
        cur = rc.con.execute(sql_text, params or [])
    except duckdb.CatalogException as exc:
        if rc.source != "parquet":
            raise
        raise duckdb.CatalogException(
            f"{str(exc).splitlines()[0]} (the Parquet copy, read while the database is locked, holds only "
            f"{', '.join(e.table for e in PARQUET_EXPORTS)} and the v_* views)"
        ) from None
    names = [d[0] for d in cur.description or []]
    return names, cur.fetchall()
