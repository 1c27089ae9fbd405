"""prefect.yaml: every deployment points at the real flow, with valid parameters, schedules and limits."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from corpus_etl.settings import Settings
from tests.conftest import REPO

SAMPLE_ENV = {
    "PWD": str(REPO),
    "CORPUS_ETL_SOURCE": "/data/news",
    "CORPUS_ETL_WAREHOUSE": "/srv/corpus",
    "DASK_SCHEDULER_ADDRESS": "tcp://10.0.0.5:8786",
    "CORPUS_ETL_LAKE": "s3://news-lake/corpus",
}


def _filled(value):  # type: ignore[no-untyped-def]
    """The value with "{{ $VAR }}" placeholders filled as `prefect deploy` would (from SAMPLE_ENV)."""
    if isinstance(value, str):
        return re.sub(r"\{\{\s*\$(\w+)\s*\}\}", lambda m: SAMPLE_ENV[m.group(1)], value)
    if isinstance(value, list):
        return [_filled(v) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v) for k, v in value.items()}
    return value


def test_prefect_yaml_deployments_are_valid():
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.flows import load_flow_from_entrypoint

    from flows.ingest import FLOW_NAME

    raw = yaml.safe_load((REPO / "prefect.yaml").read_text())
    from prefect.cli.deploy._models import PrefectYamlModel  # what `prefect deploy` validates the file with

    PrefectYamlModel.model_validate(raw)
    doc = _filled(raw)
    assert doc["prefect-version"] == "3.8.8"
    deployments = doc["deployments"]
    assert {d["name"] for d in deployments} == {"ingest-every-15-min", "ingest-hourly-dask"}
    for d in deployments:
        path, _, name = d["entrypoint"].partition(":")
        assert (REPO / path).is_file()
        assert load_flow_from_entrypoint(str(REPO / path) + ":" + name).name == FLOW_NAME
        for s in d["schedules"]:
            CronSchedule(cron=s["cron"], timezone=s["timezone"])  # raises on a bad expression
        assert d["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"}
        assert d["work_pool"]["name"] == "corpus-etl-process"
        settings = Settings(**d["parameters"]["settings"])  # the flow's own model accepts them
        assert settings.warehouse == Path("/srv/corpus") and settings.lock_wait > 0
    dask = next(d for d in deployments if d["name"] == "ingest-hourly-dask")
    s = Settings(**dask["parameters"]["settings"])
    assert (s.runner, s.dask_address, s.lake) == ("dask", "tcp://10.0.0.5:8786", "s3://news-lake/corpus")
