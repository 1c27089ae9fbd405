"""The analytics index rows of a file's articles (corpus_etl.analytics.index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_etl.analytics import index
from corpus_etl.pipeline import extract_records

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


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
