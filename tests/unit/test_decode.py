import bz2
import gzip
import lzma

import pytest
import zstandard

from corpus_etl.decode import DecodeError, decode_bytes

TEXT = "Caf\u00e9 \u201cquotes\u201d \u2014 na\u00efve\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings(data, encoding):
    d = decode_bytes(data)
    assert d.text == TEXT and d.encoding == encoding and d.compression is None


def test_latin1_fallback_for_bytes_cp1252_cannot_map():
    d = decode_bytes("a \u00a3 sign".encode("latin-1") + b"\x81")
    assert d.encoding == "latin-1" and d.text.startswith("a \u00a3 sign")


@pytest.mark.parametrize(
    ("pack", "name"),
    [(gzip.compress, "gzip"), (bz2.compress, "bz2"), (lzma.compress, "xz"), (zstandard.compress, "zstd")],
)
def test_compressed(pack, name):
    d = decode_bytes(pack(TEXT.encode("utf-8")))
    assert d.text == TEXT and d.compression == name


def test_truncated_gzip_is_refused_with_reason():
    with pytest.raises(DecodeError, match=r"corrupt or truncated gzip"):
        decode_bytes(gzip.compress(TEXT.encode() * 100)[:40])


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG"), (b"abc\x00def\x00\x01\x02ghi" * 10, "NUL bytes")],
)
def test_binary_is_refused(data, reason):
    with pytest.raises(DecodeError, match=reason):
        decode_bytes(data)
