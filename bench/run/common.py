"""The benchmark's sizes, worker count and paths (``bench/out/``), its error and its log line, and what code and
machine were measured."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

MIB = 1 << 20
DEFAULT_SIZES = (50.0, 200.0)
QUICK_SIZE = 10.0
ONE_GB = 1000.0
NAIVE_SIZE = 50.0
WORKERS = 2

BENCH_DIR = Path(__file__).resolve().parents[1]
REPO = BENCH_DIR.parent
OUT = BENCH_DIR / "out"
PREFECT_HOME = OUT / "prefect-home"


class BenchError(RuntimeError):
    """A measured command failed; the message says which and why."""


def log_stderr(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def code_version() -> dict[str, Any]:
    """The code measured: a hash of the product's packages, the git commit, uncommitted changes."""
    digest = hashlib.sha256()
    for pkg in ("corpus_etl", "flows", "tasks", "warehouse", "expectations"):
        for f in sorted((REPO / pkg).rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                digest.update(str(f.relative_to(REPO)).encode() + b"\0" + f.read_bytes())
    out: dict[str, Any] = {"product_sha256": digest.hexdigest()[:16], "git_commit": None, "uncommitted_changes": None}
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=20
        )
        out["git_commit"] = done.stdout.strip() or None
        st = subprocess.run(
            ["git", "status", "--porcelain", "--", "corpus_etl", "flows", "tasks", "warehouse", "expectations"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=20,
        )
        out["uncommitted_changes"] = bool(st.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def machine_facts() -> dict[str, Any]:
    from importlib import metadata

    mem = 0
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {}
    for pkg in ("duckdb", "pyarrow", "prefect", "langdetect", "great-expectations", "pandas"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_bytes": mem,
        "cpu_model": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }
