"""What every command of the ``corpus-etl`` command line shares: the typer app, its options, one-line errors, the
settings, the warehouse's read-only access and the output formats (the commands: ``ingest``, ``read``, ``serve``).

Imports: the top of this module holds what ``--help`` and every command need (typer, the standard library, light
core modules); each command imports the layers it drives inside its function, each such import marked
``# lazy: start-up``. Measured on top of ``--help``'s own imports: DuckDB ~0.2 s, the settings model (pydantic)
~0.14 s, ``flows.plan`` ~0.35 s, Prefect ~0.8 s, GX ~4 s; ``corpus-etl --help`` takes ~0.15 s, and an unchanged
rerun imports no pyarrow, numpy, rich or Prefect (tests/unit/test_unchanged.py).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

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


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


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


def _print_read(warehouse: Path, statement: str, params: list[Any], fmt: Format) -> None:
    """Print as ``fmt`` what the warehouse's query ``statement`` (``warehouse.db.sql``) returns, read-only; a
    one-line error if the warehouse cannot be read."""
    import duckdb  # lazy: start-up

    from warehouse.db import sql  # lazy: start-up

    query_text = sql(statement)
    con = open_read_only(warehouse)
    try:
        cur = con.execute(query_text, params)
        names, rows = [d[0] for d in cur.description or []], cur.fetchall()
    except duckdb.Error as exc:
        raise _fail(_damaged(warehouse, exc)) from None
    finally:
        con.close()
    typer.echo(format_rows(names, rows, fmt))


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
