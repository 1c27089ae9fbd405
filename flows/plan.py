"""The plan of an ingest run: its steps, in their order, in one place.

A step is a plain function over the run's ``RunContext`` (a batch step: over the context and one batch).
The plan is ``PLAN`` (the steps under the run lock: every write) followed by ``REPORT_STEPS`` (the reports
that read what was written). ``execute`` walks a list of steps with an ``Executor``, which decides how a
step is called; two executors run the same plan:

- ``flows.ingest`` (Prefect): each step is a Prefect task run named after the step; the batch steps are one
  task run per batch (``process-batch-3-of-46``, ``validate-batch-3``, ``load-batch-3``), never per article;
  batches are processed by a runner (``flows.runners``: a local process pool or a Dask cluster).
- ``flows.unchanged`` (no Prefect, the CLI's instant rerun of an unchanged corpus): each step a plain call,
  every write on one shared writer connection; batches (none there) would run in process (``InlineRunner``).

What a run owns lives in its context and dies with it: the runner (and its process pool), the background
validator, the learned boilerplate; nothing is kept in module-level registries. SOURCE is expanded once
(``discover``, or the caller's ``Discovered`` list), and each file is read and decoded once: with learned
boilerplate on, the pre-pass reads each batch's files and spools what it read (``corpus_etl.reading``), and
the batch is split from its spool.

Steps, in order (``PLAN``): begin-run (the run row; stale staging removed), plan (to process / unchanged),
mark-skipped, mark-deleted, start-workers (the validator in the background, the batch runner),
learn-boilerplate (the pre-pass), the batches (process -> validate -> load, each batch loaded by the single
writer as soon as it is processed), export-parquet of the record tables (beside the analytics),
update-analytics, export-parquet of the analytics tables, finish-run, publish-lake; then (``REPORT_STEPS``)
report-failed-files and publish-reports, whose failure is a warning, not a failed run.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import warehouse.report
from corpus_etl import outcome, storage
from corpus_etl.discover import SourceFile, expand_with_collections, make_batches, stat_file
from corpus_etl.discover import plan as plan_manifest
from corpus_etl.incremental import vanished
from corpus_etl.lifeline import remove_stale_staging
from corpus_etl.memory import trim
from corpus_etl.progress import report
from corpus_etl.settings import Settings
from expectations.datadocs import build_data_docs
from tasks.naming import out_run_name
from warehouse import analytics, loader
from warehouse.db import connect_report
from warehouse.report.summary import dq_summary, failed_files, summary_markdown

if TYPE_CHECKING:
    from corpus_etl.pipeline import BatchOutput
    from expectations.validate import Validator, Verdicts

logging.getLogger("corpus_etl.run").addHandler(logging.NullHandler())  # a plain run logs only where asked to
FLOW_NAME = "corpus-etl-ingest"  # the ingest flow's name: the runs of both executors are its runs
BATCH_STAGES = ("process", "wait", "validate", "load", "analytics", "export")  # runs.stage_seconds keys


class Discovered:
    """The files SOURCE expanded to (``discover_files``), handed from the CLI to the flow so SOURCE is expanded
    once per ingest. As a flow parameter it is stored in the Prefect API as its size only (``__iter__`` is not
    defined and ``__slots__`` leaves no ``vars``: Prefect records ``<Discovered>``), not as the list."""

    __slots__ = ("files",)

    def __init__(self, files: list[SourceFile]) -> None:
        self.files = files

    def __len__(self) -> int:
        return len(self.files)

    def __repr__(self) -> str:
        return f"Discovered({len(self.files)} files)"


def discover_files(sources: list[str], follow_symlinks: bool = False) -> list[SourceFile]:
    """Expand SOURCE arguments into the sorted list of files, stat'ed (``discover.expand_with_collections``)."""
    return [stat_file(p, c) for p, c in expand_with_collections(sources, follow_symlinks)]


class BatchFuture(Protocol):
    def result(self) -> BatchOutput: ...


