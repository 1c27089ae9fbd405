"""The tasks of the ingest flow. Each is a thin wrapper over a pure function; the load is the only writer."""

from __future__ import annotations

import threading
from concurrent.futures import Executor, as_completed
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from corpus_etl import schema
from corpus_etl.discover import KnownSource, SourceFile, expand_with_collections, make_batches, plan, stat_file
from corpus_etl.learned import LineCounts, learn_counts, outlet_key, scan_counts
from corpus_etl.pipeline import BatchOutput, process_batch
from corpus_etl.settings import Settings
from expectations.validate import Validator, Verdicts, batch_metrics, fail_sources, with_check_columns
from tasks.naming import batch_run_name, out_run_name
from warehouse import loader
from warehouse.db import connect_report

# Process pools of the runs in this process, by run id (set by the flow, used by batch tasks). A task
# running where no pool is registered (a Dask worker) processes its batch in its own process.
_POOLS: dict[str, Executor] = {}
_VALIDATORS: dict[str, Validator] = {}
_PARAMS: dict[str, dict[str, object]] = {}
_validator_lock = threading.Lock()


def register_pool(run_id: str, pool: Executor | None) -> None:
    """Make ``pool`` the process pool of run ``run_id`` (None removes it)."""
    if pool is None:
        _POOLS.pop(run_id, None)
    else:
        _POOLS[run_id] = pool


@task(name="discover", cache_policy=NO_CACHE)
def discover(sources: list[str], follow_symlinks: bool = False) -> list[SourceFile]:
    """Expand SOURCE arguments into the sorted list of files, stat'ed."""
    return [stat_file(p, c) for p, c in expand_with_collections(sources, follow_symlinks)]


