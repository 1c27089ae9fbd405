"""The single warehouse writer: every write to ``corpus.duckdb`` and to ``parquet/`` goes through here.

Workers never open the database; they write staging Parquet files (``staging/<run_id>/``) and this
module loads them, one batch per transaction, so a crash leaves the warehouse as it was after the last
loaded batch and a rerun picks up from there (loaded files are skipped by their hash).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from corpus_etl import limits
from corpus_etl.boundary import model_version
from corpus_etl.discover import KnownSource
from corpus_etl.rules import rules_version

from .db import (
    apply_claims,
    checkpoint_quietly,
    connect,
    ensure_schema,
    fetch_dicts,
    limit_bytes,
    memory_claim,
    quote_ident,
    quote_literal,
    registered,
    sql,
    transaction,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    import pyarrow as pa

    from corpus_etl import schema
    from corpus_etl.settings import MemorySettings

    Memory: TypeAlias = MemorySettings | None  # a run's ``settings.memory``; None: the defaults


def memory_limit(memory: Memory, step: str) -> str:
    """The DuckDB memory limit of ``step`` (a field of ``settings.MemorySettings``: ``writer``, ``load``...): the
    run's (``settings.memory``, passed down by the flow) or, without one, the default (``corpus_etl.limits``)."""
    return str(getattr(memory, step)) if memory is not None else str(getattr(limits, step.upper()))


# pyarrow (and numpy under it) and the schema module are imported by the steps that move rows (a batch load,
# the export), not at import: a run with nothing to load (an unchanged rerun) never needs them.


class WarehouseLocked(RuntimeError):
    """Another process holds the warehouse's write lock."""


