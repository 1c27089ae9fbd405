"""Turn a file's bytes into text: decompress, detect the encoding, refuse binaries with a reason."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import os
from dataclasses import dataclass

import zstandard

# Magic numbers of the compressions we read through.
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
# Magic numbers of common binary formats, for a clearer error than "invalid text".
_BINARY_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x7fELF", "ELF executable"),
)
MAX_DECOMPRESSED = 4 << 30  # refuse to inflate a file past 4 GiB
# A compressed stream may inflate to at most this many times its compressed size (news text: gzip 3-5x,
# xz/zstd of repetitive scraped pages 10-30x; a gzip bomb of zeros ~1000x, bz2 far more), but always to
# INFLATE_FLOOR bytes (a small file may hold anything). Checked as the stream is read, a chunk at a time: a
# bomb is refused before its output grows past the limit. ``CORPUS_ETL_MAX_INFLATE_RATIO`` overrides it.
MAX_INFLATE_RATIO = 100.0
INFLATE_FLOOR = 16 << 20
_CHUNK = 1 << 20
# zstd input fed at a time: its output has no bound but the ratio (up to ~32,000x for runs of one byte), so
# 1 KiB of input is at most ~32 MiB out before the size is checked.
_ZSTD_STEP = 1 << 10

_HIGH_BYTES = bytes(range(0x80, 0x100))
# Each byte as cp1252 reads it; the five bytes cp1252 leaves undefined as Latin-1 does (C1 controls).
_CP1252_BYTE = tuple(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))
_MIXED = "corpus_etl.cp1252_bytes"


def _cp1252_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the bytes that are not UTF-8 are read one by one as cp1252 (nothing dropped)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(_CP1252_BYTE[b] for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error(_MIXED, _cp1252_bytes)


class DecodeError(ValueError):
    """The bytes are not text we can read; the message is the one-line reason."""


@dataclass(frozen=True)
class Decoded:
    """Decoded text and how it was obtained."""

    text: str
    encoding: str
    compression: str | None


def decompress(data: bytes) -> tuple[bytes, str | None]:
    """Decompress gzip, bz2, xz or zstd data (detected by magic number); other data is returned as is.

    Raises:
        DecodeError: when a compressed stream is truncated or corrupt, or inflates past ``MAX_DECOMPRESSED``
            bytes or past ``max_inflate_ratio()`` times its size (at least ``INFLATE_FLOOR``): a decompression
            bomb is refused as it is read, never inflated whole.
    """
    for magic, name in _MAGIC:
        if data.startswith(magic):
            ratio = max_inflate_ratio()
            by_ratio = max(int(ratio * len(data)), INFLATE_FLOOR)
            limit = min(MAX_DECOMPRESSED, by_ratio)
            try:
                out = _inflate(name, data, limit)
            except (OSError, EOFError, lzma.LZMAError, zstandard.ZstdError, ValueError) as exc:
                raise DecodeError(f"corrupt or truncated {name} stream: {exc}") from exc
            if len(out) > limit:
                if limit == MAX_DECOMPRESSED:
                    raise DecodeError(f"{name} stream inflates to more than {limit} bytes; refused")
                raise DecodeError(
                    f"{name} stream inflates to more than {ratio:g}x its {len(data)} bytes ({limit} bytes read); "
                    "refused as a decompression bomb (CORPUS_ETL_MAX_INFLATE_RATIO)"
                )
            return out, name
    return data, None


def max_inflate_ratio() -> float:
    """The inflation ratio allowed (``MAX_INFLATE_RATIO``, or the ``CORPUS_ETL_MAX_INFLATE_RATIO`` setting)."""
    raw = os.environ.get("CORPUS_ETL_MAX_INFLATE_RATIO")
    try:
        return float(raw) if raw else MAX_INFLATE_RATIO
    except ValueError:
        return MAX_INFLATE_RATIO


def _read_capped(fh: io.BufferedIOBase, limit: int) -> bytes:
    """Read ``fh`` a chunk at a time, stopping once more than ``limit`` bytes came out."""
    out: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = fh.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        out.append(chunk)
        size += len(chunk)
    return b"".join(out)


def _inflate(name: str, data: bytes, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of the decompressed stream (every member or frame, in order)."""
    if name == "gzip":
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            return _read_capped(gz, limit)
    if name == "bz2":
        with bz2.BZ2File(io.BytesIO(data)) as bz:
            return _read_capped(bz, limit)
    if name == "xz":
        with lzma.LZMAFile(io.BytesIO(data)) as xz:
            return _read_capped(xz, limit)
    # zstd: frame by frame, so that a truncated frame is an error (the stream reader returns what it has).
    out: list[bytes] = []
    size = pos = 0
    view = memoryview(data)
    while pos < len(data) and size <= limit:
        dobj = zstandard.ZstdDecompressor().decompressobj()
        while not dobj.eof and pos < len(data) and size <= limit:
            end = min(pos + _ZSTD_STEP, len(data))
            chunk = dobj.decompress(view[pos:end])
            out.append(chunk)
            size += len(chunk)
            pos = end - (len(dobj.unused_data) if dobj.eof else 0)
        if not dobj.eof and size <= limit:
            raise EOFError("the stream ends inside a frame")
    return b"".join(out)


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes to text.

    Order: decompress; a BOM decides (UTF-8, UTF-16, UTF-32); strict UTF-8; UTF-16 without BOM when
    every other byte is NUL; UTF-8 with a few stray bytes (more well-formed multi-byte sequences than
    bytes that are not UTF-8: a UTF-8 file with a cp1252 line pasted in) is read as UTF-8 with each
    stray byte read as cp1252, recorded as ``utf-8+cp1252``; cp1252, then Latin-1 (which never fails)
    for legacy 8-bit text. Binary data (a known magic number, NUL bytes in text that is not UTF-16,
    or mostly control characters) is refused. No byte is dropped or replaced by U+FFFD.

    Args:
        data: the raw bytes of a file.

    Returns:
        The text, the encoding used and the compression read through.

    Raises:
        DecodeError: with a one-line reason (binary, corrupt compression, undecodable).
    """
    data, compression = decompress(data)
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise DecodeError(f"binary file ({what}), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return Decoded(data[3:].decode("utf-8"), "utf-8-sig", compression)
        except UnicodeDecodeError:
            return Decoded(_checked(data[3:].decode("utf-8", _MIXED)), "utf-8-sig+cp1252", compression)
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return Decoded(_strict(data, "utf-32"), "utf-32", compression)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Decoded(_strict(data, "utf-16"), "utf-16", compression)
    if b"\x00" in data:
        sample = data[:4096]
        if len(sample) >= 4 and sample[1::2].count(0) > 0.9 * (len(sample) // 2):
            return Decoded(_strict(data, "utf-16-le"), "utf-16-le", compression)
        if len(sample) >= 4 and sample[0::2].count(0) > 0.9 * (len(sample) // 2):
            return Decoded(_strict(data, "utf-16-be"), "utf-16-be", compression)
        raise DecodeError(f"binary file: {data.count(0)} NUL bytes")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", compression)
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return Decoded(_checked(data.decode("utf-8", _MIXED)), "utf-8+cp1252", compression)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return Decoded(_checked(data.decode("latin-1")), "latin-1", compression)
    return Decoded(_checked(text), "cp1252", compression)


def _mostly_utf8(data: bytes) -> bool:
    """More bytes in well-formed UTF-8 multi-byte sequences than high bytes outside them."""
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    # Dropping what is not UTF-8 and encoding again gives back the ASCII and the well-formed sequences.
    in_utf8 = len(data.decode("utf-8", "ignore").encode("utf-8")) - (len(data) - high)
    stray = high - in_utf8
    return in_utf8 > 0 and in_utf8 > stray


def _checked(text: str) -> str:
    if _looks_binary(text):
        raise DecodeError("binary file: mostly control characters")
    return text


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid {encoding} at byte {exc.start}: {exc.reason}") from exc


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return control / len(sample) > 0.05
