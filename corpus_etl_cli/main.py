"""The ``corpus-etl`` command line: ingest, query, status.

Imports: the top of this module holds what ``--help`` and every command need (typer, the standard library, light
core modules); each command imports the layers it drives inside its function, each such import marked
``# lazy: start-up``. Measured on top of ``--help``'s own imports: DuckDB ~0.2 s, the settings model (pydantic)
~0.14 s, ``flows.plan`` ~0.35 s, Prefect ~0.8 s, GX ~4 s; ``corpus-etl --help`` takes ~0.15 s, and an unchanged
rerun imports no pyarrow, numpy, rich or Prefect (tests/unit/test_unchanged.py).
"""

from __future__ import annotations

import atexit
import csv
import io
import ipaddress
import json
import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import nullcontext
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from corpus_etl import outcome, progress, storage
from corpus_etl.discover import SourceNotFound, expand_sources
from corpus_etl.lifeline import set_parent_death_signal
from corpus_etl.memory import prefer_system_arrow_pool

# Arrow reads its C++ default pool from the environment when it loads, and this module does not load it:
# this process too allocates Arrow's buffers with the system allocator, which returns them (corpus_etl.memory).
prefer_system_arrow_pool()

app = typer.Typer(
    name="corpus-etl",
    help=(
        "Turn folders of scraped news text into an analytics warehouse: per-article records in "
        "DuckDB (DIR/corpus.duckdb) and Parquet (DIR/parquet/), validated with Great Expectations."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

WarehouseOpt = Annotated[
    Path,
    typer.Option(
        "--warehouse",
        "-w",
        help="Warehouse directory (holds corpus.duckdb and parquet/).",
        envvar="CORPUS_ETL_WAREHOUSE",
    ),
]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"corpus-etl: error: {printable(message)}", err=True)
    return typer.Exit(code)


def db_message(exc: BaseException) -> str:
    """A DuckDB error in one line, with its hints: the paragraph before the query excerpt (``LINE 1: ...``),
    its lines joined (``Table with name artcles does not exist! Did you mean "articles"?``)."""
    head = str(exc).split("\n\n", 1)[0]
    return " ".join(line.strip() for line in head.splitlines() if line.strip())


def _quiet_prefect() -> None:
    """Defaults for Prefect in a command-line run (each can be overridden by the environment).

    The terminal shows Prefect's warnings and errors only (``PREFECT_LOGGING_LEVEL``, WARNING by default),
    but the runs' own loggers (``get_run_logger``) send their INFO records to the API, where the UI shows
    them: Prefect's logging config gives ``prefect.flow_runs`` and ``prefect.task_runs`` the level of their
    parent ``prefect`` logger (``PREFECT_LOGGING_LEVEL``), which would drop them before the API handler, so
    they get INFO here and the console handler gets ``PREFECT_LOGGING_LEVEL`` instead.
    """
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", os.environ["PREFECT_LOGGING_LEVEL"])
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


class Runner(StrEnum):
    local = "local"
    dask = "dask"


WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait", help="Seconds to wait for a run holding the warehouse to finish; 0 = exit at once naming it."
    ),
]
RunnerOpt = Annotated[
    Runner, typer.Option("--runner", help="Where batches run: local (process pool) or dask (a Dask cluster).")
]
DaskAddressOpt = Annotated[
    str | None,
    typer.Option(
        "--dask-address", help="Scheduler of an existing Dask cluster, tcp://HOST:PORT (implies --runner dask)."
    ),
]
LakeOpt = Annotated[
    str | None,
    typer.Option("--lake", help="Also publish the Parquet copy to this s3://bucket/prefix (or directory)."),
]


class IngestFailOn(StrEnum):
    any = "any"
    files = "files"
    dq = "dq"
    none = "none"


FailOnOpt = Annotated[
    IngestFailOn,
    typer.Option(
        "--fail-on",
        help="Which problems make the exit code non-zero and the Prefect flow run Failed (after loading what "
        "was good): any, files (failed files only), dq (error-level expectations only) or none.",
    ),
]


