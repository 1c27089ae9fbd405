"""The warehouse run lock between real processes: refuse at once naming the holder, or wait for it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from warehouse.loader import WarehouseLocked
from warehouse.lock import run_lock

HOLD = """
import sys, time
from pathlib import Path
from warehouse.lock import run_lock
with run_lock(Path(sys.argv[1]), "run-holder-1", name="nightly-otter"):
    print("held", flush=True)
    if float(sys.argv[2]) < 0:  # until told to let go (a line on stdin)
        sys.stdin.readline()
    else:
        time.sleep(float(sys.argv[2]))
"""


def _holder(wh: Path, seconds: float) -> subprocess.Popen[str]:
    """A process holding the warehouse lock for ``seconds`` (< 0: until a line is written to its stdin)."""
    p = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(wh), str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    assert p.stdout is not None and p.stdout.readline().strip() == "held"
    return p


def test_a_second_run_is_refused_at_once_with_the_holder_named(tmp_path):
    holder = _holder(tmp_path, 30)
    try:
        t0 = time.monotonic()
        with pytest.raises(WarehouseLocked) as exc, run_lock(tmp_path, "run-2"):
            pass
        assert time.monotonic() - t0 < 5
        assert re.fullmatch(
            rf"the warehouse {re.escape(str(tmp_path))} is being written by run run-holder-1 'nightly-otter' "
            rf"\(pid {holder.pid} on \S+, since \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\); wait for it to finish "
            r"and retry \(or pass --wait SECONDS\)",
            str(exc.value),
        ), str(exc.value)
        with (
            pytest.raises(WarehouseLocked, match=r"'nightly-otter' .*\(waited 0.3 s\)"),
            run_lock(tmp_path, "run-3", wait=0.3),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_waiting_run_takes_the_lock_when_the_holder_ends(tmp_path):
    holder = _holder(tmp_path, 1.5)
    t0 = time.monotonic()
    with run_lock(tmp_path, "run-2", wait=60, name="patient-run"):
        waited = time.monotonic() - t0
        assert '"name": "patient-run"' in (tmp_path / ".ingest.lock").read_text()
    assert 1.0 < waited < 30  # it waited for the holder's 1.5 s
    assert (tmp_path / ".ingest.lock").read_text() == ""  # released: the file no longer names a holder
    holder.wait()


def test_the_lock_of_a_killed_holder_is_free_at_once(tmp_path):
    holder = _holder(tmp_path, 60)
    holder.kill()
    holder.wait()
    with run_lock(tmp_path, "run-2"):  # flock: the kernel released it with the process
        pass
