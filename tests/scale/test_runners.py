"""The same input gives the same warehouse whatever runs the batches: the default runner, or an existing Dask
cluster (a LocalCluster of two worker processes, reached by its tcp:// address through prefect-dask), real
flow runs into real DuckDB files."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from corpus_etl.settings import Settings
from tests.conftest import SAMPLES
from tests.scale.warehouse_diff import table_rows

pytestmark = [pytest.mark.e2e, pytest.mark.dask]

BATCH_FILES = 6  # seeds + samples = 11 files: 2 batches, one for each worker
# Validation runs in the flow process whatever the runner (and costs seconds per batch): off here.


def _ingest(src: Path, wh: Path, **kw: Any) -> tuple[dict[str, Any], float]:
    from flows.ingest import ingest

    t0 = time.perf_counter()
    summary = ingest([str(src)], Settings(warehouse=wh, batch_files=BATCH_FILES, validate_data=False, **kw))
    return summary, time.perf_counter() - t0


@pytest.fixture(scope="module")
def two_runs(prefect_api, seeds_dir, tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    for d, sub in ((seeds_dir, "seeds"), (SAMPLES, "samples")):
        (src / sub).mkdir()
        for p in sorted(d.glob("*.txt")):
            shutil.copy(p, src / sub / p.name)
    default, t_default = _ingest(src, tmp_path_factory.mktemp("wh-default"), workers=1)
    # An existing cluster, reached by its address as `--dask-address tcp://HOST:PORT` does.
    from distributed import LocalCluster

    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        t_start = time.perf_counter() - t0
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        dask, t_dask = _ingest(src, tmp_path_factory.mktemp("wh-dask"), runner="dask", dask_address=address)
        workers_seen = len(cluster.scheduler_info["workers"])
    print(
        f"\nseeds+samples: default runner (1 process) {t_default:.1f} s; "
        f"dask LocalCluster(2) start {t_start:.1f} s, run {t_dask:.1f} s"
    )
    assert workers_seen == 2
    # A cluster the run starts for itself (no address): its workers are on this machine and split the batches from
    # the pre-pass's spools (each file read once) instead of reading the files again.
    local, _ = _ingest(src, tmp_path_factory.mktemp("wh-dask-local"), runner="dask", workers=2)
    return default, dask, local


def test_dask_local_cluster_gives_row_for_row_the_same_warehouse(two_runs):
    default, dask, local = two_runs
    assert default["n_processed"] == dask["n_processed"] == local["n_processed"] == 11 and default["n_failed"] == 0
    a = table_rows(Path(default["warehouse"]) / "corpus.duckdb")
    assert a["articles"], "nothing loaded"
    for other in (dask, local):  # an existing cluster (workers read their files), the run's own (from the spools)
        b = table_rows(Path(other["warehouse"]) / "corpus.duckdb")
        assert a.keys() == b.keys()
        for table in a:
            assert a[table] == b[table], table


def test_dask_run_records_its_runner_and_leaves_no_staging(two_runs):
    import duckdb

    _, dask, _ = two_runs
    wh = Path(dask["warehouse"])
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        (settings_json,) = con.execute("select settings_json from runs where run_id = ?", [dask["run_id"]]).fetchone()
    finally:
        con.close()
    assert '"runner": "dask"' in settings_json and '"dask_address": "tcp://127.0.0.1:' in settings_json
    assert not (wh / "staging" / dask["run_id"]).exists()
