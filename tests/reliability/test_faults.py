"""Faults: a run killed during its load, two runs at once, a reader holding the database, a full disk.

The runs that fail are ``corpus-etl ingest`` as a user runs it (a subprocess against the session's
Prefect server) on 48 BBC articles from ../shared, in batches of 8 files (``CORPUS_ETL_BATCH_FILES``)
so that a run has several loads to be interrupted in. After each fault the tests check that the
warehouse is consistent (the SQL invariants of helpers.py), that the Parquet copy readers see is whole,
and that a rerun ends with exactly the rows of a clean run. Reruns and set-up loads run the flow in this
process with one worker (cheaper; the rows do not depend on it), from one shared first load of src/a
(copied per test). Runs use --no-validate: validation does not change how a run loads or fails, and it
costs seconds per run. Nothing waits on the clock: the concurrent run is attempted while the first one is
stopped (SIGSTOP) holding the lock, the reader holds the database until the run has ended, and the disk is
filled by a ballast file once the first batch is loaded.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pytest

from tests.conftest import CORPORA, need_shared
from tests.reliability.helpers import cli, cli_popen, parquet_problems, rows, run_flow, warehouse_problems

pytestmark = [pytest.mark.e2e, pytest.mark.cli]

N_FIRST = 16  # files in src/a: the first load of the warehouses that then fail
N_FILES = 48  # files in src/a and src/b together
BATCH = 8
# One worker: no process pool to start (the killed run keeps the default pool, whose workers die with it).
ENV = {"CORPUS_ETL_BATCH_FILES": str(BATCH), "CORPUS_ETL_WORKERS": "1"}
ENV_POOL = {"CORPUS_ETL_BATCH_FILES": str(BATCH)}
SAME_ROWS = {
    "articles": "select article_id, source_id, ordinal, kind, title, content_hash, char_start, char_end from articles",
    "removed_spans": "select source_id, char_start, char_end, rule, article_id from removed_spans",
    "paragraphs": "select article_id, position, char_start, char_end, paragraph_hash from paragraphs",
    "sources": "select source_id, path, sha256, n_chars, n_articles, n_removed_spans from sources",
}
T = TypeVar("T")


@dataclass
class Clean:
    src: Path
    wh: Path
    run_id: str
    second: subprocess.CompletedProcess[str]


def _error(stderr: str) -> str:
    """The CLI's one-line reason. Prefect logs the failed flow run (with tracebacks) above it, and DuckDB's
    Python module may print "nanobind: leaked ..." lines below it at exit; neither is ours to assert."""
    lines = [ln for ln in stderr.splitlines() if ln.startswith("corpus-etl: error: ")]
    assert len(lines) == 1, stderr
    return lines[0]


def _snapshot(wh: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {name: sorted(rows(wh, sql)) for name, sql in SAME_ROWS.items()}


def _rerun(src: Path, wh: Path) -> dict[str, Any]:
    return run_flow([src], wh, validate_data=False, batch_files=BATCH, workers=1)


def _wait(cond: Callable[[], T | None], timeout: float, what: str, proc: subprocess.Popen[str] | None = None) -> T:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the run ended ({proc.returncode}) before {what}:\n{out}\n{err}")
        time.sleep(0.002)
    raise AssertionError(f"timed out waiting for {what}")


def _lock_holder(wh: Path) -> str | None:
    try:
        m = re.search(r'"run_id": "([^"]+)"', (wh / ".ingest.lock").read_text())
    except OSError:
        return None
    return m.group(1) if m else None


def _db_open_by(pid: int, db: Path) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(db):
                return True
        except OSError:
            continue
    return False


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=60)


def _tree_digest(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in d.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """N_FILES BBC articles: the first N_FIRST in src/a, the rest in src/b."""
    files = sorted(need_shared(CORPORA / "bbc_news" / "bbc").glob("*/*.txt"))[:N_FILES]
    src = tmp_path_factory.mktemp("bbc") / "src"
    for i, f in enumerate(files):
        dest = src / ("a" if i < N_FIRST else "b") / f"{f.parent.name}-{f.name}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest)
    return src


@pytest.fixture(scope="module")
def clean(bbc: Path, prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clean]:
    """A clean run of the whole corpus, during which a second run is attempted on the same warehouse."""
    wh = tmp_path_factory.mktemp("clean") / "wh"
    first = cli_popen("ingest", str(bbc), "-w", str(wh), "--no-validate", "-q", api=prefect_api, env=ENV)
    try:
        run_id = _wait(lambda: _lock_holder(wh), 120, "the first run took the lock", first)
        os.killpg(first.pid, signal.SIGSTOP)  # it holds the lock, frozen: the second run meets it for sure
        try:
            second = cli(
                "ingest", str(bbc), "-w", str(wh), "--no-validate", "-q", api=prefect_api, check=False, env=ENV
            )
        finally:
            os.killpg(first.pid, signal.SIGCONT)
        _, err = first.communicate(timeout=600)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            _kill_group(first)
    yield Clean(bbc, wh, run_id, second)


@pytest.fixture(scope="module")
def loaded_a(clean: Clean, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the first N_FIRST files (src/a), loaded once; tests copy it (``_copy_of``)."""
    wh = tmp_path_factory.mktemp("loaded-a") / "wh"
    _rerun(clean.src / "a", wh)
    return wh


