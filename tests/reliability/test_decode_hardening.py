"""Decoding hostile bytes: stray bytes in UTF-8, binaries that look like Latin-1, truncated and bomb streams."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os

import pytest
import zstandard

from corpus_etl import decode
from corpus_etl.decode import DecodeError, decode_bytes
from corpus_etl.settings import Settings

QUOTES = "Café owners say “prices” rose in Zürich — naïve"
PACKERS = [(gzip.compress, "gzip"), (bz2.compress, "bz2"), (lzma.compress, "xz"), (zstandard.compress, "zstd")]


def test_utf8_with_stray_cp1252_bytes_keeps_every_character():
    data = QUOTES.encode() + b" and a pasted caf\xe9 line\x81.\n"
    d = decode_bytes(data)
    # Before issue #8 this fell back to Latin-1 for the whole file: the curly quotes became C1 controls.
    assert d.encoding == "utf-8+cp1252"
    assert d.text == QUOTES + " and a pasted café line\x81.\n"


def test_utf8_bom_with_stray_bytes():
    d = decode_bytes(b"\xef\xbb\xbf" + QUOTES.encode() + b" caf\xe9")
    assert d.encoding == "utf-8-sig+cp1252" and d.text == QUOTES + " café"


def test_legacy_text_is_not_taken_for_broken_utf8():
    assert decode_bytes(QUOTES.encode("cp1252")).encoding == "cp1252"
    # One accidental well-formed sequence ("Ã©") among many legacy bytes does not make it UTF-8.
    d = decode_bytes("Ã© ".encode("cp1252") + "é à ü ".encode("cp1252") * 5)
    assert d.encoding == "cp1252"


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_are_binary_whatever_the_fallback(seed):
    data = os.urandom(4000).replace(b"\x00", b"\x01") + b"\x81"  # \x81: cp1252 cannot map it
    with pytest.raises(DecodeError, match="binary file"):
        decode_bytes(data)


@pytest.mark.parametrize(("pack", "name"), PACKERS)
def test_truncated_streams_fail_with_a_reason(pack, name):
    data = pack(os.urandom(20000).hex().encode())
    with pytest.raises(DecodeError, match=f"corrupt or truncated {name} stream"):
        decode_bytes(data[: len(data) - 7])


@pytest.mark.parametrize(("pack", "name"), PACKERS)
def test_concatenated_members_and_frames_are_all_read(pack, name):
    d = decode_bytes(pack(b"first part, ") + pack(b"second part"))
    assert d.text == "first part, second part" and d.compression == name


@pytest.mark.parametrize(("pack", "name"), PACKERS)
def test_a_decompression_bomb_is_refused_not_inflated(monkeypatch, pack, name):
    monkeypatch.setattr(decode, "MAX_DECOMPRESSED", 1 << 20)
    assert len(decode.decompress(pack(b"a" * (1 << 20)))[0]) == 1 << 20
    with pytest.raises(DecodeError, match=f"{name} stream inflates to more than 1048576 bytes; refused"):
        decode.decompress(pack(b"a" * ((1 << 20) + 1)))


@pytest.mark.parametrize(("pack", "name"), PACKERS)
def test_a_bomb_is_refused_by_its_ratio_as_it_is_read(monkeypatch, pack, name):
    monkeypatch.setattr(decode, "INFLATE_FLOOR", 1 << 16)
    assert Settings().reading.max_inflate_ratio == decode.MAX_INFLATE_RATIO  # the setting's default is decode's
    ratio = Settings(reading={"max_inflate_ratio": 50}).reading.max_inflate_ratio
    text = os.urandom(1 << 15).hex().encode()  # 64 KiB of hex: about 2x, loads
    assert decode.decompress(pack(text), ratio)[0] == text
    with pytest.raises(DecodeError, match=f"{name} stream inflates to more than 50x its .* decompression bomb"):
        decode.decompress(pack(b"\0" * (8 << 20)), ratio)
    monkeypatch.setenv("CORPUS_ETL_READING__MAX_INFLATE_RATIO", "1e9")  # the setting allows it
    assert len(decode.decompress(pack(b"\0" * (8 << 20)), Settings().reading.max_inflate_ratio)[0]) == 8 << 20
