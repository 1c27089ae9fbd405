"""Find the input files named by SOURCE arguments and plan which of them need processing."""

from __future__ import annotations

import errno
import glob
import hashlib
import logging
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import storage

_log = logging.getLogger(__name__)

# Read errors that a retry cannot cure: the file is gone, forbidden, or not a file.
_PERMANENT_ERRNOS = frozenset(
    {errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ELOOP, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG, errno.ENXIO}
)


class SourceNotFound(FileNotFoundError):
    """A SOURCE argument names nothing that exists."""


class SourceUnreadable(SourceNotFound):
    """A SOURCE argument exists but cannot be listed or is not a regular file (reported like SourceNotFound)."""


class SourceReadError(OSError):
    """A discovered file could not be read; ``str()`` is the one-line reason for ``sources.error``."""

    def __str__(self) -> str:
        return str(self.strerror)


@dataclass(frozen=True)
class SourceFile:
    """A discovered input file (stat taken at discovery)."""

    path: str
    source_id: str
    size_bytes: int
    mtime: datetime
    # the SOURCE argument the file was found through (``expand_with_collections``); None when not known
    collection: str | None = None


@dataclass(frozen=True)
class KnownSource:
    """What the warehouse remembers of a file from its last load."""

    size_bytes: int
    mtime: datetime | None
    sha256: str | None
    status: str
    seen_at: datetime | None = None  # start of the run that last saw the file (read, hashed or stat'ed it)


# A file modified less than this before the run that read it may have been modified again within the same
# mtime tick after the read (Linux stamps mtimes from a coarse clock; FAT and some network mounts keep 1-2 s):
# its size and mtime cannot vouch for it, its sha256 must (git's "racily clean" entries).
RACY_SECONDS = 2.0


def source_id_for(path: str) -> str:
    """Stable id of a source: sha256 of its absolute path, 16 hex digits.

    The path is hashed as the bytes the file system holds, so a name that is not valid UTF-8 (Python
    keeps its undecodable bytes as lone surrogates) gets an id too; a valid name hashes as before.
    """
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def display_path(path: str) -> str:
    """The path as text that can be stored (valid UTF-8): undecodable bytes of a name become ``\\xNN``.

    A name that is valid UTF-8 is returned unchanged; ``source_id_for`` still hashes the real bytes.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISDIR(mode):
        return "directory"
    return "special file"


def _is_input(path: str) -> bool:
    """Whether a path found under a SOURCE is an input: a regular file, or a link that cannot be followed.

    A link that loops or dangles is kept, so that it is recorded as failed with the reason, and so is a
    name whose path is longer than the system allows (PATH_MAX). FIFOs, sockets and devices are skipped
    (reading a FIFO blocks until someone writes to it).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return exc.errno == errno.ENAMETOOLONG or os.path.islink(path)
    if stat.S_ISREG(mode):
        return True
    if not stat.S_ISDIR(mode):
        _log.warning("skipped %s: not a regular file (%s)", display_path(path), _file_kind(mode))
    return False


def _walk_error(found: set[str]) -> Callable[[OSError], None]:
    """os.walk's error hook: a directory that vanished is nothing lost; one that cannot be listed (no
    permission, a path longer than the system allows) is kept as an input of its own, so that it is
    recorded as failed with the reason (``read_source`` says why) and the run goes on."""

    def hook(exc: OSError) -> None:
        if exc.errno != errno.ENOENT and exc.filename is not None:
            found.add(os.fsdecode(exc.filename))

    return hook


def _enterable(dirpath: str) -> bool:
    """Whether the files of a listed directory can be reached (a directory with read but no execute
    permission lists its names, but none of them can be opened or stat'ed)."""
    try:
        os.stat(os.path.join(dirpath, "."))
    except OSError:
        return False
    return True


def _is_dir(path: str) -> bool:
    try:
        return os.path.isdir(path)
    except (OSError, ValueError):
        return False


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _inside(path: str, root: Path) -> bool:
    return path == str(root) or path.startswith(str(root).rstrip(os.sep) + os.sep)