def _copy_of(wh: Path, dest: Path) -> Path:
    shutil.copytree(wh, dest, symlinks=True)
    return dest


@pytest.fixture(scope="module")
def clean_rows(clean: Clean) -> dict[str, list[tuple[Any, ...]]]:
    return _snapshot(clean.wh)


def test_second_concurrent_run_is_refused_naming_the_first(clean):
    p = clean.second
    assert p.returncode == 1
    assert re.fullmatch(
        rf"corpus-etl: error: the warehouse {re.escape(str(clean.wh))} is being written by run {clean.run_id} "
        r"'[\w-]+' \(pid \d+ on \S+, since \S+\); wait for it to finish and retry \(or pass --wait SECONDS\)",
        _error(p.stderr),
    ), p.stderr
    # The refused run wrote nothing; the first one completed alone.
    assert rows(clean.wh, "select run_id, status from runs") == [(clean.run_id, "completed")]
    assert rows(clean.wh, "select count(*), count(*) filter (status = 'loaded') from sources") == [(N_FILES, N_FILES)]
    assert warehouse_problems(clean.wh) == [] and parquet_problems(clean.wh) == []


def test_kill_9_during_the_load_then_rerun(clean, loaded_a, clean_rows, prefect_api, tmp_path):
    wh = _copy_of(loaded_a, tmp_path / "wh")
    db = wh / "corpus.duckdb"
    parquet_before = _tree_digest(wh / "parquet")
    ids_before = rows(wh, "select article_id from articles order by 1")

    proc = cli_popen(
        "ingest", str(clean.src), "-w", str(wh), "--no-validate", "--always-flow", "-q", api=prefect_api, env=ENV_POOL
    )
    try:
        # A batch's staging files are removed once it is loaded. When the first batch is loaded, wait for the
        # run's next write (a later batch's load) and kill the whole process group (workers included) in it.
        # (Counting the opens of the file instead was flaky: a write may open the file more than once.)
        staging = wh / "staging"
        seen: set[Path] = set()

        def first_load_done() -> bool:
            now = set(staging.glob("*/batch-*.sources.parquet"))
            gone = bool(seen - now)
            seen.update(now)
            return gone

        _wait(first_load_done, 300, "the load of the first batch", proc)
        _wait(lambda: _db_open_by(proc.pid, db), 300, "the load of a later batch", proc)
    finally:
        _kill_group(proc)
    assert proc.returncode == -signal.SIGKILL

    # What a reader sees right after the crash: committed batches only, every invariant holding.
    (killed,) = rows(wh, "select run_id from runs where status = 'running'")[0]
    n_loaded = rows(wh, "select count(*) from sources where last_run_id = ? and status = 'loaded'", [killed])[0][0]
    assert 0 < n_loaded < N_FILES - N_FIRST and n_loaded % BATCH == 0, n_loaded
    assert warehouse_problems(wh) == []
    # The Parquet copy is rewritten only at the end of a run: readers still see the previous one, whole.
    assert _tree_digest(wh / "parquet") == parquet_before
    con = duckdb.connect()
    got = con.execute(
        "select article_id from read_parquet(?, hive_partitioning = true) order by 1",
        [str(wh / "parquet" / "articles" / "**" / "*.parquet")],
    ).fetchall()
    assert got == ids_before

    # The rerun marks the killed run crashed, skips what was committed and loads the rest.
    s = _rerun(clean.src, wh)
    assert s["n_skipped"] == N_FIRST + n_loaded and s["n_processed"] == N_FILES - N_FIRST - n_loaded
    assert rows(wh, "select status from runs where run_id = ?", [killed]) == [("crashed",)]
    assert not (wh / "staging" / killed).exists()
    assert warehouse_problems(wh) == [] and parquet_problems(wh) == []
    assert _snapshot(wh) == clean_rows


