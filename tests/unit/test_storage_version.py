"""The warehouse file's DuckDB storage version (``warehouse.db.STORAGE_VERSION``) on real DuckDB files: a new file is
written in it, a file in DuckDB 2.0's own format is rewritten once by the writer, whole, and left as it was when
another process holds it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse import db as wdb
from warehouse.loader import WarehouseLocked, open_writer


def _tags(con: duckdb.DuckDBPyConnection) -> str:
    return str(
        con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()[0][0]
    )


def _in_2x_format(path: Path) -> None:
    con = duckdb.connect(str(path), config={"storage_compatibility_version": "latest"})
    con.execute("CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(50000)")
    con.execute("COMMENT ON TABLE t IS 'the table'; COMMENT ON COLUMN t.s IS 'a hash'")
    con.execute("CREATE VIEW v AS SELECT i FROM t WHERE i % 2 = 0; COMMENT ON COLUMN v.i IS 'even'")
    con.close()


def test_a_new_warehouse_file_is_written_in_the_pinned_storage_version(tmp_path: Path) -> None:
    path = tmp_path / "corpus.duckdb"
    con = wdb.connect(path)
    con.execute("CREATE TABLE t AS SELECT 1 AS i")
    assert _tags(con) == f"{wdb.STORAGE_VERSION}+"
    con.close()
    assert wdb.storage_number(path) in wdb.DUCKDB_1X_STORAGE_NUMBERS
    assert wdb.ensure_readable_by_1x(path) is False  # nothing to do


def test_a_2x_format_file_is_rewritten_once_with_its_rows_views_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "corpus.duckdb"
    _in_2x_format(path)
    assert wdb.storage_number(path) not in wdb.DUCKDB_1X_STORAGE_NUMBERS
    rows = "SELECT count(*), sum(i), min(s), max(s) FROM t"
    old = duckdb.connect(str(path), read_only=True)
    before = old.execute(rows).fetchall()
    old.close()
    con = wdb.connect(path)  # the writer's open rewrites it
    try:
        assert _tags(con) == f"{wdb.STORAGE_VERSION}+"
        assert con.execute(rows).fetchall() == before
        assert con.execute("SELECT count(*) FROM v").fetchall() == [(25000,)]
        comments = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE comment IS NOT NULL ORDER BY ALL"
        ).fetchall()
        assert comments == [("t", "s", "a hash"), ("v", "i", "even")]
        assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 't'").fetchall() == [("the table",)]
    finally:
        con.close()
    assert wdb.storage_number(path) in wdb.DUCKDB_1X_STORAGE_NUMBERS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.duckdb"]  # no temporary file left


def test_a_2x_format_file_held_by_another_process_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "corpus.duckdb"
    _in_2x_format(path)
    before = path.read_bytes()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseLocked, match="locked by another process"), open_writer(path):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name != "corpus.duckdb"]
