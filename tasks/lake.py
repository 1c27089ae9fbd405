"""Publishing the Parquet copy to a lake (``s3://`` or a directory) after the single writer exported it."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from corpus_etl import storage
from corpus_etl.settings import Settings


@task(name="publish-lake", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def publish_lake(settings: Settings) -> int:
    """Mirror ``DIR/parquet/`` to ``settings.lake`` (same layout: ``<lake>/<table>/...``); files written."""
    assert settings.lake
    return storage.publish_dir(settings.parquet_dir, settings.lake)
