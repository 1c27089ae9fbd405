"""Turn a file's bytes into text: decompress, detect the encoding, refuse binaries with a reason."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
from dataclasses import dataclass

import zstandard
from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

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
# bomb is refused before its output grows past the limit. The run's ``reading.max_inflate_ratio`` setting
# (``CORPUS_ETL_READING__MAX_INFLATE_RATIO``) overrides it.
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
    # How sure the choice of encoding is, 0-1: 1.0 for a BOM, strict UTF-8 and NUL-patterned UTF-16/32; the
    # share of well-formed sequences among high bytes for utf-8+cp1252; charset-normalizer's 1 - mess ratio for
    # a legacy encoding it recognises (halved when it recognised no language and a Western fallback was used).
    confidence: float = 1.0


def decompress(data: bytes, max_inflate_ratio: float = MAX_INFLATE_RATIO) -> tuple[bytes, str | None]:
    """Decompress gzip, bz2, xz or zstd data (detected by magic number); other data is returned as is.

    Raises:
        DecodeError: when a compressed stream is truncated or corrupt, or inflates past ``MAX_DECOMPRESSED``
            bytes or past ``max_inflate_ratio`` times its size (at least ``INFLATE_FLOOR``): a decompression
            bomb is refused as it is read, never inflated whole.
    """
    for magic, name in _MAGIC:
        if data.startswith(magic):
            ratio = max_inflate_ratio
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
                    "refused as a decompression bomb (CORPUS_ETL_READING__MAX_INFLATE_RATIO)"
                )
            return out, name
    return data, None


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


def decode_bytes(data: bytes, max_inflate_ratio: float = MAX_INFLATE_RATIO) -> Decoded:
    """Decode a file's bytes to text (``_decode``; ``max_inflate_ratio``: see ``decompress``); never raises anything
    but ``DecodeError`` with a one-line reason: running out of memory or a bug in a codec fails the file, not the
    run."""
    try:
        return _decode(data, max_inflate_ratio)
    except DecodeError:
        raise
    except Exception as exc:  # MemoryError, RecursionError, a codec bug: the file fails with the reason
        raise DecodeError(
            f"decoding failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from exc


def _decode(data: bytes, max_inflate_ratio: float = MAX_INFLATE_RATIO) -> Decoded:
    """Decode a file's bytes to text.

    Order: decompress; a BOM decides (UTF-8, UTF-16, UTF-32); UTF-32 without BOM when the top byte of
    every 4-byte unit is NUL, UTF-16 when every other byte is; strict UTF-8; UTF-8 with a few stray bytes
    (more well-formed multi-byte sequences than bytes that are not UTF-8: a UTF-8 file with a cp1252 line
    pasted in, unless that reading is a mess and charset-normalizer finds a legacy encoding: Shift-JIS) is
    read as UTF-8 with each stray byte read as cp1252, recorded as ``utf-8+cp1252``; any other text is a
    legacy encoding chosen by charset-normalizer (``_legacy``: cp1251, Shift-JIS, ...), cp1252 or Latin-1
    when it recognises nothing. ``Decoded.confidence`` says how sure the choice is. Binary data (a known
    magic number, NUL bytes in text that is not UTF-16/32, or mostly control characters) is refused. No
    byte is dropped or replaced by U+FFFD.

    Args:
        data: the raw bytes of a file.

    Returns:
        The text, the encoding used and the compression read through.

    Raises:
        DecodeError: with a one-line reason (binary, corrupt compression, undecodable).
    """
    data, compression = decompress(data, max_inflate_ratio)
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise DecodeError(f"binary file ({what}), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return Decoded(data[3:].decode("utf-8"), "utf-8-sig", compression)
        except UnicodeDecodeError:
            share = _utf8_share(data[3:])
            return Decoded(_checked(data[3:].decode("utf-8", _MIXED)), "utf-8-sig+cp1252", compression, share)
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return Decoded(_strict(data, "utf-32"), "utf-32", compression)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Decoded(_strict(data, "utf-16"), "utf-16", compression)
    if b"\x00" in data:
        sample = data[:4096]
        utf32 = _utf32_without_bom(sample)
        if utf32:
            return Decoded(_strict(data, utf32), utf32, compression)
        if len(sample) >= 4 and sample[1::2].count(0) > 0.9 * (len(sample) // 2):
            return Decoded(_strict(data, "utf-16-le"), "utf-16-le", compression)
        if len(sample) >= 4 and sample[0::2].count(0) > 0.9 * (len(sample) // 2):
            return Decoded(_strict(data, "utf-16-be"), "utf-16-be", compression)
        raise DecodeError(f"binary file: {data.count(0)} NUL bytes")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", compression)
    except UnicodeDecodeError:
        pass
    share = _utf8_share(data)
    if share > 0.5:
        mixed = Decoded(_checked(data.decode("utf-8", _MIXED)), "utf-8+cp1252", compression, share)
        if not _messy(mixed.text):
            return mixed
        # Double-byte text (Shift-JIS) holds many pairs that happen to be well-formed UTF-8: read as mixed
        # UTF-8 it is a mess; charset-normalizer's reading is taken when it found a legacy encoding.
        legacy = _legacy(data, compression)
        return legacy if legacy.encoding not in ("cp1252", "latin-1") else mixed
    return _legacy(data, compression)


def _messy(text: str) -> bool:
    return mess_ratio(text[:100_000], 1.0) > MIN_WESTERN_MESS


# Least coherence (charset-normalizer: how well the decoded text fits a language's letter frequencies) for its
# guess to be taken over the Western fallback. Russian in cp1251 scores ~0.65, Japanese in Shift-JIS ~0.12;
# a short Western text it cannot place gets 0.0 with an arbitrary code page (Farsi, Cyrillic).
MIN_COHERENCE = 0.05


def _legacy(data: bytes, compression: str | None) -> Decoded:
    """Text in a legacy 8-bit or multi-byte encoding, chosen by charset-normalizer.

    Its best guess is taken when it recognised a language in the result (``MIN_COHERENCE``), or when it reads
    multi-byte characters where cp1252 reads a mess (``MIN_WESTERN_MESS``: Shift-JIS, EUC, GBK); a guess whose text
    is the same as cp1252's is recorded as cp1252 (it often names an equivalent code page such as cp1250). Else
    the Western fallback: cp1252, or Latin-1 (which never fails) where cp1252 leaves a byte undefined.
    """
    try:
        western, label = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        western, label = data.decode("latin-1"), "latin-1"
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return Decoded(_checked(western), label, compression, 0.0)
    sure = round(1.0 - float(best.chaos), 3)
    guessed = _decoded_as(data, best.encoding)
    # A tie (same mess and coherence) between code pages is ordered arbitrarily: cp1250 came before cp1252 for
    # "naïve" and read it "naďve". A tied match that reads as cp1252 (or Latin-1) decides for the fallback.
    tied = [m for m in matches if m.chaos <= best.chaos and m.coherence >= best.coherence - 1e-6]
    if guessed == western or any(_decoded_as(data, m.encoding) == western for m in tied):
        return Decoded(_checked(western), label, compression, sure)
    if guessed is not None and (best.coherence >= MIN_COHERENCE or _multibyte_over_mess(data, guessed, western)):
        return Decoded(_checked(guessed), codecs.lookup(best.encoding).name, compression, sure)
    return Decoded(_checked(western), label, compression, round(sure / 2, 3))


# How messy (charset-normalizer's mess ratio) the Western reading of bytes a multi-byte encoding decodes must be
# for that encoding to be taken without a recognised language: Shift-JIS Japanese read as cp1252 scores ~5.5,
# EUC-JP ~3.8, GBK Chinese ~2.6; Western text with a few accents ~0-0.1.
MIN_WESTERN_MESS = 0.5


def _multibyte_over_mess(data: bytes, guessed: str, western: str) -> bool:
    """Whether a guess reads multi-byte characters (shorter than its bytes: CJK, whose letter frequencies
    charset-normalizer's coherence hardly scores) where the Western reading is a mess."""
    return len(guessed) < len(data) and _messy(western)


def _decoded_as(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf32_without_bom(sample: bytes) -> str | None:
    """``utf-32-le`` or ``utf-32-be`` when the sample has UTF-32's NUL pattern (the top byte of every 4-byte unit
    NUL, the next one mostly), else None; UTF-16's pattern (every other byte NUL) does not match it."""
    n = len(sample) // 4 * 4
    if n < 8:
        return None
    units = n // 4
    s = sample[:n]
    if s[3::4].count(0) == units and s[2::4].count(0) > 0.9 * units and s[0::4].count(0) < units:
        return "utf-32-le"
    if s[0::4].count(0) == units and s[1::4].count(0) > 0.9 * units and s[3::4].count(0) < units:
        return "utf-32-be"
    return None


def _utf8_share(data: bytes) -> float:
    """The share of high bytes that are in well-formed UTF-8 multi-byte sequences (0 when there are none)."""
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if not high:
        return 0.0
    # Dropping what is not UTF-8 and encoding again gives back the ASCII and the well-formed sequences.
    in_utf8 = len(data.decode("utf-8", "ignore").encode("utf-8")) - (len(data) - high)
    return round(in_utf8 / high, 3)


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
