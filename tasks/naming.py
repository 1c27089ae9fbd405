"""Names of the runs in the Prefect UI: a flow run by what it ingests, a batch's task runs by its number."""

from __future__ import annotations

import os
from typing import Any

from corpus_etl import storage


def _batch_run_name(parameters: dict[str, Any]) -> str:
    """The name of a batch's task run: ``process-batch-3-of-46`` (numbered from 1; ``n_batches`` parameter)."""
    n = parameters.get("n_batches") or "?"
    return f"process-batch-{parameters['batch'] + 1}-of-{n}"


# Prefect passes the parameters to a namer with a ``parameters`` argument (its protocol type is not a
# plain function's): typed Any for the decorators.
batch_run_name: Any = _batch_run_name


def out_run_name(step: str) -> Any:
    """A task-run namer for a step of one processed batch (its ``out`` parameter): ``load-batch-3``."""

    def name(parameters: dict[str, Any]) -> str:
        return f"{step}-{parameters['out'].batch + 1}"

    return name


def ingest_run_name(sources: list[str], warehouse: str | os.PathLike[str] | None) -> str:
    """The name of an ingest flow run: what it ingests, into which warehouse.

    ``ingest seeds -> data`` for one SOURCE, ``ingest seeds +2 more -> /srv/corpus``: the last path part of
    the first SOURCE (a glob or s3:// prefix as given), how many more, and the warehouse's directory name.
    """
    first = str(sources[0]) if sources else "nothing"
    if not storage.is_uri(first):
        first = os.path.basename(os.path.normpath(first)) or first
    more = f" +{len(sources) - 1} more" if len(sources) > 1 else ""
    into = f" -> {os.path.basename(os.path.normpath(str(warehouse)))}" if warehouse else ""
    return f"ingest {first}{more}{into}"[:200]
