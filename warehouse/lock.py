"""One ingest at a time per warehouse: an advisory file lock held for the whole run."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .loader import WarehouseLocked


@contextmanager
def run_lock(warehouse: Path, run_id: str) -> Iterator[None]:
    """Hold ``warehouse/.ingest.lock`` for the duration of a run.

    The lock is an ``flock`` on the file, so it is released by the kernel when the process dies
    (``kill -9`` included); the file's content names the run holding it.

    Raises:
        WarehouseLocked: when another run holds it, naming that run.
    """
    warehouse.mkdir(parents=True, exist_ok=True)
    path = warehouse / ".ingest.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
            try:
                info = json.loads(holder)
                who = f"run {info['run_id']} (pid {info['pid']}, since {info['since']})"
            except (ValueError, KeyError):
                who = "another run"
            raise WarehouseLocked(
                f"the warehouse {warehouse} is being written by {who}; wait for it to finish and retry"
            ) from None
        os.ftruncate(fd, 0)
        info = {"run_id": run_id, "pid": os.getpid(), "since": datetime.now(UTC).isoformat(timespec="seconds")}
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
