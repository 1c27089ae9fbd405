"""Reading a process's memory counters from /proc (the benchmark's samplers)."""

from __future__ import annotations


def status_kb(pid: int | str, path: str, key: bytes) -> int:
    """The kB value of the line starting with ``key`` in ``/proc/<pid>/<path>`` (``status``: VmRSS, VmHWM;
    ``smaps_rollup``: Pss), 0 when the process or the line is gone."""
    try:
        with open(f"/proc/{pid}/{path}", "rb") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0
