"""The flow and the warehouse lock: a run refused at once names the holder; with lock_wait it waits, then runs."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pytest

from corpus_etl.settings import Settings
from tests.unit.test_lock import _holder
from warehouse.loader import WarehouseLocked

pytestmark = pytest.mark.e2e


def test_a_run_refused_names_the_holder_and_a_waiting_run_goes_after_it(prefect_api, seeds_dir, tmp_path):
    from flows.ingest import ingest

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(sorted(seeds_dir.glob("*.txt"))[0], src)
    wh = tmp_path / "wh"
    holder = _holder(wh, -1)
    try:
        with pytest.raises(WarehouseLocked, match=rf"run run-holder-1 'nightly-otter' \(pid {holder.pid} on "):
            ingest([str(src)], Settings(warehouse=wh, workers=1, validate_data=False))
        with ThreadPoolExecutor(1) as ex:
            waiting = ex.submit(
                ingest, [str(src)], Settings(warehouse=wh, workers=1, validate_data=False, lock_wait=300)
            )
            time.sleep(3)
            assert not waiting.done()  # still waiting for the lock
            assert holder.stdin is not None
            holder.stdin.write("let go\n")
            holder.stdin.flush()
            s = waiting.result(timeout=300)
    finally:
        holder.kill()
        holder.wait()
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:  # the refused run left no trace; the waiting one completed
        assert con.execute("select run_id, status, n_processed from runs").fetchall() == [(s["run_id"], "completed", 1)]
    finally:
        con.close()