@task(name="begin-run", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def begin_run(
    settings: Settings, run_id: str, flow_name: str, started_at: datetime, sources: list[str]
) -> loader.RunStart:
    """Create the schema, record the run, return what the warehouse knows of its sources and DQ history."""
    return loader.begin_run(settings.db_path, run_id, flow_name, started_at, sources, loader.settings_json(settings))


@task(name="plan", cache_policy=NO_CACHE)
def plan_files(
    files: list[SourceFile], known: dict[str, KnownSource], reprocess: bool = False
) -> tuple[list[SourceFile], list[SourceFile]]:
    """Split files into (to process, unchanged since their last load); all to process with ``reprocess``."""
    return plan(files, known, reprocess)


@task(name="mark-skipped", cache_policy=NO_CACHE)
def mark_skipped(settings: Settings, run_id: str, files: list[SourceFile]) -> None:
    """Record the unchanged files as skipped by this run."""
    loader.mark_skipped(settings.db_path, run_id, [f.source_id for f in files], [f.mtime for f in files])


@task(name="mark-deleted", cache_policy=NO_CACHE)
def mark_deleted(settings: Settings, run_id: str, source_ids: list[str]) -> None:
    """Flag the files that vanished from the run's SOURCE arguments."""
    loader.mark_deleted(settings.db_path, run_id, source_ids)


@task(name="learn-boilerplate", cache_policy=NO_CACHE)
def learn_boilerplate(files: list[SourceFile], settings: Settings, run_id: str) -> dict[str, frozenset[str]]:
    """The pre-pass of the learned boilerplate: hash the lines of the files to process (in the run's
    process pool when there is one), add the counts of earlier runs' files, return the learned line
    hashes per outlet key (``corpus_etl.learned``). Empty when learning is off or nothing is to do."""
    if not files or not settings.learned_min_files:
        return {}
    # chunks balanced by bytes, a few per worker, largest files first (as the batches: make_batches)
    chunks = [
        [(f.source_id, f.path) for f in c]
        for c in make_batches(files, 256, settings.batch_bytes, 4 * settings.n_workers)
    ]
    pool = _POOLS.get(run_id)
    args = (settings.input_format, settings.text_field)
    counts = LineCounts()  # merged as the chunks' counts arrive: what is held is one entry per distinct line
    if pool is None:
        for c in chunks:
            counts.merge(scan_counts(c, *args))
    else:
        for fut in as_completed([pool.submit(scan_counts, c, *args) for c in chunks]):
            counts.merge(fut.result())
    outlets = sorted({outlet_key(f.path) for f in files})
    history = loader.line_hash_counts(settings.db_path, outlets, sorted(f.source_id for f in files))
    return learn_counts(counts, history, settings.learned_min_files, outlets)


@task(name="process-batch", task_run_name=batch_run_name, cache_policy=NO_CACHE, retries=1, retry_delay_seconds=1)
def process_batch_task(
    files: list[SourceFile],
    batch: int,
    settings: Settings,
    run_id: str,
    started_at: datetime,
    learned: dict[str, frozenset[str]] | None = None,
    n_batches: int = 0,
) -> BatchOutput:
    """Read, split, normalise and language-tag a batch of files into staging Parquet (``learned``: the
    learned boilerplate of the batch's outlets; ``n_batches``: how many the run has, for the task run's name)."""
    out_dir = str(settings.staging_dir / run_id)
    pool = _POOLS.get(run_id)
    if pool is None:
        return process_batch(files, batch, settings, run_id, started_at, out_dir, learned)
    return pool.submit(process_batch, files, batch, settings, run_id, started_at, out_dir, learned).result()


def prepare_validator(run_id: str, params: dict[str, object]) -> None:
    """Set the values of the suites' learned placeholders for the run, and build its validator now in the
    background (GX's import takes seconds: it overlaps with the first batches)."""
    _PARAMS[run_id] = params
    threading.Thread(target=validator_for, args=(run_id,), daemon=True).start()


def validator_for(run_id: str) -> Validator:
    """The run's GX validator, built once with the run's learned parameters."""
    with _validator_lock:
        if run_id not in _VALIDATORS:
            _VALIDATORS[run_id] = Validator(_PARAMS.get(run_id))
        return _VALIDATORS[run_id]


def drop_validator(run_id: str) -> None:
    """Forget the run's validator."""
    with _validator_lock:
        _VALIDATORS.pop(run_id, None)
        _PARAMS.pop(run_id, None)


@task(name="validate-batch", task_run_name=out_run_name("validate-batch"), cache_policy=NO_CACHE)
def validate_batch(out: BatchOutput, settings: Settings, run_id: str) -> tuple[Verdicts, Verdicts]:
    """Validate a batch's articles and sources with the GX suites; return (articles, sources) verdicts."""
    if not settings.validate_data:
        return Verdicts(), Verdicts()
    sources = loader.read_staging(out.paths["sources"], schema.SOURCES)
    articles = loader.read_staging(out.paths["articles"], schema.ARTICLES)
    chars = {s["source_id"]: s["n_chars"] or -1 for s in sources.select(["source_id", "n_chars"]).to_pylist()}
    v = validator_for(run_id)
    art = v.validate("articles", with_check_columns(articles, chars), run_id, out.batch)
    batch = v.validate("batches", batch_metrics(articles, len(art.failed)), run_id, out.batch)
    src = v.validate("sources", sources, run_id, out.batch)
    src.dq_runs += batch.dq_runs
    src.dq_results += batch.dq_results
    return art, src


# At most this many failed files of a batch are logged one by one (the rest in one line): every one is in
# `sources` and in the run's table artifact.
LOG_FAILED_PER_BATCH = 50


def log_failed_files(sources: Any, batch: int) -> int:
    """Log the batch's failed files to the run's log (WARNING, one line each: path and reason); return how many."""
    failed = [r for r in sources.select(["path", "status", "error"]).to_pylist() if r["status"] == "failed"]
    log = get_run_logger()
    for r in failed[:LOG_FAILED_PER_BATCH]:
        log.warning("file failed: %s: %s", r["path"], r["error"])
    if len(failed) > LOG_FAILED_PER_BATCH:
        log.warning("batch %d: %d more files failed (see sources.error)", batch + 1, len(failed) - LOG_FAILED_PER_BATCH)
    return len(failed)


@task(
    name="load-batch",
    task_run_name=out_run_name("load-batch"),
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=2,
)
def load_batch(
    out: BatchOutput, verdicts: tuple[Verdicts, Verdicts], settings: Settings, at: datetime
) -> tuple[loader.LoadCounts, int]:
    """Load one validated batch into DuckDB in one transaction (the single writer).

    Records failing an error-level expectation of the articles suite go to quarantine; files whose row
    fails one of the sources suite are not loaded, recorded ``failed`` with the reason
    (``validate.fail_sources``). The batch's failed files are logged at WARNING.

    Returns:
        What was written, and how many files the sources suite failed (beyond the batch's own count).
    """
    art_v, src_v = verdicts
    tables = {spec.name: loader.read_staging(out.paths[spec.name], spec) for spec in schema.PER_SOURCE}
    tables["articles"], quarantined = loader.split_quarantine(tables["articles"], art_v.failed, at)
    checked = fail_sources(loader.read_staging(out.paths["sources"], schema.SOURCES), tables, quarantined, src_v.failed)
    log_failed_files(checked.sources, out.batch)
    counts = loader.load_batch(
        settings.db_path,
        checked.sources,
        checked.tables,
        checked.quarantine,
        art_v.dq_runs + src_v.dq_runs,
        art_v.dq_results + src_v.dq_results,
    )
    for p in out.paths.values():
        Path(p).unlink(missing_ok=True)
    return counts, len(checked.newly_failed)


@task(name="export-parquet", cache_policy=NO_CACHE, retries=1)
def export_parquet(
    settings: Settings, run_id: str, tables: tuple[str, ...] | None = None, memory_limit: str | None = None
) -> dict[str, int]:
    """Rewrite the Parquet copy of the warehouse tables (all, or ``tables``), claiming ``memory_limit`` of
    DuckDB (``loader.EXPORT_MEMORY_LIMIT`` when None)."""
    return loader.export_parquet(settings.db_path, settings.parquet_dir, run_id, tables, memory_limit)


@task(name="finish-run", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def finish_run(settings: Settings, run_id: str, status: str, error: str | None, counts: dict[str, object]) -> None:
    """Record the run's end and its counts, in the database and in the Parquet copy of ``runs``
    (``loader.record_finished``)."""
    loader.record_finished(settings.db_path, settings.parquet_dir, run_id, status, error, counts)


@task(name="publish-reports", cache_policy=NO_CACHE)
def publish_reports(settings: Settings, run_id: str, validated: bool) -> str:
    """Rebuild the offline dashboard (and Data Docs when this run validated data); post a Prefect artifact.

    Returns:
        The dashboard path.
    """
    from prefect.artifacts import create_markdown_artifact

    from expectations.datadocs import build_data_docs
    from warehouse.report import build_dashboard
    from warehouse.report.summary import dq_summary, summary_markdown

    docs = settings.warehouse / "docs"
    if validated:
        build_data_docs(settings.db_path, docs)
    page = build_dashboard(settings.db_path, docs)
    con = connect_report(settings.db_path)
    try:
        summary = dq_summary(con, run_id if validated else None)
    finally:
        con.close()
    create_markdown_artifact(
        key="corpus-etl-data-quality",
        markdown=summary_markdown(summary, page),
        description=f"Data quality of run {run_id}; dashboard at {page}",
    )
    return str(page)


@task(name="report-failed-files", cache_policy=NO_CACHE)
def report_failed_files(settings: Settings, run_id: str) -> int:
    """Post the run's failed files (path, reason) as a Prefect table artifact; return how many it lists.

    Posted for every run that processed files (an empty table when none failed), so the artifact under its
    key is always the latest run's.
    """
    from prefect.artifacts import create_table_artifact

    from warehouse.report.summary import failed_files

    con = connect_report(settings.db_path)
    try:
        rows = failed_files(con, run_id)
    finally:
        con.close()
    create_table_artifact(
        key="corpus-etl-failed-files",
        table=[{"path": r["path"], "reason": r["error"]} for r in rows] or [{"path": "", "reason": "no file failed"}],
        description=f"Files that failed in run {run_id}, with the reasons (also in `sources.error`)",
    )
    return len(rows)
