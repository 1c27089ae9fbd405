"""Timing a command from outside: wall time, CPU and peak RSS of its process tree (sampled from /proc, and GNU
``time`` when it works), and what else kept the machine busy meanwhile."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.procfs import status_kb
from bench.run.common import REPO

POLL_SECONDS = 0.2
GNU_TIME = Path("/usr/bin/time")


# ==================================================================================================
# Measuring a command: wall time, peak RSS/PSS of its process tree (polled in /proc), CPU


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, utime + stime in clock ticks) of every process."""
    out: dict[int, tuple[int, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                raw = fh.read()
        except OSError:
            continue
        rest = raw[raw.rfind(b")") + 2 :].split()
        out[int(name)] = (int(rest[1]), int(rest[11]) + int(rest[12]))
    return out


def _role(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    if "uvicorn" in cmd or "prefect.server" in cmd:
        return "prefect_server"
    if "resource_tracker" in cmd:
        return "resource_tracker"
    if "multiprocessing" in cmd:
        return "worker"
    if "corpus-etl" in cmd or "corpus_etl" in cmd:
        return "flow"
    return "other"


def _system_busy_seconds() -> float:
    with open("/proc/stat") as fh:
        vals = [int(v) for v in fh.readline().split()[1:9]]
    return (sum(vals) - vals[3] - vals[4]) / os.sysconf("SC_CLK_TCK")


def _loadavg() -> list[float]:
    with open("/proc/loadavg") as fh:
        return [float(v) for v in fh.read().split()[:3]]


def _cpu_seconds(pids: Iterable[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                rest = fh.read().rsplit(b")", 1)[1].split()
            ticks += int(rest[11]) + int(rest[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


class Clock:
    """Times a block in this process (and its pool's workers): wall seconds, their CPU seconds, and the
    cores that other processes on the machine kept busy meanwhile (a measure of the noise)."""

    def __init__(self, pool: ProcessPoolExecutor | None = None) -> None:
        workers = getattr(pool, "_processes", None) or {}
        self.pids = [os.getpid(), *workers]
        self.seconds = 0.0
        self.cpu_s = 0.0
        self.other_cpu_cores = 0.0

    def __enter__(self) -> Clock:
        self.busy0 = _system_busy_seconds()
        self.cpu0 = _cpu_seconds(self.pids)
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0
        self.cpu_s = _cpu_seconds(self.pids) - self.cpu0
        busy = _system_busy_seconds() - self.busy0
        self.other_cpu_cores = max(0.0, busy - self.cpu_s) / self.seconds if self.seconds else 0.0

    def facts(self) -> dict[str, float]:
        return {
            "seconds": round(self.seconds, 2),
            "cpu_s": round(self.cpu_s, 2),
            "other_cpu_cores": round(self.other_cpu_cores, 2),
        }


class TreeSampler(threading.Thread):
    """Polls the process tree under ``root`` every ``interval`` seconds: RSS and PSS sums, their peaks.

    Costs a few ms of CPU a sample (a scan of /proc/*/stat, the tree's /proc/PID/status), about 2 % of a core."""

    def __init__(self, root: int, interval: float = POLL_SECONDS, skip_root: bool = False) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.skip_root = skip_root
        self.halt = threading.Event()
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self.pss_checked_rss_kb = 0
        self.peak_breakdown: dict[str, int] = {}
        self.peak_processes = 0
        self.max_processes = 0
        self.samples = 0
        self.cpu_ticks: dict[int, int] = {}
        self.roles: dict[int, str] = {}
        self.timeline: list[tuple[float, int, dict[str, int]]] = []
        self.t0 = time.perf_counter()

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.interval)

    def sample(self) -> None:
        table = _proc_table()
        kids: dict[int, list[int]] = {}
        for pid, (ppid, _) in table.items():
            kids.setdefault(ppid, []).append(pid)
        tree: list[int] = []
        todo = [self.root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(kids.get(pid, []))
        if self.skip_root:
            tree = [p for p in tree if p != self.root]
        tree = [pid for pid in tree if pid in table]
        rss = 0
        breakdown: Counter[str] = Counter()
        for pid in tree:
            self.cpu_ticks[pid] = table[pid][1]
            if pid not in self.roles:
                self.roles[pid] = _role(pid)
            r = status_kb(pid, "status", b"VmRSS:")
            rss += r
            breakdown[self.roles[pid]] += r
        self.samples += 1
        self.max_processes = max(self.max_processes, len(tree))
        new_peak = rss > self.peak_rss_kb
        if new_peak:
            self.peak_rss_kb = rss
            self.peak_breakdown = dict(breakdown)
            self.peak_processes = len(tree)
        # PSS walks the page tables (~10 ms per large process): only every 5 s and when the RSS sum passes
        # the last PSS check's by 5 %, so that the sampler itself stays around 1 % of a core.
        if (new_peak and rss > 1.05 * self.pss_checked_rss_kb) or self.samples % 25 == 1:
            pss = sum(status_kb(pid, "smaps_rollup", b"Pss:") for pid in tree)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.pss_checked_rss_kb = max(self.pss_checked_rss_kb, rss)
        t = time.perf_counter() - self.t0
        if not self.timeline or t - self.timeline[-1][0] >= 5.0:
            self.timeline.append((round(t, 1), rss, dict(breakdown)))

    def stop(self) -> None:
        self.halt.set()
        self.join()


def _gnu_time_works() -> bool:
    if not GNU_TIME.is_file():
        return False
    try:
        done = subprocess.run([str(GNU_TIME), "-v", "true"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and "Maximum resident set size" in done.stderr


def _parse_gnu_time(text: str) -> dict[str, float]:
    keys = {
        "Maximum resident set size (kbytes)": "max_rss_kb",
        "User time (seconds)": "user_s",
        "System time (seconds)": "sys_s",
        "Percent of CPU this job got": "cpu_percent",
    }
    out: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.strip().rpartition(": ")
        if name in keys:
            try:
                out[keys[name]] = float(value.rstrip("%"))
            except ValueError:
                pass
    return out


def run_measured(cmd: Sequence[str], env: dict[str, str], log_path: Path, use_time: bool) -> dict[str, Any]:
    """Run ``cmd`` (cwd = the repository) and measure it; stdout and stderr go to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    time_out = log_path.with_suffix(".time")
    full = [str(GNU_TIME), "-v", "-o", str(time_out), *cmd] if use_time else list(cmd)
    busy0 = _system_busy_seconds()
    load0 = _loadavg()
    with open(log_path, "wb") as out:
        started = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid, skip_root=use_time)
        sampler.start()
        rc = proc.wait()
        wall = time.perf_counter() - t0
        ended = time.time()
        sampler.stop()
    busy = _system_busy_seconds() - busy0
    gt = _parse_gnu_time(time_out.read_text()) if use_time and time_out.is_file() else {}
    tree_cpu = (
        gt["user_s"] + gt["sys_s"] if "user_s" in gt else sum(sampler.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")
    )
    result: dict[str, Any] = {
        "rc": rc,
        "wall_s": round(wall, 3),
        "started_epoch": started,
        "ended_epoch": ended,
        "peak_rss_tree_bytes": sampler.peak_rss_kb * 1024,
        "peak_pss_tree_bytes": sampler.peak_pss_kb * 1024,
        "peak_rss_by_role_bytes": {k: v * 1024 for k, v in sorted(sampler.peak_breakdown.items())},
        "processes_at_peak": sampler.peak_processes,
        "max_processes": sampler.max_processes,
        "largest_process_max_rss_bytes": int(gt["max_rss_kb"] * 1024) if "max_rss_kb" in gt else None,
        "cpu_s": round(tree_cpu, 2),
        # polled from /proc (misses each process's last 0.2 s); GNU time misses processes their parent never
        # waited for (datatrove's forkserver workers), so the peers report the larger of the two
        "cpu_s_polled": round(sum(sampler.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK"), 2),
        "cpu_cores_used": round(tree_cpu / wall, 2) if wall else None,
        "other_cpu_cores": round(max(0.0, busy - tree_cpu) / wall, 2) if wall else None,
        "loadavg_before": load0,
        "loadavg_after": _loadavg(),
        "rss_samples": sampler.samples,
        "rss_timeline": [
            {"t": t, "rss_bytes": kb * 1024, "by_role_bytes": {k: v * 1024 for k, v in sorted(roles.items())}}
            for t, kb, roles in sampler.timeline
        ],
        "log": str(log_path.relative_to(REPO)) if log_path.is_relative_to(REPO) else str(log_path),
    }
    if rc != 0:
        result["output_tail"] = log_path.read_text(errors="replace")[-2000:]
    return result
