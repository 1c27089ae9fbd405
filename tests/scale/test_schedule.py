"""`corpus-etl serve`: a deployment with a cron schedule, served against the session's Prefect server, run
on demand (run_deployment), then stopped with Ctrl-C like a user would."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.unit.test_split import SEED_TITLES

pytestmark = [pytest.mark.e2e, pytest.mark.cli, pytest.mark.schedule]

EXE = str(Path(sys.executable).with_name("corpus-etl"))
CRON = "*/15 * * * *"
NAME = "seeds-every-15-min"


def _deployment(name: str, timeout: float, proc: subprocess.Popen[str]):  # type: ignore[no-untyped-def]
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    end = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < end:
            try:
                return client.read_deployment_by_name(name)
            except ObjectNotFound:
                if proc.poll() is not None:
                    out, err = proc.communicate()
                    raise AssertionError(
                        f"serve exited ({proc.returncode}) before registering:\n{out}\n{err}"
                    ) from None
                time.sleep(0.5)
    raise AssertionError(f"no deployment {name} after {timeout} s")


@pytest.fixture(scope="module")
def served(prefect_api, seeds_dir, tmp_path_factory):
    src = tmp_path_factory.mktemp("sched-src")
    for p in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(p, src / p.name)
    wh = tmp_path_factory.mktemp("sched") / "wh"
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_api,
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",  # pick up a triggered run within a second
        "CORPUS_ETL_WORKERS": "1",
    }
    proc = subprocess.Popen(
        [EXE, "serve", str(src), "--cron", CRON, "-w", str(wh), "--name", NAME, "--no-validate"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_as_from_a_terminal,
    )
    try:
        dep = _deployment(f"corpus-etl-ingest/{NAME}", 120, proc)
        yield src, wh, dep, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # what Ctrl-C does: the runner stops and pauses the schedule
            try:
                proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()


def _as_from_a_terminal() -> None:
    """Give the served process the default SIGINT disposition a shell prompt gives it: when the suite
    itself runs in a background job (`make test &`, `nohup`), SIGINT is inherited as ignored and Ctrl-C
    could not be simulated."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _ctrl_c(proc: subprocess.Popen[str]) -> None:
    """Press Ctrl-C and wait for the served process to end."""
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)


def test_serve_registers_the_cron_schedule_and_a_concurrency_limit(served):
    src, wh, dep, _ = served
    assert [s.schedule.cron for s in dep.schedules] == [CRON]
    assert all(s.active for s in dep.schedules)
    assert dep.global_concurrency_limit is not None and dep.global_concurrency_limit.limit == 1
    assert dep.parameters["sources"] == [str(src)]
    assert dep.parameters["settings"]["warehouse"] == str(wh)


def test_a_run_of_the_deployment_loads_the_seeds_then_ctrl_c_stops_serving(served):
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    _, wh, dep, proc = served
    run = run_deployment(f"corpus-etl-ingest/{NAME}", timeout=300)
    assert run.state is not None and run.state.is_completed(), run.state
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        titles = con.execute(
            "select title from articles where kind = 'article' order by source_path, ordinal"
        ).fetchall()
        runs = con.execute("select run_id, status, n_processed from runs").fetchall()
    finally:
        con.close()
    assert [t for (t,) in titles] == [t for k in sorted(SEED_TITLES) for t in SEED_TITLES[k]]
    assert runs == [(str(run.id), "completed", 5)]  # the warehouse's run id is the deployment run's id

    _ctrl_c(proc)
    assert proc.returncode in (0, 130, -signal.SIGINT), proc.returncode
    with get_client(sync_client=True) as client:  # stopped cleanly: the schedule is paused, nothing piles up
        after = client.read_deployment(dep.id)
    assert not any(s.active for s in after.schedules) or after.paused