class BatchRunner(Protocol):
    """Where the process-batch step runs (``flows.runners``; ``InlineRunner``)."""

    shares_disk: (
        bool  # its workers read the flow's staging directory (a pre-pass spool is readable there; else shipped)
    )

    @property
    def pool(self) -> Any: ...  # a process pool for the pre-pass (concurrent.futures.Executor), or None

    def submit(
        self,
        files: list[SourceFile],
        batch: int,
        started: datetime,
        learned: dict[str, frozenset[str]] | None = None,
        spool: str | None = None,
    ) -> BatchFuture: ...

    def in_completion_order(self, futures: list[BatchFuture]) -> Iterator[BatchFuture]: ...

    def close(self) -> None: ...


class Handle(Protocol):
    def result(self) -> Any: ...


class Executor(Protocol):
    """How the steps of a plan are called (Prefect task runs, or plain calls)."""

    def run(self, step: Step, *args: Any) -> Any:
        """Run ``step`` now and return its result."""
        ...

    def submit(self, step: Step, *args: Any) -> Handle:
        """Start ``step`` (it may run beside the next steps); ``result()`` waits for it."""
        ...

    def start_runner(self, ctx: RunContext) -> BatchRunner:
        """The batch runner of the run (closed by ``execute``)."""
        ...


Post = Callable[[str, str, Any, str], None]  # (kind 'markdown' or 'table', key, content, description)


class RunContext:
    """Everything a run's steps share, owned by the run (a plain object: Prefect passes it to the task runs
    as is). Created by an executor; filled by the steps in plan order."""

    def __init__(
        self,
        settings: Settings,
        sources: list[str],
        run_id: str,
        started: datetime,
        *,
        files: list[SourceFile] | None = None,
        log: logging.Logger | logging.LoggerAdapter[Any] | None = None,
        post: Post | None = None,
        t0: float | None = None,
    ) -> None:
        self.settings = settings
        self.sources = sources
        self.run_id = run_id
        self.started = started
        self.t0 = time.perf_counter() if t0 is None else t0
        self.files = files  # the discovered files (None: the discover step expands SOURCE)
        self.log = log or logging.getLogger("corpus_etl.run")
        self.post = post  # posts a Prefect artifact; None: nothing posted
        self.counts: dict[str, Any] = {"dq_errors": 0}
        self.stage: dict[str, float] = {}
        self.start: loader.RunStart | None = None
        # (to process, unchanged) when the caller planned them under this run's lock; None: the plan step does
        self.manifest: tuple[list[SourceFile], list[SourceFile]] | None = None
        self.todo: list[SourceFile] = []
        self.same: list[SourceFile] = []
        self.gone: list[str] = []
        self.batches: list[list[SourceFile]] = []
        self.learned: dict[str, frozenset[str]] = {}
        self.spools: dict[int, str] = {}  # batch -> the pre-pass's spool of its files (corpus_etl.reading)
        self.validator: ValidatorHandle | None = None
        self.runner: BatchRunner | None = None
        self.records_changed = False
        self.background: list[Handle] = []  # steps running beside the next ones (joined by a `joins` step)
        self.marks: dict[str, float] = {}  # named perf_counter() marks of the steps

    @property
    def staging(self) -> Path:
        """The run's staging directory."""
        return self.settings.staging_dir / self.run_id

    def summary(self) -> dict[str, Any]:
        """The run summary: run id, warehouse and the counts."""
        return {"run_id": self.run_id, "warehouse": str(self.settings.warehouse), **self.counts}


class ValidatorHandle:
    """The run's GX validator, built once with the run's learned parameters, in the background from
    ``start`` (GX's import takes seconds: it overlaps with the first batches)."""

    def __init__(self, params: dict[str, object] | None) -> None:
        self._params = params
        self._lock = threading.Lock()
        self._validator: Validator | None = None

    def start(self) -> ValidatorHandle:
        threading.Thread(target=self.get, daemon=True).start()
        return self

    def get(self) -> Validator:
        with self._lock:
            if self._validator is None:
                from expectations.validate import Validator  # lazy: pyarrow, numpy stay off the unchanged-rerun path

                self._validator = Validator(self._params)
            return self._validator


