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
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from corpus_etl import outcome, schema
from corpus_etl.discover import make_batches
from corpus_etl.incremental import vanished
from corpus_etl.learned import learned_for
from corpus_etl.lifeline import remove_stale_staging
from corpus_etl.memory import trim, use_returning_allocators
from corpus_etl.progress import report
from corpus_etl.settings import Settings
from expectations.validate import learned_params
from flows import runners
from flows.unchanged import FLOW_NAME
from tasks import analytics as ta
from tasks import ingest as t
from tasks.lake import publish_lake
from tasks.naming import ingest_run_name
from warehouse.loader import (
    ANALYTICS_TABLES,
    EXPORT_AFTER_ANALYTICS_MEMORY_LIMIT,
    EXPORT_BESIDE_ANALYTICS_MEMORY_LIMIT,
    RECORD_TABLES,
)
from warehouse.lock import run_lock


def _flow_run_name() -> str:
    """The flow run's name in the Prefect UI: what it ingests (``ingest-seeds-into-data``)."""
    params = flow_run.parameters or {}
    settings = params.get("settings")
    warehouse = settings.get("warehouse") if isinstance(settings, dict) else getattr(settings, "warehouse", None)
    return ingest_run_name(list(params.get("sources") or []), warehouse or Settings().warehouse)


@flow(
    name=FLOW_NAME,
    flow_run_name=_flow_run_name,
    task_runner=ThreadPoolTaskRunner(max_workers=8),  # type: ignore[arg-type]
    validate_parameters=True,
)
def ingest(
    sources: list[str], settings: Settings | None = None, fail_on: outcome.FailOn = "none"
) -> dict[str, Any] | State[dict[str, Any]]:
    """Ingest SOURCE files into the warehouse.

    Args:
        sources: files, directories (recursive) or globs.
        settings: run settings; defaults (and ``CORPUS_ETL_*`` variables) when None.
        fail_on: which problems end the flow run Failed once everything good is loaded (``corpus_etl.outcome``):
            ``any`` (files that failed, or error-level expectations that failed), ``files``, ``dq``, or
            ``none`` (the default for a call from Python: the summary is returned whatever failed; the CLI
            and its deployments pass ``any`` unless told otherwise).

    Returns:
        The run summary: run id, counts per stage, languages, seconds; with problems that ``fail_on`` counts,
        a Failed state holding the same summary (``state.result(raise_on_failure=False)``).
    """
    settings = (settings or Settings()).resolved()
    use_returning_allocators()  # one batch at a time: memory given back after each (corpus_etl.memory)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    counts: dict[str, Any] = {**dict.fromkeys(schema.RUN_COUNTERS, 0), "dq_errors": 0}
    files = t.discover(sources, settings.follow_symlinks)
    counts["n_discovered"] = len(files)
    with run_lock(settings.warehouse, run_id, wait=settings.lock_wait, name=flow_run.get_name()):
        summary = _run(settings, sources, files, run_id, started, t0, counts)
    found = outcome.problems(summary, fail_on)
    if found:  # everything good is loaded: the run is recorded; the flow run says what went wrong
        return Failed(message=f"run {run_id}: {'; '.join(found)} (--fail-on {fail_on})", data=summary)
    return summary


