"""Where the batch tasks of a run execute: a local process pool, or a Dask cluster (prefect-dask).

The flow's plan (``flows.plan``) asks ``start(settings, run_id, n_batches)`` for a runner, submits every batch
to it and reads the results as the batches finish (``in_completion_order``); whatever the runner, the results are
``BatchOutput``s whose staging files are in the flow's ``staging/<run_id>/``, and the flow's single writer
loads them. The choice of runner
changes where the CPU work happens, never what is written: the rows depend only on the input and the
settings that shape them (tested: a LocalCluster of two workers against the default runner).

- ``local`` (default): the batch tasks run in the flow's Prefect thread pool and hand the work to a
  spawned ``ProcessPoolExecutor`` of ``settings.n_workers`` processes (none for a single batch or worker).
- ``dask``: the batch tasks are Prefect task runs submitted through ``prefect_dask.DaskTaskRunner`` to the
  cluster at ``settings.dask_address`` (``tcp://HOST:PORT``), or to a ``distributed.LocalCluster`` of
  ``settings.n_workers`` single-threaded worker processes when no address is given. A worker processes
  its batch into a private temporary directory and ships the staging bytes back (``tasks.remote``), so
  the workers need no shared disk with the flow and never see the warehouse. It splits its files from the
  pre-pass's spool: read in the flow's staging directory by a local cluster's worker, shipped as bytes with
  the batch to a worker of an existing cluster (each file is read once, by the pre-pass).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect.futures import as_completed

from corpus_etl.discover import SourceFile
from corpus_etl.lifeline import start_worker
from corpus_etl.pipeline import BatchOutput
from corpus_etl.settings import Settings
from flows.plan import BatchFuture
from tasks import ingest as t
from tasks.remote import land, process_batch_shipped

Learned = dict[str, frozenset[str]]  # the learned boilerplate lines of a batch's outlets


class LocalRunner:
    """Batch tasks in the flow's thread pool, CPU work in a spawned process pool (the default), which the
    runner owns for the run (the pre-pass uses it too) and hands to each batch task."""

    shares_disk = True  # the workers write the flow's staging directory (they read the pre-pass's spools)

    def __init__(self, settings: Settings, run_id: str, n_batches: int) -> None:
        self.settings, self.run_id, self.n_batches = settings, run_id, n_batches
        self.pool: ProcessPoolExecutor | None = None
        if n_batches > 1 and settings.n_workers > 1:
            self.pool = ProcessPoolExecutor(
                max_workers=settings.n_workers,
                mp_context=multiprocessing.get_context("spawn"),
                # in the core (a worker imports no Prefect): the worker ends if the flow's process dies
                # (kill -9 included), then warms up (pipeline.warm_worker)
                initializer=start_worker,
                initargs=(os.getpid(),),
            )

    def submit(
        self,
        files: list[SourceFile],
        batch: int,
        started: datetime,
        learned: Learned | None = None,
        spool: str | None = None,
    ) -> BatchFuture:
        return t.process_batch_task.submit(
            files,
            batch,
            self.settings,
            self.run_id,
            started,
            learned,
            n_batches=self.n_batches,
            pool=self.pool,
            spool=spool,
        )

    def in_completion_order(self, futures: list[BatchFuture]) -> Iterator[BatchFuture]:
        return in_completion_order(futures)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


class _Landed:
    """A Dask future whose result is landed in the flow's staging directory when it is read."""

    def __init__(self, fut: Any, runner: DaskRunner) -> None:
        self.fut, self.runner = fut, runner

    def result(self) -> BatchOutput:
        return land(self.fut.result(), self.runner.settings.staging_dir / self.runner.run_id)


class DaskRunner:
    """Batch tasks as Prefect task runs on a Dask cluster (an existing one, or a local one for the run)."""

    pool = None  # the pre-pass runs in the flow's process

    def __init__(self, settings: Settings, run_id: str, n_batches: int) -> None:
        from prefect_dask import DaskTaskRunner  # lazy: dask distributed costs ~0.35 s, only for the Dask runner

        self.settings, self.run_id, self.n_batches = settings, run_id, n_batches
        # A local cluster's workers are on this machine: they read the pre-pass's spools. A worker of an existing
        # cluster may be on another machine: the spool's bytes (zstd, a third of the text) go with its batch. Either
        # way each file is read once, by the pre-pass.
        self.shares_disk = settings.dask_address is None
        if settings.dask_address:
            runner = DaskTaskRunner(address=settings.dask_address)
        else:
            # a cluster for this run only: its scheduler's and workers' INFO lines are noise in a run's log
            logging.getLogger("distributed").setLevel(max(logging.WARNING, logging.getLogger().level))
            runner = DaskTaskRunner(
                cluster_kwargs={
                    "n_workers": max(1, min(settings.n_workers, n_batches)),
                    "threads_per_worker": 1,  # langdetect is pure Python: one thread per process
                    "processes": True,
                    "dashboard_address": ":0",  # any free port: runs on one machine do not collide
                }
            )
        self._stack = ExitStack()
        self.task_runner = self._stack.enter_context(runner)
        try:  # connect (or start the local cluster) now: a bad address fails the run before any batch
            self.task_runner.client  # noqa: B018
        except (OSError, TimeoutError) as exc:
            self._stack.close()
            where = settings.dask_address or "a local Dask cluster"
            raise RuntimeError(f"cannot reach the Dask scheduler at {where}: {exc}") from exc

    def submit(
        self,
        files: list[SourceFile],
        batch: int,
        started: datetime,
        learned: Learned | None = None,
        spool: str | None = None,
    ) -> BatchFuture:
        params = {
            "files": files,
            "batch": batch,
            "settings": self.settings,
            "run_id": self.run_id,
            "n_batches": self.n_batches,
        }
        fut = self.task_runner.submit(
            process_batch_shipped,
            parameters={
                **params,
                "started_at": started,
                "learned": learned,
                "spool": spool if self.shares_disk else None,
                "spool_blob": Path(spool).read_bytes() if spool and not self.shares_disk else None,
            },
        )
        return _Landed(fut, self)

    def in_completion_order(self, futures: list[BatchFuture]) -> Iterator[BatchFuture]:
        return in_completion_order(futures)

    def close(self) -> None:
        self._stack.close()


def in_completion_order(futures: list[BatchFuture]) -> Iterator[BatchFuture]:
    """The batch futures as their batches finish, whatever the runner: the single writer validates and
    loads each batch as soon as it is done instead of waiting, in batch order, behind a slower one (which
    left the loads of the batches done meanwhile for after the processing)."""
    inner = [f.fut if isinstance(f, _Landed) else f for f in futures]
    by_id = {id(p): f for p, f in zip(inner, futures, strict=True)}
    for done in as_completed(inner):  # type: ignore[arg-type]
        yield by_id[id(done)]


def start(settings: Settings, run_id: str, n_batches: int) -> LocalRunner | DaskRunner:
    """The runner the settings ask for, started (close it when the run ends)."""
    if settings.runner == "dask":
        return DaskRunner(settings, run_id, n_batches)
    return LocalRunner(settings, run_id, n_batches)
