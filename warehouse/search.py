"""Full-text search over the warehouse: BM25 in SQL over the ``search_docs`` / ``search_terms`` index."""

from __future__ import annotations

from typing import Any

import duckdb

from corpus_etl.analytics.search import K1, B, query_terms, snippet

from .db import fetch_dicts, sql


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10, width: int = 160) -> list[dict[str, Any]]:
    """The articles best matching ``query`` by BM25 (k1 = 1.2, b = 0.75), best first.

    Args:
        con: a connection to the warehouse (read-only is enough; the Parquet copy works too).
        query: free text; it is tokenized like the index (casefolded words).
        limit: how many results.
        width: snippet length in characters.

    Returns:
        One dict per result: rank, score, title, source_path, outlet, language, published_date,
        article_id, terms matched and a snippet of the body around the query terms.
    """
    terms = query_terms(query)
    if not terms:
        return []
    rows = fetch_dicts(con, sql("search/bm25"), [terms, K1, B, limit])
    return [
        {
            "rank": i,
            "score": round(float(r["score"]), 4),
            "title": r["title"],
            "source_path": r["source_path"],
            "snippet": snippet(r["body"], terms, width),
            "outlet": r["outlet"],
            "language": r["language"],
            "published_date": r["published_date"],
            "n_terms_matched": r["n_terms_matched"],
            "article_id": r["article_id"],
        }
        for i, r in enumerate(rows, 1)
    ]
