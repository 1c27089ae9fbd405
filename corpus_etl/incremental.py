"""Which known files vanished from the SOURCE arguments of a run (the deleted-file rule)."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from . import storage


def covered_by(path: str, sources: list[str]) -> bool:
    """Whether a run over ``sources`` would have found ``path`` had it existed.

    A directory argument covers every path below it, a file argument itself, a glob its matches.
    """
    for arg in sources:
        if storage.is_uri(arg) or storage.is_uri(path):  # an object is covered by its URI or a prefix of it
            root = arg.rstrip("/")
            if path == root or path.startswith(root + "/"):
                return True
            continue
        p = Path(arg).expanduser()
        if any(ch in arg for ch in "*?["):
            pattern = os.path.abspath(os.path.expanduser(arg))
            if fnmatch.fnmatch(path, pattern):
                return True
            continue
        root = str(p.resolve())
        if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
            return True
    return False


def vanished(known_paths: dict[str, str], discovered_ids: set[str], sources: list[str]) -> list[str]:
    """Source ids the warehouse knows under ``sources`` that the run did not find: deleted or moved files.

    Args:
        known_paths: source_id -> path of every file the warehouse knows (except those already deleted).
        discovered_ids: source ids found by this run.
        sources: the run's SOURCE arguments.

    Returns:
        Sorted ids of the files that are gone.
    """
    return sorted(sid for sid, path in known_paths.items() if sid not in discovered_ids and covered_by(path, sources))
