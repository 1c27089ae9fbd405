"""The plan of a run (``flows/plan.py``) executed without Prefect on a real DuckDB file and real Parquet: each
file is read once per run (the learned-boilerplate pre-pass spools what it read for the splitter), and the
rows are those of a run that reads every file twice (a runner whose workers do not share the flow's disk)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import corpus_etl.discover as discover
import corpus_etl.reading as reading
from corpus_etl.discover import SourceFile
from corpus_etl.settings import Settings
from flows.plan import (
    DISCOVER,
    PLAN,
    REPORT_STEPS,
    BatchFuture,
    BatchRunner,
    Discovered,
    InlineRunner,
    PlainExecutor,
    RunContext,
    execute,
)
from tests.scale.warehouse_diff import RUN_TIME, table_rows
from warehouse.lock import run_lock

CHROME = ["Home | World | Business | Sport", "Sign up for our morning briefing", "Share this story"]


def write_outlet(root: Path, n: int = 7) -> Path:
    """``n`` pages of one outlet (one folder): the same chrome lines around a distinct story each."""
    folder = root / "outlet"
    folder.mkdir(parents=True)
    for i in range(n):
        body = (
            f"The council of district {i} met on Tuesday to discuss the new timetable for bus line {i}. "
            f"Members said line {i} had been late on most days of the month and asked for a review. "
            f"A spokesperson said the operator would answer the questions of district {i} by Friday."
        )
        text = "\n".join([CHROME[0], "", f"District {i} Council Questions Bus Line {i}", "", body, "", *CHROME[1:]])
        (folder / f"page{i}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


class _ReadsItself(InlineRunner):
    """A runner whose workers read their batch's files themselves, not the pre-pass's spool: two reads (what every
    run did before the spool)."""

    def submit(
        self,
        files: list[SourceFile],
        batch: int,
        started: datetime,
        learned: dict[str, frozenset[str]] | None = None,
        spool: str | None = None,
    ) -> BatchFuture:
        return super().submit(files, batch, started, learned, None)


class _Executor(PlainExecutor):
    def __init__(self, runner: type[InlineRunner] = InlineRunner) -> None:
        self.runner = runner

    def start_runner(self, ctx: RunContext) -> BatchRunner:
        return self.runner(ctx)


def run_plain(src: Path, wh: Path, ex: PlainExecutor, **settings: Any) -> dict[str, Any]:
    """A whole ingest by the plan, each step a plain call (what the flow runs as task runs)."""
    s = Settings(warehouse=wh, workers=1, validate_data=False, **settings).resolved()
    ctx = RunContext(s, [str(src)], str(uuid.uuid4()), datetime.now(UTC))
    ex.run(DISCOVER, ctx)
    with run_lock(s.warehouse, ctx.run_id):
        execute(ctx, ex, PLAN)
        return execute(ctx, ex, REPORT_STEPS)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every read of a source file's bytes (by the reading stage and by the count-only pre-pass), by path."""
    seen: Counter[str] = Counter()
    real = discover.read_source

    def counting(path: str, *args: Any, **kwargs: Any) -> Any:
        seen[path] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(reading, "read_source", counting)
    monkeypatch.setattr(discover, "read_source", counting)
    return seen


def test_each_file_is_read_once_and_the_rows_are_those_of_two_reads(tmp_path: Path, reads: Counter[str]) -> None:
    folder = write_outlet(tmp_path / "src")
    files = sorted(str(p) for p in folder.iterdir())

    once = run_plain(folder, tmp_path / "once", _Executor())
    assert once["n_processed"] == once["n_loaded"] == len(files) and once["n_failed"] == 0
    assert reads == Counter(dict.fromkeys(files, 1))  # the pre-pass read them; the splitter took its spool
    assert not any((tmp_path / "once" / "staging").glob("*/*.read.zst"))  # spools go with their batch

    reads.clear()
    twice = run_plain(folder, tmp_path / "twice", _Executor(_ReadsItself))
    assert reads == Counter(dict.fromkeys(files, 2))  # what every run did before the spool

    got, expected = table_rows(tmp_path / "once" / "corpus.duckdb"), table_rows(tmp_path / "twice" / "corpus.duckdb")
    assert got == expected
    learned = [r for r in got["removed_spans"] if "learned_repeat" in r]
    assert len(learned) >= len(files)  # the chrome was learned from the spooled text, as from the files
    assert {k: v for k, v in once.items() if k not in RUN_TIME | {"warehouse", "analytics", "dashboard"}} == {
        k: v for k, v in twice.items() if k not in RUN_TIME | {"warehouse", "analytics", "dashboard"}
    }