def _missing(settings: Settings, tables: tuple[str, ...]) -> bool:
    """Whether the Parquet copy lacks one of ``tables`` (a first run, or a copy made before they were exported)."""
    return any(not (settings.parquet_dir / name).is_dir() for name in tables)


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
        stale = remove_stale_staging(settings.staging_dir, run_id)  # under the lock: failed or interrupted runs'
        if stale:
            log.info("removed the staging files of %d earlier runs: %s", len(stale), ", ".join(stale))
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
            loaded, failed_by_dq = t.load_batch(out, verdicts, settings, started)
            stage["process"] += out.seconds
            stage["wait"] += t2 - t1
            stage["validate"] += t3 - t2
            stage["load"] += time.perf_counter() - t3
            counts["n_processed"] += out.n_sources
            counts["n_failed"] += out.n_failed + failed_by_dq
            counts["n_records"] += out.n_records
            counts["bytes_read"] += out.bytes_read
            counts["n_loaded"] += loaded.loaded
            counts["n_quarantined"] += loaded.quarantined
            counts["n_removed_spans"] += loaded.removed_spans
            counts["dq_errors"] += outcome.dq_error_count(verdicts[0].dq_results + verdicts[1].dq_results)
            done_files += out.n_sources
            log.info(
                "batch %d of %d loaded: %d files (%d failed), %d records (%d loaded, %d quarantined) in %.1f s",
                out.batch + 1,
                len(batches),
                out.n_sources,
                out.n_failed + failed_by_dq,
                out.n_records,
                loaded.loaded,
                loaded.quarantined,
                out.seconds,
            )
            report("files", done_files, len(todo))
            del verdicts, out
            trim()
        if runner is not None:  # the workers are done: their memory goes now, not at the end of the run
            runner.close()
            runner = None
        t1 = time.perf_counter()
        # The Parquet copy mirrors the database after every run. The record tables' copy does not depend on the
        # analytics: written meanwhile, on the core the analytics update (mostly Python) leaves idle, with a
        # smaller share of DuckDB (the two add up). A run that loaded and deleted nothing changed only the
        # sources' rows (marked skipped) there, unless the copy lacks a table (a new copy, an upgrade).
        records_changed = bool(batches or gone) or _missing(settings, RECORD_TABLES)
        records_export = t.export_parquet.submit(
            settings, run_id, RECORD_TABLES if records_changed else ("sources",), EXPORT_BESIDE_ANALYTICS_MEMORY_LIMIT
        )
        # every run: story clusters and search index follow the loaded rows (and backfill an upgraded warehouse)
        counts["analytics"] = ta.update_analytics(settings, run_id, todo)
        stage["analytics"] = time.perf_counter() - t1
        log.info("analytics updated in %.1f s: %s", stage["analytics"], counts["analytics"])
        t2 = time.perf_counter()
        records_export.result()  # raises the export's error
        trim()
        if records_changed or counts["analytics"]["changed"] or _missing(settings, ANALYTICS_TABLES):
            t.export_parquet(settings, run_id, ANALYTICS_TABLES, EXPORT_AFTER_ANALYTICS_MEMORY_LIMIT)
            trim()
        # the export's wall time beyond the analytics (the part of the run it adds)
        stage["export"] = time.perf_counter() - t2
        log.info("Parquet copy written in %.1f s beyond the analytics", stage["export"])
        counts["stage_seconds"] = {k: round(v, 3) for k, v in stage.items()}
        counts["seconds"] = round(time.perf_counter() - t0, 3)
        t.finish_run(settings, run_id, "completed", None, counts)  # (and the copy of `runs`, with this run's end)
        if settings.lake:  # the same files on object storage (s3://...); redone if a publish failed
            counts["lake_files"] = publish_lake(settings, run_id)
        shutil.rmtree(settings.staging_dir / run_id, ignore_errors=True)
        log.info(
            "run %s: %d files found, %d processed, %d unchanged, %d failed; %d records loaded, %d quarantined; "
            "%d error-level expectation results failed; %.1f s",
            run_id,
            counts["n_discovered"],
            counts["n_processed"],
            counts["n_skipped"],
            counts["n_failed"],
            counts["n_loaded"],
            counts["n_quarantined"],
            counts["dq_errors"],
            counts["seconds"],
        )
        if batches:  # the failed files as a table in the UI (an empty one when none failed)
            try:
                t.report_failed_files(settings, run_id)
            except Exception as exc:
                log.warning("failed-files artifact not posted: %s: %s", type(exc).__name__, exc)
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
