"""DuckDB access: connections, the one identifier-quoting helper, SQL files and DDL from the schema."""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import logging
import os
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from corpus_etl import limits

if TYPE_CHECKING:
    import pyarrow as pa

    from corpus_etl.schema import TableSpec

# The schema module (and pyarrow under it) is imported by the functions that build DDL, not at import: a
# warehouse whose schema is current (``schema_is_current``) is opened without it.

Connection = duckdb.DuckDBPyConnection  # for callers above the warehouse layer (flows/), which import no duckdb

SQL_DIR = Path(__file__).with_name("sql")
# 1: the ingest tables (sources ... dq_results). 2: the analytics tables and views (warehouse/migrations/).
# 3: line_hashes. 4: the event stories (story_members, story_terms, story_centroids).
SCHEMA_VERSION = 7


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back after an error, keeping that error: a failed COMMIT (a full disk) has already ended the
    transaction, and "no transaction is active" must not replace "No space left on device"."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN ... COMMIT on ``con``; when the block (or the COMMIT) raises, ROLLBACK (``rollback_quietly``) and
    the error goes on."""
    con.execute("BEGIN")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        rollback_quietly(con)
        raise


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[str]:
    """``table`` registered on ``con`` as ``name`` for the block, unregistered after it. When the block raises,
    its error goes on: a failed statement aborts the transaction, which then refuses the unregistering, and
    "Current transaction is aborted" must not replace the error that aborted it (an out-of-memory, a bad
    query)."""
    con.register(name, table)
    try:
        yield name
    except BaseException:
        try:
            con.unregister(name)
        except duckdb.Error:
            pass
        raise
    con.unregister(name)


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
    import pyarrow as pa  # lazy: pyarrow, numpy stay off the unchanged-rerun path

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
WRITER_MEMORY_LIMIT = limits.WRITER
WRITER_THREADS = 2


def writer_config(path: Path, memory_limit: str | None = None) -> dict[str, str | int | bool]:
    """The DuckDB settings of the single writer's connection (``memory_limit``: the run's
    ``settings.memory.writer``, by default ``WRITER_MEMORY_LIMIT``; see ``STORAGE_VERSION``)."""
    return {
        "memory_limit": memory_limit or WRITER_MEMORY_LIMIT,
        "threads": WRITER_THREADS,
        "preserve_insertion_order": False,
        "temp_directory": f"{path}.tmp",
        "storage_compatibility_version": STORAGE_VERSION,
    }


# The storage format the warehouse file is written in: the oldest DuckDB that must open it. DuckDB 2.0 writes its
# own format by default, which no DuckDB 1.x opens ("Trying to read a database file with version number 69, but
# we can only read versions between 64 and 68"): analysts' clients (the PyPI ``duckdb-cli`` and ``duckdb`` 1.5,
# DuckDB 1.4 LTS) could not read the warehouse. v1.4.0 is read by DuckDB 1.4, 1.5 and 2.x. On the BBC corpus's
# warehouse (2,225 files) the formats cost the same: 16.9 MB at v1.4.0 as at v2.0.0 (v1.0.0: 17.2 MB), the same
# query times; rewriting it took 0.4 s. The setting applies when a file is created; a file already in a newer
# format is rewritten once (``ensure_readable_by_1x``).
STORAGE_VERSION = "v1.4.0"
# The storage numbers of a DuckDB file's main header that DuckDB 1.x reads: 64 (v1.0) to 68 (v1.5). DuckDB 2.0's
# own format has a higher one (999 in its main header).
DUCKDB_1X_STORAGE_NUMBERS = range(64, 69)


def storage_number(path: Path) -> int | None:
    """The storage number in the main header of the DuckDB file at ``path`` (bytes 12-19, after the checksum and
    ``DUCK``), without opening it; None when it is not a DuckDB file."""
    with open(path, "rb") as fh:
        head = fh.read(20)
    if len(head) < 20 or head[8:12] != _DUCKDB_MAGIC:
        return None
    return int(struct.unpack_from("<Q", head, 12)[0])


class StorageRewriteFailed(RuntimeError):
    """The warehouse file could not be rewritten in the DuckDB 1.x storage format (it is left as it was)."""


def ensure_readable_by_1x(path: Path) -> bool:
    """Rewrite the DuckDB file at ``path`` in ``STORAGE_VERSION``'s format when DuckDB 1.x cannot read it (a
    warehouse written by corpus-etl before the storage version was pinned); True when it was rewritten.

    Every table, view and comment is copied (``COPY FROM DATABASE``) into ``<path>.v1.tmp`` attached with
    ``STORAGE_VERSION``, which then replaces the file by a rename: a reader or a crash sees the old file or the new
    one, whole. The old file is checkpointed first, so no write-ahead log is left to apply to the new one. The
    caller holds the run lock (no other writer), and no connection of this process may have the file open.

    Raises:
        StorageRewriteFailed: DuckDB could not copy it (the old file stays, and the error says why).
        duckdb.IOException: another process holds the file (its lock).
    """
    number = storage_number(path) if path.exists() else None
    if number is None or number in DUCKDB_1X_STORAGE_NUMBERS:
        return False
    tmp = path.with_name(path.name + ".v1.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(":memory:", config=writer_config(path))  # type: ignore[arg-type]
    try:
        con.execute(f"ATTACH {quote_literal(str(path))} AS old_format")
        con.execute("CHECKPOINT old_format")
        con.execute(
            f"ATTACH {quote_literal(str(tmp))} AS new_format (STORAGE_VERSION {quote_literal(STORAGE_VERSION)})"
        )
        con.execute("COPY FROM DATABASE old_format TO new_format")
        con.execute("DETACH new_format")
        con.execute("DETACH old_format")
    except duckdb.Error as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
            raise  # held by another process: the writer's caller reports it (``loader.WarehouseLocked``)
        raise StorageRewriteFailed(
            f"{path} is in a DuckDB storage format that DuckDB 1.x cannot read, and rewriting it in format "
            f"{STORAGE_VERSION} failed: {str(exc).splitlines()[0]}"
        ) from exc
    finally:
        con.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(path)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)  # (checkpointed above: none is expected)
    return True


# DuckDB's memory_limit belongs to the database instance, not to a connection: every connection of this
# process to one file shares it, and a step's SET changes it for the steps running beside it (the flow runs the
# record tables' export beside the analytics update). So the steps that need their own limit *claim* it
# (``memory_claim``): the instance's limit is the sum of the claims held on it at the moment, and goes back to
# the writer's when the last one ends. Two steps at once get the sum of their budgets, one step alone its own,
# and no step lowers the limit under another's running query.
_claims: dict[str, dict[int, int]] = {}  # database path -> claim -> bytes
_claims_lock = threading.Lock()
_claim_ids = itertools.count()
# database path -> the limit its writer connection was opened with (``connect``): where the claims go back to
_writer_limits: dict[str, str] = {}
limit_bytes = limits.limit_bytes  # (DuckDB's units: MB = 1000^2, MiB = 1024^2)


def apply_claims(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Put the memory_limit of ``db_path``'s instance back to what its claims say (the writer's when none)."""
    key = str(Path(db_path).resolve())
    with _claims_lock:
        _apply_claims(con, key)


