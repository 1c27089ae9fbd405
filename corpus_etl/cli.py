"""The ``corpus-etl`` command line: ingest, query, status."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

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
    typer.echo(f"corpus-etl: error: {message}", err=True)
    return typer.Exit(code)


def _quiet_prefect() -> None:
    """Defaults for Prefect in a command-line run (each can be overridden by the environment)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


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
) -> None:
    """Split SOURCE files into article records and load them into the warehouse.

    Unchanged files (same sha256 as at their last load) are skipped; a changed file replaces its old records.

    Runs as a Prefect flow: a temporary local API unless PREFECT_API_URL is set.

    Exits 0 on success, 1 with a one-line reason otherwise.

    A file that cannot be read is recorded as failed in `sources` with its reason; the run goes on.
    """
    _quiet_prefect()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from corpus_etl import progress
    from corpus_etl.discover import SourceNotFound, expand_sources
    from corpus_etl.settings import Settings
    from warehouse.loader import WarehouseLocked

    try:  # fail fast, before Prefect starts, on a SOURCE that names nothing
        if not expand_sources(sources):
            raise _fail(f"no files found under {' '.join(sources)}")
    except SourceNotFound as exc:
        raise _fail(str(exc)) from None
    if input_format not in ("auto", "text", "multinews", "jsonl"):
        raise _fail(f"--format must be auto, text, multinews or jsonl, not {input_format!r}")
    settings = Settings(
        warehouse=warehouse,
        workers=workers,
        validate_data=not no_validate,
        input_format=input_format,
        text_field=text_field,
    )
    t0 = time.perf_counter()
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
        with bar:
            from flows.ingest import ingest as ingest_flow

            summary = ingest_flow(sources, settings)
    except SourceNotFound as exc:
        raise _fail(str(exc)) from None
    except WarehouseLocked as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:  # one line, not a traceback
        raise _fail(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
    finally:
        progress.set_reporter(None)
    if not quiet:
        _print_summary(summary, time.perf_counter() - t0)


def _print_summary(s: dict[str, Any], wall: float) -> None:
    from corpus_etl.settings import Settings
    from warehouse.db import connect, fetch_dicts, sql

    db = Settings(warehouse=Path(s["warehouse"])).db_path
    con = connect(db, read_only=True)
    try:
        langs = fetch_dicts(con, sql("read/language_mix"), [s["run_id"]])
        totals = fetch_dicts(con, sql("read/totals"))[0]
    finally:
        con.close()
    lang_txt = ", ".join(f"{r['language']} {r['n']}" for r in langs) or "-"
    out = [
        f"run {s['run_id']} completed in {wall:.1f} s (flow {s['seconds']:.1f} s)",
        f"  files        {s['n_discovered']} found: {s['n_processed']} processed, {s['n_skipped']} unchanged, "
        f"{s['n_failed']} failed",
        f"  records      {s['n_records']} split: {s['n_loaded']} loaded, {s['n_quarantined']} quarantined; "
        f"{s['n_removed_spans']} boilerplate spans removed",
        f"  languages    {lang_txt}",
        f"  warehouse    {totals['articles']} records from {totals['sources']} files, "
        f"{totals['quarantined']} in quarantine: {db}",
    ]
    typer.echo("\n".join(out))


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
    """Render a result set as an aligned text table, CSV or a JSON array of objects."""
    if fmt is Format.json:
        return json.dumps([_jsonable(dict(zip(names, r, strict=True))) for r in rows], ensure_ascii=False, indent=1)
    if fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(names)
        w.writerows([[_cell(v) for v in r] for r in rows])
        return buf.getvalue().rstrip("\n")
    cells = [[_cell(v).replace("\n", " ") for v in r] for r in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in cells]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join([line.rstrip(), rule, *body, f"({len(rows)} row{'s' if len(rows) != 1 else ''})"])


def open_read_only(warehouse: Path) -> Any:
    """A read-only connection to the warehouse that cannot write files either, or a clear error."""
    import duckdb

    from warehouse.db import connect

    db = warehouse / "corpus.duckdb"
    if not db.exists():
        raise _fail(f"no warehouse at {warehouse} (run `corpus-etl ingest SOURCE --warehouse {warehouse}` first)")
    try:
        con = connect(db, read_only=True)
    except duckdb.IOException as exc:
        raise _fail(f"cannot open {db} read-only: {str(exc).splitlines()[0]}") from None
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


@app.command()
def query(
    sql_text: Annotated[str, typer.Argument(metavar="SQL", help="A DuckDB SQL query over the warehouse tables.")],
    warehouse: WarehouseOpt = Path("data"),
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Run a read-only SQL query against the warehouse and print the result.

    Tables: sources, articles, removed_spans, quarantine, runs, dq_runs, dq_results. The connection is
    read-only and cannot read or write files outside the database.

    Example: corpus-etl query "select language, count(*) from articles group by all"
    """
    import duckdb

    con = open_read_only(warehouse)
    try:
        cur = con.execute(sql_text)
        names = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
    except duckdb.Error as exc:
        raise _fail(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    typer.echo(format_rows(names, rows, fmt))


@app.command()
def status(
    warehouse: WarehouseOpt = Path("data"),
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs to show.")] = 10,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Show the last runs with their status and counts per stage (newest first)."""
    from warehouse.db import sql

    con = open_read_only(warehouse)
    try:
        cur = con.execute(sql("read/last_runs"), [limit])
        names = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
    finally:
        con.close()
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
    from corpus_etl.report.summary import dq_summary, summary_markdown

    con = open_read_only(warehouse)
    try:
        summary = dq_summary(con, run_id)
    finally:
        con.close()
    typer.echo(summary_markdown(summary, warehouse / "docs" / "index.html").rstrip())
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
    from warehouse.db import sql

    con = open_read_only(warehouse)
    try:
        cur = con.execute(sql("read/quarantine_list"), [limit])
        names = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
    finally:
        con.close()
    typer.echo(format_rows(names, rows, fmt))


@quarantine_app.command("replay")
def quarantine_replay(warehouse: WarehouseOpt = Path("data")) -> None:
    """Re-validate quarantined records with the current suites and release those that now pass.

    Takes the warehouse's run lock, so it never runs beside an ingest.
    """
    _quiet_prefect()
    import uuid

    from warehouse.loader import WarehouseLocked
    from warehouse.lock import run_lock
    from warehouse.replay import replay_quarantine

    db = warehouse / "corpus.duckdb"
    if not db.exists():
        raise _fail(f"no warehouse at {warehouse}")
    replay_id = f"replay-{uuid.uuid4()}"
    try:
        with run_lock(warehouse.resolve(), replay_id):
            res = replay_quarantine(db, replay_id)
    except WarehouseLocked as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"quarantine replay {replay_id}: {res.checked} checked, {res.released} released, {res.kept} kept")


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
