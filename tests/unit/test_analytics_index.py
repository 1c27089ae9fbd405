"""The analytics index rows of a file's articles (corpus_etl.analytics.index)."""

from __future__ import annotations

import pytest

from corpus_etl.analytics import index
from corpus_etl.pipeline import extract_records
from tests.conftest import SEEDS  # (../shared, or $CORPUS_ETL_SHARED, as every other test reads it)


def test_rows_moved_to_arrow_in_chunks_are_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [r for f in sorted(SEEDS.iterdir()) for r in extract_records(f.read_text(), source_id=f.name)]
    assert len(rows) >= 5
    whole = index.index_tables(rows, "r", with_shingles=True)
    monkeypatch.setattr(index, "CHUNK_ROWS", 7)
    chunked = index.index_tables(rows, "r", with_shingles=True)
    assert chunked["search_terms"].column(0).num_chunks > 1 and chunked["lsh_buckets"].column(0).num_chunks > 1
    for name, table in whole.items():
        assert chunked[name].schema == table.schema and chunked[name].to_pylist() == table.to_pylist(), name
    assert whole["search_terms"].num_rows > 1000
    empty = index.index_tables([], "r", with_shingles=True)
    assert all(t.num_rows == 0 for t in empty.values())
    assert empty["search_terms"].schema == whole["search_terms"].schema


def test_articles_indexed_in_chunks_give_the_rows_of_one_call() -> None:
    rows = [r for f in sorted(SEEDS.iterdir()) for r in extract_records(f.read_text(), source_id=f.name)]
    rows += rows[:3]  # repeated texts: their shingles are staged once, at their first occurrence
    whole = index.index_tables(rows, "r", with_shingles=True)
    seen: set[str] = set()
    parts = [
        index.index_tables(rows[k : k + 2], "r", with_shingles=True, shingled_before=seen)
        for k in range(0, len(rows), 2)
    ]
    assert whole["shingles"].num_rows == len(seen) >= 3
    for name, table in whole.items():
        assert [r for p in parts for r in p[name].to_pylist()] == table.to_pylist(), name