def _through_link(path: str, root: Path, follow_symlinks: bool) -> str | None:
    """What discovery keeps for a symbolic link found under ``root``: its target when that is a file inside
    ``root`` (or anywhere, with ``follow_symlinks``), the link itself when the target is outside ``root`` (it
    is recorded as failed and not read: ``read_source`` refuses a link that can be followed) or when the link
    dangles or loops (it fails when read, with the reason), None for a link to a directory inside ``root``
    (the walk reaches its files) or to something that is not a file."""
    try:
        target = os.path.realpath(path, strict=True)
    except (OSError, RuntimeError):
        return path
    outside = not _inside(target, root)
    if outside and (not follow_symlinks or os.path.isdir(target)):
        return path if os.path.isfile(target) or os.path.isdir(target) else None
    return target if _is_input(target) else None


def expand_sources(sources: list[str], follow_symlinks: bool = False) -> list[str]:
    """Expand SOURCE arguments (files, directories searched recursively, globs) to absolute file paths.

    Hidden files and directories below a directory argument are skipped, and so are FIFOs, sockets and
    devices (a FIFO would block the read); symbolic links to directories are not followed. A link that
    loops or dangles is kept: it fails when read, with the reason in ``sources``. A link under a directory
    argument (to a file or a directory) whose target is outside that directory is kept as the link: it is
    recorded as failed and not read (``read_source``), unless ``follow_symlinks`` (then a link to a file is read
    as its target; links to directories are never followed); a link to a file inside it is its target. A glob
    match that is such a link is kept the same way (outside: outside the glob's fixed directory). A directory under an
    argument that cannot be listed or entered (permissions, a path longer than PATH_MAX) is kept as an
    input of its own: it fails when read, with the reason, and the run goes on. The result is sorted
    and without duplicates, so a run's batches are deterministic.

    Raises:
        SourceNotFound: when an argument matches nothing.
        SourceUnreadable: when an argument is a FIFO, socket or device, or cannot be reached (a subclass
            of SourceNotFound).
    """
    return sorted(_expand(sources, follow_symlinks))


def expand_with_collections(sources: list[str], follow_symlinks: bool = False) -> list[tuple[str, str]]:
    """``expand_sources`` with each file's collection: the SOURCE argument it was found through (a directory or a
    file as its absolute path, a glob or an ``s3://`` prefix as given), the first one when several reach it."""
    return sorted(_expand(sources, follow_symlinks).items())


def _expand(sources: list[str], follow_symlinks: bool) -> dict[str, str]:
    """Path -> the argument (collection) that reached it first (see ``expand_sources``)."""
    found: dict[str, str] = {}
    for arg in sources:
        _expand_one(arg, follow_symlinks, found)
    return found


def _expand_one(arg: str, follow_symlinks: bool, out: dict[str, str]) -> None:
    """Add the files ``arg`` reaches to ``out`` (path -> collection), keeping a path's first collection."""
    found: set[str] = set()
    if storage.is_uri(arg):  # s3://bucket/key (one object) or s3://bucket/prefix (everything under it)
        try:
            found.update(o.uri for o in storage.list_objects(arg))
        except FileNotFoundError as exc:
            raise SourceNotFound(str(exc)) from None
        except storage.StorageError as exc:
            raise SourceUnreadable(str(exc)) from None
        collection = arg
    else:
        p = Path(arg).expanduser()
        _expand_path(arg, follow_symlinks, found)
        collection = str(p.resolve()) if p.exists() else os.path.abspath(os.path.expanduser(arg))
    for path in found:
        out.setdefault(path, collection)


