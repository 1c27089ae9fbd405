"""DuckDB memory claims (``warehouse.db.memory_claim``): steps running at once on one database instance add
their budgets up instead of overwriting each other's ``SET memory_limit``."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from warehouse.db import WRITER_MEMORY_LIMIT, checkpoint_quietly, limit_bytes, memory_claim
from warehouse.loader import open_writer


def limit_of(con: duckdb.DuckDBPyConnection) -> int:
    """The instance's memory_limit in bytes, read back from DuckDB."""
    return limit_bytes(str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]))


def near(got: int, want: str) -> bool:
    """DuckDB reports the limit rounded to two decimals of its unit (e.g. "244.1 MiB")."""
    return abs(got - limit_bytes(want)) <= limit_bytes(want) // 100


def test_limit_bytes_reads_duckdbs_units() -> None:
    assert limit_bytes("256MB") == 256_000_000
    assert limit_bytes("244.1 MiB") == int(244.1 * 1024**2)
    assert limit_bytes("1GiB") == 1024**3
    with pytest.raises(ValueError, match="not a memory size"):
        limit_bytes("lots")


def test_claims_on_one_instance_add_up_and_the_writers_limit_comes_back(tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    with open_writer(db) as a, open_writer(db) as b:  # two connections of one instance, as the flow's threads
        assert near(limit_of(a), WRITER_MEMORY_LIMIT)
        with memory_claim(a, db, "256MB") as first:
            assert near(limit_of(b), "256MB")  # the limit is the instance's: the other connection sees it
            with memory_claim(b, db, "128MB"):
                assert near(limit_of(a), "384MB")
                first.set("64MB")  # a phase that needs less gives it back, the other claim stays
                assert near(limit_of(b), "192MB")
            assert near(limit_of(a), "64MB")  # the second step ended: only the first one's share is left
        assert near(limit_of(a), WRITER_MEMORY_LIMIT)


def test_a_claim_is_dropped_when_its_step_fails(tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    with open_writer(db) as con:
        with pytest.raises(RuntimeError), memory_claim(con, db, "1GB"):
            raise RuntimeError("the step failed")
        assert near(limit_of(con), WRITER_MEMORY_LIMIT)


def test_claims_from_threads_leave_the_sum_of_those_still_held(tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    held, release = threading.Barrier(3), threading.Event()

    def step(limit: str) -> None:
        with open_writer(db) as con, memory_claim(con, db, limit):
            held.wait()
            release.wait(30)

    with open_writer(db) as con:
        workers = [threading.Thread(target=step, args=(x,)) for x in ("100MB", "50MB")]
        for w in workers:
            w.start()
        held.wait()
        assert near(limit_of(con), "150MB")
        release.set()
        for w in workers:
            w.join()
        assert near(limit_of(con), WRITER_MEMORY_LIMIT)


def wal_bytes(db: Path) -> int:
    wal = db.with_name(db.name + ".wal")
    return wal.stat().st_size if wal.exists() else 0


def test_a_step_checkpoints_within_its_claim_and_is_not_stopped_by_another_transaction(tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    with open_writer(db) as con, open_writer(db) as other:
        con.execute("CREATE TABLE t AS SELECT range AS x FROM range(1000)")
        con.execute("CHECKPOINT")
        with memory_claim(con, db, "64MB"):
            con.execute("INSERT INTO t SELECT range FROM range(1000)")
            assert wal_bytes(db) > 0  # committed, not yet in the database file
            other.execute("BEGIN")
            other.execute("INSERT INTO t VALUES (-1)")
            checkpoint_quietly(con)  # another step's open transaction: DuckDB refuses, the step goes on
            other.execute("ROLLBACK")
            checkpoint_quietly(con)
            assert wal_bytes(db) == 0  # the rows were written under this claim, not left to the close
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(2000,)]
