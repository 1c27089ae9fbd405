"""The ingest flow: discover -> plan -> process batches (split, normalise, language) -> validate -> load.

Wiring only: every step is a task in ``tasks.ingest`` over pure functions in ``corpus_etl``. Batches
are processed in parallel (a process pool by default); each batch is validated and loaded by the
single writer as soon as it finishes, while the other batches are still being processed.
"""

from __future__ import annotations

import shutil
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from corpus_etl import schema
from corpus_etl.discover import make_batches
from corpus_etl.incremental import vanished
from corpus_etl.learned import learned_for
from corpus_etl.memory import trim, use_returning_allocators
from corpus_etl.progress import report
from corpus_etl.settings import Settings
from corpus_etl.validate import learned_params
from flows import runners
from flows.unchanged import FLOW_NAME
from tasks import analytics as ta
from tasks import ingest as t
from tasks.lake import publish_lake
from warehouse.loader import (
    EXPORT_AFTER_ANALYTICS_MEMORY_LIMIT,
    EXPORT_BESIDE_ANALYTICS_MEMORY_LIMIT,
    PARQUET_TABLES,
    RECORD_TABLES,
)
from warehouse.lock import run_lock


@flow(name=FLOW_NAME, task_runner=ThreadPoolTaskRunner(max_workers=8), validate_parameters=True)  # type: ignore[arg-type]
def ingest(sources: list[str], settings: Settings | None = None) -> dict[str, Any]:
    """Ingest SOURCE files into the warehouse.

    Args:
        sources: files, directories (recursive) or globs.
        settings: run settings; defaults (and ``CORPUS_ETL_*`` variables) when None.

    Returns:
        The run summary: run id, counts per stage, languages, seconds.
    """
    settings = (settings or Settings()).resolved()
    use_returning_allocators()  # one batch at a time: memory given back after each (corpus_etl.memory)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    counts: dict[str, Any] = dict.fromkeys(schema.RUN_COUNTERS, 0)
    files = t.discover(sources, settings.follow_symlinks)
    counts["n_discovered"] = len(files)
    with run_lock(settings.warehouse, run_id, wait=settings.lock_wait, name=flow_run.get_name()):
        return _run(settings, sources, files, run_id, started, t0, counts)


def _run(
    settings: Settings,
    sources: list[str],
    files: list[Any],
    run_id: str,
    started: datetime,
    t0: float,
    counts: dict[str, Any],
) -> dict[str, Any]:
    log = get_run_logger()
    start = t.begin_run(settings, run_id, FLOW_NAME, started, sources)
    runner: runners.LocalRunner | runners.DaskRunner | None = None
    try:
        todo, same = t.plan_files(files, start.known, settings.reprocess)
        counts["n_skipped"] = len(same)
        t.mark_skipped(settings, run_id, same)
        gone = vanished(start.known_paths, {f.source_id for f in files}, sources)
        counts["n_deleted"] = len(gone)
        t.mark_deleted(settings, run_id, gone)
        batches = make_batches(todo, settings.batch_files, settings.batch_bytes, 4 * settings.n_workers)
        log.info("%d files: %d to process in %d batches, %d unchanged", len(files), len(todo), len(batches), len(same))
        if batches and settings.validate_data:  # GX's import takes seconds: start it while we split
            t.prepare_validator(run_id, learned_params(start.mean_words_history))
        if batches:  # a local process pool or a Dask cluster (flows/runners.py)
            runner = runners.start(settings, run_id, len(batches))
        learned = t.learn_boilerplate(todo, settings, run_id)  # pre-pass: lines repeated across an outlet's files
        futures = (
            [runner.submit(b, i, started, learned_for(learned, b)) for i, b in enumerate(batches)] if runner else []
        )
        report("files", 0, len(todo))
        done_files = 0
        stage = counts["stage_seconds"] = dict.fromkeys(
            ("process", "wait", "validate", "load", "analytics", "export"), 0.0
        )
        finished = runners.in_completion_order(futures)  # each batch loaded as soon as it is done
        while True:
            t1 = time.perf_counter()
            fut = next(finished, None)  # waits for the next batch to finish (counted as 'wait')
            if fut is None:
                break
            out = fut.result()
            t2 = time.perf_counter()
            verdicts = t.validate_batch(out, settings, run_id)
            trim()  # GX's and pandas' garbage goes back before the load allocates
            t3 = time.perf_counter()
            loaded = t.load_batch(out, verdicts, settings, started)
            stage["process"] += out.seconds
            stage["wait"] += t2 - t1
            stage["validate"] += t3 - t2
            stage["load"] += time.perf_counter() - t3
            counts["n_processed"] += out.n_sources
            counts["n_failed"] += out.n_failed
            counts["n_records"] += out.n_records
            counts["bytes_read"] += out.bytes_read
            counts["n_loaded"] += loaded.loaded
            counts["n_quarantined"] += loaded.quarantined
            counts["n_removed_spans"] += loaded.removed_spans
            done_files += out.n_sources
            report("files", done_files, len(todo))
            del verdicts, out
            trim()
        if runner is not None:  # the workers are done: their memory goes now, not at the end of the run
            runner.close()
            runner = None
        t1 = time.perf_counter()
        # The record tables' Parquet copy does not depend on the analytics: written meanwhile, on the core
        # the analytics update (mostly Python) leaves idle, with a smaller share of DuckDB (the two add up).
        records_changed = bool(batches or gone) or not (settings.parquet_dir / "articles").exists()
        records_export = (
            t.export_parquet.submit(settings, run_id, RECORD_TABLES, EXPORT_BESIDE_ANALYTICS_MEMORY_LIMIT)
            if records_changed
            else None
        )
        # every run: story clusters and search index follow the loaded rows (and backfill an upgraded warehouse)
        counts["analytics"] = ta.update_analytics(settings, run_id, todo)
        stage["analytics"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        if records_export is not None:
            records_export.result()  # raises the export's error
        trim()
        if records_changed or counts["analytics"]["changed"]:
            rest = None if records_export is None else tuple(x for x in PARQUET_TABLES if x not in RECORD_TABLES)
            t.export_parquet(settings, run_id, rest, None if rest is None else EXPORT_AFTER_ANALYTICS_MEMORY_LIMIT)
            trim()
        if settings.lake:  # the same files on object storage (s3://...); redone if a publish failed
            counts["lake_files"] = publish_lake(settings, run_id)
        # the export's wall time beyond the analytics (the part of the run it adds)
        stage["export"] = time.perf_counter() - t2
        counts["stage_seconds"] = {k: round(v, 3) for k, v in stage.items()}
        counts["seconds"] = round(time.perf_counter() - t0, 3)
        t.finish_run(settings, run_id, "completed", None, counts)
        shutil.rmtree(settings.staging_dir / run_id, ignore_errors=True)
        try:  # the data is loaded: a report that cannot be rebuilt is a warning, not a failed run
            counts["dashboard"] = t.publish_reports(settings, run_id, bool(batches) and settings.validate_data)
        except Exception as exc:
            log.warning("dashboard not rebuilt: %s: %s", type(exc).__name__, exc)
    except BaseException as exc:
        counts["seconds"] = round(time.perf_counter() - t0, 3)
        try:
            t.finish_run(settings, run_id, "failed", f"{type(exc).__name__}: {exc}"[:2000], counts)
        except Exception:  # the original error matters more
            log.exception("could not record the failed run")
        raise
    finally:
        t.drop_validator(run_id)
        if runner is not None:
            runner.close()
    return {"run_id": run_id, "warehouse": str(settings.warehouse), **counts}
