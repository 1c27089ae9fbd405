"""Names of the runs in the Prefect UI: a flow run by what it ingests, a batch's task runs by its number."""

from __future__ import annotations

import os
import re
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


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text).strip("-") or "x"


def ingest_run_name(sources: list[str], warehouse: str | os.PathLike[str] | None) -> str:
    """The name of an ingest flow run: what it ingests, into which warehouse, as one word of letters, digits
    and dashes (safe to paste in a shell, like Prefect's own names).

    ``ingest-seeds-into-data`` for one SOURCE, ``ingest-seeds-and-2-more-into-corpus``: the last path part of
    the first SOURCE (a glob's pattern, an s3:// prefix: their words), how many more, and the warehouse's
    directory name.
    """
    first = str(sources[0]) if sources else "nothing"
    if not storage.is_uri(first):
        first = os.path.basename(os.path.normpath(first)) or first
    more = f"-and-{len(sources) - 1}-more" if len(sources) > 1 else ""
    into = f"-into-{_slug(os.path.basename(os.path.normpath(str(warehouse))))}" if warehouse else ""
    return f"ingest-{_slug(first)}{more}{into}"[:200]
