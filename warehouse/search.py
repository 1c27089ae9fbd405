"""Full-text search over the warehouse: BM25 in SQL over the ``search_docs`` / ``search_terms`` index.

There is one BM25: the constants ``K1``, ``B`` and the tokenizer (``terms``) are in
``corpus_etl.analytics.search``; the one SQL statement is
``sql/search/bm25.sql`` (k1, b and the query's terms bound with ``?``). The cookbook's ``search_bm25``
query (``queries/search_bm25.sql``, for analysts who run SQL with a query text) is generated from it by
``cookbook_sql``: the same statement with ``K1`` and ``B`` written in and the query text tokenized in SQL
(``SQL_TERMS``). ``python -m warehouse.search --write`` rewrites it; tests check the file is in sync and that
both statements score as the tests' Python reference does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from corpus_etl.analytics.search import K1, B, query_terms, snippet

from .cookbook import QUERIES_DIR
from .db import SQL_DIR, fetch_dicts, sql

BM25_SQL = SQL_DIR / "search" / "bm25.sql"
COOKBOOK_BM25 = QUERIES_DIR / "search_bm25.sql"
# ``corpus_etl.analytics.search.terms`` in SQL, on a bound query text: runs of letters, digits and underscores
# (Unicode classes, as Python's ``\w``) of two or more characters, or one digit, lower-cased. It agrees with
# ``terms`` on text whose NFKC form is its NFC form and whose case folding is its lower case (most text; not
# "ß", ligatures, full-width or superscript characters): DuckDB has no NFKC or casefold. ``corpus-etl search``
# tokenizes in Python.
SQL_TERMS = r"regexp_extract_all(lower(nfc_normalize(?)), '[\pL\pN_][\pL\pN_]+|\p{Nd}')"


def index_is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the search index holds no article (an old warehouse's, before ``corpus-etl analytics``)."""
    row = con.execute(sql("search/index_empty")).fetchone()
    return bool(row and row[0])


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


def cookbook_sql() -> str:
    """The cookbook's ``search_bm25`` query: ``sql/search/bm25.sql`` with ``K1`` and ``B`` written in, the
    query text tokenized by ``SQL_TERMS``, and the cookbook's columns (title, source path, score to 3 places).
    Its ``?`` are the query text and the limit, as its ``param`` lines say."""
    statement = BM25_SQL.read_text(encoding="utf-8").strip().rstrip(";")
    for bound, written in (
        ("?::VARCHAR[]", SQL_TERMS),
        ("?::DOUBLE AS k1, ?::DOUBLE AS b", f"{K1!r}::DOUBLE AS k1, {B!r}::DOUBLE AS b"),
    ):
        if statement.count(bound) != 1:
            raise ValueError(f"{BM25_SQL.name} no longer binds {bound!r} once: update cookbook_sql")
        statement = statement.replace(bound, written)
    body = "\n".join("    " + line if line else line for line in statement.splitlines())
    return (
        "-- title: Full-text search (BM25)\n"
        f"-- The best matches for a few words, scored by BM25 (k1 = {K1}, b = {B}) over the search index, as\n"
        "-- `corpus-etl search` does (which also prints snippets). The query is split into lower-cased words.\n"
        "-- Generated from warehouse/sql/search/bm25.sql by `python -m warehouse.search --write`: edit that.\n"
        "-- param: query = 'blackberry servers pakistan'\n"
        "-- param: limit = 10\n"
        "SELECT ranked.title, ranked.source_path, round(ranked.score, 3) AS score\n"
        f"FROM (\n{body}\n) AS ranked\n"
        "ORDER BY ranked.score DESC, ranked.article_id\n"
    )


def update_cookbook(path: Path = COOKBOOK_BM25) -> bool:
    """Write ``cookbook_sql()`` to the cookbook's ``search_bm25.sql``; True when it changed."""
    new = cookbook_sql()
    if path.exists() and path.read_text(encoding="utf-8") == new:
        return False
    path.write_text(new, encoding="utf-8")
    return True


if __name__ == "__main__":  # python -m warehouse.search [--write]
    import sys

    if "--write" in sys.argv:
        name = "warehouse/queries/search_bm25.sql"
        print(f"{name} updated" if update_cookbook() else f"{name} already up to date")
    else:
        print(cookbook_sql(), end="")
