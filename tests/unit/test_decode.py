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


RUSSIAN = "Правительство России в понедельник одобрило проект бюджета на следующий год. Министр финансов заявил."
JAPANESE = "政府は月曜日、物価の上昇に対応するための新しい経済対策を発表した。首相は記者会見で述べた。"
CHINESE = "中国政府周一宣布了新的经济刺激措施，投资者信心增强。"


@pytest.mark.parametrize(
    ("text", "codec", "label"),
    [
        (RUSSIAN, "cp1251", "cp1251"),
        (RUSSIAN, "koi8-r", "koi8-r"),
        (JAPANESE, "shift_jis", "cp932"),
        (JAPANESE, "euc-jp", "euc_jis_2004"),
        (CHINESE * 3, "gbk", "gb18030"),
    ],
)
def test_legacy_encodings_are_recognised_by_charset_normalizer(text, codec, label):
    d = decode_bytes(text.encode(codec))
    assert (d.text, d.encoding) == (text, label) and d.confidence >= 0.9


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_without_a_bom_is_not_utf16(codec):
    text = "A Story Written In UTF-32 — with a dash and 😀\n"
    d = decode_bytes(text.encode(codec))
    assert (d.text, d.encoding, d.confidence) == (text, codec, 1.0)


def test_confidence_says_how_sure_the_encoding_is():
    assert decode_bytes("Café".encode()).confidence == 1.0
    western = "Les élèves de l'école de Genève à Zürich\n".encode("latin-1") + b"\x81\n"
    d = decode_bytes(western)  # nothing recognised: the Western fallback, a guess
    assert d.encoding == "latin-1" and d.confidence <= 0.5
    mixed = decode_bytes("“quotes” and more “quotes” ".encode() + b"caf\xe9")
    assert mixed.encoding == "utf-8+cp1252" and 0.5 < mixed.confidence < 1.0


def test_anything_a_codec_raises_fails_the_file_with_a_reason(monkeypatch):
    from corpus_etl import decode

    def boom(data: bytes) -> bytes:
        raise MemoryError

    monkeypatch.setattr(decode, "_inflate", lambda name, data, limit: boom(data))
    with pytest.raises(DecodeError, match=r"^decoding failed: MemoryError: $"):
        decode_bytes(gzip.compress(b"text"))
