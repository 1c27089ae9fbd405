"""Allocators that return memory (corpus_etl.memory), in a fresh interpreter (they change the process)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import pyarrow as pa
from corpus_etl.memory import trim, use_returning_allocators
from corpus_etl.pipeline import warm_worker
before = pa.default_memory_pool().backend_name
warm_worker()  # a worker's initializer installs them
use_returning_allocators()  # idempotent
table = pa.table({"x": list(range(100_000))})
assert table.num_rows == 100_000
trim()
print(before, pa.default_memory_pool().backend_name)
"""


def test_workers_use_the_system_pool_and_trim_runs():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60)
    before, after = out.stdout.split()
    assert after == "system" and before != "system"
