"""Allocators that give memory back: the flow and its workers hold one batch at a time, and their RSS
should fall back after it, not keep the high-water mark of every batch.

- pyarrow's default pool (jemalloc or mimalloc) keeps freed pages for reuse; the system allocator returns
  them (measured on a 10 MB run: the flow process peaked 60-70 MB lower). ``pa.set_memory_pool`` changes only
  the pool pyarrow's Python API passes; Arrow's C++ code that takes no pool (the Parquet writer's encoders
  and compression) allocates from the default pool the library chose when it loaded, read from
  ``ARROW_DEFAULT_MEMORY_POOL``. Left at mimalloc, a batch worker kept about 45 MiB more at its peak (a
  1 GiB mimalloc arena, 40-50 MiB of it resident). Too late for a process that has loaded pyarrow, so
  ``use_returning_allocators`` sets the variable for the processes it starts (the flow's workers), and
  ``corpus_etl_cli.main`` sets it before anything loads pyarrow (the flow process itself).
- glibc gives each thread that allocates its own arena (up to 8 per core); the flow runs a thread pool and
  DuckDB's threads, so freed memory sits in many arenas. Two arenas, and ``malloc_trim`` after each batch
  and at the end of big steps, return it.
- A library may import at its top level modules that only some of its features use (GX imports
  ``scipy.stats`` and ``altair`` for expectations and renderers the suites do not use: 75 MB of the flow
  process). ``defer_imports`` makes such a module load when one of its attributes is first read instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import importlib.util
import os
import sys
import threading
import types
from typing import Any

_M_ARENA_MAX = -8  # glibc's mallopt parameter
_lock = threading.Lock()
_done = False
_libc: ctypes.CDLL | None = None
_defer_lock = threading.RLock()  # re-entrant: importing a deferred module may use another one


def _glibc() -> ctypes.CDLL | None:
    global _libc
    if _libc is None:
        name = ctypes.util.find_library("c")
        try:
            lib = ctypes.CDLL(name or "libc.so.6")
            lib.mallopt  # noqa: B018 - glibc only
            lib.malloc_trim  # noqa: B018
        except (OSError, AttributeError):
            return None
        _libc = lib
    return _libc


ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def prefer_system_arrow_pool() -> None:
    """Processes that load Arrow from now on (this one, if it has not yet) take the system allocator as its
    C++ default pool, unless the environment already names one."""
    os.environ.setdefault(ARROW_POOL_ENV, "system")


def use_returning_allocators() -> None:
    """Make this process's allocators return freed memory (pyarrow's system pool; two glibc arenas), and
    the processes it starts from now on load Arrow with the system allocator as its C++ default
    (``ARROW_DEFAULT_MEMORY_POOL=system`` unless the environment already says otherwise). Idempotent; the
    glibc part is a no-op where glibc is not the C library."""
    global _done
    with _lock:
        if _done:
            return
        prefer_system_arrow_pool()
        import pyarrow as pa  # lazy: the CLI imports this module at start-up; pyarrow costs ~0.3 s

        pa.set_memory_pool(pa.system_memory_pool())
        libc = _glibc()
        if libc is not None:
            libc.mallopt(_M_ARENA_MAX, 2)
        _done = True


def trim() -> None:
    """Give the C heap's free memory back to the system (``malloc_trim(0)``; a no-op without glibc)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


class _Deferred(types.ModuleType):
    """Stands in ``sys.modules`` for a module not imported yet; the first read of an attribute the stand-in
    does not have (anything but the module's name) imports the real module, which then replaces it."""

    def __getattr__(self, attr: str) -> Any:
        with _defer_lock:
            real = sys.modules.get(self.__name__)
            if real is None or real is self:  # first use: import the real module in our place
                sys.modules.pop(self.__name__, None)
                try:
                    real = importlib.import_module(self.__name__)
                except BaseException:
                    sys.modules.setdefault(self.__name__, self)
                    raise
            self.__dict__.update({k: v for k, v in vars(real).items() if k != "__class__"})
        return getattr(real, attr)


def defer_imports(*names: str) -> list[str]:
    """Put a stand-in for each module of ``names`` not imported yet in ``sys.modules``, so that importing it
    (``import x``, ``from pkg import x``) costs nothing until an attribute of it is used; then the real module
    is imported (``_Deferred``). A module not installed is left alone (its importers see the usual error).

    Returns:
        The names deferred now.
    """
    done = []
    with _defer_lock:
        for name in names:
            if name in sys.modules:
                continue
            try:
                spec = importlib.util.find_spec(name)  # imports the parent package of a submodule
            except (ImportError, ValueError):
                spec = None
            if spec is None or name in sys.modules:
                continue
            sys.modules[name] = _Deferred(name)
            done.append(name)
    return done


def is_deferred(name: str) -> bool:
    """Whether module ``name`` is still a stand-in of ``defer_imports`` (never used)."""
    return isinstance(sys.modules.get(name), _Deferred)