def _scale_settings(wait: float, runner: Runner, dask_address: str | None, lake: str | None) -> dict[str, Any]:
    """The settings of the scale-out options, checked (a clear error, before Prefect starts)."""
    if wait < 0:
        raise _fail("--wait must be >= 0 seconds")
    if dask_address is not None and not dask_address.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise _fail(f"--dask-address must look like tcp://HOST:PORT, not {dask_address!r}")
    use = Runner.dask if dask_address else runner
    return {"lock_wait": wait, "runner": use.value, "dask_address": dask_address, "lake": lake}


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


def _settings(model: Any, **values: Any) -> Any:
    """The run settings from the options and the ``CORPUS_ETL_*`` variables; a value they refuse is a one-line
    error naming the setting (pydantic's first error), not a traceback; so is a ``CORPUS_ETL_*`` variable that
    names no setting (pydantic-settings would ignore it: a typo, or a name of before the groups)."""
    from pydantic import ValidationError  # lazy: start-up

    from corpus_etl.settings import unknown_environment  # lazy: start-up

    unknown = unknown_environment(os.environ)
    if unknown:
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise _fail(f"{unknown[0]}{more}")
    try:
        return model(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise _fail(f"setting {where}: {err['msg']}") from None


def _check_warehouse_dir(warehouse: Path) -> None:
    """A clear error when --warehouse cannot be the warehouse directory (a file, or under one)."""
    for p in (warehouse, *warehouse.parents):
        if p.exists():
            if not p.is_dir():
                what = "is a file" if p == warehouse else f"is under {p}, which is a file"
                raise _fail(f"--warehouse {warehouse} {what}; give a directory (it is created if missing)")
            if not os.access(p, os.W_OK | os.X_OK):
                raise _fail(f"--warehouse {warehouse}: {p} is not writable")
            return


def _check_database(db: Path) -> None:
    """A one-line error, before Prefect starts, when the warehouse's database is damaged (truncated)."""
    from warehouse.db import DatabaseDamaged, check_not_truncated  # lazy: start-up

    if db.exists():
        try:
            check_not_truncated(db)
        except DatabaseDamaged as exc:
            raise _fail(str(exc)) from None


def _wait_for_lock(warehouse: Path, wait: float) -> None:
    """Wait up to ``wait`` s for a run holding the warehouse, then let go at once (the flow takes the lock):
    a held warehouse is reported before Prefect starts, in one line (``WarehouseLocked``)."""
    from warehouse.lock import run_lock  # lazy: start-up

    with run_lock(warehouse.expanduser().resolve(), "lock-check", wait=wait, name="corpus-etl ingest (starting)"):
        pass


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


def _shell_quote(text: str) -> str:
    return printable(shlex.quote(text))


# Characters a terminal may act on: C0 and C1 controls, DEL, and the bidirectional overrides and isolates
# that reorder what is shown ("Trojan source"). They are printed as escapes, never raw.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# In CSV, line breaks and tabs inside a field are data (the field is quoted) and stay.
_CSV_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# JSON escapes C0 controls itself; the rest are written as \uXXXX escapes (the decoded string is unchanged).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape_char(m: re.Match[str]) -> str:
    c = m.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or (
        f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
    )


def printable(text: str, unsafe: re.Pattern[str] = _TERMINAL_UNSAFE) -> str:
    """``text`` with every character a terminal would act on written as a visible escape (``\\x1b``, ``\\n``).

    Values from the data (titles, file names, bodies) may hold ANSI escape sequences that clear the screen,
    retitle the window or fake output; ``query``, ``status``, ``search`` and ``cookbook`` print them through this.
    """
    return unsafe.sub(_escape_char, text)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_cell(x) for x in v) + "]"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _jsonable(v: Any) -> Any:
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v


