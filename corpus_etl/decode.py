"""Turn a file's bytes into text: decompress, detect the encoding, refuse binaries with a reason."""

from __future__ import annotations

import bz2
import gzip
import lzma
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
        DecodeError: when a compressed stream is truncated or corrupt.
    """
    for magic, name in _MAGIC:
        if data.startswith(magic):
            try:
                if name == "gzip":
                    return gzip.decompress(data), name
                if name == "bz2":
                    return bz2.decompress(data), name
                if name == "xz":
                    return lzma.decompress(data), name
                dctx = zstandard.ZstdDecompressor()
                return dctx.stream_reader(data).read(MAX_DECOMPRESSED), name
            except (OSError, EOFError, lzma.LZMAError, zstandard.ZstdError, ValueError) as exc:
                raise DecodeError(f"corrupt or truncated {name} stream: {exc}") from exc
    return data, None


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes to text.

    Order: decompress; a BOM decides (UTF-8, UTF-16, UTF-32); strict UTF-8; UTF-16 without BOM when
    every other byte is NUL; cp1252, then Latin-1 (which never fails) for legacy 8-bit text. Binary
    data (a known magic number, or NUL bytes in text that is not UTF-16) is refused.

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
        return Decoded(_strict(data[3:], "utf-8"), "utf-8-sig", compression)
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
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1", compression)
    if _looks_binary(text):
        raise DecodeError("binary file: mostly control characters")
    return Decoded(text, "cp1252", compression)


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
