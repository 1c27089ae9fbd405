"""The ``corpus-etl`` console script: the app of ``common`` with the commands of ``ingest`` (a run), ``read`` (query,
status, dq, quarantine, search, export, analytics, cookbook) and ``serve`` (serve, server), and the fast exit.

Imports: the tops of these modules hold what ``--help`` and every command need (typer, the standard library, light
core modules); each command imports the layers it drives inside its function, each such import marked
``# lazy: start-up``. Measured on top of ``--help``'s own imports: DuckDB ~0.2 s, the settings model (pydantic)
~0.14 s, ``flows.plan`` ~0.35 s, Prefect ~0.8 s, GX ~4 s; ``corpus-etl --help`` takes ~0.15 s, and an unchanged
rerun imports no pyarrow, numpy, rich or Prefect (tests/unit/test_unchanged.py).
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from typing import NoReturn

from corpus_etl_cli import ingest, read, serve  # noqa: F401  (each registers its commands on the app, in this order)
from corpus_etl_cli.common import app


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
