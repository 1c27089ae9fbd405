"""No process outlives the run that started it: helper processes end when their parent dies.

A ``corpus-etl ingest`` starts helper processes: the batch workers (a spawned process pool), the
multiprocessing resource tracker, the temporary Prefect API server. Killed with ``kill -9`` (or by the OOM
killer), the parent runs no clean-up, and each helper would live on: reparented, still holding memory and,
for the API server, still listening. Each helper therefore watches its parent itself:

- ``watch_parent``: a daemon thread polling ``os.getppid()``; when the parent has gone (the process was
  reparented), the process ends (``os._exit``, after ``on_orphan``). Works from any thread of the parent.
- ``die_with_parent``: also asks Linux to send a signal when the parent dies (``prctl(PR_SET_PDEATHSIG)``);
  use it only in a process started by a thread that lives as long as the parent (the death signal is sent
  when the thread that started the process ends).

The resource tracker needs neither: it exits when the last process holding its pipe (the parent and the
workers) has ended. Pure standard library; no Prefect.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5


def watch_parent(
    parent: int | None = None, poll: float = POLL_SECONDS, on_orphan: Callable[[], None] | None = None
) -> threading.Thread:
    """End this process (exit status 1) as soon as its parent ``parent`` (default: the current one) has died.

    Args:
        parent: the pid of the parent to outlive no longer (default ``os.getppid()`` now). When it is no
            longer this process's parent, the process has been orphaned.
        poll: seconds between checks.
        on_orphan: called first (best effort), e.g. to stop a server.

    Returns:
        The (daemon) watching thread.
    """
    ppid = os.getppid() if parent is None else parent

    def watch() -> None:
        while os.getppid() == ppid:
            time.sleep(poll)
        try:
            if on_orphan is not None:
                on_orphan()
        finally:
            os._exit(1)

    thread = threading.Thread(target=watch, name="corpus-etl-lifeline", daemon=True)
    thread.start()
    return thread


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent (thread) dies; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent: int, sig: int = signal.SIGTERM, poll: float = POLL_SECONDS) -> None:
    """Both guards: the kernel's death signal and the polling thread (which also catches a parent that died
    before the signal was set: then the process ends at once)."""
    set_parent_death_signal(sig)
    if os.getppid() != parent:
        os._exit(1)
    watch_parent(parent, poll)


def start_worker(parent: int) -> None:
    """Initializer of the flow's batch workers: watch the flow process (``parent``), then warm up
    (``pipeline.warm_worker``)."""
    watch_parent(parent)
    from .pipeline import warm_worker  # lazy: pyarrow, numpy only in a worker; lifeline is on the rerun path

    warm_worker()


def remove_stale_staging(staging_dir: os.PathLike[str] | str, keep: str) -> list[str]:
    """Remove the staging directories (``staging/<run_id>/``) of every run but ``keep``: what failed or
    interrupted runs left (20-87 MB each). Call it under the warehouse's run lock, when no other run can be
    writing its staging files.

    Returns:
        The names removed, sorted.
    """
    base = Path(staging_dir)
    if not base.is_dir():
        return []
    gone = sorted(p.name for p in base.iterdir() if p.name != keep and not p.is_symlink() and p.is_dir())
    for name in gone:
        shutil.rmtree(base / name, ignore_errors=True)
    return gone
