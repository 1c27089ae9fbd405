"""What a finished ingest run means for whoever started it: its exit code and whether its flow run failed.

A run loads what it can and goes on past every bad file and every failing record; a scheduler (cron,
Prefect, CI) still needs to know that something went wrong. Two kinds of problem count:

- files that failed (``sources.status = 'failed'``, each with its reason);
- data-quality errors: error-level expectations of the GX suites that failed in the run (articles held in
  quarantine; sources marked failed by the sources suite).

``--fail-on`` says which of them make the run a failure: ``any`` (the default), ``files``, ``dq`` or
``none``. The exit codes (documented in ``corpus-etl ingest --help``):

====  =================================================================
0     every file loaded (or unchanged) and no error-level expectation failed
1     the run did not happen or stopped: a usage error, a held lock, a crash
3     some files failed (the rest are loaded)
4     data-quality errors (error-level expectations failed; the rest is loaded)
5     both 3 and 4
====  =================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

FailOn = Literal["any", "files", "dq", "none"]
FAIL_ON: tuple[str, ...] = ("any", "files", "dq", "none")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_FILES_FAILED = 3
EXIT_DQ_ERRORS = 4
EXIT_FILES_AND_DQ = 5


def dq_error_count(results: Iterable[Mapping[str, Any]]) -> int:
    """How many error-level expectation results of a batch failed (``Verdicts.dq_results`` rows)."""
    return sum(1 for r in results if r.get("severity") == "error" and not r.get("success"))


def _counted(summary: Mapping[str, Any], fail_on: str) -> tuple[int, int]:
    """(files failed, failed error-level expectation results) of the run, each 0 when ``fail_on`` ignores it."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    files = int(summary.get("n_failed") or 0) if fail_on in ("any", "files") else 0
    dq = int(summary.get("dq_errors") or 0) if fail_on in ("any", "dq") else 0
    return files, dq


def problems(summary: Mapping[str, Any], fail_on: str = "any") -> list[str]:
    """The problems of a run that ``fail_on`` counts, one short sentence each (empty: a success).

    Args:
        summary: the run summary (``n_failed``: files that failed; ``dq_errors``: failed error-level
            expectation results; ``n_quarantined``: records held in quarantine).
        fail_on: ``any``, ``files``, ``dq`` or ``none``.
    """
    files, dq = _counted(summary, fail_on)
    out = []
    if files:
        out.append(f"{files} file{'s' if files != 1 else ''} failed")
    if dq:
        n_q = int(summary.get("n_quarantined") or 0)
        out.append(
            f"{dq} error-level expectation result{'s' if dq != 1 else ''} failed"
            f" ({n_q} record{'s' if n_q != 1 else ''} quarantined)"
        )
    return out


def exit_code(summary: Mapping[str, Any], fail_on: str = "any") -> int:
    """The exit code of a finished run (see the module doc): 0, 3 (files), 4 (data quality) or 5 (both)."""
    files, dq = _counted(summary, fail_on)
    if files and dq:
        return EXIT_FILES_AND_DQ
    return EXIT_FILES_FAILED if files else EXIT_DQ_ERRORS if dq else EXIT_OK