@dataclass(frozen=True)
class Step:
    """One step of the plan: ``fn(ctx)`` (a batch step: ``fn(ctx, out, ...)``), run by an executor.

    ``task``: run as a Prefect task run, ``fn(ctx)``; False: a call inside the flow, ``fn(ctx, executor)``
    (starting the workers; the batches, whose steps it runs through the executor);
    ``background``: started beside the next steps; ``joins``: waits for the background steps first;
    ``when``: the step runs only when it says so; ``warn``: a failure is logged as this warning and the run goes
    on (the data is loaded: a report that cannot be rebuilt is not a failed run), and recorded in the summary
    under ``warn_key`` when given.
    """

    name: str
    fn: Callable[..., Any]
    retries: int = 0
    retry_delay_seconds: float = 0
    task: bool = True
    background: bool = False
    joins: bool = False
    when: Callable[[RunContext], bool] | None = None
    warn: str | None = None
    warn_key: str | None = None
    run_name: Callable[[dict[str, Any]], str] | None = None


# --- the steps -------------------------------------------------------------------------------------------


def discover(ctx: RunContext) -> list[SourceFile]:
    """Expand SOURCE (unless the caller did) and count the files found."""
    if ctx.files is None:
        ctx.files = discover_files(ctx.sources, ctx.settings.reading.follow_symlinks)
    ctx.counts["n_discovered"] = len(ctx.files)
    return ctx.files


def begin_run(ctx: RunContext) -> None:
    """Create the schema, record the run as running, read what the warehouse knows; remove the staging files
    of failed or interrupted runs (the caller holds the run lock)."""
    s = ctx.settings
    ctx.start = loader.begin_run(
        s.db_path, ctx.run_id, FLOW_NAME, ctx.started, ctx.sources, loader.settings_json(s), s.memory
    )
    for name in ctx.start.counters:  # every counter of `runs`, 0 until counted
        ctx.counts.setdefault(name, 0)
    stale = remove_stale_staging(s.staging_dir, ctx.run_id)
    if stale:
        ctx.log.info("removed the staging files of %d earlier runs: %s", len(stale), ", ".join(stale))


def plan_files(ctx: RunContext) -> None:
    """Split the files into (to process, unchanged) by the manifest rule, find the vanished ones, and group
    the files to process into batches."""
    assert ctx.start is not None and ctx.files is not None
    s = ctx.settings
    if ctx.manifest is not None:  # planned by the caller, under this run's lock (flows.unchanged)
        ctx.todo, ctx.same = ctx.manifest
    else:
        ctx.todo, ctx.same = plan_manifest(ctx.files, ctx.start.known, s.reprocess)
    ctx.gone = vanished(ctx.start.known_paths, {f.source_id for f in ctx.files}, ctx.sources)
    ctx.counts["n_skipped"] = len(ctx.same)
    ctx.counts["n_deleted"] = len(ctx.gone)
    ctx.batches = make_batches(ctx.todo, s.batch_files, s.batch_bytes, 4 * s.n_workers)
    ctx.log.info(
        "%d files: %d to process in %d batches, %d unchanged",
        len(ctx.files),
        len(ctx.todo),
        len(ctx.batches),
        len(ctx.same),
    )


def mark_skipped(ctx: RunContext) -> None:
    """Record the unchanged files as skipped by this run (a touched file's new mtime remembered)."""
    s = ctx.settings
    loader.mark_skipped(s.db_path, ctx.run_id, [f.source_id for f in ctx.same], [f.mtime for f in ctx.same], s.memory)


def mark_deleted(ctx: RunContext) -> None:
    """Flag the files that vanished from the run's SOURCE arguments."""
    loader.mark_deleted(ctx.settings.db_path, ctx.run_id, ctx.gone, ctx.settings.memory)


