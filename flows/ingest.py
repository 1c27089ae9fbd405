"""The ingest flow: the plan of ``flows.plan`` run by Prefect, each step a task run.

Wiring only: the steps and their order are ``flows.plan.PLAN`` (discover -> begin-run -> plan -> ...
-> batches (process, validate, load) -> analytics -> export -> finish -> reports); ``PrefectExecutor``
makes each step a Prefect task run named after it, the batch steps one task run per batch. Batches are
processed in parallel by the run's runner (``flows.runners``: a local process pool by default); each batch
is validated and loaded by the single writer as soon as it finishes, while the other batches are still
being processed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from corpus_etl import outcome
from corpus_etl.memory import use_returning_allocators
from corpus_etl.settings import Settings
from flows import runners
from flows.plan import DISCOVER, FLOW_NAME, PLAN, REPORT_STEPS, BatchRunner, Discovered, Handle, RunContext, Step
from flows.plan import execute as execute_plan
from tasks.naming import ingest_run_name
from warehouse.lock import run_lock


def _flow_run_name() -> str:
    """The flow run's name in the Prefect UI: what it ingests (``ingest-seeds-into-data``)."""
    params = flow_run.parameters or {}
    settings = params.get("settings")
    warehouse = settings.get("warehouse") if isinstance(settings, dict) else getattr(settings, "warehouse", None)
    return ingest_run_name(list(params.get("sources") or []), warehouse or Settings().warehouse)


def _post(kind: str, key: str, content: Any, description: str) -> None:
    """A Prefect artifact of the run (the plan's ``RunContext.post``)."""
    if kind == "table":
        create_table_artifact(key=key, table=content, description=description)
    else:
        create_markdown_artifact(key=key, markdown=content, description=description)


class PrefectExecutor:
    """Each step of the plan a Prefect task run named after it (``Step.name``; a batch step's run is named
    by its batch), with the step's retries and no result cache; a background step is submitted to the flow's
    thread pool."""

    def __init__(self) -> None:
        self._tasks: dict[int, Any] = {}

    def _task(self, step: Step) -> Any:
        key = id(step)
        if key not in self._tasks:
            namer: Any = step.run_name  # (Prefect passes a namer the task run's parameters)
            self._tasks[key] = task(
                name=step.name,
                task_run_name=namer,
                cache_policy=NO_CACHE,
                retries=step.retries,
                retry_delay_seconds=step.retry_delay_seconds,
            )(step.fn)
        return self._tasks[key]

    def run(self, step: Step, *args: Any) -> Any:
        return self._task(step)(*args)

    def submit(self, step: Step, *args: Any) -> Handle:
        return self._task(step).submit(*args)

    def start_runner(self, ctx: RunContext) -> BatchRunner:
        return runners.start(ctx.settings, ctx.run_id, len(ctx.batches))


@flow(
    name=FLOW_NAME,
    flow_run_name=_flow_run_name,
    task_runner=ThreadPoolTaskRunner(max_workers=8),  # type: ignore[arg-type]
    validate_parameters=True,
)
def ingest(
    sources: list[str],
    settings: Settings | None = None,
    fail_on: outcome.FailOn = "none",
    discovered: Discovered | None = None,
) -> dict[str, Any] | State[dict[str, Any]]:
    """Ingest SOURCE files into the warehouse.

    Args:
        sources: files, directories (recursive) or globs.
        settings: run settings; defaults (and ``CORPUS_ETL_*`` variables) when None.
        fail_on: which problems end the flow run Failed once everything good is loaded (``corpus_etl.outcome``):
            ``any`` (files that failed, or error-level expectations that failed), ``files``, ``dq``, or
            ``none`` (the default for a call from Python: the summary is returned whatever failed; the CLI
            and its deployments pass ``any`` unless told otherwise).
        discovered: the files ``sources`` expanded to, when the caller expanded them already (the CLI does,
            to look for an unchanged run first): SOURCE is expanded once per ingest. None: the flow expands it.

    Returns:
        The run summary: run id, counts per stage, languages, seconds; with problems that ``fail_on`` counts,
        a Failed state holding the same summary (``state.result(raise_on_failure=False)``).
    """
    # (named in the body, not only in the annotation: a served flow is cloudpickled with the globals its code uses)
    files = discovered.files if isinstance(discovered, Discovered) else None
    settings = (settings or Settings()).resolved()
    use_returning_allocators()  # one batch at a time: memory given back after each (corpus_etl.memory)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    ctx = RunContext(
        settings,
        sources,
        run_id,
        datetime.now(UTC),
        files=files,
        log=get_run_logger(),
        post=_post,
    )
    ex = PrefectExecutor()
    ex.run(DISCOVER, ctx)
    with run_lock(settings.warehouse, run_id, wait=settings.lock_wait, name=flow_run.get_name()):
        execute_plan(ctx, ex, PLAN)
        summary = execute_plan(ctx, ex, REPORT_STEPS)
    found = outcome.problems(summary, fail_on)
    if found:  # everything good is loaded: the run is recorded; the flow run says what went wrong
        return Failed(message=f"run {run_id}: {'; '.join(found)} (--fail-on {fail_on})", data=summary)
    return summary