def _expand_path(arg: str, follow_symlinks: bool, found: set[str]) -> None:
    """Add the files a file, directory or glob argument reaches to ``found``."""
    p = Path(arg).expanduser()
    try:
        is_file, is_dir = p.is_file(), p.is_dir()
    except OSError as exc:  # e.g. a parent directory that may not be entered
        raise SourceUnreadable(f"cannot read {arg}: {exc.strerror or exc}") from exc
    if is_file:
        found.add(str(p.resolve()))
    elif is_dir:
        root = p.resolve()
        for dirpath, dirnames, filenames in os.walk(root, onerror=_walk_error(found), followlinks=False):
            if not _enterable(dirpath):  # listed but not enterable: one failed row for the directory
                found.add(dirpath)
                dirnames[:] = []
                continue
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in [*filenames, *dirnames]:  # (os.walk lists a link to a directory as a directory)
                full = os.path.join(dirpath, name)
                if name.startswith("."):
                    continue
                if os.path.islink(full):
                    kept = _through_link(full, root, follow_symlinks)
                    if kept is not None:
                        found.add(kept)
                elif name in filenames and _is_input(full):
                    found.add(full)
    elif p.exists():
        raise SourceUnreadable(f"not a regular file ({_file_kind(p.stat().st_mode)}): {arg}")
    else:
        pattern = os.path.expanduser(arg)
        matches = glob.glob(pattern, recursive=True)
        files = [m for m in matches if not os.path.isdir(m) and _is_input(m)]
        if not matches:
            raise SourceNotFound(f"no such file, directory or glob match: {arg}")
        base = _glob_base(pattern)
        for m in files:
            if os.path.islink(m):
                kept = _through_link(
                    os.path.join(_absolute(os.path.dirname(m) or "."), os.path.basename(m)), base, follow_symlinks
                )
                if kept is not None:
                    found.add(kept)
            else:
                found.add(_absolute(m))


def _glob_base(pattern: str) -> Path:
    """The directory a glob pattern cannot leave: its leading components without wildcards, resolved."""
    parts: list[str] = []
    for part in Path(pattern).parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts).resolve() if parts else Path.cwd().resolve()


def _absolute(path: str) -> str:
    """The resolved absolute path; for a link that cannot be followed, the link itself in its resolved folder."""
    try:
        return str(Path(path).resolve(strict=True))
    except (OSError, RuntimeError):
        return os.path.join(Path(path).absolute().parent.resolve(), os.path.basename(path))


def stat_file(path: str, collection: str | None = None) -> SourceFile:
    """Stat a file (or an ``s3://`` object) into a ``SourceFile`` (size 0 and epoch mtime when it cannot be stat'ed);
    ``collection``: the SOURCE argument it was found through."""
    if storage.is_uri(path):
        info = storage.stat(path)
        size, mtime = (info.size, info.mtime) if info else (0, datetime.fromtimestamp(0, tz=UTC))
        return SourceFile(path, source_id_for(path), size, mtime, collection)
    try:
        st = os.lstat(path)  # a link kept by discovery is not read: its target is not stat'ed either
        size, mtime = st.st_size, datetime.fromtimestamp(st.st_mtime, tz=UTC)
    except OSError:
        size, mtime = 0, datetime.fromtimestamp(0, tz=UTC)
    return SourceFile(path, source_id_for(path), size, mtime, collection)


def file_sha256(path: str) -> str | None:
    """sha256 of a file (or an ``s3://`` object), streamed; None when it cannot be read."""
    if storage.is_uri(path):
        return storage.sha256(path)
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


@dataclass(frozen=True)
class ReadResult:
    """The bytes of a file as read, and the file's size and mtime as they were for those bytes."""

    data: bytes
    mtime: datetime
    attempts: int  # reads it took (more than one when a read failed or the file changed while read)
    stable: bool  # False when the file was still changing on the last attempt (the bytes are what was read)


