"""``corpus_etl_cli.main.exit_now``: the console script's exit skips the interpreter's teardown, nothing else.

Each case runs in a child interpreter (``os._exit`` ends the process it runs in).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# What a normal exit runs before the teardown, registered the way Prefect and logging register theirs.
PROGRAM = textwrap.dedent(
    """
    import atexit, logging, sys, threading, time
    from corpus_etl_cli.main import exit_now

    log = logging.getLogger("probe")
    log.addHandler(logging.FileHandler(sys.argv[1]))
    log.setLevel(logging.INFO)
    atexit.register(lambda: print("atexit ran"))
    threading._register_atexit(lambda: print("threading hook ran"))

    def late():
        time.sleep(0.3)
        print("non-daemon thread finished")

    threading.Thread(target=late).start()
    log.info("logged before exit")
    sys.stdout.write("buffered, no newline")
    code = eval(sys.argv[2])
    exit_now(code)
    """
)


def run(tmp_path, code: str, full_exit: bool = False) -> tuple[subprocess.CompletedProcess[str], str]:
    logfile = tmp_path / f"probe-{int(full_exit)}.log"
    env_extra = {"CORPUS_ETL_FULL_EXIT": "1"} if full_exit else {}

    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(logfile), code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env_extra},
    )
    return proc, logfile.read_text() if logfile.exists() else ""


@pytest.mark.parametrize(("code", "status"), [("0", 0), ("None", 0), ("3", 3), ("256 + 2", 2)])
def test_status_and_exit_hooks(tmp_path: Path, code: str, status: int) -> None:
    proc, logged = run(tmp_path, code)
    assert proc.returncode == status
    out = proc.stdout
    # the threading hooks and the wait for non-daemon threads come before the atexit functions, as in
    # the interpreter's own exit; buffered output is flushed
    assert out.index("threading hook ran") < out.index("atexit ran")
    assert out.index("non-daemon thread finished") < out.index("atexit ran")
    assert "buffered, no newline" in out
    assert logged == "logged before exit\n"  # the log handler was flushed and closed


def test_message_goes_to_stderr_with_status_1(tmp_path: Path) -> None:
    proc, _ = run(tmp_path, "'no files found under x'")
    assert proc.returncode == 1
    assert proc.stderr.strip() == "no files found under x"
    assert "atexit ran" in proc.stdout


def test_full_exit_is_the_normal_exit(tmp_path: Path) -> None:
    fast, _ = run(tmp_path, "'stop'")
    full, logged = run(tmp_path, "'stop'", full_exit=True)
    assert (full.returncode, full.stdout, full.stderr) == (fast.returncode, fast.stdout, fast.stderr)
    assert logged == "logged before exit\n"
