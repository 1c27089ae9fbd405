"""Object storage for SOURCE files and the Parquet lake: ``s3://bucket/key`` through pyarrow's filesystems.

A SOURCE argument or a ``lake`` setting that is a URI (``s3://...``) is read or written through
``pyarrow.fs.S3FileSystem``; anything else is a local path. Credentials and region come from the usual AWS
variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``); an S3-compatible
server (MinIO, moto, Ceph, R2) is named by ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``
(``http://127.0.0.1:9000``).

An object's ``path`` in the warehouse is its full URI (``s3://bucket/dir/file.txt``), so its
``source_id`` is stable across runs and machines; its mtime is the object's Last-Modified time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:  # pyarrow (and numpy) are imported by the functions that reach object storage, not by local runs
    import pyarrow.fs as pafs

SCHEMES = ("s3",)


class StorageError(OSError):
    """An object store could not be reached or listed; ``str()`` is a one-line reason."""


def is_uri(path: str) -> bool:
    """Whether ``path`` names an object in a store we read (``s3://...``) rather than a local file."""
    return urlparse(path).scheme in SCHEMES


def filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """The filesystem of ``uri`` and the path inside it (``bucket/key``, no trailing slash)."""
    import pyarrow.fs as pafs  # lazy: pyarrow only for object storage; numpy stays off the unchanged-rerun path

    u = urlparse(uri)
    if u.scheme != "s3":
        raise ValueError(f"not an s3:// URI: {uri}")
    kw: dict[str, object] = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        e = urlparse(endpoint if "://" in endpoint else f"https://{endpoint}")
        kw.update(endpoint_override=e.netloc, scheme=e.scheme or "https")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        kw["region"] = region
    return pafs.S3FileSystem(**kw), f"{u.netloc}{u.path}".rstrip("/")


@dataclass(frozen=True)
class ObjectInfo:
    uri: str
    size: int
    mtime: datetime


def _info(fi: pafs.FileInfo, scheme: str) -> ObjectInfo:
    mtime = fi.mtime if fi.mtime is not None else datetime.fromtimestamp(0, tz=UTC)
    if mtime.tzinfo is None:
        mtime = mtime.replace(tzinfo=UTC)
    return ObjectInfo(f"{scheme}://{fi.path}", int(fi.size or 0), mtime)


def list_objects(uri: str) -> list[ObjectInfo]:
    """The objects at ``uri``: the object itself, or every object under it as a prefix (recursive),
    sorted, hidden names (a path part starting with '.') left out.

    Raises:
        FileNotFoundError: when nothing is there.
        StorageError: when the store cannot be reached or listed.
    """
    import pyarrow.fs as pafs  # lazy: pyarrow only for object storage

    fs, root = filesystem(uri)
    scheme = urlparse(uri).scheme
    try:
        fi = fs.get_file_info(root)
        if fi.type == pafs.FileType.File:
            return [_info(fi, scheme)]
        infos = fs.get_file_info(pafs.FileSelector(root, recursive=True, allow_not_found=True))
    except OSError as exc:
        raise StorageError(f"cannot list {uri}: {str(exc).splitlines()[0]}") from exc
    out = [
        _info(i, scheme)
        for i in infos
        if i.type == pafs.FileType.File and not any(p.startswith(".") for p in i.path[len(root) :].split("/"))
    ]
    if not out:
        raise FileNotFoundError(f"no such object or prefix: {uri}")
    return sorted(out, key=lambda o: o.uri)


def stat(uri: str) -> ObjectInfo | None:
    """Size and mtime of one object; None when it cannot be stat'ed."""
    import pyarrow.fs as pafs  # lazy: pyarrow only for object storage

    try:
        fs, path = filesystem(uri)
        fi = fs.get_file_info(path)
    except (OSError, ValueError):
        return None
    if fi.type != pafs.FileType.File:
        return None
    return _info(fi, urlparse(uri).scheme)


def read_bytes(uri: str) -> bytes:
    """The bytes of one object (an ``OSError`` with the reason when it cannot be read)."""
    fs, path = filesystem(uri)
    with fs.open_input_stream(path) as fh:
        return bytes(fh.read())


def read_any(path: str) -> bytes:
    """The bytes of a local file or of an ``s3://`` object (an ``OSError`` with the reason when unreadable)."""
    return read_bytes(path) if is_uri(path) else Path(path).read_bytes()


def sha256(uri: str) -> str | None:
    """sha256 of one object, streamed; None when it cannot be read."""
    h = hashlib.sha256()
    try:
        fs, path = filesystem(uri)
        with fs.open_input_stream(path) as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


MARKER = "_published.json"


def _target_fs(target: str) -> tuple[pafs.FileSystem, str]:
    import pyarrow.fs as pafs  # lazy: pyarrow only for object storage

    if is_uri(target):
        return filesystem(target)
    return pafs.LocalFileSystem(), str(Path(target).expanduser().resolve())


def _local_files(local: Path) -> list[Path]:
    return sorted(
        p for p in local.rglob("*") if p.is_file() and not any(x.startswith(".") for x in p.relative_to(local).parts)
    )


def dir_digest(local: Path) -> str:
    """A digest of a directory's files by name, size and mtime (no reads): what a published copy was made from."""
    h = hashlib.sha256()
    for p in _local_files(local):
        st = p.stat()
        h.update(f"{p.relative_to(local).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _marker(target: str) -> dict[str, Any]:
    """The ``_published.json`` of ``target`` (empty when there is none or it cannot be read)."""
    fs, root = _target_fs(target)
    try:
        with fs.open_input_stream(f"{root}/{MARKER}") as fh:
            data = json.loads(fh.read().decode())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def published_digest(target: str) -> str | None:
    """The digest recorded by the last complete ``publish_dir`` to ``target``; None when there is none."""
    digest = _marker(target).get("digest")
    return digest if isinstance(digest, str) else None


def _stamps(local: Path, files: list[Path]) -> dict[str, list[int]]:
    """Each file's size and mtime (ns) by its path under ``local``: what ``dir_digest`` is made of."""
    return {p.relative_to(local).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns] for p in files}


def publish_dir(local: Path, target: str, run_id: str = "") -> int:
    """Mirror the local directory ``local`` to ``target`` (an ``s3://`` prefix or a local directory).

    Every file that the last complete publish did not write as it is now (its size and mtime, recorded in
    ``_published.json``) is written (each object PUT is atomic: a reader sees an old or a new object, never a
    part): a run that changed only ``sources`` and ``runs`` writes their two files, not the whole copy. Then
    objects under ``target`` that are not in ``local`` are deleted, and last ``_published.json`` records what
    was published (``dir_digest``, the files' sizes and mtimes, run id, time): a publish that failed half-way
    is redone by the next run, one that is up to date is not repeated. Between the first two steps a reader listing the
    prefix may see new and old files side by side; readers that need one consistent snapshot read the
    warehouse's own ``parquet/`` (swapped by renames) or the DuckDB file.

    Returns:
        The number of files written.
    """
    import pyarrow.fs as pafs  # lazy: pyarrow only for object storage

    fs, root = _target_fs(target)
    digest = dir_digest(local)
    files = _local_files(local)
    stamps = _stamps(local, files)
    before = _marker(target).get("stamps")
    published = before if isinstance(before, dict) else {}
    want = {f"{root}/{p.relative_to(local).as_posix()}" for p in files} | {f"{root}/{MARKER}"}
    written = 0
    for p in files:
        rel = p.relative_to(local).as_posix()
        if published.get(rel) == stamps[rel]:
            continue  # the object is this file as it is now
        written += 1
        dest = f"{root}/{rel}"
        fs.create_dir(dest.rsplit("/", 1)[0], recursive=True)
        with p.open("rb") as src, fs.open_output_stream(dest) as out:
            while chunk := src.read(1 << 22):
                out.write(chunk)
    for fi in fs.get_file_info(pafs.FileSelector(root, recursive=True, allow_not_found=True)):
        if fi.type == pafs.FileType.File and fi.path not in want:
            fs.delete_file(fi.path)
    marker = {
        "digest": digest,
        "run_id": run_id,
        "files": len(files),
        "stamps": stamps,
        "at": datetime.now(UTC).isoformat(),
    }
    with fs.open_output_stream(f"{root}/{MARKER}") as out:
        out.write(json.dumps(marker).encode())
    return written