def _has_batches(ctx: RunContext) -> bool:
    return bool(ctx.batches)


def start_workers(ctx: RunContext, ex: Executor) -> None:
    """Start building the validator in the background (GX's import takes seconds: it overlaps with the
    splitting) and the batch runner (a local process pool or a Dask cluster)."""
    if ctx.settings.validate_data:
        from expectations.validate import learned_params  # lazy: pyarrow, numpy stay off the unchanged-rerun path

        assert ctx.start is not None
        ctx.validator = ValidatorHandle(learned_params(ctx.start.mean_words_history)).start()
    ctx.runner = ex.start_runner(ctx)


def learn_boilerplate(ctx: RunContext) -> None:
    """The pre-pass of the learned boilerplate: count the lines of the files to process per outlet (in the
    run's process pool when there is one), add the counts of earlier runs' files, keep the learned line
    hashes per outlet key (``corpus_etl.learned``). The pre-pass reads each batch's files once and spools them
    (``corpus_etl.reading``) for the batch to split: workers on the flow's disk read the spool, the runner ships it
    to workers elsewhere (a Dask cluster's)."""
    s = ctx.settings
    if not ctx.todo or not s.extraction.learned_min_files:
        return

    from corpus_etl.learned import (  # lazy: pyarrow, numpy stay off the unchanged-rerun path
        LineCounts,
        learn_counts,
        outlet_key,
        scan_batch,
        scan_counts,
    )
    from corpus_etl.reading import spool_path  # lazy: pyarrow, numpy stay off the unchanged-rerun path

    pool = ctx.runner.pool if ctx.runner is not None else None
    counts = LineCounts()  # merged as the chunks' counts arrive: one entry per distinct line
    if ctx.runner is not None:  # one read per file: the batches' spools
        ctx.staging.mkdir(parents=True, exist_ok=True)
        ctx.spools = {i: str(spool_path(ctx.staging, i)) for i in range(len(ctx.batches))}
        jobs: list[tuple[Callable[..., Any], tuple[Any, ...]]] = [
            (scan_batch, (b, s, ctx.spools[i])) for i, b in enumerate(ctx.batches)
        ]
    else:  # no runner to hand a spool to: count only
        chunks = make_batches(ctx.todo, 256, s.batch_bytes, 4 * s.n_workers)
        r = s.reading
        jobs = [
            (scan_counts, ([(f.source_id, f.path) for f in c], r.input_format, r.text_field, r.max_inflate_ratio))
            for c in chunks
        ]
    if pool is None:
        for fn, args in jobs:
            counts.merge(fn(*args))
    else:
        for fut in as_completed([pool.submit(fn, *args) for fn, args in jobs]):
            counts.merge(fut.result())
    outlets = sorted({outlet_key(f.path) for f in ctx.todo})
    history = loader.line_hash_counts(s.db_path, outlets, sorted(f.source_id for f in ctx.todo), s.memory)
    ctx.learned = learn_counts(counts, history, s.extraction.learned_min_files, outlets)


def validate_batch(ctx: RunContext, out: BatchOutput) -> tuple[Verdicts, Verdicts]:
    """Validate a batch's articles and sources with the GX suites; return (articles, sources) verdicts."""
    from corpus_etl import schema  # lazy: pyarrow, numpy stay off the unchanged-rerun path
    from expectations.validate import Verdicts, batch_metrics, with_check_columns  # lazy: as above

    if not ctx.settings.validate_data or ctx.validator is None:
        return Verdicts(), Verdicts()
    sources = loader.read_staging(out.paths["sources"], schema.SOURCES)
    articles = loader.read_staging(out.paths["articles"], schema.ARTICLES)
    chars = {s["source_id"]: s["n_chars"] or -1 for s in sources.select(["source_id", "n_chars"]).to_pylist()}
    v = ctx.validator.get()
    art = v.validate("articles", with_check_columns(articles, chars), ctx.run_id, out.batch)
    batch = v.validate("batches", batch_metrics(articles, len(art.failed)), ctx.run_id, out.batch)
    src = v.validate("sources", sources, ctx.run_id, out.batch)
    src.dq_runs += batch.dq_runs
    src.dq_results += batch.dq_results
    return art, src


