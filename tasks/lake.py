"""Publishing the Parquet copy to a lake (``s3://`` or a directory) after the single writer exported it."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from corpus_etl import storage
from corpus_etl.settings import Settings


@task(name="publish-lake", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def publish_lake(settings: Settings, run_id: str) -> int:
    """Mirror ``DIR/parquet/`` to ``settings.lake`` (same layout: ``<lake>/<table>/...``) unless the lake
    already holds this copy (its ``_published.json`` digest matches); returns the files written (0 = up to date).
    """
    assert settings.lake
    if storage.published_digest(settings.lake) == storage.dir_digest(settings.parquet_dir):
        return 0
    return storage.publish_dir(settings.parquet_dir, settings.lake, run_id)
