"""The data-quality summary of a run, for the terminal (`corpus-etl dq`) and the Prefect artifact."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import fetch_dicts, sql


@dataclass
class DQSummary:
    """What the last validated run found: its counts and the expectations that failed."""

    run_id: str | None
    started: str | None = None
    evaluated: int = 0
    successful: int = 0
    quarantined: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def error_failures(self) -> list[dict[str, Any]]:
        return [f for f in self.failures if f["severity"] == "error"]

    @property
    def warning_failures(self) -> list[dict[str, Any]]:
        return [f for f in self.failures if f["severity"] == "warning"]


class UnknownRun(LookupError):
    """A run id the warehouse has no run of."""


def dq_summary(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> DQSummary:
    """Summarise a run's validations (the last run that validated data when ``run_id`` is None).

    Raises:
        UnknownRun: ``run_id`` is given and the warehouse has no run of that id.
    """
    if run_id is not None and not fetch_dicts(con, sql("read/run_exists"), [run_id])[0]["n"]:
        raise UnknownRun(f"no run {run_id!r} in this warehouse (`corpus-etl status` lists the runs)")
    if run_id is None:
        last = fetch_dicts(con, sql("report/last_validated_run"))
        if not last:
            return DQSummary(None)
        run_id = str(last[0]["run_id"])
    counts = fetch_dicts(con, sql("read/dq_run_counts"), [run_id])[0]
    failures = fetch_dicts(con, sql("report/last_failures"), [run_id])
    return DQSummary(
        run_id=run_id,
        started=str(counts["started"]) if counts["started"] is not None else None,
        evaluated=int(counts["evaluated"] or 0),
        successful=int(counts["successful"] or 0),
        quarantined=int(counts["quarantined"] or 0),
        failures=failures,
    )


def summary_markdown(s: DQSummary, dashboard: Path | None = None) -> str:
    """The summary as Markdown (the Prefect artifact of a run)."""
    if s.run_id is None:
        return "# Data quality\n\nNo run has validated data yet.\n"
    rate = 100.0 * s.successful / s.evaluated if s.evaluated else 100.0
    lines = [
        f"# Data quality of run `{s.run_id}`",
        "",
        f"- expectations passed: **{s.successful}/{s.evaluated}** ({rate:.1f} %)",
        f"- records quarantined: **{s.quarantined}**",
        f"- error-level failures: **{len(s.error_failures)}**, warnings: **{len(s.warning_failures)}**",
    ]
    if dashboard is not None:
        lines.append(f"- dashboard: `{dashboard}`")
    if s.failures:
        lines += ["", "| severity | suite | expectation | column | unexpected |", "|---|---|---|---|---|"]
        for f in s.failures:
            cells = [f["severity"], f["suite"], f["expectation_type"], f["column_name"] or "", f["unexpected"] or ""]
            lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def failed_files(con: duckdb.DuckDBPyConnection, run_id: str, limit: int = 1000) -> list[dict[str, Any]]:
    """The files run ``run_id`` failed (``path``, ``error``), by path, at most ``limit``."""
    return fetch_dicts(con, sql("read/failed_sources"), [run_id, limit])
