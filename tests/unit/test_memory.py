"""Allocators that return memory (corpus_etl.memory), in a fresh interpreter (they change the process)."""

from __future__ import annotations

import os
import subprocess
import sys

from corpus_etl.memory import ARROW_POOL_ENV

SCRIPT = """
import subprocess, sys
import pyarrow as pa
from corpus_etl.memory import trim, use_returning_allocators
from corpus_etl.pipeline import warm_worker
before = pa.default_memory_pool().backend_name
warm_worker()  # a worker's initializer installs them
use_returning_allocators()  # idempotent
table = pa.table({"x": list(range(100_000))})
assert table.num_rows == 100_000
trim()
# a process started now (a worker of the flow's pool) loads Arrow with the system allocator as its C++ default
child = "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"
started = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True).stdout.strip()
print(before, pa.default_memory_pool().backend_name, started)
"""


def test_workers_use_the_system_pool_and_trim_runs():
    env = {k: v for k, v in os.environ.items() if k != ARROW_POOL_ENV}  # (a flow run in this session sets it)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60, env=env
    )
    before, after, started = out.stdout.split()
    assert after == "system" and before != "system"
    assert started == "system"  # the Parquet writer's own allocations too (not only pyarrow's Python API)


def test_an_arrow_pool_chosen_by_the_user_is_kept():
    env = {**os.environ, ARROW_POOL_ENV: "mimalloc"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60, env=env
    )
    assert out.stdout.split()[2] == "mimalloc"


CLI = "import corpus_etl_cli.main, pyarrow as pa; print(pa.default_memory_pool().backend_name)"


def test_the_cli_process_loads_arrow_with_the_system_pool_unless_told_otherwise():
    env = {k: v for k, v in os.environ.items() if k != ARROW_POOL_ENV}
    run = [sys.executable, "-c", CLI]
    assert subprocess.run(run, capture_output=True, text=True, check=True, timeout=60, env=env).stdout.strip() == (
        "system"
    )
    env[ARROW_POOL_ENV] = "mimalloc"
    assert subprocess.run(run, capture_output=True, text=True, check=True, timeout=60, env=env).stdout.strip() == (
        "mimalloc"
    )


DEFER = """
import sys
from corpus_etl.memory import defer_imports, is_deferred
assert "colorsys" not in sys.modules and "email.quoprimime" not in sys.modules
print(defer_imports("colorsys", "email.quoprimime", "no_such_module_here", "sys"))
import colorsys
from email import quoprimime
print(is_deferred("colorsys"), is_deferred("email.quoprimime"))
print(colorsys.rgb_to_hsv(1.0, 0.0, 0.0), quoprimime.header_encode(b"a b"))
real = sys.modules["colorsys"].__file__.endswith("colorsys.py")
print(is_deferred("colorsys"), is_deferred("email.quoprimime"), real)
try:
    import no_such_module_here
except ModuleNotFoundError:
    print("missing")
"""


def test_deferred_modules_load_on_first_use():
    out = subprocess.run([sys.executable, "-c", DEFER], capture_output=True, text=True, check=True, timeout=60)
    lines = out.stdout.splitlines()
    assert lines[0] == "['colorsys', 'email.quoprimime']"  # installed and not imported yet: deferred
    assert lines[1] == "True True"  # importing them costs nothing
    assert lines[2] == "(0.0, 1.0, 1.0) =?iso-8859-1?q?a_b?="  # the real functions at first use
    assert lines[3] == "False False True"  # and the real modules replaced the stand-ins
    assert lines[4] == "missing"
