"""Find the input files named by SOURCE arguments and plan which of them need processing."""

from __future__ import annotations

import glob
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class SourceNotFound(FileNotFoundError):
    """A SOURCE argument names nothing that exists."""


@dataclass(frozen=True)
class SourceFile:
    """A discovered input file (stat taken at discovery)."""

    path: str
    source_id: str
    size_bytes: int
    mtime: datetime


@dataclass(frozen=True)
class KnownSource:
    """What the warehouse remembers of a file from its last load."""

    size_bytes: int
    mtime: datetime | None
    sha256: str | None
    status: str


def source_id_for(path: str) -> str:
    """Stable id of a source: sha256 of its absolute path, 16 hex digits."""
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:16]


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def expand_sources(sources: list[str]) -> list[str]:
    """Expand SOURCE arguments (files, directories searched recursively, globs) to absolute file paths.

    Hidden files and directories below a directory argument are skipped. The result is sorted and
    without duplicates, so a run's batches are deterministic.

    Raises:
        SourceNotFound: when an argument matches nothing.
    """
    found: set[str] = set()
    for arg in sources:
        p = Path(arg).expanduser()
        if p.is_file():
            found.add(str(p.resolve()))
        elif p.is_dir():
            root = p.resolve()
            for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in filenames:
                    if not name.startswith("."):
                        found.add(str(Path(dirpath, name)))
        else:
            matches = glob.glob(os.path.expanduser(arg), recursive=True)
            files = [m for m in matches if Path(m).is_file()]
            if not matches:
                raise SourceNotFound(f"no such file, directory or glob match: {arg}")
            found.update(str(Path(m).resolve()) for m in files)
    return sorted(found)


def stat_file(path: str) -> SourceFile:
    """Stat a file into a ``SourceFile`` (size 0 and epoch mtime when it cannot be stat'ed)."""
    try:
        st = os.stat(path)
        size, mtime = st.st_size, datetime.fromtimestamp(st.st_mtime, tz=UTC)
    except OSError:
        size, mtime = 0, datetime.fromtimestamp(0, tz=UTC)
    return SourceFile(path=path, source_id=source_id_for(path), size_bytes=size, mtime=mtime)


def file_sha256(path: str) -> str | None:
    """sha256 of a file, streamed; None when it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def plan(files: list[SourceFile], known: dict[str, KnownSource]) -> tuple[list[SourceFile], list[SourceFile]]:
    """Split discovered files into (to process, unchanged).

    A file is unchanged when it was loaded before and its sha256 is the same: a different size decides
    cheaply, a same-size file is hashed to confirm (a touched file with the same bytes is skipped).

    Args:
        files: discovered files.
        known: the warehouse's memory of files by source_id.

    Returns:
        The files to process and the unchanged files.
    """
    todo: list[SourceFile] = []
    same: list[SourceFile] = []
    for f in files:
        k = known.get(f.source_id)
        if k is None or k.status not in ("loaded", "skipped") or k.size_bytes != f.size_bytes:
            todo.append(f)
        elif file_sha256(f.path) == k.sha256:
            same.append(f)
        else:
            todo.append(f)
    return todo, same


def make_batches(files: list[SourceFile], max_files: int, max_bytes: int) -> list[list[SourceFile]]:
    """Group files into batches of at most ``max_files`` files or about ``max_bytes`` bytes."""
    batches: list[list[SourceFile]] = []
    cur: list[SourceFile] = []
    size = 0
    for f in files:
        cur.append(f)
        size += f.size_bytes
        if len(cur) >= max_files or size >= max_bytes:
            batches.append(cur)
            cur, size = [], 0
    if cur:
        batches.append(cur)
    return batches
