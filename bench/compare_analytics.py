"""Compare the analytics tables of two warehouses row for row (``story_clusters``, ``minhash_signatures``,
``lsh_buckets``, ``search_docs``, ``search_terms``), e.g. two ``bench.analytics_replay`` work directories of
the same source run by two versions of the code.

``python -m bench.compare_analytics A/corpus.duckdb B/corpus.duckdb`` prints, per table, the row counts and
the rows of each side missing from the other (``EXCEPT ALL``: duplicates count), as JSON; exit code 1 when a
table differs. Columns that record when a row was written (``TIMESTAMP`` types) are left out.
"""

from __future__ import annotations

import argparse
import json
import sys

import duckdb

from warehouse.db import quote_ident, quote_literal

TABLES = ("story_clusters", "minhash_signatures", "lsh_buckets", "search_docs", "search_terms")


def compare(a: str, b: str, tables: tuple[str, ...] = TABLES) -> dict[str, dict[str, int]]:
    """Per table: rows in a, rows in b, rows of a not in b, rows of b not in a."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {quote_literal(a)} AS a (READ_ONLY)")
        con.execute(f"ATTACH {quote_literal(b)} AS b (READ_ONLY)")
        out: dict[str, dict[str, int]] = {}
        for t in tables:
            cols = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' AND table_name = ? "
                    "AND data_type NOT LIKE 'TIMESTAMP%' ORDER BY column_index",
                    [t],
                ).fetchall()
            ]
            sel = ", ".join(quote_ident(c) for c in cols)
            ta, tb = f"a.main.{quote_ident(t)}", f"b.main.{quote_ident(t)}"

            def one(q: str) -> int:
                return int(con.execute(q).fetchall()[0][0])

            out[t] = {
                "rows_a": one(f"SELECT count(*) FROM {ta}"),
                "rows_b": one(f"SELECT count(*) FROM {tb}"),
                "a_not_b": one(f"SELECT count(*) FROM (SELECT {sel} FROM {ta} EXCEPT ALL SELECT {sel} FROM {tb})"),
                "b_not_a": one(f"SELECT count(*) FROM (SELECT {sel} FROM {tb} EXCEPT ALL SELECT {sel} FROM {ta})"),
            }
        return out
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    args = ap.parse_args(argv)
    result = compare(args.a, args.b)
    same = all(r["rows_a"] == r["rows_b"] and not r["a_not_b"] and not r["b_not_a"] for r in result.values())
    print(json.dumps({"identical": same, "tables": result}))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
