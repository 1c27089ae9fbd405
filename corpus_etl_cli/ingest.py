"""``corpus-etl ingest``: a run of the flow over SOURCE, its summary and exit code."""

from __future__ import annotations

import os
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

from corpus_etl import outcome, progress
from corpus_etl.discover import SourceNotFound
from corpus_etl_cli.common import (
    DaskAddressOpt,
    FailOnOpt,
    IngestFailOn,
    LakeOpt,
    Runner,
    RunnerOpt,
    WaitOpt,
    WarehouseOpt,
    _check_database,
    _check_warehouse_dir,
    _fail,
    _quiet_prefect,
    _scale_settings,
    _settings,
    _shell_quote,
    _wait_for_lock,
    app,
    printable,
)


@app.command()
def ingest(
    sources: Annotated[
        list[str], typer.Argument(help="Files, directories (searched recursively) or globs.", show_default=False)
    ],
    warehouse: WarehouseOpt = Path("data"),
    workers: Annotated[int, typer.Option("--workers", "-j", help="Worker processes; 0 = one per core.")] = 0,
    input_format: Annotated[
        str,
        typer.Option("--format", help="Input format: auto (by suffix, then content), text, multinews or jsonl."),
    ] = "auto",
    text_field: Annotated[str, typer.Option("--text-field", help="JSONL: the field holding the text.")] = "text",
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Skip the Great Expectations suites.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
    wait: WaitOpt = 0.0,
    runner: RunnerOpt = Runner.local,
    dask_address: DaskAddressOpt = None,
    lake: LakeOpt = None,
    always_flow: Annotated[
        bool,
        typer.Option(
            "--always-flow",
            help="Start the Prefect flow even when nothing changed (by default a run that finds every file "
            "unchanged is recorded without Prefect, in well under a second).",
        ),
    ] = False,
    reprocess: Annotated[
        bool,
        typer.Option(
            "--reprocess",
            help="Re-extract every file, unchanged ones too, replacing its rows: after a change of the "
            "boilerplate rules (CORPUS_ETL_EXTRACTION__RULES_PATH) or of corpus-etl, or to revert one.",
        ),
    ] = False,
    fail_on: FailOnOpt = IngestFailOn.any,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks",
            help="Read files reached through symbolic links that leave a SOURCE directory (by default such a "
            "link gets a failed row in sources and is not read).",
        ),
    ] = False,
) -> None:
    """Split SOURCE files into article records and load them into the warehouse.

    SOURCE may also be s3://bucket/prefix (credentials and endpoint from the AWS_* variables).

    Unchanged files (same sha256 as at their last load) are skipped; a changed file replaces its old records.
    --reprocess re-extracts every file (after the rules changed, or to revert a change).

    Runs as a Prefect flow: a temporary local API unless PREFECT_API_URL is set. A run that finds every
    file unchanged (and none deleted) is recorded without starting Prefect (see --always-flow).

    A file that cannot be read is recorded as failed in `sources` with its reason; the run goes on, and
    everything good is loaded. Exit codes (for schedulers; --fail-on relaxes 3-5):

    \b
    0  every file loaded or unchanged, no error-level expectation failed
    1  the run did not happen or stopped (bad option, warehouse held, crash): one-line reason
    3  some files failed (named in the summary; all in `sources`)
    4  data-quality errors: error-level expectations failed (records quarantined)
    5  both 3 and 4

    The Prefect flow run ends Failed in the cases that exit 3-5.
    """
    _quiet_prefect()
    from corpus_etl.settings import Settings  # lazy: start-up
    from flows.plan import discover_files  # lazy: start-up
    from warehouse.loader import WarehouseLocked  # lazy: start-up

    if workers < 0:
        raise _fail(f"--workers must be 0 (one per core) or more, not {workers}")
    if input_format not in ("auto", "text", "multinews", "jsonl"):
        raise _fail(f"--format must be auto, text, multinews or jsonl, not {input_format!r}")
    _check_warehouse_dir(warehouse)
    _check_database(warehouse / "corpus.duckdb")
    try:  # SOURCE expanded once for the whole ingest; fail fast, before Prefect starts, if it names nothing
        files = discover_files(sources, follow_symlinks)
    except SourceNotFound as exc:
        raise _fail(str(exc)) from None
    if not files:
        raise _fail(f"no files found under {' '.join(sources)}")
    settings = _settings(
        Settings,
        warehouse=warehouse,
        workers=workers,
        validate_data=not no_validate,
        reading={"input_format": input_format, "text_field": text_field, "follow_symlinks": follow_symlinks},
        reprocess=reprocess,
        **_scale_settings(wait, runner, dask_address, lake),
    )
    t0 = time.perf_counter()
    try:
        summary = None
        if not always_flow:  # nothing to do: recorded at once, without Prefect's start-up (flows/unchanged.py)
            from flows.unchanged import record_unchanged  # lazy: start-up

            summary = record_unchanged(sources, settings, files)
        if summary is None:
            _wait_for_lock(warehouse, wait)  # a held warehouse is named in one line, before Prefect starts
            summary = _run_flow(sources, settings, quiet, fail_on.value, files)
    except SourceNotFound as exc:
        raise _fail(str(exc)) from None
    except WarehouseLocked as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:  # one line, not a traceback
        raise _fail(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None

    if not quiet:
        _print_summary(summary, time.perf_counter() - t0)
    code = outcome.exit_code(summary, fail_on.value)
    if code:
        found = "; ".join(outcome.problems(summary, fail_on.value))
        typer.echo(f"corpus-etl: {found}: exit {code} (--fail-on none exits 0)", err=True)
        raise typer.Exit(code)


def _run_flow(
    sources: list[str], settings: Any, quiet: bool, fail_on: str = "any", files: list[Any] | None = None
) -> dict[str, Any]:
    """The ingest flow, with a progress bar on a terminal (rich is imported here: an unchanged rerun needs none);
    ``files``: what SOURCE expanded to, handed to the flow (``flows.plan.Discovered``) so it is not expanded again."""
    from rich.progress import (  # lazy: rich stays off the rerun path
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        TextColumn("[bold]ingest[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=quiet or not sys.stderr.isatty(),
        transient=True,
        console=None,
    )
    task_id = bar.add_task("starting Prefect", total=None)

    def on_progress(stage: str, done: int, total: int) -> None:
        bar.update(task_id, description=stage, completed=done, total=total)

    progress.set_reporter(on_progress)
    try:
        with bar, _api():
            from flows.ingest import ingest as ingest_flow  # lazy: start-up
            from flows.plan import Discovered  # lazy: start-up

            discovered = None if files is None else Discovered(files)
            state = ingest_flow(sources, settings, fail_on=fail_on, discovered=discovered, return_state=True)
            result = state.result(raise_on_failure=False)
            if isinstance(result, BaseException):  # the run stopped: the CLI reports it in one line
                raise result
            if not isinstance(result, dict):
                raise RuntimeError(f"the flow run ended {state.type.value} without a summary: {state.message}")
            return result
    finally:
        progress.set_reporter(None)


# How many failed files the summary names (all are in `sources` and in the run's Prefect artifact).
SUMMARY_FAILED_FILES = 5


def _api() -> Any:
    """The Prefect API of a run: ``PREFECT_API_URL`` when set, else a temporary server that ends with this
    process however it ends (``flows.apiserver``: Prefect's own would outlive a kill -9)."""
    if os.environ.get("PREFECT_API_URL"):
        return nullcontext()
    from flows.apiserver import temporary_api  # lazy: start-up

    return temporary_api()


def _print_summary(s: dict[str, Any], wall: float) -> None:
    from corpus_etl.settings import Settings  # lazy: start-up
    from warehouse.db import connect, fetch_dicts, sql  # lazy: start-up
    from warehouse.report.summary import failed_files  # lazy: start-up

    wh = Path(s["warehouse"])
    db = Settings(warehouse=wh).db_path
    con = connect(db, read_only=True)
    try:
        langs = fetch_dicts(con, sql("read/language_mix"), [s["run_id"]])
        totals = fetch_dicts(con, sql("read/totals"))[0]
        failed = failed_files(con, s["run_id"], SUMMARY_FAILED_FILES) if s.get("n_failed") else []
    finally:
        con.close()
    lang_txt = ", ".join(f"{r['language']} {r['n']}" for r in langs) or "-"
    how = "nothing changed: recorded without a Prefect flow run" if s.get("unchanged") else f"flow {s['seconds']:.1f} s"
    out = [
        f"run {s['run_id']} completed in {wall:.1f} s ({how})",
        f"  files        {s['n_discovered']} found: {s['n_processed']} processed, {s['n_skipped']} unchanged, "
        f"{s['n_failed']} failed",
        f"  records      {s['n_records']} split: {s['n_loaded']} loaded, {s['n_quarantined']} quarantined; "
        f"{s['n_removed_spans']} boilerplate spans removed",
        f"  languages    {lang_txt}",
        f"  warehouse    {totals['articles']} records from {totals['sources']} files, "
        f"{totals['quarantined']} in quarantine: {db}",
    ]
    for r in failed:
        out.append(f"  failed       {printable(r['path'])}: {printable(r['error'] or '')}")
    if s["n_failed"] > len(failed):
        out.append(f"  failed       ... and {s['n_failed'] - len(failed)} more")
    if s.get("dq_errors"):
        out.append(f"  data quality {s['dq_errors']} error-level expectation results failed")
    if s.get("dashboard"):
        out.append(f"  dashboard    {s['dashboard']}")
    if s.get("dashboard_warning"):
        out.append(f"  warning      {s['dashboard_warning']}")
    w = f" -w {_shell_quote(str(wh))}"
    nxt = [f"corpus-etl status{w}"]
    if s["n_failed"]:
        q = "select path, error from sources where status = 'failed'"
        nxt.append(f'corpus-etl query "{q}"{w}')
    if s.get("dq_errors") or s["n_quarantined"]:
        nxt += [f"corpus-etl dq{w}", f"corpus-etl quarantine list{w}"]
    out.append(f"  next         {nxt[0]}")
    out += [f"               {c}" for c in nxt[1:]]
    typer.echo("\n".join(out))
