"""Size: one 50 MB line through ``corpus-etl ingest`` (every character accounted for) and the load of a value
larger than the load's memory claim.

Many tiny files are in the bad-input corpus (conftest.N_TINY, test_bad_inputs); 100,000 of them are
``make bench-tiny`` (bench/tiny_files.py). Speed is measured there and in ``make bench``, not asserted here.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests.reliability.helpers import EXE, cli_env, rows, warehouse_problems

SENTENCE = b"The quick brown fox jumps over the lazy dog near the river bank. "


def _one_line(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.write((SENTENCE * (size // len(SENTENCE) + 1))[:size])


@pytest.mark.e2e
@pytest.mark.cli
@pytest.mark.big
def test_a_50mb_file_without_a_newline_loads(prefect_api, tmp_path):
    """Before issue #19 the load failed at its 64 MB claim (OutOfMemoryException: a 50 MB body is one DuckDB
    value) and the whole run exited 1; about 60 s on 2 busy cores (the split and index of 9 M words)."""
    src, wh = tmp_path / "src", tmp_path / "wh"
    src.mkdir()
    _one_line(src / "50mb.txt", 50_000_000)
    p = subprocess.run(
        [EXE, "ingest", str(src), "-w", str(wh), "--no-validate", "-q"],
        capture_output=True,
        text=True,
        env=cli_env(prefect_api),
        timeout=900,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    assert rows(wh, "select status, error, n_chars, n_articles from sources") == [("loaded", None, 50_000_000, 1)]
    assert rows(wh, "select n_words > 9000000, length(body) > 49000000 from articles") == [(True, True)]
    assert warehouse_problems(wh) == []  # every character accounted for: records and removed spans tile it


def test_the_load_claims_enough_for_a_value_past_its_limit(tmp_path, monkeypatch):
    """A batch holding one 40 MB value (above the ~30 MB a 64 MB claim could insert) loads, at a claim raised
    for it; a batch of ordinary rows keeps the 64 MB claim."""
    from corpus_etl import schema
    from warehouse import loader
    from warehouse.db import connect, ensure_schema

    db = tmp_path / "corpus.duckdb"
    con = connect(db)
    ensure_schema(con)
    con.close()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    body = "word " * (8 << 20)  # 40 MiB
    src = {
        "source_id": "s1", "path": "/x.txt", "size_bytes": len(body), "mtime": at, "sha256": "0" * 64,
        "encoding": "utf-8", "compression": None, "format": "text", "n_chars": len(body), "n_articles": 0,
        "n_quarantined": 0, "n_removed_spans": 1, "status": "loaded", "error": None, "first_run_id": "r",
        "last_run_id": "r", "loaded_run_id": "r",
    }  # fmt: skip
    removed = {"source_id": "s1", "char_start": 0, "char_end": len(body), "rule": "whitespace", "text": body,
               "article_id": None, "run_id": "r"}  # fmt: skip
    tables = {spec.name: schema.empty_table(spec) for spec in schema.PER_SOURCE}
    tables["removed_spans"] = schema.to_table(schema.REMOVED_SPANS, [removed])
    assert loader.load_memory_limit(tables.values()) == "184MB"
    assert loader.load_memory_limit([schema.to_table(schema.REMOVED_SPANS, [{**removed, "text": "x"}])]) == "64MB"
    sources = schema.to_table(schema.SOURCES, [src])
    loader.load_batch(db, sources, tables, schema.empty_table(schema.QUARANTINE), [], [])
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select length(text) from removed_spans").fetchall() == [(len(body),)]
    finally:
        con.close()
    # the same batch under the old single 64 MB claim fails as before (the test would catch a regression)
    monkeypatch.setattr(loader, "load_memory_limit", lambda tables, base=loader.LOAD_MEMORY_LIMIT: base)
    with pytest.raises(duckdb.OutOfMemoryException):
        loader.load_batch(db, sources, tables, schema.empty_table(schema.QUARANTINE), [], [])