# At most this many failed files of a batch are logged one by one (the rest in one line): every one is in
# `sources` and in the run's table artifact.
LOG_FAILED_PER_BATCH = 50


def log_failed_files(log: Any, sources: Any, batch: int) -> int:
    """Log the batch's failed files (WARNING, one line each: path and reason); return how many."""
    failed = [r for r in sources.select(["path", "status", "error"]).to_pylist() if r["status"] == "failed"]
    for r in failed[:LOG_FAILED_PER_BATCH]:
        log.warning("file failed: %s: %s", r["path"], r["error"])
    if len(failed) > LOG_FAILED_PER_BATCH:
        log.warning("batch %d: %d more files failed (see sources.error)", batch + 1, len(failed) - LOG_FAILED_PER_BATCH)
    return len(failed)


def load_batch(ctx: RunContext, out: BatchOutput, verdicts: tuple[Verdicts, Verdicts]) -> tuple[loader.LoadCounts, int]:
    """Load one validated batch into DuckDB in one transaction (the single writer).

    Records failing an error-level expectation of the articles suite go to quarantine; files whose row
    fails one of the sources suite are not loaded, recorded ``failed`` with the reason
    (``validate.fail_sources``). The batch's failed files are logged at WARNING; its staging files (and its
    pre-pass spool) are removed.

    Returns:
        What was written, and how many files the sources suite failed (beyond the batch's own count).
    """
    from corpus_etl import schema  # lazy: pyarrow, numpy stay off the unchanged-rerun path
    from expectations.validate import fail_sources  # lazy: pyarrow, numpy stay off the unchanged-rerun path

    art_v, src_v = verdicts
    tables = {spec.name: loader.read_staging(out.paths[spec.name], spec) for spec in schema.PER_SOURCE}
    tables["articles"], quarantined = loader.split_quarantine(tables["articles"], art_v.failed, ctx.started)
    checked = fail_sources(loader.read_staging(out.paths["sources"], schema.SOURCES), tables, quarantined, src_v.failed)
    log_failed_files(ctx.log, checked.sources, out.batch)
    counts = loader.load_batch(
        ctx.settings.db_path,
        checked.sources,
        checked.tables,
        checked.quarantine,
        art_v.dq_runs + src_v.dq_runs,
        art_v.dq_results + src_v.dq_results,
        ctx.settings.memory,
    )
    for p in [*out.paths.values(), *([ctx.spools[out.batch]] if out.batch in ctx.spools else [])]:
        Path(p).unlink(missing_ok=True)
    return counts, len(checked.newly_failed)


VALIDATE = Step("validate-batch", validate_batch, run_name=out_run_name("validate-batch"))
LOAD = Step("load-batch", load_batch, retries=2, retry_delay_seconds=2, run_name=out_run_name("load-batch"))