def format_rows(names: list[str], rows: list[tuple[Any, ...]], fmt: Format, max_width: int = 200) -> str:
    """Render a result set as an aligned text table, CSV or a JSON array of objects.

    No control character of the data reaches the terminal raw: in a table every one is shown as an escape
    (``\\x1b``, ``\\n``); in CSV line breaks and tabs stay inside their quoted field and the others are
    escaped; JSON escapes them all as ``\\uXXXX`` (a JSON reader gets the exact text back).
    """
    if fmt is Format.json:
        text = json.dumps([_jsonable(dict(zip(names, r, strict=True))) for r in rows], ensure_ascii=False, indent=1)
        return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    if fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([printable(n, _CSV_UNSAFE) for n in names])
        w.writerows([[printable(_cell(v), _CSV_UNSAFE) for v in r] for r in rows])
        return buf.getvalue().rstrip("\n")
    names = [printable(n) for n in names]
    cells = [[printable(_cell(v).replace("\n", " ")) for v in r] for r in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in cells]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join([line.rstrip(), rule, *body, f"({len(rows)} row{'s' if len(rows) != 1 else ''})"])


def open_read_only(warehouse: Path) -> Any:
    """A read-only connection to the warehouse that cannot write files either, or a clear error."""
    import duckdb  # lazy: start-up

    from warehouse.db import DatabaseDamaged, check_not_truncated, connect  # lazy: start-up
    from warehouse.readonly import lock_down  # lazy: start-up

    db = warehouse / "corpus.duckdb"
    if not db.exists():
        raise _fail(f"no warehouse at {warehouse} (run `corpus-etl ingest SOURCE --warehouse {warehouse}` first)")
    try:
        check_not_truncated(db)
        con = connect(db, read_only=True)
    except DatabaseDamaged as exc:
        raise _fail(str(exc)) from None
    except duckdb.Error as exc:
        raise _fail(f"cannot open {db} read-only: {db_message(exc)}") from None
    lock_down(con)
    return con


def _damaged(warehouse: Path, exc: BaseException) -> str:
    return (
        f"cannot read {warehouse / 'corpus.duckdb'}: {db_message(exc)} (the file may be damaged or truncated: "
        "restore it from a backup, or rebuild the warehouse by ingesting the SOURCE files into a new one)"
    )


