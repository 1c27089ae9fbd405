"""One ingest at a time per warehouse: an advisory file lock held for the whole run."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .loader import WarehouseLocked


@contextmanager
def run_lock(warehouse: Path, run_id: str, wait: float = 0.0, name: str | None = None) -> Iterator[None]:
    """Hold ``warehouse/.ingest.lock`` for the duration of a run.

    The lock is an ``flock`` on the file, so it is released by the kernel when the process dies
    (``kill -9`` included); the file's content names the run holding it (run id, Prefect flow-run
    name, pid, host, since when).

    Args:
        warehouse: the warehouse directory.
        run_id: the run taking the lock (the Prefect flow-run id).
        wait: seconds to wait for a run holding the lock to finish; 0 = refuse at once.
        name: the run's human name (the Prefect flow-run name), written beside its id.

    Raises:
        WarehouseLocked: when another run holds it (still, after ``wait`` seconds), naming that run.
    """
    warehouse.mkdir(parents=True, exist_ok=True)
    path = warehouse / ".ingest.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    waited = f" (waited {wait:g} s)" if wait > 0 else ""
                    raise WarehouseLocked(
                        f"the warehouse {warehouse} is being written by {_holder(fd)}{waited}; "
                        "wait for it to finish and retry" + ("" if wait > 0 else " (or pass --wait SECONDS)")
                    ) from None
                time.sleep(min(0.2, max(deadline - time.monotonic(), 0.01)))
        os.ftruncate(fd, 0)
        info = {
            "run_id": run_id,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if name:
            info["name"] = name
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int, attempts: int = 20, pause: float = 0.05) -> str:
    """Who holds the lock, from the lock file (re-read briefly: the holder writes it just after locking)."""
    for _ in range(attempts):
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
        try:
            info = json.loads(text)
            where = f" on {info['host']}" if info.get("host") else ""
            named = f" '{info['name']}'" if info.get("name") else ""
            return f"run {info['run_id']}{named} (pid {info['pid']}{where}, since {info['since']})"
        except (ValueError, KeyError, TypeError, AttributeError):
            time.sleep(pause)
    return "another run (its lock file does not say which)"