def test_reader_holding_the_database_blocks_the_run_cleanly(clean, loaded_a, clean_rows, prefect_api, tmp_path):
    wh = _copy_of(loaded_a, tmp_path / "wh")
    reader = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        p = cli("ingest", str(clean.src), "-w", str(wh), "--no-validate", "-q", api=prefect_api, check=False, env=ENV)
    finally:
        reader.close()
    assert p.returncode == 1
    error = _error(p.stderr)
    assert error.startswith(
        f"corpus-etl: error: the warehouse {wh / 'corpus.duckdb'} is locked by another process "
        "(a running ingest or an open connection); retry when it has finished."
    ), error
    assert f"(PID {os.getpid()})" in error  # DuckDB names the process holding the file
    # The refused run could not write: the warehouse is as it was, and a rerun completes.
    assert rows(wh, "select count(*) from runs") == [(1,)]
    assert warehouse_problems(wh) == []
    _rerun(clean.src, wh)
    assert warehouse_problems(wh) == [] and parquet_problems(wh) == []
    assert _snapshot(wh) == clean_rows


def test_reader_opening_the_database_mid_run(clean, clean_rows, prefect_api, tmp_path):
    """A reader (a notebook, another tool's dashboard) opens the file while a run is loading, and keeps it."""
    wh = tmp_path / "wh"
    db = wh / "corpus.duckdb"
    proc = cli_popen("ingest", str(clean.src), "-w", str(wh), "--no-validate", "-q", api=prefect_api, env=ENV)
    reader = None
    try:
        _wait(lambda: (wh / "staging").is_dir() and any((wh / "staging").rglob("*.parquet")), 300, "staging", proc)

        def grab() -> duckdb.DuckDBPyConnection | None:
            try:
                return duckdb.connect(str(db), read_only=True)
            except duckdb.IOException:
                return None  # the run is writing right now

        reader = _wait(grab, 60, "a moment the run is not writing", proc)
        # The run still has batches to load and its end to record: it must fail, whatever the timing.
        _, err = proc.communicate(timeout=300)
    finally:
        if reader is not None:
            reader.close()
        if proc.poll() is None:
            _kill_group(proc)
    assert proc.returncode == 1, err
    assert "is locked by another process" in _error(err), err
    assert warehouse_problems(wh) == []
    # The failed run is recorded as failed (or, if the reader still held the file when it tried to say
    # so, left 'running' and marked crashed by the next run); a rerun completes with the clean rows.
    _rerun(clean.src, wh)
    statuses = [r[0] for r in rows(wh, "select status from runs order by started_at")]
    assert statuses[0] in ("failed", "crashed") and statuses[1] == "completed", statuses
    assert warehouse_problems(wh) == [] and parquet_problems(wh) == []
    assert _snapshot(wh) == clean_rows


