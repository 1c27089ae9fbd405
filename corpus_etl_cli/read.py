"""The commands that read the warehouse: query, status, dq, quarantine, search, export, analytics, cookbook."""

from __future__ import annotations

import uuid
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from corpus_etl_cli.common import (
    _CSV_UNSAFE,
    Format,
    FormatOpt,
    WarehouseOpt,
    _damaged,
    _fail,
    _open_for_reading,
    _print_read,
    _quiet_prefect,
    _settings,
    app,
    db_message,
    format_rows,
    open_read_only,
    printable,
)


@app.command()
def query(
    sql_text: Annotated[str, typer.Argument(metavar="SQL", help="A DuckDB SQL query over the warehouse tables.")],
    warehouse: WarehouseOpt = Path("data"),
    fmt: FormatOpt = Format.table,
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
    fmt: FormatOpt = Format.table,
) -> None:
    """Show the last runs with their status and counts per stage (newest first)."""
    _print_read(warehouse, "read/last_runs", [limit], fmt)


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
    fmt: FormatOpt = Format.table,
) -> None:
    """List quarantined records with the expectations they failed."""
    _print_read(warehouse, "read/quarantine_list", [limit], fmt)


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


@app.command()
def search(
    terms: Annotated[str, typer.Argument(metavar="TERMS", help="Words to search for (any order, any case).")],
    warehouse: WarehouseOpt = Path("data"),
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many results.")] = 10,
    fmt: FormatOpt = Format.table,
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
    fmt: FormatOpt = Format.table,
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