def read_source(
    path: str, attempts: int = 3, backoff: float = 0.2, sleep: Callable[[float], None] | None = None
) -> ReadResult:
    """Read a discovered file whole, retrying transient failures a bounded number of times.

    The file is opened without blocking and must be a regular file (a FIFO or device put in its place
    fails at once). A file that vanished since discovery, a dangling or looping link, a directory and
    a permission error fail at once: a retry would not change them. Any other ``OSError`` (EIO, ESTALE
    on a network mount, EAGAIN, ...) is retried after ``backoff``, ``2 * backoff``, ... seconds. A file
    whose size or mtime changes while it is read is read again; if it is still changing after the last
    attempt its bytes as read are returned with ``stable=False``: the sha256 recorded for them differs
    from the file's, so the next run processes it again.

    Raises:
        SourceReadError: with a one-line reason ("cannot read: ...").
    """
    sleep = time.sleep if sleep is None else sleep
    last: OSError | None = None
    result: ReadResult | None = None
    for attempt in range(1, attempts + 1):
        if attempt > 1:
            sleep(backoff * 2 ** (attempt - 2))
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
        if os.path.islink(path):
            _refuse_link(path)  # a link that can be followed reaches here only when it leaves the SOURCE
        else:
            flags |= os.O_NOFOLLOW  # (and a link put in the file's place since is not followed either)
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            if exc.errno in _PERMANENT_ERRNOS:
                raise SourceReadError(exc.errno, _read_reason(path, exc)) from exc
            last = exc
            continue
        try:
            before = os.fstat(fd)
            if stat.S_ISDIR(before.st_mode):
                raise SourceReadError(errno.EISDIR, _directory_reason(path))
            if not stat.S_ISREG(before.st_mode):
                raise SourceReadError(errno.EINVAL, f"cannot read: not a regular file ({_file_kind(before.st_mode)})")
            # Read the size stat'ed at open (a file appended to faster than it is read must not keep the
            # read going); a file that stats as empty (procfs-like) is read to its end.
            left = before.st_size or -1
            chunks: list[bytes] = []
            while left:
                chunk = os.read(fd, left if 0 < left < 1 << 24 else 1 << 24)
                if not chunk:
                    break
                chunks.append(chunk)
                left = max(left - len(chunk), 0) if left > 0 else left
            after = os.fstat(fd)
        except SourceReadError:
            raise
        except MemoryError as exc:  # a file larger than the memory left: no retry would fit it either
            raise SourceReadError(errno.ENOMEM, f"cannot read: out of memory reading {before.st_size} bytes") from exc
        except OSError as exc:
            if exc.errno in _PERMANENT_ERRNOS:
                raise SourceReadError(exc.errno, _read_reason(path, exc)) from exc
            last = exc
            continue
        finally:
            os.close(fd)
        data = b"".join(chunks)
        stable = before.st_size == after.st_size == len(data) and before.st_mtime_ns == after.st_mtime_ns
        result = ReadResult(data, datetime.fromtimestamp(after.st_mtime, tz=UTC), attempt, stable)
        if stable:
            return result
    if result is not None:
        return result
    assert last is not None
    raise SourceReadError(last.errno or errno.EIO, f"{_read_reason(path, last)} (after {attempts} attempts)") from last


def _refuse_link(path: str) -> None:
    """Raise ``SourceReadError`` for a symbolic link that can be followed (discovery keeps a link only when its
    target leaves the SOURCE tree and ``--follow-symlinks`` is off, or when it dangles or loops: those fail
    when opened, with their reason); return for one that cannot."""
    try:
        st = os.stat(path)
    except OSError:
        return
    what = "directory" if stat.S_ISDIR(st.st_mode) else "file"
    raise SourceReadError(
        errno.EPERM,
        f"not read: a symbolic link to a {what} outside the SOURCE directory "
        f"({display_path(os.readlink(path))}); --follow-symlinks reads links to files",
    )


def _directory_reason(path: str) -> str:
    """Why a directory given to ``read_source`` (by discovery, see ``expand_sources``) was not read."""
    try:
        n = len(os.listdir(path))
    except OSError as exc:
        return f"cannot list directory: {exc.strerror or exc}; nothing under it was read"
    if not _enterable(path):
        return f"cannot enter directory: Permission denied (no execute permission); its {n} entries were not read"
    return "cannot read: not a regular file (directory)"


def _read_reason(path: str, exc: OSError) -> str:
    why = exc.strerror or str(exc)
    if exc.errno == errno.ENAMETOOLONG:
        return f"cannot read: {why} (the path is {len(os.fsencode(path))} bytes, over the system's limit)"
    if exc.errno == errno.EACCES and _is_dir(path):
        return _directory_reason(path)
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return f"cannot read: {why} (a link to a missing file)"
        return f"cannot read: {why} (the file vanished after discovery)"
    return f"cannot read: {why}"