@dataclass
class DiskFull:
    mnt: Path
    wh: Path
    failed: subprocess.CompletedProcess[str]
    ballast: Path


class _Filler(threading.Thread):
    """Another program filling the disk: it takes every byte that becomes free until stopped (a run that
    deletes its staging files after each load would otherwise find room again)."""

    def __init__(self, ballast: Path) -> None:
        super().__init__(daemon=True)
        self.ballast, self.stop, self.full = ballast, threading.Event(), threading.Event()

    def run(self) -> None:
        chunk = b"\0" * (1 << 20)
        with open(self.ballast, "wb", buffering=0) as fh:
            while not self.stop.is_set():
                for size in (1 << 20, 1 << 12, 1):
                    try:
                        while True:
                            fh.write(chunk[:size])
                    except OSError as exc:
                        assert exc.errno == errno.ENOSPC, exc
                self.full.set()
                time.sleep(0.001)


@pytest.fixture(scope="module")
def disk_full(clean: Clean, prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DiskFull]:
    """A run into a 16 MiB tmpfs that another program fills up once the run's first batch is loaded, and keeps
    full (needs
    root and CAP_SYS_ADMIN; CI runs as root: a tmpfs that cannot be mounted there fails the test)."""
    mnt = tmp_path_factory.mktemp("disk")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if p.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs in CI ({p.stderr.strip()}): the disk-full case needs root")
        pytest.skip(f"cannot mount a tmpfs here ({p.stderr.strip()}): the disk-full case needs root")
    try:
        wh = mnt / "wh"
        first = wh / "staging"
        proc = cli_popen("ingest", str(clean.src), "-w", str(wh), "--no-validate", "-q", api=prefect_api, env=ENV)
        try:
            # batch 0's staging files are removed once it is loaded: then the disk fills up
            staged = _wait(lambda: next(first.glob("*/batch-000000.sources.parquet"), None), 300, "batch 0", proc)
            _wait(lambda: not staged.exists(), 300, "the load of batch 0", proc)
            filler = _Filler(mnt / "ballast")
            filler.start()
            assert filler.full.wait(60), "the disk did not fill up"
            try:
                out, err = proc.communicate(timeout=300)
            finally:
                filler.stop.set()
                filler.join(60)
        finally:
            if proc.poll() is None:
                _kill_group(proc)
        yield DiskFull(mnt, wh, subprocess.CompletedProcess(proc.args, proc.returncode, out, err), filler.ballast)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_during_the_load(clean, clean_rows, disk_full):
    assert disk_full.failed.returncode == 1, disk_full.failed.stderr
    _error(disk_full.failed.stderr)
    # What is there is consistent and readable; nothing half-written is visible.
    loaded = rows(disk_full.wh, "select count(*) from sources where status = 'loaded'")[0][0]
    assert 0 < loaded < N_FILES, loaded
    assert warehouse_problems(disk_full.wh) == []
    # Space is freed: the rerun completes and ends with the rows of a clean run.
    disk_full.ballast.unlink()
    _rerun(clean.src, disk_full.wh)
    assert warehouse_problems(disk_full.wh) == [] and parquet_problems(disk_full.wh) == []
    assert _snapshot(disk_full.wh) == clean_rows
    statuses = [r[0] for r in rows(disk_full.wh, "select status from runs order by started_at")]
    assert statuses[-1] == "completed" and statuses[0] in ("failed", "crashed"), statuses


def test_disk_full_message_names_the_cause(disk_full):
    error = _error(disk_full.failed.stderr)
    assert "No space left on device" in error, error
