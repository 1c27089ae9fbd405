"""The batch task of the ingest flow: one batch of files processed where the run's runner says.

The other steps of a run are plain functions of ``flows.plan``, which ``flows.ingest`` runs as task runs
named after them; this one is submitted by the runner (``flows.runners.LocalRunner``) with the run's
process pool, passed in (no registry: the pool belongs to the runner, whose lifetime is the run).
"""

from __future__ import annotations

from concurrent.futures import Executor
from datetime import datetime

from prefect import task
from prefect.cache_policies import NO_CACHE

from corpus_etl.discover import SourceFile
from corpus_etl.pipeline import BatchOutput, process_batch
from corpus_etl.settings import Settings
from tasks.naming import batch_run_name


@task(name="process-batch", task_run_name=batch_run_name, cache_policy=NO_CACHE, retries=1, retry_delay_seconds=1)
def process_batch_task(
    files: list[SourceFile],
    batch: int,
    settings: Settings,
    run_id: str,
    started_at: datetime,
    learned: dict[str, frozenset[str]] | None = None,
    n_batches: int = 0,
    pool: Executor | None = None,
    spool: str | None = None,
) -> BatchOutput:
    """Read, split, normalise and language-tag a batch of files into staging Parquet, in ``pool`` (the run's
    process pool) or in this process when None.

    Args:
        files: the batch's files.
        batch: the batch number.
        settings: the run settings.
        run_id: the run id (names the staging directory).
        started_at: the run's start.
        learned: the learned boilerplate of the batch's outlets.
        n_batches: how many batches the run has (for the task run's name).
        pool: the run's process pool, or None.
        spool: the batch's files as the pre-pass read them (``corpus_etl.reading``), or None.
    """
    out_dir = str(settings.staging_dir / run_id)
    if pool is None:
        return process_batch(files, batch, settings, run_id, started_at, out_dir, learned, spool)
    return pool.submit(process_batch, files, batch, settings, run_id, started_at, out_dir, learned, spool).result()
