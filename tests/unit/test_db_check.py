"""warehouse.db.check_not_truncated on real DuckDB files (headers only, no connection)."""

from __future__ import annotations

import os
import struct

import duckdb
import pytest

from warehouse.db import DUCKDB_HEADER_BYTES, DatabaseDamaged, check_not_truncated


def test_a_few_free_blocks_missing_at_the_end_is_a_sound_file_a_cut_copy_is_not(tmp_path):
    db = tmp_path / "corpus.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) || md5((range + 7)::VARCHAR) AS s FROM range(300000)"
    )
    con.execute("CHECKPOINT")
    con.close()
    head = db.read_bytes()[:DUCKDB_HEADER_BYTES]
    blocks, block_size = max(struct.unpack_from("<6Q", head, off + 8) for off in (4096, 8192))[3:5]
    need = DUCKDB_HEADER_BYTES + blocks * block_size
    assert db.stat().st_size >= need - block_size
    check_not_truncated(db)
    os.truncate(db, need - block_size)  # DuckDB cuts free blocks off the end of a sound file
    check_not_truncated(db)
    os.truncate(db, need // 3)  # a copy cut short
    with pytest.raises(DatabaseDamaged, match="truncated"):
        check_not_truncated(db)


def test_a_failing_statement_on_a_registered_table_reports_its_own_error():
    """The error that aborted the transaction is the one raised, not the aborted transaction's refusal to
    unregister the table (a 200 MB ingest reported "Current transaction is aborted" for an out-of-memory)."""
    import pyarrow as pa

    from warehouse.db import registered

    con = duckdb.connect()
    con.execute("BEGIN")
    with pytest.raises(duckdb.CatalogException), registered(con, "t", pa.table({"a": [1]})):
        con.execute("SELECT * FROM t JOIN missing_table USING (a)")
    con.execute("ROLLBACK")
    with registered(con, "t", pa.table({"a": [1, 2]})):
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(2,)]
    with pytest.raises(duckdb.CatalogException):
        con.execute("SELECT * FROM t")  # unregistered after the block