def test_without_learning_each_file_is_read_once_and_nothing_is_spooled(tmp_path: Path, reads: Counter[str]) -> None:
    folder = write_outlet(tmp_path / "src", n=3)
    summary = run_plain(folder, tmp_path / "wh", _Executor(), extraction={"learned_min_files": 0})
    assert summary["n_loaded"] == 3
    assert reads == Counter(dict.fromkeys((str(p) for p in folder.iterdir()), 1))


def test_discovered_files_are_not_expanded_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI expands SOURCE once and hands the list on: the plan's discover step uses it."""
    folder = write_outlet(tmp_path / "src", n=2)
    from flows import plan

    given = Discovered(plan.discover_files([str(folder)]))
    monkeypatch.setattr(plan, "expand_with_collections", lambda *a, **k: pytest.fail("SOURCE expanded again"))
    ctx = RunContext(Settings(warehouse=tmp_path / "wh"), [str(folder)], "r", datetime.now(UTC), files=given.files)
    assert PlainExecutor().run(DISCOVER, ctx) == given.files and ctx.counts["n_discovered"] == 2
    # as a flow parameter it is stored in the Prefect API as a placeholder, not as the list of files
    from fastapi.encoders import jsonable_encoder

    with pytest.raises(ValueError):
        jsonable_encoder(given)


def test_an_ingest_expands_source_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``corpus-etl ingest`` of an unchanged corpus: the CLI's expansion is the only one (the unchanged check and
    the plan's discover step take its list; the flow would get it as ``discovered``)."""
    from corpus_etl_cli.main import app
    from tests.unit.test_unchanged import make_warehouse

    src, wh = make_warehouse(tmp_path)
    expanded: list[list[str]] = []
    real = discover._expand

    def counting(sources: list[str], follow_symlinks: bool) -> dict[str, str]:
        expanded.append(list(sources))
        return real(sources, follow_symlinks)

    monkeypatch.setattr(discover, "_expand", counting)
    with pytest.raises(SystemExit) as done:
        app(["ingest", str(src), "--warehouse", str(wh), "--quiet"])
    assert done.value.code in (0, None)
    assert expanded == [[str(src)]]


def test_a_report_that_fails_is_a_warning_and_a_failed_step_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    import warehouse.report as report
    from flows import plan

    folder = write_outlet(tmp_path / "src", n=2)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(report, "build_dashboard", broken)
    summary = run_plain(folder, tmp_path / "wh", _Executor())
    assert summary["dashboard_warning"] == "dashboard not rebuilt: OSError: disk full" and "dashboard" not in summary
    con = duckdb.connect(str(tmp_path / "wh" / "corpus.duckdb"), read_only=True)
    assert con.execute("select status from runs").fetchall() == [("completed",)]
    con.close()

    monkeypatch.setattr(plan.loader, "mark_deleted", broken)  # a step of the run itself: the run fails, recorded
    (folder / "page0.txt").write_text("A changed page\n\nThe council met again on Wednesday.\n", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        run_plain(folder, tmp_path / "wh", _Executor())
    con = duckdb.connect(str(tmp_path / "wh" / "corpus.duckdb"), read_only=True)
    got = con.execute("select status, error, n_discovered from runs order by started_at").fetchall()
    con.close()
    assert got == [("completed", None, 2), ("failed", "OSError: disk full", 2)]
