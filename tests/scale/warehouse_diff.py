"""Compare two warehouses table by table, row for row, leaving out what depends on when and by which run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

# Columns whose values depend on the run (ids, clocks, durations, the runner's own settings), not the input.
RUN_TIME = {
    "run_id",
    "first_run_id",
    "last_run_id",
    "loaded_run_id",
    "ingested_at",
    "quarantined_at",
    "started_at",
    "finished_at",
    "seconds",
    "stage_seconds",
    "settings_json",
    "applied_at",
}


def table_rows(db: Path, exclude: set[str] = RUN_TIME) -> dict[str, list[tuple[Any, ...]]]:
    """Every base table of the warehouse: its rows without the run-time columns, sorted."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        out: dict[str, list[tuple[Any, ...]]] = {}
        for t in tables:
            cols = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
                    [t],
                ).fetchall()
                if r[0] not in exclude
            ]
            sel = ", ".join(f'"{c}"' for c in cols)
            out[t] = sorted(con.execute(f'select {sel} from "{t}"').fetchall(), key=repr)
        return out
    finally:
        con.close()