def _connect_writer(db_path: Path, writer_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    try:
        return connect(db_path, memory_limit=writer_limit)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLocked(
                f"the warehouse {db_path} is locked by another process (a running ingest or an open "
                f"connection); retry when it has finished. DuckDB said: {str(exc).splitlines()[0]}"
            ) from exc
        raise


# The connection ``shared_writer`` holds open, by database path: ``open_writer`` hands it out instead of opening one.
_shared: ContextVar[tuple[Path, duckdb.DuckDBPyConnection] | None] = ContextVar("shared_writer", default=None)


@contextmanager
def open_writer(db_path: Path, memory: Memory = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, closed on exit; a clear error when another process holds the lock. Its DuckDB
    memory limit is ``memory.writer`` (the run's settings; the default without them).

    Inside ``shared_writer(db_path)`` it is that one open connection instead (not closed here; a step's
    ``SET memory_limit`` is put back on exit: to the writer's, or to the claims of steps still running,
    ``warehouse.db.memory_claim``).
    """
    shared = _shared.get()
    if shared is not None and shared[0] == db_path:
        try:
            yield shared[1]
        finally:
            apply_claims(shared[1], db_path)  # (errors of an invalidated connection are left to the step's)
        return
    con = _connect_writer(db_path, memory_limit(memory, "writer"))
    try:
        yield con
    finally:
        con.close()


@contextmanager
def shared_writer(db_path: Path, memory: Memory = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """One writer connection for a sequence of writer steps (``begin_run``, ``mark_skipped``, ``finish_run``,
    ``update_analytics``...): inside, every ``open_writer(db_path)`` of this thread or task uses it, instead
    of opening (and checkpointing on close) a connection per step. Each step keeps its own transactions.
    Closed on exit. Its DuckDB memory limit is ``memory.writer`` (as ``open_writer``'s)."""
    con = _connect_writer(db_path, memory_limit(memory, "writer"))
    token = _shared.set((db_path, con))
    try:
        yield con
    finally:
        _shared.reset(token)
        con.close()


# The DuckDB memory limit of a batch load's connection (the writer's is ``warehouse.db.WRITER_MEMORY_LIMIT``,
# the export's ``EXPORT_MEMORY_LIMIT``). A load deletes the batch's files' old rows, merges ~1,000 source rows
# and inserts registered Arrow tables; at the writer's 256 MB DuckDB kept up to ~250 MB more in the flow
# process while the workers were at their peak (the first load into a 750 MB warehouse: +316 MiB; at 64 MB:
# +131 MiB, same load time). Larger inserts spill to ``<db>.tmp`` (a 540 MB batch loads at 64 MB).
LOAD_MEMORY_LIMIT = limits.LOAD
# DuckDB holds a string value in one block and copies it once between the Arrow scan and the table: a batch
# holding a value of V bytes (a 50 MB file without a newline is one 50 MB body and a 50 MB paragraph) needs
# about 2 V beside the load's usual needs, whatever the rows around it (at 64 MB a 50 MB value failed with
# OutOfMemoryException: "could not allocate block of size 47.6 MiB"). Such a batch claims that much more.
LOAD_VALUE_FACTOR = 3
# Staged tables larger than this are inserted a slice of rows at a time (each slice at most this many bytes).
LOAD_SLICE_BYTES = 32 << 20


def largest_value(tables: Iterable[pa.Table]) -> int:
    """The byte length of the longest string or binary value in ``tables`` (0 when there is none)."""
    import pyarrow as pa  # lazy: pyarrow, numpy stay off the unchanged-rerun path
    import pyarrow.compute as pc  # lazy: as above

    out = 0
    for table in tables:
        for col in table.columns:
            t = col.type
            if (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t)) and len(col):
                m = pc.max(pc.binary_length(col)).as_py()
                out = max(out, m or 0)
    return out


def load_memory_limit(tables: Iterable[pa.Table], base: str = LOAD_MEMORY_LIMIT) -> str:
    """The memory a batch load claims: ``base`` (the run's ``settings.memory.load``, by default
    ``LOAD_MEMORY_LIMIT``), raised for a batch holding a very long value (``LOAD_VALUE_FACTOR`` times its length
    more, in MB)."""
    base_mb = limit_bytes(base) // 1000**2
    extra = -(-LOAD_VALUE_FACTOR * largest_value(tables) // (1 << 20))
    return f"{base_mb + extra}MB" if extra * 3 > base_mb else base


def _slices(table: pa.Table) -> Iterator[pa.Table]:
    """``table`` in slices of about ``LOAD_SLICE_BYTES`` (the whole table when it is smaller)."""
    if table.nbytes <= LOAD_SLICE_BYTES or table.num_rows < 2:
        yield table
        return
    step = max(1, table.num_rows * LOAD_SLICE_BYTES // table.nbytes)
    for start in range(0, table.num_rows, step):
        yield table.slice(start, step)


@dataclass(frozen=True)
class LoadCounts:
    """What a batch load wrote."""

    loaded: int
    quarantined: int
    removed_spans: int


@dataclass(frozen=True)
class RunStart:
    """What a run needs from the warehouse before it starts."""

    known: dict[str, KnownSource]  # the warehouse's memory of every source, by source_id
    mean_words_history: list[float]  # batch mean body lengths of recent runs (learned DQ bounds)
    known_paths: dict[str, str]  # source_id -> path of the files not flagged deleted
    counters: tuple[str, ...] = ()  # the run counters of the ``runs`` table (``schema.RUN_COUNTERS``), from its catalog


def begin_run(
    db_path: Path,
    run_id: str,
    flow_name: str,
    started_at: datetime,
    sources: list[str],
    settings_json: str,
    memory: Memory = None,
) -> RunStart:
    """Create the schema if needed, record the run as running, and read what the run needs.

    Runs left 'running' by a process that died are marked 'crashed' and their staging files removed
    (the caller holds the run lock, so no other run is alive).

    Args:
        db_path: the DuckDB file.
        run_id: the Prefect flow-run id.
        flow_name: the flow's name.
        started_at: when the run started.
        sources: the SOURCE arguments.
        settings_json: the resolved settings, as JSON.
        memory: the run's DuckDB memory limits (``settings.memory``; the defaults when None).

    Returns:
        The known sources, the DQ history the suites learn bounds from, and the run counters.
    """
    with open_writer(db_path, memory) as con:
        ensure_schema(con)
        crashed = [r["run_id"] for r in fetch_dicts(con, sql("load/crashed_runs"), [started_at, run_id])]
        con.execute(sql("load/insert_run"), [run_id, flow_name, started_at, "\n".join(sources), settings_json])
        rows = fetch_dicts(con, sql("load/known_sources"))
        history = [float(r["mean_words"]) for r in fetch_dicts(con, sql("read/learned_mean_words"))]
        paths = {r["source_id"]: r["path"] for r in fetch_dicts(con, sql("load/known_paths"))}
        counters = tuple(r[0] for r in con.execute(sql("read/run_counters")).fetchall())
    for old in crashed:  # their staged batches were never loaded; the files are processed again
        shutil.rmtree(db_path.parent / "staging" / old, ignore_errors=True)
    known = {
        r["source_id"]: KnownSource(r["size_bytes"], r["mtime"], r["sha256"], r["status"], r["seen_at"]) for r in rows
    }
    return RunStart(known, history, paths, counters)


def line_hash_counts(
    db_path: Path, outlets: list[str], exclude: list[str], memory: Memory = None
) -> list[tuple[str, str, int]]:
    """(outlet, line hash, distinct files) over the files of earlier runs (``line_hashes``) of ``outlets``,
    leaving out the files ``exclude`` (those this run processes again)."""
    if not outlets:
        return []
    with open_writer(db_path, memory) as con:
        rows = con.execute(sql("read/line_hash_counts"), [outlets, exclude]).fetchall()
    return [(str(o), str(h), int(n)) for o, h, n in rows]


def mark_skipped(
    db_path: Path,
    run_id: str,
    source_ids: list[str],
    mtimes: list[datetime | None] | None = None,
    memory: Memory = None,
) -> None:
    """Record that this run saw these unchanged files (status 'skipped', their records untouched).

    ``mtimes`` (one per id) are the files' modification times now: the manifest remembers them, so a
    touched file whose bytes were confirmed by its sha256 is not hashed again by the next run.
    """
    if not source_ids:
        return
    with open_writer(db_path, memory) as con:
        con.execute(sql("load/mark_skipped"), [run_id, source_ids, mtimes or [None] * len(source_ids)])


def mark_deleted(db_path: Path, run_id: str, source_ids: list[str], memory: Memory = None) -> None:
    """Flag files that vanished from their SOURCE (status 'deleted'); their records stay, flagged through it."""
    if not source_ids:
        return
    with open_writer(db_path, memory) as con:
        con.execute(sql("load/mark_deleted"), [run_id, source_ids])


def split_quarantine(articles: pa.Table, failed: dict[int, list[str]], at: datetime) -> tuple[pa.Table, pa.Table]:
    """Split a batch's article rows into (accepted, quarantined) by the validation verdicts.

    Args:
        articles: the batch's article rows (``schema.ARTICLES``).
        failed: row index -> the error-level expectations the row failed.
        at: the quarantine time.

    Returns:
        The accepted rows and the quarantine rows (``schema.QUARANTINE``).
    """
    import pyarrow as pa  # lazy: pyarrow, numpy stay off the unchanged-rerun path
    import pyarrow.compute as pc  # lazy: as above

    from corpus_etl import schema  # lazy: as above

    if not failed:
        return articles, schema.empty_table(schema.QUARANTINE)
    mask = pa.array([i in failed for i in range(articles.num_rows)])
    bad = articles.filter(mask)
    reasons = [failed[i] for i in range(articles.num_rows) if i in failed]
    bad = bad.append_column("failed_expectations", pa.array(reasons, pa.list_(pa.string())))
    bad = bad.append_column("quarantined_at", pa.array([at] * bad.num_rows, schema.TS))
    return articles.filter(pc.invert(mask)), bad.cast(schema.QUARANTINE.schema)


def load_batch(
    db_path: Path,
    sources: pa.Table,
    tables: dict[str, pa.Table],
    quarantine: pa.Table,
    dq_runs: list[dict[str, Any]],
    dq_results: list[dict[str, Any]],
    memory: Memory = None,
) -> LoadCounts:
    """Load one validated batch in one transaction.

    The rows of every file the batch loaded anew replace that file's earlier rows in every per-source
    table and in quarantine; a file that failed keeps its earlier rows (``sources.status`` says
    'failed' with the reason).

    Args:
        db_path: the DuckDB file.
        sources: the batch's ``sources`` rows.
        tables: the batch's accepted rows per per-source table (articles without quarantined rows).
        quarantine: the batch's quarantined rows.
        dq_runs: validation summaries.
        dq_results: expectation results.
        memory: the run's DuckDB memory limits (``settings.memory``: ``writer``, ``load``; the defaults when None).

    Returns:
        Counts of what was written.
    """
    import pyarrow as pa  # lazy: pyarrow, numpy stay off the unchanged-rerun path
    import pyarrow.compute as pc  # lazy: as above

    from corpus_etl import schema  # lazy: as above

    q_by_source: dict[str, int] = {}
    for sid in quarantine.column("source_id").to_pylist():
        q_by_source[sid] = q_by_source.get(sid, 0) + 1
    n_q = pa.array([q_by_source.get(s, 0) for s in sources.column("source_id").to_pylist()], pa.int32())
    n_art = pc.subtract(sources.column("n_articles"), n_q)
    sources = sources.set_column(sources.schema.get_field_index("n_quarantined"), "n_quarantined", n_q)
    sources = sources.set_column(sources.schema.get_field_index("n_articles"), "n_articles", n_art)
    staged = {**tables, "quarantine": quarantine}
    staged["dq_runs"] = schema.to_table(schema.DQ_RUNS, dq_runs)
    staged["dq_results"] = schema.to_table(schema.DQ_RESULTS, dq_results)
    # a batch needs little, unless it holds a huge value
    limit = load_memory_limit(staged.values(), memory_limit(memory, "load"))
    with open_writer(db_path, memory) as con, memory_claim(con, db_path, limit):
        with registered(con, "stg_sources", sources), transaction(con):
            con.execute(sql("load/merge_sources"))
            # Rows of a file exist only beside its row in sources (both are written in one transaction):
            # a batch of files the warehouse never had (every batch of a first run) has no rows to replace,
            # and its deletes, each a scan of a per-source table growing with the warehouse, are skipped.
            if fetch_dicts(con, sql("load/reloaded_sources"))[0]["n"]:
                for name in [*tables, "quarantine"]:
                    con.execute(sql("load/delete_source_rows").format(table=quote_ident(name)))
            con.execute(sql("load/delete_sources"))
            con.execute(sql("load/insert_sources"))
            for name, table in staged.items():
                for part in _slices(table):
                    with registered(con, f"stg_{name}", part) as stg:
                        con.execute(sql("load/insert_staged").format(table=quote_ident(name), staged=quote_ident(stg)))
        checkpoint_quietly(con)  # now, within the load's claim: the close would checkpoint at the writer's limit
    return LoadCounts(tables["articles"].num_rows, quarantine.num_rows, tables["removed_spans"].num_rows)


def read_staging(path: str, spec: schema.TableSpec) -> pa.Table:
    """Read a staging Parquet file back with the schema it was written with."""
    import pyarrow.parquet as pq  # lazy: pyarrow, numpy stay off the unchanged-rerun path

    return pq.read_table(path, schema=spec.schema)


def finish_run(
    db_path: Path, run_id: str, status: str, error: str | None, counts: dict[str, Any], memory: Memory = None
) -> None:
    """Record the end of a run with its counts per stage."""
    with open_writer(db_path, memory) as con:
        con.execute(
            sql("load/finish_run"),
            [
                datetime.now(UTC),
                status,
                error,
                counts.get("n_discovered", 0),
                counts.get("n_skipped", 0),
                counts.get("n_processed", 0),
                counts.get("n_failed", 0),
                counts.get("n_deleted", 0),
                counts.get("n_records", 0),
                counts.get("n_loaded", 0),
                counts.get("n_quarantined", 0),
                counts.get("n_removed_spans", 0),
                counts.get("bytes_read", 0),
                counts.get("seconds"),
                json.dumps(counts.get("stage_seconds") or {}, sort_keys=True),
                run_id,
            ],
        )


# The memory the export of ``runs`` claims (one row per run: small).
RUN_EXPORT_MEMORY_LIMIT = limits.RUN_EXPORT


def record_finished(
    db_path: Path,
    parquet_dir: Path,
    run_id: str,
    status: str,
    error: str | None,
    counts: dict[str, Any],
    *,
    memory: Memory = None,
) -> None:
    """``finish_run``, then the Parquet copy of ``runs`` (``RUN_TABLES``) rewritten from the database: the
    copy's row of the run has its final status and counts, as the database's has. The export claims
    ``memory.run_export`` (by default ``RUN_EXPORT_MEMORY_LIMIT``)."""
    finish_run(db_path, run_id, status, error, counts, memory)
    export_parquet(db_path, parquet_dir, run_id, RUN_TABLES, memory_limit(memory, "run_export"), memory)


@dataclass(frozen=True)
class ParquetExport:
    """A table of the Parquet copy: its hive partition columns and the order its rows are written in."""

    table: str
    partition_by: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    # rewrite only the partitions whose rows changed (see ``export_parquet``); needs article_id and run_id
    incremental: bool = False
    # sort and write at most about this many rows at a time, one file each (tables of long texts; see ``_copy``)
    chunk_rows: int | None = None


# The tables analysts query: the Parquet copy mirrors them after every run (``warehouse.readonly`` reads it while
# an ingest holds the database). Records are partitioned by language and UTC ingest date; the other tables are
# small or are read whole.
PARQUET_EXPORTS: tuple[ParquetExport, ...] = (
    ParquetExport(
        "articles", ("language", "ingest_date"), ("source_path", "ordinal"), incremental=True, chunk_rows=100_000
    ),
    ParquetExport("quarantine", ("language", "ingest_date"), ("source_path", "ordinal"), chunk_rows=100_000),
    ParquetExport("paragraphs", (), ("source_id", "article_id", "position"), chunk_rows=1_000_000),
    ParquetExport("removed_spans", (), ("source_id", "char_start"), chunk_rows=1_000_000),
    ParquetExport("clusters", (), ("source_id", "cluster")),
    ParquetExport("sources", (), ("path",)),
    ParquetExport("dq_runs", (), ("started_at", "run_id", "suite", "batch")),
    ParquetExport("dq_results", (), ("run_id", "suite", "batch", "expectation_id")),
    ParquetExport("runs", (), ("started_at", "run_id")),
    ParquetExport("story_clusters", (), ("cluster_id", "article_id")),
    ParquetExport("story_members", (), ("story_id", "article_id")),
    ParquetExport("search_docs", (), ("article_id",)),
    ParquetExport("search_terms", (), ("term", "article_id"), chunk_rows=16_000_000),
)
PARQUET_TABLES = tuple(e.table for e in PARQUET_EXPORTS)
# The tables of the schema module left out of the Parquet copy: state of the learned boilerplate, of the
# near-duplicate index and of the story linking, which no analyst reads (a test keeps every other table in
# PARQUET_EXPORTS).
NOT_EXPORTED = ("line_hashes", "minhash_signatures", "lsh_buckets", "story_terms", "story_centroids")
# The tables that a run's loads write and the analytics update (``warehouse.analytics``) never does: the flow
# exports them while the update runs.
RECORD_TABLES = (
    "articles",
    "quarantine",
    "paragraphs",
    "removed_spans",
    "clusters",
    "sources",
    "dq_runs",
    "dq_results",
)
# Exported when the run is recorded finished (``finish_run``): its row then has its final status and counts.
RUN_TABLES = ("runs",)
# Written by the analytics update: exported after it.
ANALYTICS_TABLES = tuple(t for t in PARQUET_TABLES if t not in RECORD_TABLES + RUN_TABLES)
# The export's DuckDB memory limit (the writer's is warehouse.db.WRITER_MEMORY_LIMIT). With DuckDB's default
# row groups of 122,880 rows, a row group of article bodies is ~130 MB, buffered and compressed whole: the 200 MB
# benchmark corpus's export ran out of memory at 256 and 384 MB and needed 512 MB (the flow process then
# reached 1,004 MiB). Row groups of at most PARQUET_ROW_GROUP_BYTES let it run at 384 MB: 550 MiB instead of
# 649 MiB for the export alone on that warehouse, the same rows in every file.
EXPORT_MEMORY_LIMIT = limits.EXPORT
# The record tables' export beside the analytics update (``flows/ingest.py``): the two claims add up on the one
# DuckDB instance (``warehouse.db.memory_claim``), so the export takes less there, the update its 256 MB for its
# set-based statements (64 MB in its Python phases). Before the claims, the export's SET gave both steps 384 MB
# together, and the flow process reached 1,082 MiB on the 1 GB benchmark.
EXPORT_BESIDE_ANALYTICS_MEMORY_LIMIT = limits.EXPORT_BESIDE_ANALYTICS
# The analytics tables' export after the update: search_terms (85 M postings on the 1 GB benchmark) is sorted and
# written in chunks of 16 M rows; one sorted COPY of it took the export alone to 552 MiB at 384 MB (and ran out of
# memory at 192 MB), the chunks at 256 MB to 401 MiB (87 s instead of about 60: each chunk scans the table).
EXPORT_AFTER_ANALYTICS_MEMORY_LIMIT = limits.EXPORT_AFTER_ANALYTICS
PARQUET_ROW_GROUP_BYTES = "16MB"  # a row group is closed at this size (DuckDB's ROW_GROUP_SIZE_BYTES) or 122,880 rows


def _export_query(con: duckdb.DuckDBPyConnection, e: ParquetExport) -> str:
    """The rows of a table for its Parquet copy: its columns as the catalog has them (no schema module: an
    unchanged rerun exports ``sources`` and ``runs`` without importing pyarrow), plus ``ingest_date``."""
    names = [r[0] for r in con.execute(sql("read/table_columns"), [e.table]).fetchall()]
    cols = ", ".join(quote_ident(c) for c in names)
    extra = ", CAST(timezone('UTC', ingested_at) AS DATE) AS ingest_date" if "ingest_date" in e.partition_by else ""
    order = f" ORDER BY {', '.join(quote_ident(c) for c in e.order_by)}" if e.order_by else ""
    return f"SELECT {cols}{extra} FROM {quote_ident(e.table)}{order}"


def _fingerprints(con: duckdb.DuckDBPyConnection, e: ParquetExport) -> dict[str, list[int]]:
    """Per partition of an incremental export ("language=en/ingest_date=2026-01-31"): its row count and the
    XOR of hash(article_id, run_id) over its rows. A row can only enter or leave a partition (a changed file's
    rows are replaced by rows of the new run), so equal fingerprints mean the partition's rows are the same."""
    rows = con.execute(
        f"SELECT language, CAST(CAST(timezone('UTC', ingested_at) AS DATE) AS VARCHAR), count(*), "
        f"bit_xor(hash(article_id, run_id)) FROM {quote_ident(e.table)} GROUP BY ALL"
    ).fetchall()
    return {f"language={lang}/ingest_date={day}": [int(n), int(h)] for lang, day, n, h in rows}


def _copy(con: duckdb.DuckDBPyConnection, e: ParquetExport, out: Path, where: str = "") -> None:
    """Write the rows of ``e`` (those matching ``where``) under ``out``, in ``order_by`` order: hive partition
    folders (``language=en/ingest_date=2026-01-31/data_0.parquet``) for a partitioned table.

    The rows of a table with ``chunk_rows`` are sorted and written in chunks of about that many rows, one
    file each, split at values of the first ``order_by`` column (``data_0.parquet``, ``data_1.parquet``, ...
    in order): one sorted COPY of a whole partition ran out of memory on the 1 GB benchmark warehouse
    (821,000 articles, 860 MB of bodies: at the export's 384 MB DuckDB cannot spill that sort). Other tables
    are one sorted COPY. A partitioned table is written one partition at a time.
    """
    options = f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE_BYTES {quote_literal(PARQUET_ROW_GROUP_BYTES)}"
    filtered = f"SELECT * FROM ({_export_query(con, e)})" + (f" WHERE {where}" if where else "")
    drop = f" EXCLUDE ({', '.join(quote_ident(c) for c in e.partition_by)})" if e.partition_by else ""
    order = f" ORDER BY {', '.join(quote_ident(c) for c in e.order_by)}" if e.order_by else ""
    if e.partition_by:
        cols = ", ".join(quote_ident(c) for c in e.partition_by)
        parts = con.execute(f"SELECT DISTINCT {cols} FROM ({filtered}) ORDER BY ALL").fetchall()
    else:
        parts = [()]
    for row in parts:
        folder = out.joinpath(*(f"{c}={'NULL' if v is None else v}" for c, v in zip(e.partition_by, row, strict=True)))
        folder.mkdir(parents=True, exist_ok=True)
        match = " AND ".join(
            f"{quote_ident(c)} IS NULL" if v is None else f"CAST({quote_ident(c)} AS VARCHAR) = {quote_literal(str(v))}"
            for c, v in zip(e.partition_by, row, strict=True)
        )
        rows = f"SELECT *{drop} FROM ({filtered})" + (f" WHERE {match}" if match else "")
        if not e.order_by or e.chunk_rows is None:
            con.execute(f"COPY ({rows}{order}) TO {quote_literal(str(folder / 'data_0.parquet'))} ({options})")
            continue
        key = quote_ident(e.order_by[0])
        counts = con.execute(f"SELECT {key}, count(*) FROM ({rows}) GROUP BY 1 ORDER BY 1 NULLS FIRST").fetchall()
        chunks: list[tuple[object, object]] = []
        n = 0
        for value, c in counts:  # NULL keys sort first and are a chunk of their own
            if not chunks or chunks[-1][0] is None or n + c > e.chunk_rows:
                chunks.append((value, value))
                n = 0
            chunks[-1] = (chunks[-1][0], value)
            n += c
        for i, (lo, hi) in enumerate(chunks):
            bound, params = (f"{key} IS NULL", []) if lo is None else (f"{key} BETWEEN ? AND ?", [lo, hi])
            con.execute(
                f"COPY (SELECT * FROM ({rows}) WHERE {bound}{order}) "
                f"TO {quote_literal(str(folder / f'data_{i}.parquet'))} ({options})",
                params,
            )


def _incremental(
    con: duckdb.DuckDBPyConnection, e: ParquetExport, final: Path, tmp: Path, manifest: Path
) -> dict[str, list[int]] | None:
    """Build ``tmp`` as the new copy of an incremental table from the current one: unchanged partitions are
    hard links to its files (no bytes copied), changed ones are written again, emptied ones dropped.

    Returns:
        The new fingerprints, or None when no incremental copy can be made (no current copy or manifest,
        another column set): the caller rewrites the table.
    """
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    from corpus_etl import schema  # lazy: pyarrow, numpy stay off the unchanged-rerun path

    columns = list(schema.BY_NAME[e.table].columns)
    if not final.is_dir() or old.get("columns") != columns or not isinstance(old.get("partitions"), dict):
        return None
    new = _fingerprints(con, e)
    changed = sorted(k for k, v in new.items() if old["partitions"].get(k) != v)
    gone = sorted(set(old["partitions"]) - set(new))
    if any(not (final / k).is_dir() for k in old["partitions"]):
        return None  # the copy is not what the manifest says
    shutil.copytree(final, tmp, copy_function=os.link)
    for k in (*changed, *gone):
        shutil.rmtree(tmp / k, ignore_errors=True)
    if changed:
        parts = tmp.with_name(tmp.name + ".parts")
        shutil.rmtree(parts, ignore_errors=True)
        keys = ", ".join(
            f"({quote_literal(k.split('/')[0].split('=', 1)[1])}, {quote_literal(k.split('/')[1].split('=', 1)[1])})"
            for k in changed
        )
        _copy(con, e, parts, f"(language, CAST(ingest_date AS VARCHAR)) IN ({keys})")
        for k in changed:
            if not (parts / k).is_dir():  # DuckDB named the partition otherwise (an escaped value)
                shutil.rmtree(parts, ignore_errors=True)
                shutil.rmtree(tmp, ignore_errors=True)
                return None
            (tmp / k).parent.mkdir(parents=True, exist_ok=True)
            (parts / k).rename(tmp / k)
        shutil.rmtree(parts, ignore_errors=True)
    for d in sorted(tmp.iterdir()):  # a language left with no dates
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
    return new


def export_parquet(
    db_path: Path,
    parquet_dir: Path,
    run_id: str,
    tables: Iterable[str] | None = None,
    claim: str | None = None,
    memory: Memory = None,
) -> dict[str, int]:
    """Rewrite ``parquet/<table>/`` for every table of ``PARQUET_EXPORTS`` (or only ``tables``): zstd,
    hive-partitioned records.

    ``articles`` and ``quarantine`` are partitioned by ``language`` and ``ingest_date`` (the UTC date of
    ``ingested_at``): ``parquet/articles/language=en/ingest_date=2026-01-31/data_0.parquet``; read them
    with ``hive_partitioning = true``. Wide tables are written in sorted chunks (``_copy``). Each table's new copy is
    written beside the old one and swapped in (``swap_in``: an atomic exchange on Linux), so readers see either
    the old or the new files, never a half-written one. A table with no rows gets an empty folder.

    ``articles`` is exported incrementally: ``parquet/.articles.partitions.json`` records a fingerprint of
    each partition as written (``_fingerprints``); the new copy hard-links the files of the partitions whose
    fingerprint did not change and writes only the others (a run adds rows to today's partitions and takes
    the replaced rows of changed files out of theirs), so its cost follows the rows that changed, not the
    warehouse. Without a manifest matching the copy, the table is written whole.

    Two exports of different tables may run at once on one process's connections (the flow writes the
    record tables while the analytics update runs). The export claims ``claim`` (default ``memory.export``: the
    run's ``settings.memory``, else ``EXPORT_MEMORY_LIMIT``) of the DuckDB instance (``warehouse.db.memory_claim``):
    beside another step the instance's limit is the sum of both steps' claims. ``memory.writer`` is the limit of
    the writer connection, ``memory.load`` the base of the extra claim for a very long value (``_value_claim``).

    Returns:
        Rows per table in the copy.
    """

    wanted = PARQUET_TABLES if tables is None else tuple(tables)
    unknown = sorted(set(wanted) - set(PARQUET_TABLES))
    if unknown:
        raise ValueError(f"no Parquet export for {', '.join(unknown)}")
    parquet_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    # A hive-partitioned COPY holds a buffer per open partition, which DuckDB cannot spill: at the writer's
    # 256 MB the 200 MB benchmark corpus's export ran out of memory. The export runs after the batch workers
    # have exited, so it may use more (EXPORT_MEMORY_LIMIT); beside the analytics update, what the flow gives it.
    with open_writer(db_path, memory) as con, memory_claim(con, db_path, claim or memory_limit(memory, "export")):
        for e in (e for e in PARQUET_EXPORTS if e.table in wanted):
            with _value_claim(con, db_path, e.table, memory_limit(memory, "load")):
                written[e.table] = _export_table(con, e, parquet_dir, run_id)
    return written


# Columns that can hold a whole file's text (a 50 MB file without a newline is one 50 MB body and paragraph).
_WIDE_COLUMNS = {"articles": "body", "quarantine": "body", "paragraphs": "text", "removed_spans": "text"}


@contextmanager
def _value_claim(
    con: duckdb.DuckDBPyConnection, db_path: Path, table: str, base: str = LOAD_MEMORY_LIMIT
) -> Iterator[None]:
    """Claim more memory while exporting a table that holds a very long value (as ``load_memory_limit``
    does for a batch): DuckDB holds a value in one block, and the export beside the analytics update claims
    only 128 MB (a 50 MB body failed: "could not allocate block of size 47.6 MiB")."""
    column = _WIDE_COLUMNS.get(table)
    row = (
        con.execute(f"SELECT max(strlen({quote_ident(column)})) FROM {quote_ident(table)}").fetchone()
        if column
        else None
    )
    extra = -(-LOAD_VALUE_FACTOR * int(row[0] or 0) // (1 << 20)) if row else 0
    if extra * 3 <= limit_bytes(base) // 1000**2:
        yield
        return
    with memory_claim(con, db_path, f"{extra}MB"):
        yield


_RENAME_EXCHANGE = 2  # renameat2(2)'s flag: exchange the two paths atomically (Linux 3.15+, glibc 2.28+)
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Exchange the directories ``a`` and ``b`` in one step (``renameat2(RENAME_EXCHANGE)``); False where the
    system or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def swap_in(new: Path, final: Path) -> None:
    """Make the directory ``new`` the one at ``final`` and delete the one that was there. On Linux the two are
    exchanged atomically: a reader opening ``final`` finds the old copy or the new one, never none; elsewhere
    (or on a file system without the exchange) by two renames, with an instant between them without ``final``."""
    if final.exists() and _exchange(new, final):
        shutil.rmtree(new, ignore_errors=True)  # (the old copy, now at ``new``)
        return
    old = new.with_name(new.name + ".old")
    if final.exists():
        final.rename(old)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _export_table(con: duckdb.DuckDBPyConnection, e: ParquetExport, parquet_dir: Path, run_id: str) -> int:
    """Write one table's new copy beside the old one and swap it in (see ``export_parquet``); its row count."""
    final = parquet_dir / e.table
    tmp = parquet_dir / f".{e.table}.{run_id}.tmp"
    manifest = parquet_dir / f".{e.table}.partitions.json"
    shutil.rmtree(tmp, ignore_errors=True)
    n = con.execute(f"SELECT count(*) FROM {quote_ident(e.table)}").fetchone()
    count = int(n[0]) if n else 0
    fingerprints = _incremental(con, e, final, tmp, manifest) if e.incremental else None
    if fingerprints is None:
        if e.incremental:
            fingerprints = _fingerprints(con, e)
        if count:
            _copy(con, e, tmp)
        else:
            tmp.mkdir(parents=True)
    tmp.mkdir(parents=True, exist_ok=True)
    swap_in(tmp, final)
    if fingerprints is not None:  # after the swap: a stale manifest only makes the next export write more
        from corpus_etl import schema  # lazy: pyarrow, numpy stay off the unchanged-rerun path

        body = json.dumps({"columns": list(schema.BY_NAME[e.table].columns), "partitions": fingerprints})
        part = manifest.with_name(manifest.name + ".part")
        part.write_text(body, encoding="utf-8")
        part.replace(manifest)
    return count


def settings_json(settings: Any) -> str:
    """The run settings as stable JSON, with the ``version`` of the boilerplate rules they name
    (``rules_version``) and of the article-boundary model (``boundary_model_version``): which rules and
    model a warehouse's rows were extracted with."""
    data = json.loads(settings.model_dump_json())
    data["rules_version"] = rules_version(data["extraction"]["rules_path"])
    data["boundary_model_version"] = model_version()
    return json.dumps(data, sort_keys=True)
