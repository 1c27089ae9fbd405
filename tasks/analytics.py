"""The analytics task of the ingest flow: story clusters and the search index, after the batches are loaded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from corpus_etl.discover import SourceFile
from corpus_etl.settings import Settings
from warehouse.analytics import update_analytics as _update_analytics


@task(name="update-analytics", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def update_analytics(settings: Settings, run_id: str, processed: Iterable[SourceFile | str]) -> dict[str, Any]:
    """Update story clusters (MinHash LSH) and the search index in one transaction (the single writer).

    Args:
        settings: the run settings.
        run_id: the flow-run id.
        processed: the files this run read and loaded again (``SourceFile`` or source ids).

    Returns:
        The update's counts (``warehouse.analytics.AnalyticsSummary.as_dict``), with ``changed``.
    """
    ids = [f if isinstance(f, str) else f.source_id for f in processed]
    # the batch workers staged the index rows of the run's articles under the run's staging directory
    return _update_analytics(settings.db_path, run_id, ids, settings.staging_dir / run_id).as_dict()
