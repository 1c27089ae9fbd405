"""The temporary Prefect API of a command-line ingest, which ends with the process that started it.

Without ``PREFECT_API_URL`` Prefect starts a temporary API server (uvicorn, ~230 MB) in a subprocess and
stops it at exit; a ``kill -9`` (or a SIGTERM, whose default action skips the exit handlers) left it running
and listening. ``corpus-etl ingest`` therefore starts that server itself, the way Prefect does (the same
app factory, host, settings), but as ``python -m flows.apiserver PORT PARENT_PID``: the server watches its
parent (``corpus_etl.lifeline.die_with_parent``: the kernel's parent-death signal and a polling thread) and
ends with it, however the parent ends. ``temporary_api`` is the context manager the CLI runs the flow in.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker
from prefect.settings import PREFECT_API_URL, temporary_settings

from corpus_etl.lifeline import die_with_parent

# What Prefect's own temporary server runs with (prefect.server.api.server.SubprocessASGIServer).
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
STARTUP_TIMEOUT = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or 120)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy


def _healthy(url: str) -> bool:
    try:
        with _DIRECT.open(f"{url}/health", timeout=2) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def temporary_api(timeout: float = STARTUP_TIMEOUT) -> Iterator[str]:
    """Start a temporary Prefect API on 127.0.0.1 tied to this process, set ``PREFECT_API_URL`` to it for
    the block (this process and its children), then stop it.

    Yields:
        The API URL (``http://127.0.0.1:PORT/api``).

    Raises:
        RuntimeError: the server did not answer within ``timeout`` seconds (its exit status said).
    """
    proc: subprocess.Popen[bytes] | None = None
    for _attempt in range(3):  # a port taken between choosing and binding: another one
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "flows.apiserver", str(port), str(os.getpid())],
            env={**os.environ, **SERVER_ENV},
        )
        url = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline and not _healthy(url):
            time.sleep(0.1)
        if proc.poll() is None and _healthy(url):
            break
        _stop(proc)
    else:
        code = proc.returncode if proc is not None else None
        raise RuntimeError(f"the temporary Prefect API did not start within {timeout:g} s (exit status {code})")
    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
        _drain()  # the run's last logs and events reach the server before it stops
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
        _stop(proc)


def _drain(timeout: float = 15) -> None:
    """Send what Prefect's log and event workers still hold (they drain at exit otherwise, when this
    server would already be gone)."""
    for service in (APILogWorker, EventsWorker):
        try:
            service.drain_all(timeout=timeout, at_exit=False)
        except Exception:  # best effort: the run is recorded in the warehouse whatever the UI gets
            pass


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str]) -> None:
    """``python -m flows.apiserver PORT PARENT_PID``: serve Prefect's API until the parent dies or a signal."""
    port, parent = int(argv[0]), int(argv[1])
    die_with_parent(parent)

    uvicorn.run(
        "prefect.server.api.server:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="error",
        lifespan="on",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