def _read(warehouse: Path, query_text: str, params: list[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of a query of the warehouse (read-only); a one-line error if it cannot be read."""
    import duckdb  # lazy: start-up

    con = open_read_only(warehouse)
    try:
        cur = con.execute(query_text, params)
        return [d[0] for d in cur.description or []], cur.fetchall()
    except duckdb.Error as exc:
        raise _fail(_damaged(warehouse, exc)) from None
    finally:
        con.close()


@app.command()
def query(
    sql_text: Annotated[str, typer.Argument(metavar="SQL", help="A DuckDB SQL query over the warehouse tables.")],
    warehouse: WarehouseOpt = Path("data"),
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Run a read-only SQL query against the warehouse and print the result.

    Tables: sources, articles, removed_spans, quarantine, runs, dq_runs, dq_results. The connection is
    read-only and cannot read or write files outside the database. While an ingest holds the database, the
    query runs on the Parquet copy (a note on stderr; SELECT only).

    Example: corpus-etl query "select language, count(*) from articles group by all"
    """
    import duckdb  # lazy: start-up

    from warehouse.readonly import NotReadOnly, run_query  # lazy: start-up

    rc = _open_for_reading(warehouse)
    try:
        names, rows = run_query(rc, sql_text)
    except (duckdb.Error, NotReadOnly) as exc:
        raise _fail(f"query failed: {db_message(exc)}") from None
    finally:
        rc.close()
    typer.echo(format_rows(names, rows, fmt))


@app.command()
def status(
    warehouse: WarehouseOpt = Path("data"),
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs to show.")] = 10,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Show the last runs with their status and counts per stage (newest first)."""
    from warehouse.db import sql  # lazy: start-up

    names, rows = _read(warehouse, sql("read/last_runs"), [limit])
    typer.echo(format_rows(names, rows, fmt))


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    never = "never"


@app.command()
def dq(
    warehouse: WarehouseOpt = Path("data"),
    run_id: Annotated[
        str | None, typer.Option("--run", help="A run id; default: the last run that validated data.")
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 2 when an expectation of this severity (or worse) failed.")
    ] = FailOn.never,
) -> None:
    """Print the data-quality summary of the last validated run (for schedulers and CI use --fail-on error).

    Exit code 2 when --fail-on error and an error-level expectation failed (or --fail-on warning and any
    expectation failed); 0 otherwise.
    """
    import duckdb  # lazy: start-up

    from warehouse.report.summary import UnknownRun, dq_summary, summary_markdown  # lazy: start-up

    con = open_read_only(warehouse)
    try:
        summary = dq_summary(con, run_id)
    except UnknownRun as exc:
        raise _fail(str(exc.args[0])) from None
    except duckdb.Error as exc:
        raise _fail(_damaged(warehouse, exc)) from None
    finally:
        con.close()
    typer.echo(printable(summary_markdown(summary, warehouse / "docs" / "index.html").rstrip(), _CSV_UNSAFE))
    failing = {
        FailOn.error: summary.error_failures,
        FailOn.warning: summary.failures,
        FailOn.never: [],
    }[fail_on]
    if failing:
        typer.echo(f"corpus-etl: {len(failing)} expectation(s) at or above '{fail_on.value}' failed", err=True)
        raise typer.Exit(2)


quarantine_app = typer.Typer(help="Records held back by error-level expectations.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
def quarantine_list(
    warehouse: WarehouseOpt = Path("data"),
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many records to show.")] = 50,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """List quarantined records with the expectations they failed."""
    from warehouse.db import sql  # lazy: start-up

    names, rows = _read(warehouse, sql("read/quarantine_list"), [limit])
    typer.echo(format_rows(names, rows, fmt))


@quarantine_app.command("replay")
def quarantine_replay(warehouse: WarehouseOpt = Path("data")) -> None:
    """Re-validate quarantined records with the current suites and release those that now pass.

    Takes the warehouse's run lock, so it never runs beside an ingest.
    """
    _quiet_prefect()

    from corpus_etl.settings import Settings  # lazy: start-up
    from expectations.replay import replay_quarantine  # lazy: start-up
    from warehouse.loader import WarehouseLocked  # lazy: start-up
    from warehouse.lock import run_lock  # lazy: start-up

    db = warehouse / "corpus.duckdb"
    if not db.exists():
        raise _fail(f"no warehouse at {warehouse}")
    memory = _settings(Settings, warehouse=warehouse).memory  # (the environment's CORPUS_ETL_MEMORY__WRITER)
    replay_id = f"replay-{uuid.uuid4()}"
    try:
        with run_lock(warehouse.resolve(), replay_id):
            res = replay_quarantine(db, replay_id, memory=memory)
    except WarehouseLocked as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"quarantine replay {replay_id}: {res.checked} checked, {res.released} released, {res.kept} kept")


def _open_for_reading(warehouse: Path) -> Any:
    """The warehouse for reading (the database, or its Parquet copy while an ingest holds it), note on stderr."""
    from warehouse.readonly import WarehouseUnavailable, open_for_query  # lazy: start-up

    try:
        rc = open_for_query(warehouse)
    except WarehouseUnavailable as exc:
        raise _fail(str(exc)) from None
    if rc.note:
        typer.echo(f"corpus-etl: note: {rc.note}", err=True)
    return rc


@app.command()
def search(
    terms: Annotated[str, typer.Argument(metavar="TERMS", help="Words to search for (any order, any case).")],
    warehouse: WarehouseOpt = Path("data"),
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many results.")] = 10,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Full-text search: the articles best matching TERMS, ranked by BM25, with title, source and a snippet.

    The index (tables search_docs and search_terms) is updated after every ingest run.

    Example: corpus-etl search "blackberry pakistan servers" --limit 5
    """
    import duckdb  # lazy: start-up

    from warehouse.search import index_is_empty  # lazy: start-up
    from warehouse.search import search as run_search  # lazy: start-up

    rc = _open_for_reading(warehouse)
    try:
        results = run_search(rc.con, terms, limit)
        if not results and index_is_empty(rc.con):
            typer.echo(
                "corpus-etl: note: the search index is empty; run "
                f"`corpus-etl analytics --warehouse {warehouse}` to build it",
                err=True,
            )
    except duckdb.Error as exc:
        raise _fail(f"search failed: {db_message(exc)}") from None
    finally:
        rc.close()
    names = ["rank", "score", "title", "source_path", "snippet"]
    if fmt is not Format.table:
        names += ["outlet", "language", "published_date", "article_id"]
    typer.echo(format_rows(names, [tuple(r[n] for n in names) for r in results], fmt))


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"
    jsonl = "jsonl"


@app.command()
def export(
    warehouse: WarehouseOpt = Path("data"),
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")] = ExportFormat.parquet,
    where: Annotated[
        str | None, typer.Option("--where", help="SQL condition on the articles columns, e.g. \"language = 'fr'\".")
    ] = None,
    out: Annotated[
        str | None,
        typer.Option("--out", "-o", help="Output file (default articles.<format>); '-' = stdout (csv, jsonl)."),
    ] = None,
) -> None:
    """Export the articles (all, or those matching --where) to Parquet (zstd), CSV or JSON Lines.

    Read-only: the rows come from a connection that cannot read or write files; this command writes only
    the output file. While an ingest holds the database, the Parquet copy is exported instead.
    """
    from warehouse.export import ExportError, export_articles  # lazy: start-up

    target = out or f"articles.{fmt.value}"
    rc = _open_for_reading(warehouse)
    try:
        n = export_articles(rc, fmt.value, target, where)
    except ExportError as exc:
        raise _fail(str(exc)) from None
    finally:
        rc.close()
    if target != "-":
        typer.echo(f"exported {n} article{'s' if n != 1 else ''} to {target}", err=True)


@app.command()
def analytics(warehouse: WarehouseOpt = Path("data")) -> None:
    """Bring story clusters and the search index up to date, upgrading an older warehouse first.

    Every ingest run does this after loading; run it by hand after upgrading corpus-etl (a warehouse of
    schema version 1 gets the analytics tables and all its articles indexed). Takes the warehouse's run
    lock, so it never runs beside an ingest; the Parquet copy is rewritten when something changed.
    """
    from corpus_etl.settings import Settings  # lazy: start-up
    from warehouse.analytics import update_analytics  # lazy: start-up
    from warehouse.db import SchemaTooNew, ensure_schema  # lazy: start-up
    from warehouse.loader import WarehouseLocked, export_parquet, open_writer  # lazy: start-up
    from warehouse.lock import run_lock  # lazy: start-up

    db = warehouse / "corpus.duckdb"
    if not db.exists():
        raise _fail(f"no warehouse at {warehouse}")
    s = _settings(Settings, warehouse=warehouse)  # the index's parameters and memory limits of the environment
    run_id = f"analytics-{uuid.uuid4()}"
    try:
        with run_lock(warehouse.resolve(), run_id):
            with open_writer(db, s.memory) as con:
                applied = ensure_schema(con)
            summary = update_analytics(db, run_id, None, None, s.memory, s.analytics)
            if summary.changed or applied:
                export_parquet(db, warehouse / "parquet", run_id, memory=s.memory)
    except (WarehouseLocked, SchemaTooNew) as exc:
        raise _fail(str(exc)) from None
    if applied:
        typer.echo(f"upgraded the warehouse to schema version {applied[-1]}")
    typer.echo(
        f"analytics {run_id}: {summary.signatures_added} articles indexed, {summary.signatures_removed} dropped; "
        f"{summary.clusters} story clusters ({summary.cluster_members} articles), {summary.clusters_written} "
        f"written; search index +{summary.search_added} -{summary.search_removed}; {summary.stories} event stories "
        f"({summary.story_members} articles, {summary.stories_placed} placed now); {summary.seconds:.1f} s"
    )


@app.command()
def cookbook(
    name: Annotated[str | None, typer.Argument(help="A query to run; none lists them.", show_default=False)] = None,
    warehouse: WarehouseOpt = Path("data"),
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE for a parameter of the query (repeatable).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    show_sql: Annotated[bool, typer.Option("--sql", help="Print the query's SQL instead of running it.")] = False,
) -> None:
    """The analysts' SQL cookbook (warehouse/queries/): list the queries, or run one by name.

    Example: corpus-etl cookbook story_timeline -p pattern=%pakistan%
    """
    import duckdb  # lazy: start-up

    from warehouse import cookbook as cb  # lazy: start-up
    from warehouse.readonly import NotReadOnly, run_query  # lazy: start-up

    if name is None:
        queries = cb.load()
        rows = [(q.name, q.title, ", ".join(f"{n}={v}" for n, v in q.params)) for q in queries]
        typer.echo(format_rows(["name", "title", "params"], rows, fmt))
        return
    try:
        q = cb.get(name)
        overrides = dict(p.split("=", 1) for p in (param or []) if "=" in p)
        if len(overrides) != len(param or []):
            raise _fail("--param takes NAME=VALUE")
        values = q.bind(overrides)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from None
    if show_sql:
        typer.echo(q.sql)
        return
    rc = _open_for_reading(warehouse)
    try:
        names, rows = run_query(rc, q.sql, values)
    except (duckdb.Error, NotReadOnly) as exc:
        raise _fail(f"{name} failed: {db_message(exc)}") from None
    finally:
        rc.close()
    typer.echo(format_rows(names, rows, fmt))


DEPLOYMENT_NAME = "scheduled"


def _absolute_sources(sources: list[str]) -> list[str]:
    """SOURCE arguments for a deployment: local paths made absolute (its runs start elsewhere), URIs as given."""
    return [a if storage.is_uri(a) else os.path.abspath(os.path.expanduser(a)) for a in sources]


@app.command()
def serve(
    sources: Annotated[
        list[str], typer.Argument(help="Files, directories, globs or s3:// prefixes to ingest.", show_default=False)
    ],
    cron: Annotated[str, typer.Option("--cron", help="When to run: a cron expression (UTC).")] = "*/15 * * * *",
    warehouse: WarehouseOpt = Path("data"),
    name: Annotated[str, typer.Option("--name", help="Deployment name.")] = DEPLOYMENT_NAME,
    workers: Annotated[int, typer.Option("--workers", "-j", help="Worker processes; 0 = one per core.")] = 0,
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Skip the Great Expectations suites.")] = False,
    wait: WaitOpt = 0.0,
    runner: RunnerOpt = Runner.local,
    dask_address: DaskAddressOpt = None,
    lake: LakeOpt = None,
    fail_on: FailOnOpt = IngestFailOn.any,
) -> None:
    """Register a deployment of the ingest flow with a cron schedule and serve it (runs until Ctrl-C).

    Needs a Prefect server: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api, started by
    `corpus-etl server`). Each scheduled run ingests only new or changed files. Runs of the deployment
    never overlap (a deployment concurrency limit of 1: a due run waits for the previous one), and any
    other writer of the warehouse is kept out by its run lock (--wait SECONDS to wait for it).

    Example: corpus-etl serve ../shared/seeds --cron "*/15 * * * *" --warehouse /srv/corpus
    """
    _quiet_prefect()
    from prefect.client.schemas.objects import (  # lazy: start-up
        ConcurrencyLimitConfig,
        ConcurrencyLimitStrategy,
    )
    from prefect.settings import PREFECT_API_URL  # lazy: start-up

    from corpus_etl.settings import Settings  # lazy: start-up

    if not PREFECT_API_URL.value():
        raise _fail(
            "serve needs a Prefect server: start one with `corpus-etl server` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    try:
        from prefect.client.schemas.schedules import CronSchedule  # lazy: start-up

        CronSchedule(cron=cron)
    except ValueError as exc:
        raise _fail(f"--cron {cron!r} is not a valid cron expression: {str(exc).splitlines()[0]}") from None
    srcs = _absolute_sources(sources)
    try:
        expand_sources(srcs)
    except SourceNotFound as exc:
        raise _fail(str(exc)) from None
    settings = Settings(
        warehouse=warehouse.expanduser().resolve(),
        workers=workers,
        validate_data=not no_validate,
        **_scale_settings(wait, runner, dask_address, lake),
    )
    from flows.ingest import ingest as ingest_flow  # lazy: start-up

    ingest_flow.serve(
        name=name,
        cron=cron,
        parameters={
            "sources": srcs,
            "settings": json.loads(settings.model_dump_json()),
            "fail_on": fail_on.value,  # a run with failed files or DQ errors ends Failed
        },
        description=f"corpus-etl ingest of {' '.join(srcs)} into {settings.warehouse}",
        tags=["corpus-etl"],
        global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
    )


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is localhost or a loopback IP address (anything else may be reached from elsewhere)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command()
def server(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 4200,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the command and settings, do not start.")] = False,
) -> None:
    """Start a Prefect server on this machine (`prefect server start`) with the settings that matter offline.

    Telemetry off, no update checks, the database in PREFECT_HOME (default ~/.prefect); the UI is served
    from the installed package (no CDN). Point runs at it with PREFECT_API_URL=http://HOST:PORT/api.
    """
    env = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_API_URL": f"http://{host}:{port}/api",
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
    }
    exe = shutil.which("prefect") or str(Path(sys.executable).with_name("prefect"))
    cmd = [exe, "server", "start", "--host", host, "--port", str(port)]
    if not _is_loopback(host):
        typer.echo(
            f"corpus-etl: warning: --host {host} is not a loopback address: the Prefect server (no authentication) "
            "will accept connections from other machines; use 127.0.0.1 unless that is what you want",
            err=True,
        )
    typer.echo(f"export PREFECT_API_URL=http://{host}:{port}/api   # for corpus-etl serve / ingest", err=True)
    if dry_run:
        typer.echo(" ".join(f"{k}={v}" for k, v in env.items()) + " " + " ".join(cmd))
        return
    raise typer.Exit(_run_forwarding_signals(cmd, {**os.environ, **env}))


def _run_forwarding_signals(cmd: list[str], env: dict[str, str]) -> int:
    """Run ``cmd`` until it exits, passing SIGTERM, SIGINT and SIGHUP on to it (a service manager stops this
    process, the server stops with it), and it dies with this process (``kill -9`` included: the kernel's
    parent-death signal). Returns its exit status (128 + N when a signal N ended it, as a shell says)."""
    proc = subprocess.Popen(cmd, env=env, preexec_fn=set_parent_death_signal)

    def forward(signum: int, _frame: Any) -> None:
        if proc.poll() is None:
            proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        code = proc.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 - code if code < 0 else code


def main() -> None:  # pragma: no cover - console entry
    """The ``corpus-etl`` console script: the app, then ``exit_now`` with its exit status."""
    try:
        app()
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    exit_now(code)


def exit_now(code: int | str | None) -> NoReturn:
    """End the process as ``sys.exit(code)`` would, without the interpreter's teardown.

    What a normal exit runs still runs, in its order: the threading module's exit hooks (Prefect's log
    and event workers drain to the API there), the wait for non-daemon threads, the atexit functions
    (logging flushes and closes its handlers); then the standard streams are flushed and the process
    ends with ``os._exit``. Skipped is only the interpreter's finalization: freeing every object and
    module one by one, which after an ingest (Prefect, GX, pandas and pyarrow loaded; some 330,000
    objects) took 2-3 s of every run's wall time, more than a whole rerun of an unchanged corpus. The
    commands close every file and DuckDB connection they open (``with`` blocks, ``finally``), so
    nothing is left to flush. ``CORPUS_ETL_FULL_EXIT=1`` keeps the normal exit.
    """
    if os.environ.get("CORPUS_ETL_FULL_EXIT", "") not in ("", "0"):
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code & 0xFF
    else:  # sys.exit("message"): the message goes to stderr and the status is 1
        sys.stderr.write(f"{code}\n")
        status = 1
    # In the interpreter's order: the threading module's exit hooks (Prefect's services drain there) and
    # the wait for non-daemon threads, then the atexit functions.
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed or broken pipe: nothing more can be written anyway
            pass
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    main()
