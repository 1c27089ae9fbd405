"""Property tests over whole files: whatever the bytes, a file either fails with a reason or is fully
accounted for, and its rows can be stored (the batch's staging Parquet is written).

``process_batch`` is the real per-batch work of a worker (read, decode, split, normalise, language,
staging Parquet). A file's bytes are built from text in several encodings, markup, separators,
chrome lines, control characters and random bytes, sometimes compressed or truncated.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_etl.decode import decode_bytes
from corpus_etl.discover import stat_file
from corpus_etl.pipeline import process_batch
from corpus_etl.settings import Settings
from tests.reliability.corpus import BODY, HTML_TITLE, SQL_TITLE

AT = datetime(2026, 1, 1, tzinfo=UTC)
SETTINGS = Settings()

_TEXT = st.one_of(
    st.sampled_from(
        [
            "Council Approves New Budget After Long Debate",
            BODY,
            HTML_TITLE,
            SQL_TITLE,
            "Skip to main content",
            "By Jane Doe, The Daily Planet",
            "-----",
            "|||||",
            "Tag: city council",
            "Café “prices” rose in Zürich — naïve",
            "東京の物価が上昇した。",
            "\u202eevil\u202c \u200b\ufeff",
        ]
    ),
    st.text(max_size=80),
)
_SEP = st.sampled_from(["\n", "\n\n", "\r\n", "\f", " ", "\n\n\n", "\t"])
_ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"])


@st.composite
def files(draw: st.DrawFn) -> bytes:
    """The bytes of a file: text in one encoding, with random bytes spliced in, maybe compressed."""
    text = "".join(a + b for a, b in draw(st.lists(st.tuples(_TEXT, _SEP), max_size=25)))
    enc = draw(_ENCODING)
    data = text.encode(enc, errors="replace") if enc not in ("utf-8-sig",) else text.encode(enc)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=12)) + data[at:]
    pack = draw(st.sampled_from([None, None, None, gzip.compress, bz2.compress, lzma.compress, zstandard.compress]))
    if pack is not None:
        data = pack(data)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    return data


def _check(results: dict[str, list[dict]], data: bytes) -> None:  # type: ignore[type-arg]
    (src,) = results["sources"]
    if src["status"] == "failed":
        err = src["error"]
        assert err and "\n" not in err and not results["articles"], src
        return
    assert src["status"] == "loaded" and src["error"] is None
    n = src["n_chars"]
    assert n == len(decode_bytes(data).text)
    top = sorted(
        [(a["char_start"], a["char_end"]) for a in results["articles"]]
        + [(r["char_start"], r["char_end"]) for r in results["removed_spans"] if r["article_id"] is None]
    )
    pos = 0
    for s, e in top:
        assert s == pos and e > s, (top, n)
        pos = e
    assert pos == n
    extents = {a["article_id"]: (a["char_start"], a["char_end"]) for a in results["articles"]}
    for r in results["removed_spans"]:
        if r["article_id"] is not None:
            lo, hi = extents[r["article_id"]]
            assert lo <= r["char_start"] < r["char_end"] <= hi


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_any_file_fails_with_a_reason_or_is_fully_accounted_for(data):
    tmp = Path(tempfile.mkdtemp(prefix="corpus-etl-prop-"))
    try:
        path = tmp / "f.txt"
        path.write_bytes(data)
        out = process_batch([stat_file(str(path))], 0, SETTINGS, "prop", AT, str(tmp / "staging"))  # never raises
        results = {name: pq.read_table(p).to_pylist() for name, p in out.paths.items()}
        _check(results, data)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_decode_never_raises_anything_but_a_reason(data):
    try:
        d = decode_bytes(data)
    except ValueError as exc:  # DecodeError
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(d.text, str)
    d.text.encode("utf-8")  # storable: no lone surrogate ever comes out of decoding