def plan(
    files: list[SourceFile], known: dict[str, KnownSource], reprocess: bool = False
) -> tuple[list[SourceFile], list[SourceFile]]:
    """Split discovered files into (to process, unchanged): the manifest rule of incremental runs.

    The manifest is what the warehouse remembers of each path: size, mtime and sha256 at its last load.

    - Not known, or its last load failed or was flagged deleted: processed.
    - Size differs: processed (changed; no need to hash).
    - Same size and same mtime: unchanged, and the file is not opened at all (no read, no hash), unless
      that mtime is within ``RACY_SECONDS`` of the start of the run that last saw the file (or that run is
      unknown): then a write in the same mtime tick could hide, and the sha256 decides.
    - Same size, other mtime (touched, copied, rewritten): hashed; the same sha256 means unchanged
      (skipped, and the new mtime is remembered so the next run does not hash it again), another
      sha256 means changed.

    With ``reprocess`` every file is processed, unchanged or not, and none is opened here: a run that
    re-extracts the corpus after its rules changed (``Settings.reprocess``).

    Args:
        files: discovered files.
        known: the warehouse's memory of files by source_id.
        reprocess: process every file.

    Returns:
        The files to process and the unchanged files.
    """
    if reprocess:
        return list(files), []
    todo: list[SourceFile] = []
    same: list[SourceFile] = []
    for f in files:
        k = known.get(f.source_id)
        if k is None or k.status not in ("loaded", "skipped") or k.size_bytes != f.size_bytes:
            todo.append(f)
        elif (k.mtime is not None and k.sha256 is not None and _same_instant(k.mtime, f.mtime) and _settled(k)) or (
            file_sha256(f.path) == k.sha256  # touched (or too recent to trust): confirm by the bytes
        ):
            same.append(f)
        else:
            todo.append(f)
    return todo, same


def _settled(k: KnownSource) -> bool:
    """Whether the file's recorded mtime is clearly older than the run that last saw it."""
    if k.mtime is None or k.seen_at is None:
        return False
    mtime = k.mtime if k.mtime.tzinfo else k.mtime.replace(tzinfo=UTC)
    seen = k.seen_at if k.seen_at.tzinfo else k.seen_at.replace(tzinfo=UTC)
    return (seen - mtime).total_seconds() > RACY_SECONDS


def _same_instant(a: datetime, b: datetime) -> bool:
    """Equal mtimes at the warehouse's precision (microseconds; a naive value is taken as UTC)."""
    a = a if a.tzinfo else a.replace(tzinfo=UTC)
    b = b if b.tzinfo else b.replace(tzinfo=UTC)
    return a == b


# Fewest files a batch is cut to for parallelism: below this the batch's fixed cost outweighs a second worker.
MIN_BATCH_FILES = 64
# Fewest bytes a batch is cut to for parallelism (a batch costs the flow ~0.3 s of validation and load).
MIN_BATCH_BYTES = 256 << 10


def make_batches(
    files: list[SourceFile], max_files: int, max_bytes: int, min_batches: int = 1
) -> list[list[SourceFile]]:
    """Group files into batches of at most ``max_files`` files or about ``max_bytes`` bytes, biggest first.

    A batch has a fixed cost (a task, three GX validations, a load transaction, six staging files), so
    small files share one: the file limit is high and the byte limit decides. ``min_batches`` (a few per
    worker) spreads a run over several batches so that the workers split in parallel and finish together:
    the byte limit is lowered to the run's bytes over ``min_batches`` (not below ``MIN_BATCH_BYTES``), the
    file limit to its files over ``min_batches`` (not below ``MIN_BATCH_FILES``). Files are taken largest
    first (ties by path), so the batches that take longest are submitted first and the last ones, which
    decide when the workers end, are the small ones (longest-processing-time-first scheduling). A batch's
    files keep that order; which batch a file lands in changes no row of the warehouse.

    Args:
        files: the files to process.
        max_files: most files in one batch.
        max_bytes: a batch closes once it holds this many bytes.
        min_batches: how many batches the run should be spread over, when its size allows.

    Returns:
        The batches, in the order they are to be submitted.
    """
    if not files:
        return []
    parts = max(1, min_batches)
    max_files = max(1, min(max_files, max(MIN_BATCH_FILES, -(-len(files) // parts))))
    total = sum(f.size_bytes for f in files)
    max_bytes = max(1, min(max_bytes, max(MIN_BATCH_BYTES, -(-total // parts))))
    batches: list[list[SourceFile]] = []
    cur: list[SourceFile] = []
    size = 0
    for f in sorted(files, key=lambda f: (-f.size_bytes, f.path)):
        cur.append(f)
        size += f.size_bytes
        if len(cur) >= max_files or size >= max_bytes:
            batches.append(cur)
            cur, size = [], 0
    if cur:
        batches.append(cur)
    return batches
