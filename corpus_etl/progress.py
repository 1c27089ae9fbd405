"""A hook for progress reports: the flow reports, the CLI (if any) draws. No-op by default."""

from __future__ import annotations

from collections.abc import Callable

Reporter = Callable[[str, int, int], None]
_reporter: Reporter | None = None


def set_reporter(fn: Reporter | None) -> None:
    """Install (or remove, with None) the function that receives (stage, done, total)."""
    global _reporter
    _reporter = fn


def report(stage: str, done: int, total: int) -> None:
    """Report progress of a stage; ignored when nobody listens."""
    if _reporter is not None:
        _reporter(stage, done, total)