def process_batches(ctx: RunContext, ex: Executor) -> None:
    """The batches: each processed by the runner (process-batch), then validated and loaded by the single
    writer as soon as it is done (validate-batch, load-batch), while the other batches are still processed."""
    counts, todo = ctx.counts, ctx.todo
    stage = ctx.stage
    for k in BATCH_STAGES:
        stage.setdefault(k, 0.0)
    report("files", 0, len(todo))
    if not ctx.batches:
        return
    from corpus_etl.learned import learned_for  # lazy: pyarrow, numpy stay off the unchanged-rerun path

    runner = ctx.runner
    futures = (
        [
            runner.submit(b, i, ctx.started, learned_for(ctx.learned, b), ctx.spools.get(i))
            for i, b in enumerate(ctx.batches)
        ]
        if runner is not None
        else []
    )
    done_files = 0
    finished = runner.in_completion_order(futures) if runner is not None else iter(())
    while True:
        t1 = time.perf_counter()
        fut = next(finished, None)  # waits for the next batch to finish (counted as 'wait')
        if fut is None:
            break
        out = fut.result()
        t2 = time.perf_counter()
        verdicts = ex.run(VALIDATE, ctx, out)
        trim()  # GX's and pandas' garbage goes back before the load allocates
        t3 = time.perf_counter()
        loaded, failed_by_dq = ex.run(LOAD, ctx, out, verdicts)
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
        ctx.log.info(
            "batch %d of %d loaded: %d files (%d failed), %d records (%d loaded, %d quarantined) in %.1f s",
            out.batch + 1,
            len(ctx.batches),
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
        ctx.runner = None


def _missing(settings: Settings, tables: tuple[str, ...]) -> bool:
    """Whether the Parquet copy lacks one of ``tables`` (a first run, or a copy made before they were exported)."""
    return any(not (settings.parquet_dir / name).is_dir() for name in tables)


def export_records(ctx: RunContext) -> dict[str, int]:
    """Rewrite the Parquet copy of the record tables, beside the analytics update (on the core it leaves
    idle, with a smaller share of DuckDB). A run that loaded and deleted nothing changed only the sources'
    rows (marked skipped), unless the copy lacks a table (a new copy, an upgrade)."""
    s = ctx.settings
    tables = loader.RECORD_TABLES if ctx.records_changed else ("sources",)
    return loader.export_parquet(
        s.db_path, s.parquet_dir, ctx.run_id, tables, s.memory.export_beside_analytics, s.memory
    )


def mark_export(ctx: RunContext, ex: Executor) -> None:
    """Start the clock of the analytics stage and decide which record tables the export rewrites."""
    ctx.marks["analytics"] = time.perf_counter()
    ctx.records_changed = bool(ctx.batches or ctx.gone) or _missing(ctx.settings, loader.RECORD_TABLES)


def update_analytics(ctx: RunContext) -> None:
    """Story clusters and the search index follow the loaded rows (and backfill an upgraded warehouse), in
    one transaction (``warehouse.analytics``)."""
    ids = [f.source_id for f in ctx.todo]
    # the batch workers staged the index rows of the run's articles under the run's staging directory
    staged = ctx.staging if ctx.batches else None
    s = ctx.settings
    ctx.counts["analytics"] = analytics.update_analytics(
        s.db_path, ctx.run_id, ids, staged, s.memory, s.analytics
    ).as_dict()
    ctx.stage["analytics"] = time.perf_counter() - ctx.marks["analytics"]
    ctx.log.info("analytics updated in %.1f s: %s", ctx.stage["analytics"], ctx.counts["analytics"])
    ctx.marks["export"] = time.perf_counter()


def export_analytics(ctx: RunContext) -> None:
    """Rewrite the Parquet copy of the analytics tables when they changed (or the copy lacks one); the
    export's wall time beyond the analytics is the stage ``export``."""
    trim()
    s = ctx.settings
    if ctx.records_changed or ctx.counts["analytics"]["changed"] or _missing(s, loader.ANALYTICS_TABLES):
        loader.export_parquet(
            s.db_path, s.parquet_dir, ctx.run_id, loader.ANALYTICS_TABLES, s.memory.export_after_analytics, s.memory
        )
        trim()
    ctx.stage["export"] = time.perf_counter() - ctx.marks["export"]
    ctx.log.info("Parquet copy written in %.1f s beyond the analytics", ctx.stage["export"])


def finish_run(ctx: RunContext) -> None:
    """Record the run's end and its counts, in the database and in the Parquet copy of ``runs``."""
    ctx.counts["stage_seconds"] = {k: round(v, 3) for k, v in ctx.stage.items()}
    ctx.counts["seconds"] = round(time.perf_counter() - ctx.t0, 3)
    s = ctx.settings
    loader.record_finished(s.db_path, s.parquet_dir, ctx.run_id, "completed", None, ctx.counts, memory=s.memory)


def publish_lake(ctx: RunContext) -> None:
    """Mirror ``DIR/parquet/`` to ``settings.lake`` unless the lake already holds this copy; redone if a
    publish failed."""
    s = ctx.settings
    assert s.lake
    if storage.published_digest(s.lake) == storage.dir_digest(s.parquet_dir):
        ctx.counts["lake_files"] = 0
    else:
        ctx.counts["lake_files"] = storage.publish_dir(s.parquet_dir, s.lake, ctx.run_id)


def clean_up(ctx: RunContext, ex: Executor) -> None:
    """Remove the run's staging directory and log what the run did."""
    shutil.rmtree(ctx.staging, ignore_errors=True)
    c = ctx.counts
    ctx.log.info(
        "run %s: %d files found, %d processed, %d unchanged, %d failed; %d records loaded, %d quarantined; "
        "%d error-level expectation results failed; %.1f s",
        ctx.run_id,
        c["n_discovered"],
        c["n_processed"],
        c["n_skipped"],
        c["n_failed"],
        c["n_loaded"],
        c["n_quarantined"],
        c["dq_errors"],
        c["seconds"],
    )


def report_failed_files(ctx: RunContext) -> int:
    """Post the run's failed files (path, reason) as a table artifact; return how many it lists. Posted for
    every run that processed files (an empty table when none failed), so the artifact under its key is always
    the latest run's."""
    con = connect_report(ctx.settings.db_path, ctx.settings.memory.report)
    try:
        rows = failed_files(con, ctx.run_id)
    finally:
        con.close()
    if ctx.post is not None:
        ctx.post(
            "table",
            "corpus-etl-failed-files",
            [{"path": r["path"], "reason": r["error"]} for r in rows] or [{"path": "", "reason": "no file failed"}],
            f"Files that failed in run {ctx.run_id}, with the reasons (also in `sources.error`)",
        )
    return len(rows)


def publish_reports(ctx: RunContext) -> None:
    """Rebuild the offline dashboard (and Data Docs when this run validated data); post the data-quality
    summary as a markdown artifact."""
    s = ctx.settings
    docs = s.warehouse / "docs"
    validated = bool(ctx.batches) and s.validate_data
    if validated:
        build_data_docs(s.db_path, docs, s.memory.report)
    page = warehouse.report.build_dashboard(s.db_path, docs, memory_limit=s.memory.report)
    ctx.counts["dashboard"] = str(page)
    if ctx.post is not None:
        con = connect_report(s.db_path, s.memory.report)
        try:
            summary = dq_summary(con, ctx.run_id if validated else None)
        finally:
            con.close()
        ctx.post(
            "markdown",
            "corpus-etl-data-quality",
            summary_markdown(summary, page),
            f"Data quality of run {ctx.run_id}; dashboard at {page}",
        )


PLAN: tuple[Step, ...] = (
    Step("begin-run", begin_run, retries=2, retry_delay_seconds=2),
    Step("plan", plan_files),
    Step("mark-skipped", mark_skipped),
    Step("mark-deleted", mark_deleted),
    Step("start-workers", start_workers, task=False, when=_has_batches),
    Step("learn-boilerplate", learn_boilerplate),
    Step("batches", process_batches, task=False),  # process-batch, validate-batch, load-batch per batch
    Step("mark-export", mark_export, task=False),
    Step("export-parquet", export_records, retries=1, background=True),  # beside the analytics
    Step("update-analytics", update_analytics, retries=1, retry_delay_seconds=2),
    Step("export-parquet", export_analytics, retries=1, joins=True),
    Step("finish-run", finish_run, retries=2, retry_delay_seconds=2),
    Step("publish-lake", publish_lake, retries=2, retry_delay_seconds=2, when=lambda ctx: bool(ctx.settings.lake)),
    Step("clean-up", clean_up, task=False),
)
REPORT_STEPS: tuple[Step, ...] = (
    Step("report-failed-files", report_failed_files, warn="failed-files artifact not posted", when=_has_batches),
    Step("publish-reports", publish_reports, warn="dashboard not rebuilt", warn_key="dashboard_warning"),
)
DISCOVER = Step("discover", discover)


def execute(ctx: RunContext, ex: Executor, steps: Iterable[Step] = PLAN) -> dict[str, Any]:
    """Run ``steps`` in order with ``ex``; return the run summary.

    A step that is not a task (``Step.task`` False) is called here with the executor (the batch steps are
    run through it). A failure of a ``PLAN`` step records the run as failed with the error (and re-raises);
    the runner is closed whatever happens. A step with a ``warn`` logs its failure and the run goes on.
    """
    steps = list(steps)
    try:
        for step in steps:
            if step.when is not None and not step.when(ctx):
                continue
            if step.joins:
                for handle in ctx.background:
                    handle.result()  # raises the background step's error
                ctx.background.clear()
            try:
                if not step.task:  # a step of the flow itself, with the executor for what it runs
                    step.fn(ctx, ex)
                elif step.background:
                    ctx.background.append(ex.submit(step, ctx))
                else:
                    ex.run(step, ctx)
            except Exception as exc:
                if step.warn is None:
                    raise
                ctx.log.warning("%s: %s: %s", step.warn, type(exc).__name__, exc)
                if step.warn_key is not None:
                    ctx.counts[step.warn_key] = f"{step.warn}: {type(exc).__name__}: {exc}"
    except BaseException as exc:
        if any(s.fn is begin_run for s in steps) and ctx.start is not None:
            ctx.counts["seconds"] = round(time.perf_counter() - ctx.t0, 3)
            try:
                s = ctx.settings
                error = f"{type(exc).__name__}: {exc}"[:2000]
                loader.record_finished(
                    s.db_path, s.parquet_dir, ctx.run_id, "failed", error, ctx.counts, memory=s.memory
                )
            except Exception:  # the original error matters more
                ctx.log.exception("could not record the failed run")
        raise
    finally:
        ctx.validator = None
        if ctx.runner is not None:
            ctx.runner.close()
            ctx.runner = None
    return ctx.summary()


# --- the plain executor (no Prefect) ----------------------------------------------------------------------


@dataclass
class Done:
    """A step already run (the plain executor's ``submit``)."""

    value: Any = None

    def result(self) -> Any:
        return self.value


@dataclass
class _Lazy:
    """A batch processed when its result is first asked for (``InlineRunner``)."""

    call: Callable[[], BatchOutput]
    value: list[BatchOutput] = field(default_factory=list)

    def result(self) -> BatchOutput:
        if not self.value:
            self.value.append(self.call())
        return self.value[0]


class InlineRunner:
    """Batches processed in this process, one after another, each when the plan reads its result (so each is
    loaded before the next is split). No Prefect."""

    shares_disk = True
    pool = None

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx

    def submit(
        self,
        files: list[SourceFile],
        batch: int,
        started: datetime,
        learned: dict[str, frozenset[str]] | None = None,
        spool: str | None = None,
    ) -> BatchFuture:
        from corpus_etl.pipeline import process_batch  # lazy: pyarrow, numpy stay off the unchanged-rerun path

        c = self.ctx
        return _Lazy(lambda: process_batch(files, batch, c.settings, c.run_id, started, str(c.staging), learned, spool))

    def in_completion_order(self, futures: list[BatchFuture]) -> Iterator[BatchFuture]:
        return iter(futures)

    def close(self) -> None:
        pass


class PlainExecutor:
    """Each step a plain call in this thread (no retries, no Prefect); batches by ``InlineRunner``."""

    def run(self, step: Step, *args: Any) -> Any:
        return step.fn(*args)

    def submit(self, step: Step, *args: Any) -> Handle:
        return Done(step.fn(*args))

    def start_runner(self, ctx: RunContext) -> BatchRunner:
        return InlineRunner(ctx)
