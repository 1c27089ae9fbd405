"""Full-text search: the tokenizer, term counts for the index, BM25's constants and result snippets.

DuckDB's ``fts`` extension cannot be had offline for DuckDB 2.0.0 (the wheel does not bundle it and
``duckdb-extension-fts`` on PyPI stops at 1.5.5, which DuckDB 2.0.0 refuses to load), so the index is
two plain tables (``search_docs``, ``search_terms``) kept up to date after every run, and BM25 is
computed in SQL (``warehouse/sql/search/bm25.sql``, and the cookbook query generated from it by
``warehouse.search.cookbook_sql``) with the constants and the tokenizer below: that statement is the one
BM25. The tests score both SQL statements against an independent Python reference
(``tests/unit/test_analytics_search.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from .text import words

K1 = 1.2
B = 0.75
# Changing the tokenizer changes this string; indexed articles of another version are indexed again.
TOKENIZER_VERSION = "nfkc-casefold-word-min2-v1"


def terms(text: str) -> list[str]:
    """The index terms of a text, in order: its words (``text.words``) without one-letter words.

    One-digit numbers are kept (a score, a rank); no stemming and no stop words (BM25's IDF weighs them).
    """
    return [w for w in words(text) if len(w) > 1 or w.isdigit()]


def term_counts(title: str | None, body: str, body_words: list[str] | None = None) -> tuple[Counter[str], int]:
    """Term frequencies of an article's title and body, and its length in terms.

    ``body_words`` may pass ``words(body)`` when the caller already has it.
    """
    ws = words(title or "") + (words(body) if body_words is None else body_words)
    ts = [w for w in ws if len(w) > 1 or w.isdigit()]
    return Counter(ts), len(ts)


def query_terms(query: str) -> list[str]:
    """The distinct terms of a query, in order."""
    return list(dict.fromkeys(terms(query)))


_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


def snippet(body: str, query: list[str], width: int = 160) -> str:
    """The stretch of ``body`` (about ``width`` characters) holding the most distinct query terms.

    Args:
        body: the article body.
        query: query terms (from ``query_terms``).
        width: the snippet's length in characters, before ellipses.

    Returns:
        The snippet on one line, with "…" where it cuts the body.
    """
    wanted = set(query)
    hits = [
        (m.start(), unicodedata.normalize("NFKC", m.group()).casefold())
        for m in _WORD.finditer(body)
        if unicodedata.normalize("NFKC", m.group()).casefold() in wanted
    ]
    start = 0
    if hits:
        best = (-1, 0)
        for i, (pos, _) in enumerate(hits):
            distinct = {t for p, t in hits[i:] if p < pos + width}
            if len(distinct) > best[0]:
                best = (len(distinct), pos)
        start = max(0, best[1] - width // 4)
        while start > 0 and not body[start - 1].isspace():
            start -= 1
    end = min(len(body), start + width)
    while end < len(body) and not body[end].isspace() and end - start < width + 30:
        end += 1
    text = _SPACE.sub(" ", body[start:end]).strip()
    return ("…" if start > 0 else "") + text + ("…" if end < len(body) else "")
