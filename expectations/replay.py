"""Re-validate quarantined records with the current suites and release those that now pass."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from corpus_etl import schema
from warehouse.db import fetch_dicts, quote_ident, sql, transaction
from warehouse.loader import open_writer

from .validate import Validator, with_check_columns

if TYPE_CHECKING:
    from corpus_etl.settings import MemorySettings


@dataclass(frozen=True)
class ReplayResult:
    """How many quarantined records were re-validated, released to `articles`, and kept."""

    checked: int
    released: int
    kept: int


def replay_quarantine(
    db_path: Path, run_id: str, validator: Validator | None = None, memory: MemorySettings | None = None
) -> ReplayResult:
    """Re-validate every quarantined record; move the ones that pass into ``articles``.

    The records keep their ids; released rows get ``run_id`` of the replay. Rows that still fail get
    their ``failed_expectations`` refreshed. One transaction; the caller holds the run lock.

    Args:
        db_path: the DuckDB file.
        run_id: id recorded on released rows and on the DQ history of the replay.
        validator: a GX validator (built when None; importing GX takes seconds).
        memory: DuckDB's memory limits (``settings.memory``: the writer's); the defaults when None.

    Returns:
        The counts.
    """
    with open_writer(db_path, memory) as con:
        rows: pa.Table = con.sql(sql("read/quarantine_rows")).to_arrow_table()
        chars = {r["source_id"]: r["n_chars"] for r in fetch_dicts(con, sql("read/source_chars"))}
    if rows.num_rows == 0:
        return ReplayResult(0, 0, 0)
    articles = rows.select(schema.ARTICLES.columns).cast(schema.ARTICLES.schema)
    v = (validator or Validator()).validate("articles", with_check_columns(articles, chars), run_id, 0)
    passed = [i for i in range(articles.num_rows) if i not in v.failed]
    now = datetime.now(UTC)
    released = articles.take(pa.array(passed, pa.int64()))
    released = released.set_column(
        released.schema.get_field_index("run_id"), "run_id", pa.array([run_id] * released.num_rows, pa.string())
    )
    still = [
        {"article_id": articles.column("article_id")[i].as_py(), "failed_expectations": reasons}
        for i, reasons in v.failed.items()
    ]
    with open_writer(db_path, memory) as con:
        con.register("stg_released", released)
        con.register("stg_still", schema.to_table(_STILL, still) if still else _STILL.schema.empty_table())
        with transaction(con):
            con.execute(
                sql("load/insert_staged").format(table=quote_ident("articles"), staged=quote_ident("stg_released"))
            )
            con.execute(sql("load/release_quarantine"))
            con.execute(sql("load/refresh_quarantine_reasons"), [now])
            con.execute(sql("load/recount_sources"))
    return ReplayResult(articles.num_rows, released.num_rows, len(still))


_STILL = schema.TableSpec(
    name="stg_still",
    description="Quarantined records that still fail, with their current reasons.",
    primary_key=("article_id",),
    schema=pa.schema([pa.field("article_id", pa.string()), pa.field("failed_expectations", pa.list_(pa.string()))]),
)
