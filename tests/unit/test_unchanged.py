"""The unchanged-run path (``flows/unchanged.py``) on a real DuckDB file, without Prefect: one writer
connection records the same rows as one connection per step, nothing is written when there is work, and
the path imports none of pyarrow, numpy, ftfy or rich."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from corpus_etl import schema
from corpus_etl.discover import expand_sources, file_sha256, stat_file
from corpus_etl.settings import Settings
from flows.unchanged import FLOW_NAME, record_unchanged, run_counters
from tests.scale.warehouse_diff import RUN_TIME, table_rows
from warehouse import loader
from warehouse.db import connect

OLD = datetime(2026, 1, 1, tzinfo=UTC).timestamp()  # the files' mtime: long before any run


def make_warehouse(root: Path) -> tuple[Path, Path]:
    """Three source files (old) and a warehouse whose completed run loaded them (no records)."""
    src = root / "src"
    src.mkdir(parents=True)
    for i in range(3):
        p = src / f"f{i}.txt"
        p.write_text(f"Story {i}\n\nThe council met on Tuesday. " * (i + 1), encoding="utf-8")
        os.utime(p, (OLD, OLD))
    wh = root / "wh"
    db = wh / "corpus.duckdb"
    started = datetime.now(UTC) - timedelta(minutes=1)
    loader.begin_run(db, "first", FLOW_NAME, started, [str(src)], "{}")
    con = duckdb.connect(str(db))
    for path in expand_sources([str(src)]):
        f = stat_file(path)
        con.execute(
            "INSERT INTO sources (source_id, path, size_bytes, mtime, sha256, n_articles, n_quarantined, "
            "n_removed_spans, status, first_run_id, last_run_id, loaded_run_id) "
            "VALUES (?, ?, ?, ?, ?, 0, 0, 0, 'loaded', 'first', 'first', 'first')",
            [f.source_id, f.path, f.size_bytes, f.mtime, file_sha256(path)],
        )
    con.close()
    loader.export_parquet(db, wh / "parquet", "first")
    loader.finish_run(db, "first", "completed", None, {"n_discovered": 3, "n_processed": 3})
    return src, wh


@pytest.fixture
def warehouse(tmp_path: Path) -> tuple[Path, Path]:
    return make_warehouse(tmp_path)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_one_writer_connection_records_the_run(warehouse: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    src, wh = warehouse
    opened: list[bool] = []

    def counting_connect(
        path: Path, read_only: bool = False, memory_limit: str | None = None
    ) -> duckdb.DuckDBPyConnection:
        opened.append(read_only)
        return connect(path, read_only, memory_limit)

    monkeypatch.setattr("flows.unchanged.connect", counting_connect)
    monkeypatch.setattr("warehouse.loader.connect", counting_connect)
    summary = record_unchanged([str(src)], Settings(warehouse=wh))
    assert summary is not None and summary["unchanged"]
    # the first look (read-only, no lock) and one writer for the locked look and every step
    assert opened == [True, False]
    assert (summary["n_discovered"], summary["n_skipped"]) == (3, 3)
    assert set(schema.RUN_COUNTERS) <= set(summary) and "dashboard" in summary
    assert (wh / "docs" / "index.html").read_text(encoding="utf-8").count(summary["run_id"][:8]) >= 1
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        run = con.execute(
            "SELECT status, flow_name, n_discovered, n_skipped, n_processed, stage_seconds FROM runs WHERE run_id = ?",
            [summary["run_id"]],
        ).fetchall()
        statuses = con.execute("SELECT DISTINCT status, last_run_id FROM sources").fetchall()
        assert run_counters(con) == list(schema.RUN_COUNTERS)
    finally:
        con.close()
    assert run[0][:5] == ("completed", FLOW_NAME, 3, 3, 0) and "unchanged_check" in json.loads(run[0][5])
    assert statuses == [("skipped", summary["run_id"])]


def test_the_shared_connection_writes_the_same_rows_as_a_connection_per_step(tmp_path: Path, monkeypatch) -> None:
    a_src, a_wh = make_warehouse(tmp_path / "a")
    b_src, b_wh = make_warehouse(tmp_path / "b")
    one = record_unchanged([str(a_src)], Settings(warehouse=a_wh))

    @contextmanager
    def per_step(db_path: Path, memory: Any = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """The locked look's connection only: every step opens (and closes) its own, as before."""
        con = loader._connect_writer(db_path, loader.memory_limit(memory, "writer"))
        try:
            yield con
        finally:
            con.close()

    monkeypatch.setattr(loader, "shared_writer", per_step)
    each = record_unchanged([str(b_src)], Settings(warehouse=b_wh))
    assert one is not None and each is not None
    drop = {"run_id", "seconds", "stage_seconds", "analytics", "dashboard"}
    assert {k: v for k, v in one.items() if k not in drop | {"warehouse"}} == {
        k: v for k, v in each.items() if k not in drop | {"warehouse"}
    }

    def rows(wh: Path) -> dict[str, list[tuple[object, ...]]]:
        got = table_rows(wh / "corpus.duckdb", RUN_TIME | {"source_id"})  # (ids of the paths)
        got["sources"] = [tuple(str(v).replace(str(wh.parent), "") for v in r) for r in got["sources"]]
        got["runs"] = [tuple(str(v).replace(str(wh.parent), "") for v in r) for r in got["runs"]]
        return got

    assert rows(a_wh) == rows(b_wh)
    con = duckdb.connect(str(a_wh / "corpus.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM runs WHERE status = 'completed'").fetchall() == [(2,)]
    con.close()


def test_nothing_is_written_when_a_file_changed(warehouse: tuple[Path, Path]) -> None:
    src, wh = warehouse
    (src / "f1.txt").write_text("A changed story, longer than before.\n\n" * 3, encoding="utf-8")
    before = _digest(wh / "corpus.duckdb")
    assert record_unchanged([str(src)], Settings(warehouse=wh)) is None
    assert _digest(wh / "corpus.duckdb") == before


def test_a_reprocessing_run_always_goes_through_the_flow(warehouse: tuple[Path, Path]) -> None:
    src, wh = warehouse  # every file unchanged: without --reprocess this run is recorded here
    before = _digest(wh / "corpus.duckdb")
    assert record_unchanged([str(src)], Settings(warehouse=wh, reprocess=True)) is None
    assert _digest(wh / "corpus.duckdb") == before
    assert record_unchanged([str(src)], Settings(warehouse=wh)) is not None


def test_the_rerun_path_imports_no_pyarrow_numpy_ftfy_or_rich(warehouse: tuple[Path, Path]) -> None:
    """What makes a rerun cheap: none of them is imported by ``corpus-etl ingest`` when nothing changed."""
    src, wh = warehouse
    script = (
        "import sys\nfrom corpus_etl_cli.main import app\n"
        f"sys.argv = ['corpus-etl', 'ingest', {str(src)!r}, '--warehouse', {str(wh)!r}, '--quiet']\n"
        "try:\n    app()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    modules = set(json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"')))
    assert "duckdb" in modules
    assert not {"pyarrow", "numpy", "ftfy", "rich", "prefect"} & modules
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM runs WHERE status = 'completed'").fetchall() == [(2,)]
    con.close()


def test_steps_on_the_shared_connection_keep_the_writers_memory_limit(tmp_path: Path) -> None:
    """The export raises the memory limit for itself; on the shared connection it is put back after it."""
    db = tmp_path / "corpus.duckdb"
    fresh = connect(db)
    writer_limit = fresh.execute("SELECT current_setting('memory_limit')").fetchall()
    fresh.close()
    with loader.shared_writer(db) as con:
        loader.begin_run(db, "r", FLOW_NAME, datetime.now(UTC), ["x"], "{}")
        loader.export_parquet(db, tmp_path / "parquet", "r")
        assert con.execute("SELECT current_setting('memory_limit')").fetchall() == writer_limit
        assert con.execute("SELECT count(*) FROM runs").fetchall() == [(1,)]  # the steps wrote through it
    assert (tmp_path / "parquet" / "runs").is_dir()
