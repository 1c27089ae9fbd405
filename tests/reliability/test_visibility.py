"""User errors are reported in one line before Prefect starts, and the sources suite's error-level
expectations fail a file as the articles suite's quarantine a record (issue #19).

Every CLI case runs the real ``corpus-etl`` against the session's Prefect server; a one-line error is the
whole of stderr, and nothing of Prefect's (no traceback, no log line) comes before it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import tasks.ingest as t
from tests.reliability.corpus import article
from tests.reliability.helpers import cli, rows, run_flow, warehouse_problems

pytestmark = [pytest.mark.e2e]


def story(name: str) -> str:
    """A distinct small article (the same body twice would be a duplicate, an error-level failure)."""
    body = (
        f"The {name} committee met on Tuesday to discuss the new timetable for the {name} line. "
        f"Members said the {name} service had been late on most days of the month and asked for a review. "
        "A spokesperson said the operator would answer the questions before the end of the week."
    )
    return article(f"The {name.title()} Line Faces Questions", body)


def one_line_error(p: Any, *expect: str) -> str:
    """The run failed with exit 1 and exactly one stderr line, 'corpus-etl: error: ...' holding ``expect``."""
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("corpus-etl: error: "), p.stderr
    for e in expect:
        assert e in lines[0], lines[0]
    return str(lines[0])


@pytest.fixture(scope="module")
def loaded(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small warehouse of two files, loaded through the CLI."""
    base = tmp_path_factory.mktemp("visible")
    src = base / "src"
    src.mkdir()
    for name in ("a", "b"):
        (src / f"{name}.txt").write_text(story(f"river{name}"))
    wh = base / "wh"
    cli("ingest", str(src), "-w", str(wh), "-q", api=prefect_api)
    return src, wh


def test_bad_options_fail_in_one_line_before_prefect(loaded, prefect_api, tmp_path):
    src, _ = loaded
    one_line_error(cli("ingest", str(src), "-j", "-3", api=prefect_api, check=False), "--workers", "-3")
    a_file = tmp_path / "wh.txt"
    a_file.write_text("not a directory")
    p = cli("ingest", str(src), "-w", str(a_file), api=prefect_api, check=False)
    one_line_error(p, f"--warehouse {a_file} is a file")
    p = cli("ingest", str(src), "-w", str(a_file / "sub"), api=prefect_api, check=False)
    one_line_error(p, f"is under {a_file}, which is a file")
    assert a_file.read_text() == "not a directory"


def test_a_held_lock_is_one_line_naming_the_holder(loaded, prefect_api, tmp_path):
    src, wh = loaded
    (src / "new.txt").write_text(story("harbour"))  # work to do: the flow would start
    try:
        fd = os.open(wh / ".ingest.lock", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            holder = {"run_id": "run-that-holds-it", "pid": os.getpid(), "since": "2026-01-01T00:00:00+00:00"}
            os.pwrite(fd, json.dumps(holder).encode(), 0)
            p = cli("ingest", str(src), "-w", str(wh), api=prefect_api, check=False)
            one_line_error(p, "is being written by run run-that-holds-it", f"pid {os.getpid()}")
            p = cli("ingest", str(src), "-w", str(wh), "--wait", "1", api=prefect_api, check=False)
            one_line_error(p, "run-that-holds-it", "waited 1 s")
        finally:
            os.ftruncate(fd, 0)
            os.close(fd)
    finally:
        (src / "new.txt").unlink()
    assert rows(wh, "select count(*) from runs") == [(1,)]  # the refused runs wrote nothing


@pytest.mark.parametrize("keep", [5000, 600_000])
def test_a_truncated_database_is_one_line_for_every_command(loaded, prefect_api, tmp_path, keep):
    src, good = loaded
    wh = tmp_path / "wh"
    shutil.copytree(good, wh)
    db = wh / "corpus.duckdb"
    assert db.stat().st_size > keep
    os.truncate(db, keep)
    for args in (("status",), ("dq",), ("quarantine", "list"), ("ingest", str(src), "--always-flow")):
        err = one_line_error(cli(*args, "-w", str(wh), api=prefect_api, check=False), str(db))
        assert "truncated" in err or "cannot be read as a DuckDB database" in err


def test_query_errors_keep_duckdbs_hints(loaded, prefect_api):
    _, wh = loaded
    err = one_line_error(cli("query", "select * from artcles", "-w", str(wh), api=prefect_api, check=False))
    assert err.endswith('Table with name artcles does not exist! Did you mean "articles"?'), err
    err = one_line_error(cli("query", "select titel from articles", "-w", str(wh), api=prefect_api, check=False))
    assert 'Candidate bindings: "title"' in err and "LINE 1" not in err


def test_the_sources_suite_fails_a_file_as_the_articles_suite_quarantines_a_record(prefect_api, tmp_path, monkeypatch):
    """A file whose sources row fails an error-level expectation (here: loaded without a hash, the row
    damaged after processing) is not loaded: failed with the expectation's reason, no rows, counted."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("good", "damaged"):
        (src / f"{name}.txt").write_text(story(name))
    real = t.process_batch

    def damage_one_row(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        table = pq.read_table(out.paths["sources"])
        sha = [
            None if p.endswith("damaged.txt") else h
            for p, h in zip(table["path"].to_pylist(), table["sha256"].to_pylist(), strict=True)
        ]
        import pyarrow as pa

        table = table.set_column(
            table.schema.get_field_index("sha256"), table.schema.field("sha256"), pa.array(sha, pa.string())
        )
        pq.write_table(table, out.paths["sources"])
        return out

    monkeypatch.setattr(t, "process_batch", damage_one_row)
    wh = tmp_path / "wh"
    s = run_flow([src], wh, workers=1)
    assert (s["n_processed"], s["n_failed"]) == (2, 1) and s["dq_errors"] >= 1
    got = {
        Path(p).name: (st, err, n) for p, st, err, n in rows(wh, "select path, status, error, n_articles from sources")
    }
    assert got == {
        "good.txt": ("loaded", None, 1),
        "damaged.txt": ("failed", "failed data-quality check: loaded source without a hash", 0),
    }
    assert [Path(r[0]).name for r in rows(wh, "select source_path from articles")] == ["good.txt"]
    assert rows(wh, "select count(*) from quarantine") == [(0,)]
    assert warehouse_problems(wh) == []
