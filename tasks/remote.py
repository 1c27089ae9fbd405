"""The batch task as it runs on a remote worker (a Dask worker on this or another machine).

A remote worker shares no disk with the flow: it processes its batch into a private temporary staging
directory, reads the staging Parquet files back as bytes and returns them. The flow process lands them
in its own ``staging/<run_id>/`` (``land``), where the single writer loads them as usual. A worker never
opens the warehouse's DuckDB file, never writes the warehouse directory, and needs only read access to
the SOURCE files (a shared mount, or ``s3://`` object storage).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from corpus_etl.discover import SourceFile
from corpus_etl.pipeline import BatchOutput, process_batch
from corpus_etl.settings import Settings
from tasks.naming import batch_run_name


@dataclass(frozen=True)
class ShippedBatch:
    """A processed batch in transit: its counts and the bytes of its staging Parquet files, by table."""

    output: BatchOutput
    blobs: dict[str, bytes]
    index_blobs: dict[str, bytes]


@task(name="process-batch", task_run_name=batch_run_name, cache_policy=NO_CACHE, retries=1, retry_delay_seconds=1)
def process_batch_shipped(
    files: list[SourceFile],
    batch: int,
    settings: Settings,
    run_id: str,
    started_at: datetime,
    learned: dict[str, frozenset[str]] | None = None,
    n_batches: int = 0,
    spool: str | None = None,
    spool_blob: bytes | None = None,
) -> ShippedBatch:
    """Read, split, normalise and language-tag a batch of files on this worker; return the staging bytes
    (``learned``: the learned boilerplate of the batch's outlets, computed by the flow; ``spool``: the batch's
    files as the flow's pre-pass read them, for a worker on the flow's machine; ``spool_blob``: that spool's bytes,
    shipped to a worker elsewhere; neither: the worker reads the files)."""
    tmp = tempfile.mkdtemp(prefix=f"corpus-etl-{run_id[:8]}-")
    try:
        if spool_blob is not None:
            spool = str(Path(tmp) / f"batch-{batch}.read.zst")
            Path(spool).write_bytes(spool_blob)
        out = process_batch(files, batch, settings, run_id, started_at, tmp, learned, spool)
        return ShippedBatch(
            out,
            {name: Path(p).read_bytes() for name, p in out.paths.items()},
            {name: Path(p).read_bytes() for name, p in out.index_paths.items()},
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def land(shipped: ShippedBatch, staging: Path) -> BatchOutput:
    """Write a shipped batch's staging files into ``staging`` (each by a rename; the analytics index
    files first and sources last, as the batch's completion mark) and return its ``BatchOutput`` pointing at them."""
    staging.mkdir(parents=True, exist_ok=True)
    index_paths = {
        name: _write_atomic(staging / Path(shipped.output.index_paths[name]).name, blob)
        for name, blob in shipped.index_blobs.items()
    }
    paths: dict[str, str] = {}
    for name in sorted(shipped.blobs, key=lambda n: n == "sources"):
        paths[name] = _write_atomic(staging / Path(shipped.output.paths[name]).name, shipped.blobs[name])
    return replace(shipped.output, paths=paths, index_paths=index_paths)


def _write_atomic(final: Path, blob: bytes) -> str:
    """Write ``blob`` to ``final`` through a temporary name and a rename; return the final path."""
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    tmp.write_bytes(blob)
    tmp.replace(final)
    return str(final)
