"""Reading a source file once per run: read, decode and detect its format, and hand the result on.

``read_text`` is the read stage of ``pipeline.process_source``: the bytes of one stable read (bounded retries
of transient errors), their sha256, the decoded text and its input format, or the one-line reason the file
failed. The learned-boilerplate pre-pass (``corpus_etl.learned``) needs the same decoded text before any
file is split, so when the pre-pass runs, it reads each file here, counts its lines and **spools** what it
read to the run's staging directory (``scan_batch``: one zstd stream per batch, written file by file);
``process_batch`` then takes each file's text from its batch's spool (``read_spool``) instead of reading
and decoding the file a second time. What is held in memory stays one file at a time (the spool is on disk,
removed once its batch is processed); the disk holds the decoded text of the batches not processed yet
(zstd-compressed, about a third of the corpus's size for plain text).

A spool is written by the flow's pre-pass and read by the run's workers: from the staging directory on the flow's
machine (the local runner, a Dask cluster the run starts for itself), or as bytes shipped with the batch to a
worker of an existing Dask cluster (possibly without the flow's disk).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from . import storage
from .decode import DecodeError, decode_bytes
from .discover import ReadResult, SourceFile, SourceReadError, read_source
from .formats import detect_format, sibling
from .settings import Settings

SPOOL_CODEC = "zstd"


@dataclass(frozen=True)
class SourceText:
    """One file as read and decoded: the ``sources`` row fields its read sets, in the order the read sets them
    (sha256, size_bytes, mtime, encoding, encoding_confidence, compression, format, n_chars; only those it
    reached), its text, or the one-line ``error`` it failed with (then ``text`` is None)."""

    source_id: str
    fields: dict[str, object]
    text: str | None = None
    error: str | None = None


def read_text(src: SourceFile, settings: Settings) -> SourceText:
    """Read, decode and detect the format of one file. Never raises for bad input (the reason is ``error``)."""
    fields: dict[str, object] = {}
    try:  # a local file: bounded retries of transient errors, the bytes, size and mtime of one read
        if storage.is_uri(src.path):  # an object (s3://...): whole or not at all
            read = ReadResult(storage.read_any(src.path), src.mtime, 1, True)
        else:
            read = read_source(src.path, attempts=settings.reading.read_attempts, backoff=settings.reading.read_backoff)
    except SourceReadError as exc:
        return SourceText(src.source_id, fields, error=str(exc))
    except OSError as exc:
        return SourceText(src.source_id, fields, error=f"cannot read: {exc.strerror or exc}")
    if not read.stable:  # its bytes may be half old, half new: nothing of them is loaded
        fields.update(size_bytes=len(read.data), mtime=read.mtime)
        error = (
            f"changed while being read: its size or mtime moved during each of {read.attempts} reads; "
            "the next run reads it again"
        )
        return SourceText(src.source_id, fields, error=error)
    data = read.data
    fields["sha256"] = hashlib.sha256(data).hexdigest()
    fields["size_bytes"] = len(data)
    fields["mtime"] = read.mtime
    del read  # (holds the bytes: they go once decoded)
    try:
        decoded = decode_bytes(data, settings.reading.max_inflate_ratio)
    except DecodeError as exc:
        return SourceText(src.source_id, fields, error=str(exc))
    del data
    text = decoded.text
    fmt: str = settings.reading.input_format
    if fmt == "auto":
        fmt = detect_format(src.path, text, settings.reading.text_field)
        if fmt == "multinews_summary" and sibling(src.path, ".src") is None:
            fmt = "text"  # a lone .tgt is ordinary text
    fields.update(encoding=decoded.encoding, encoding_confidence=decoded.confidence)
    fields.update(compression=decoded.compression, format=fmt, n_chars=len(text))
    return SourceText(src.source_id, fields, text)


def spool_path(staging: str | Path, batch: int) -> Path:
    """Where the pre-pass spools batch ``batch``'s read files (``staging``: the run's staging directory)."""
    return Path(staging) / f"batch-{batch:06d}.read.zst"


def read_spool(path: str | Path) -> Iterator[SourceText]:
    """The ``SourceText``s of a spool, one at a time, in the order they were written (trusted input: the
    run's own staging file)."""
    with pa.CompressedInputStream(pa.OSFile(str(path)), SPOOL_CODEC) as f:
        while True:
            try:
                yield pickle.load(f)
            except EOFError:
                return


def spooled_or_read(files: list[SourceFile], settings: Settings, spool: str | Path | None) -> Iterator[SourceText]:
    """Each of ``files`` as read: from ``spool`` (the batch's pre-pass, which read the same files in the same
    order) when given, else read here; a file the spool lacks (it never does) is read here."""
    it = read_spool(spool) if spool is not None else iter(())
    for f in files:
        got = next(it, None)
        yield got if got is not None and got.source_id == f.source_id else read_text(f, settings)
