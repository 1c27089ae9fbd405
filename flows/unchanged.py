"""An ingest that finds nothing to do, recorded without starting Prefect (the CLI's instant rerun).

Starting Prefect costs seconds in every process (its import, then an API: a running server or the
temporary one of 10-15 s), which is most of a rerun over an unchanged corpus: the flow itself takes
well under a second when every file is unchanged. ``corpus-etl ingest`` therefore asks ``record_unchanged``
first. It plans the run exactly as the flow does (``discover.plan``: path, size and
mtime, a touched file confirmed by its sha256; the deleted-file rule), first without the run lock (a
run with work to do never takes it here, and reads on a read-only connection) and again under it, on the
one writer connection every step of the recording then uses (``loader.shared_writer``: one open and one
checkpoint instead of one per step); only when **no file is to be processed and
none has vanished** does it record the run itself by executing the flow's own plan (``flows.plan.PLAN``,
then ``REPORT_STEPS``) with the plain executor: each step a plain call, in the flow's order (the run row,
the files marked skipped with a touched file's new mtime remembered, analytics brought up to date (normally
nothing to do), the Parquet copy of ``sources`` rewritten (and of the analytics tables when they changed), the
run finished with its counts (and the copy of ``runs`` rewritten with it), the dashboard rebuilt); a Parquet
copy that lacks a table is completed by the flow. Anything else (a changed, new
or vanished file, a run left 'running', a schema upgrade, a lake to publish, a warehouse held by another
run) returns None before anything is written, and the CLI runs the Prefect flow as usual.

The run's ``run_id`` is then a fresh UUID instead of a Prefect flow-run id (there is no flow run: the
Prefect UI shows none for it) and ``runs.stage_seconds`` has an ``unchanged_check`` entry (the batch
stages are 0); every table
row is what the flow would have written. ``corpus-etl ingest --always-flow`` skips this path.
"""

from __future__ import annotations

import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from corpus_etl.discover import KnownSource, SourceFile, plan
from corpus_etl.incremental import vanished
from corpus_etl.settings import Settings
from flows.plan import DISCOVER, FLOW_NAME, PLAN, REPORT_STEPS, PlainExecutor, RunContext, discover_files, execute
from warehouse import loader
from warehouse.db import SCHEMA_VERSION, Connection, connect, fetch_dicts, sql, stored_schema_version
from warehouse.lock import run_lock

__all__ = ["FLOW_NAME", "record_unchanged", "run_counters"]


def run_counters(con: Connection) -> list[str]:
    """The run counters (``schema.RUN_COUNTERS``) as the warehouse's ``runs`` table has them: this path runs
    on a warehouse of the current schema (after ``begin_run``) and reads them from its catalog rather than importing the
    schema module (and pyarrow with it: a quarter of this path's time)."""
    return [r[0] for r in con.execute(sql("read/run_counters")).fetchall()]


def _nothing_to_do(con: Connection, sources: list[str], files: list[Any]) -> list[Any] | None:
    """The files to mark skipped when the run has nothing to process, delete or recover; else None."""
    if stored_schema_version(con) != SCHEMA_VERSION:
        return None
    if fetch_dicts(con, sql("read/running_runs"))[0]["n"]:
        return None  # a crashed run: the flow recovers it
    known = {
        r["source_id"]: KnownSource(r["size_bytes"], r["mtime"], r["sha256"], r["status"], r["seen_at"])
        for r in fetch_dicts(con, sql("load/known_sources"))
    }
    paths = {r["source_id"]: r["path"] for r in fetch_dicts(con, sql("load/known_paths"))}
    todo, same = plan(files, known)
    if todo or vanished(paths, {f.source_id for f in files}, sources):
        return None
    return same


def _looked_up(
    settings: Settings, sources: list[str], files: list[Any], con: Connection | None = None
) -> list[Any] | None:
    """``_nothing_to_do`` on ``con`` (the run's writer, under the lock), or on a read-only connection of its own."""
    if not settings.db_path.exists() or any(not (settings.parquet_dir / x).is_dir() for x in loader.PARQUET_TABLES):
        return None  # a copy to complete (a first run, or one made before a table was exported): the flow does
    try:
        if con is not None:
            return _nothing_to_do(con, sources, files)
        own = connect(settings.db_path, read_only=True)
        try:
            return _nothing_to_do(own, sources, files)
        finally:
            own.close()
    except Exception:  # an unreadable, odd or busy warehouse: the flow reports or waits properly
        return None


def record_unchanged(
    sources: list[str], settings: Settings, files: list[SourceFile] | None = None
) -> dict[str, Any] | None:
    """Record a run over ``sources`` without Prefect when it has nothing to process (see the module doc).

    Args:
        sources: the SOURCE arguments (local paths; an s3:// SOURCE always goes through the flow).
        settings: the run settings (resolved here; a reprocessing run always goes through the flow).
        files: the files ``sources`` expanded to (``plan.discover_files``), when the caller expanded them
            already; None: expanded here.

    Returns:
        The run summary (the same keys as the flow's), or None when the flow must run; then nothing
        has been written.
    """
    settings = settings.resolved()
    if settings.lake or settings.reprocess or any("://" in s for s in sources):
        return None
    t0 = time.perf_counter()
    started = datetime.now(UTC)
    if files is None:
        files = discover_files(sources, settings.reading.follow_symlinks)
    run_id = str(uuid.uuid4())
    # A first look without the lock: a run with work to do (or a warehouse being written) never takes
    # the lock here, so the flow is the first and only holder of its run's lock.
    if _looked_up(settings, sources, files) is None:
        return None
    ctx = RunContext(settings, sources, run_id, started, files=files, t0=t0)
    ex = PlainExecutor()
    with ExitStack() as held:
        try:
            held.enter_context(run_lock(settings.warehouse, run_id, name="unchanged-check"))
        except loader.WarehouseLocked:
            return None  # the flow waits for the holder (--wait) or names it
        try:  # one writer connection for every step below (one open, one checkpoint)
            con = held.enter_context(loader.shared_writer(settings.db_path, settings.memory))
        except Exception:  # held by a reader, unreadable: the flow reports or waits properly
            return None
        same = _looked_up(settings, sources, files, con)  # again, under the lock: nothing changed meanwhile
        if same is None:
            return None
        ctx.manifest = ([], same)  # (a touched file is not hashed a third time)
        ctx.stage["unchanged_check"] = time.perf_counter() - t0
        ex.run(DISCOVER, ctx)
        execute(ctx, ex, PLAN)  # the flow's plan, each step a plain call on the shared connection
    # as in the flow, the reports read what was written (after the writer connection is closed here)
    return {**execute(ctx, ex, REPORT_STEPS), "unchanged": True}