def _apply_claims(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Set the instance's memory_limit to the sum of its claims (the writer's when there is none). Lowering it
    makes DuckDB evict (write temp blocks to ``<db>.tmp``); if it cannot (another step's pinned buffers), the
    higher limit stays until the next change."""
    total = sum(_claims.get(key, {}).values())
    limit = f"{total // 1000}KB" if total else _writer_limits.get(key, WRITER_MEMORY_LIMIT)
    try:
        con.execute("SET memory_limit = ?", [limit])
    except duckdb.Error:  # could not free enough now, or a connection a fatal error invalidated: keep that error
        pass


def checkpoint_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Write the committed rows into the database file now (``CHECKPOINT``), at the memory limit in force: a
    step that claimed a small share (``memory_claim``) checkpoints within it, instead of leaving the work to the
    close of the instance's last connection, which runs at the writer's limit. Skipped if DuckDB cannot
    checkpoint now (another step's open transaction): the close does it then."""
    try:
        con.execute("CHECKPOINT")
    except duckdb.Error:
        pass


class MemoryClaim:
    """A step's share of its DuckDB instance's memory limit (see ``memory_claim``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, key: str, claim: int) -> None:
        self.con, self.key, self.claim = con, key, claim

    def set(self, limit: str) -> None:
        """Change this step's share (a phase that needs less, or more), and the instance's limit with it."""
        with _claims_lock:
            _claims.setdefault(self.key, {})[self.claim] = limit_bytes(limit)
            _apply_claims(self.con, self.key)


@contextmanager
def memory_claim(con: duckdb.DuckDBPyConnection, db_path: Path, limit: str) -> Iterator[MemoryClaim]:
    """Hold ``limit`` of the DuckDB instance of ``db_path`` (on ``con``, one of its connections) for a step:
    while held, the instance's memory_limit is the sum of every claim held on it (steps running at once add
    up); on exit the claim is dropped and the limit set again from the others (the writer's when none is left).
    """
    key = str(Path(db_path).resolve())
    claim = MemoryClaim(con, key, next(_claim_ids))
    claim.set(limit)
    try:
        yield claim
    finally:
        with _claims_lock:
            held = _claims.get(key, {})
            held.pop(claim.claim, None)
            if not held:
                _claims.pop(key, None)
            _apply_claims(con, key)


# The DuckDB memory limit of the reports' read-only connections (dashboard, Data Docs, the run's DQ summary).
# Unbounded, DuckDB kept what the report queries read: on the 200 MB benchmark warehouse the dashboard took the
# flow process to 850 MiB and the Data Docs to 511 MiB (measured alone), the flow's peak at the end of a run;
# at 128 MB: 468 and 355 MiB, the same pages. Larger sorts spill to the system's temporary directory.
REPORT_MEMORY_LIMIT = limits.REPORT


def connect(path: Path, read_only: bool = False, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse database (read-only for queries and reports; a writer's memory is bounded: at
    ``memory_limit``, the run's ``settings.memory.writer``, by default ``WRITER_MEMORY_LIMIT``; the instance's
    limit goes back to it when the steps' claims end, ``memory_claim``)."""
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if ensure_readable_by_1x(path):
        logging.getLogger(__name__).warning(
            "rewrote %s in DuckDB storage format %s, which DuckDB 1.x and 2.x read (it was in a format only "
            "DuckDB 2.x reads)",
            path,
            STORAGE_VERSION,
        )
    limit = memory_limit or WRITER_MEMORY_LIMIT
    con = duckdb.connect(str(path), config=writer_config(path, limit))  # type: ignore[arg-type]
    with _claims_lock:
        _writer_limits[str(path.resolve())] = limit
    con.execute("SET enable_progress_bar = false")  # a connection setting: the writer's output is a log
    return con


# A DuckDB file starts with its main header and two database headers of 4 KiB each, then its blocks. A
# database header (after its 8-byte checksum): iteration, meta block, free list, block count, block size, ...
# (little-endian uint64s); the one with the higher iteration is current.
DUCKDB_HEADER_BYTES = 3 * 4096
_DUCKDB_MAGIC = b"DUCK"


class DatabaseDamaged(RuntimeError):
    """The warehouse's DuckDB file cannot be a whole database (truncated, or not a DuckDB file)."""


_TAIL_SLACK_BLOCKS = 4


def check_not_truncated(path: Path) -> None:
    """Raise ``DatabaseDamaged`` when the file at ``path`` is not a DuckDB database or is clearly shorter than
    its current header says (``12 KiB + block count x block size``, by more than 4 blocks or 1 %: a copy cut
    short, a disk that filled; a sound file may lack a few free blocks at its end).

    Reads the 12 KiB of headers only, without DuckDB (no connection: a writer holding the file is not
    disturbed). A header this code does not understand (another storage format) is not judged.
    """
    with open(path, "rb") as fh:
        head = fh.read(DUCKDB_HEADER_BYTES)
        have = os.fstat(fh.fileno()).st_size
    if len(head) < DUCKDB_HEADER_BYTES:
        raise DatabaseDamaged(
            f"{path} is truncated: {have} bytes, less than a DuckDB file's headers; restore it from a backup, "
            "or rebuild the warehouse by ingesting the SOURCE files into a new one"
        )
    if head[8:12] != _DUCKDB_MAGIC:
        raise DatabaseDamaged(f"{path} is not a DuckDB database file")
    headers = [struct.unpack_from("<6Q", head, off + 8) for off in (4096, 8192)]
    _iteration, _, _, blocks, block_size, _ = max(headers)
    if not (4096 <= block_size <= 1 << 30 and block_size & (block_size - 1) == 0 and blocks < 1 << 40):
        return  # not a layout this check knows
    need = DUCKDB_HEADER_BYTES + blocks * block_size
    # A sound file may end a few blocks short of its header's count: DuckDB cuts free blocks off the end (a
    # 200 MB warehouse written by a completed run: one 256 KiB block short). Only a larger gap is damage.
    if need - have > max(_TAIL_SLACK_BLOCKS * block_size, need // 100):
        raise DatabaseDamaged(
            f"{path} is truncated: {have} bytes where its header says {need}; restore it from a backup, "
            "or rebuild the warehouse by ingesting the SOURCE files into a new one"
        )


def connect_report(path: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection for a report, its memory bounded (``memory_limit``: the run's
    ``settings.memory.report``, by default ``REPORT_MEMORY_LIMIT``)."""
    return duckdb.connect(str(path), read_only=True, config={"memory_limit": memory_limit or REPORT_MEMORY_LIMIT})


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
    from corpus_etl.schema import TABLES  # lazy: pyarrow, numpy stay off the unchanged-rerun path

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


# The upgrades' bookkeeping tables (``load/create_schema_version``, ``load/create_schema_fingerprint``): not in the
# schema module (no rows an analyst reads), described in the catalog all the same.
BOOKKEEPING_COMMENTS: dict[str, dict[str, str]] = {
    "schema_version": {
        "": "The schema versions this warehouse was brought to (warehouse/migrations/); the highest is current.",
        "version": "Schema version applied (warehouse.db.SCHEMA_VERSION of the corpus-etl that applied it).",
        "applied_at": "When it was applied.",
    },
    "schema_fingerprint": {
        "": "What the last schema upgrade applied: while both digests match, runs do not apply the schema again.",
        "code": "sha256 of the files the schema is made from (warehouse.db.schema_fingerprint).",
        "catalog": "md5 of the catalog the upgrade left: tables, columns, views, comments (read/catalog_digest).",
        "applied_at": "When it was applied.",
    },
}


def bookkeeping_comment_sql() -> list[str]:
    """COMMENT ON statements for the bookkeeping tables (``BOOKKEEPING_COMMENTS``)."""
    out = []
    for table, comments in BOOKKEEPING_COMMENTS.items():
        for column, text in comments.items():
            what = f"TABLE {quote_ident(table)}" if not column else f"COLUMN {quote_ident(table)}.{quote_ident(column)}"
            out.append(f"COMMENT ON {what} IS {quote_literal(text)}")
    return out


def view_comment_sql(con: duckdb.DuckDBPyConnection) -> list[str]:
    """COMMENT ON statements carrying the views' descriptions (``schema.VIEWS``) into the catalog: each view and
    each of its columns that the view on ``con`` has (a test keeps the two lists equal)."""
    from corpus_etl.schema import VIEWS  # lazy: pyarrow, numpy stay off the unchanged-rerun path

    out: list[str] = []
    for spec in VIEWS:
        have = {r[0] for r in con.execute(sql("read/table_columns"), [spec.name]).fetchall()}
        if not have:
            continue
        out.append(f"COMMENT ON VIEW {quote_ident(spec.name)} IS {quote_literal(spec.description)}")
        for c in (c for c in spec.columns if c in have):
            column = f"{quote_ident(spec.name)}.{quote_ident(c)}"
            out.append(f"COMMENT ON COLUMN {column} IS {quote_literal(spec.column_description(c))}")
    return out


def schema_sources() -> list[Path]:
    """The files the schema ``ensure_schema`` applies is made from: the schema module (tables, types,
    descriptions), this module (the DDL it derives from them) and the SQL files it runs (views included)."""
    spec = importlib.util.find_spec("corpus_etl.schema")
    if spec is None or spec.origin is None:  # pragma: no cover - the package is always there
        raise RuntimeError("corpus_etl.schema not found")
    names = ("load/create_schema_version", "load/set_schema_version", "load/create_schema_fingerprint")
    return [
        Path(spec.origin),
        Path(__file__),
        *(SQL_DIR / f"{name}.sql" for name in names),
        *(SQL_DIR / "views" / f"{name}.sql" for name in view_names()),
    ]


@cache
def schema_fingerprint() -> str:
    """A fingerprint of the schema this corpus-etl applies: its version and the text of every file the DDL
    comes from (``schema_sources``). A change to a table, a column, a description or a view's SQL changes
    it (so does an edit that leaves the DDL as it was: the next open then applies it once more). Read from
    the files rather than built from the schema module, so a current warehouse is opened without pyarrow."""
    h = hashlib.sha256(f"schema version {SCHEMA_VERSION}\n".encode())
    for path in schema_sources():
        h.update(f"\0{path.name}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def catalog_digest(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of the catalog on ``con``: tables, columns, comments, views (``read/catalog_digest``)."""
    rows = con.execute(sql("read/catalog_digest")).fetchall()
    return str(rows[0][0])


def schema_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the last ``ensure_schema`` on this warehouse applied this corpus-etl's schema
    (``schema_fingerprint``) and nothing changed the catalog since (``catalog_digest``): then it has nothing to do."""
    if not has_table(con, "schema_fingerprint"):
        return False
    rows = con.execute(sql("read/schema_fingerprint")).fetchall()
    if len(rows) != 1:
        return False
    version, code, catalog = rows[0]
    return version == SCHEMA_VERSION and code == schema_fingerprint() and catalog == catalog_digest(con)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Create or upgrade the warehouse schema in one transaction, and record the schema version.

    A new database gets every table of the schema module. A database written by an older version is
    upgraded by the migration steps after its version (``warehouse/migrations/``), then gets the
    nullable columns added to the schema module since (``add_missing_columns``). The views and comments
    are recreated. Idempotent.

    What was applied is recorded in table ``schema_fingerprint``: the fingerprint of the files the schema
    is made from (``schema_fingerprint()``) and a digest of the catalog it left (``catalog_digest``). When
    the version and both still match, the warehouse already has exactly this schema and nothing is run (a
    few catalog reads instead of dozens of DDL statements and a checkpoint on every run); a change to this
    corpus-etl's tables, descriptions or views, or any DDL since (another version's views, a dropped
    column, a dropped view) changes one of them and the schema is applied again.

    Returns:
        The versions whose migrations were applied (empty when none was needed).

    Raises:
        SchemaTooNew: the database was written by a newer corpus-etl.
        SchemaMismatch: the database lacks a NOT NULL column that no migration adds.
    """
    if schema_is_current(con):
        return []
    from corpus_etl.schema import TABLES  # lazy: pyarrow, numpy stay off the unchanged-rerun path

    with transaction(con):
        found = stored_schema_version(con)
        if found is not None and found > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the warehouse has schema version {found} but this corpus-etl knows versions up to "
                f"{SCHEMA_VERSION}: it was written by a newer corpus-etl; upgrade corpus-etl to use it"
            )
        con.execute(sql("load/create_schema_version"))
        applied: list[int] = []
        if found is not None and found < SCHEMA_VERSION:
            from .migrations import migrate  # cycle: migrations imports this module

            applied = migrate(con, found)
        for spec in TABLES:
            con.execute(create_table_sql(spec))
        if found is not None:
            add_missing_columns(con)
        for spec in TABLES:
            for stmt in comment_sql(spec):
                con.execute(stmt)
        create_views(con)
        for stmt in view_comment_sql(con):
            con.execute(stmt)
        con.execute(sql("load/set_schema_version"), [SCHEMA_VERSION])
        con.execute(sql("load/create_schema_fingerprint"))
        for stmt in bookkeeping_comment_sql():
            con.execute(stmt)
        con.execute(sql("load/clear_schema_fingerprint"))
        con.execute(sql("load/set_schema_fingerprint"), [schema_fingerprint(), catalog_digest(con)])
    return applied


def fetch_dicts(con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Run a query and return its rows as dicts (the result is fully read before returning)."""
    cur = con.execute(query, params or [])
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
