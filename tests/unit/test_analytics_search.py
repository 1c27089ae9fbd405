"""Search as pure functions (tokenizer, snippets) and the one BM25 in SQL (``corpus-etl search``, and the
cookbook query generated from it) checked against a Python reference written here (``bm25``), independent of it."""

from __future__ import annotations

import math
import re

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_etl import schema
from corpus_etl.analytics import search as s
from warehouse import cookbook
from warehouse.db import ensure_schema
from warehouse.search import COOKBOOK_BM25, SQL_TERMS, cookbook_sql, search


def idf(n_docs: int, df: int) -> float:
    """BM25 inverse document frequency (the non-negative Lucene variant)."""
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def bm25(
    tfs: dict[str, int], length: int, dfs: dict[str, int], n_docs: int, avgdl: float, k1: float = s.K1, b: float = s.B
) -> float:
    """The reference BM25 score of one document for the query terms in ``dfs`` (term -> document frequency)."""
    score = 0.0
    for term, df in dfs.items():
        tf = tfs.get(term, 0)
        if tf:
            score += idf(n_docs, df) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl))
    return score


def test_terms_are_casefolded_words_without_one_letter_words():
    assert s.terms("BlackBerry's BES e-mail: 5 Servers, Ünïcode Straße") == [
        "blackberry",
        "bes",
        "mail",
        "5",
        "servers",
        "ünïcode",
        "strasse",
    ]
    assert s.query_terms("Pakistan pakistan PAKISTAN servers") == ["pakistan", "servers"]
    tfs, n = s.term_counts("Title words", "body words words")
    assert tfs == {"title": 1, "words": 3, "body": 1} and n == 5


def test_bm25_formula():
    assert idf(10, 1) == pytest.approx(math.log(1 + 9.5 / 1.5))
    # a term in every document still scores above zero (Lucene's idf), more occurrences score higher
    low = bm25({"a": 1}, 10, {"a": 10}, 10, 10.0)
    high = bm25({"a": 3}, 10, {"a": 10}, 10, 10.0)
    assert 0 < low < high
    # a longer document scores lower for the same term frequency
    assert bm25({"a": 1}, 40, {"a": 2}, 10, 10.0) < bm25({"a": 1}, 5, {"a": 2}, 10, 10.0)


DOCS = {
    "d1": ("BlackBerry leaves Pakistan", "BlackBerry will leave Pakistan rather than open its servers. " * 3),
    "d2": ("BlackBerry stays", "The company stays after the government dropped its demand for server access."),
    "d3": ("Football", "Manchester United shares rose after a new offer from Malcolm Glazer."),
    "d4": ("Servers", "Servers servers servers: data centres in Canada route every message."),
}


def _index(con: duckdb.DuckDBPyConnection) -> None:
    ensure_schema(con)
    docs, terms = [], []
    for aid, (title, body) in DOCS.items():
        tfs, length = s.term_counts(title, body)
        docs.append({"article_id": aid, "source_id": "s", "length": length, "index_version": "t", "run_id": "r"})
        terms += [{"term": t, "article_id": aid, "tf": n} for t, n in tfs.items()]
        con.execute(
            "INSERT INTO articles (article_id, source_id, source_path, ordinal, kind, title, body, language, "
            "language_prob, authors, tags, char_start, char_end, n_words, n_paragraphs, content_hash, run_id, "
            "ingested_at) VALUES (?, 's', ?, 0, 'article', ?, ?, 'en', 1, [], [], 0, 1, 1, 1, 'h', 'r', now())",
            [aid, f"/x/{aid}.txt", title, body],
        )
    con.register("d", schema.to_table(schema.SEARCH_DOCS, docs))
    con.register("t", schema.to_table(schema.SEARCH_TERMS, terms))
    con.execute("INSERT INTO search_docs SELECT * FROM d")
    con.execute("INSERT INTO search_terms SELECT * FROM t")


QUERIES = ("blackberry servers", "pakistan", "server access government", "glazer united", "Servers, 5 SERVERS")


def _reference(query: str) -> dict[str, float]:
    """The Python reference's BM25 score of every document of DOCS for ``query``."""
    counts = {aid: s.term_counts(t, b) for aid, (t, b) in DOCS.items()}
    avgdl = sum(n for _, n in counts.values()) / len(counts)
    q = s.query_terms(query)
    dfs = {t: sum(1 for tf, _ in counts.values() if t in tf) for t in q}
    dfs = {t: df for t, df in dfs.items() if df}
    return {aid: bm25(tf, n, dfs, len(DOCS), avgdl) for aid, (tf, n) in counts.items()}


def test_bm25_sql_matches_python():
    con = duckdb.connect()
    _index(con)
    for query in QUERIES:
        expected = _reference(query)
        got = search(con, query, limit=10)
        assert [r["article_id"] for r in got] == sorted(
            (a for a, v in expected.items() if v > 0), key=lambda a: (-expected[a], a)
        )
        for r in got:
            assert r["score"] == pytest.approx(expected[r["article_id"]], abs=1e-4)
    assert search(con, "  ,, ") == []
    top = search(con, "servers", limit=1)[0]
    assert top["article_id"] == "d4" and "Servers" in top["snippet"]


def test_the_cookbook_bm25_is_generated_from_the_one_bm25():
    """``warehouse/queries/search_bm25.sql`` is ``sql/search/bm25.sql`` with K1 and B written in
    (``python -m warehouse.search --write`` regenerates it)."""
    assert COOKBOOK_BM25.read_text(encoding="utf-8") == cookbook_sql()
    assert f"{s.K1!r}::DOUBLE AS k1, {s.B!r}::DOUBLE AS b" in cookbook_sql()


def test_the_cookbook_bm25_scores_as_the_reference():
    con = duckdb.connect()
    _index(con)
    titles = {aid: title for aid, (title, _) in DOCS.items()}
    query = cookbook.get("search_bm25")
    for text in QUERIES:
        expected = _reference(text)
        rows = con.execute(query.sql, query.bind({"query": f"'{text}'", "limit": "10"})).fetchall()
        ranked = sorted((a for a, v in expected.items() if v > 0), key=lambda a: (-expected[a], a))
        assert [(title, path) for title, path, _ in rows] == [(titles[a], f"/x/{a}.txt") for a in ranked]
        assert [score for _, _, score in rows] == [pytest.approx(round(expected[a], 3), abs=1e-9) for a in ranked]


@given(st.text(alphabet="abXZ09_ -'.,:éÜñ中文\n", max_size=60))
@settings(max_examples=200, deadline=None)
def test_the_sql_tokenizer_agrees_with_terms(text):
    """``SQL_TERMS`` (the cookbook's tokenizer) gives ``terms`` on text that NFKC and casefold leave as NFC and
    lower do."""
    got = duckdb.execute(f"SELECT {SQL_TERMS}", [text]).fetchone()[0]
    assert got == s.terms(text)


@given(
    st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "x", "\n\n", "Beta,"]), min_size=0, max_size=200),
    st.lists(st.sampled_from(["alpha", "beta", "zeta"]), min_size=1, max_size=3),
)
@settings(max_examples=100, deadline=None)
def test_snippet_is_a_stretch_of_the_body_holding_the_terms(words, query):
    body = " ".join(words)
    snip = s.snippet(body, query, width=60)
    core = snip.strip("…")
    flat = re.sub(r"\s+", " ", body).strip()
    assert core in flat
    assert len(core) <= 60 + 30
    hits = [t for t in query if t in s.terms(body)]
    if hits and len(flat) <= 60:
        assert all(t in s.terms(core) for t in hits)
    if hits:
        assert any(t in s.terms(core) for t in hits)
