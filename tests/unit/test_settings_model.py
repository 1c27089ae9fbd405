"""The configuration model (``corpus_etl/settings.py``): the memory limits and the near-duplicate index's
parameters are nested groups of it, the values the warehouse uses, recorded with every run, and fixed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydantic import ValidationError

from corpus_etl.analytics import params
from corpus_etl.settings import AnalyticsSettings, MemorySettings, Settings
from warehouse import analytics, db, loader


def test_the_warehouse_uses_the_models_memory_limits() -> None:
    m = Settings().memory
    used = {
        "writer": db.WRITER_MEMORY_LIMIT,
        "report": db.REPORT_MEMORY_LIMIT,
        "load": loader.LOAD_MEMORY_LIMIT,
        "export": loader.EXPORT_MEMORY_LIMIT,
        "export_beside_analytics": loader.EXPORT_BESIDE_ANALYTICS_MEMORY_LIMIT,
        "export_after_analytics": loader.EXPORT_AFTER_ANALYTICS_MEMORY_LIMIT,
        "run_export": loader.RUN_EXPORT_MEMORY_LIMIT,
        "analytics": analytics.ANALYTICS_MEMORY_LIMIT,
        "analytics_link": analytics.LINK_MEMORY_LIMIT,
        "checkpoint": analytics.CHECKPOINT_MEMORY_LIMIT,
    }
    assert m.model_dump() == used
    assert all(f.description for f in MemorySettings.model_fields.values())


def test_the_index_parameters_are_the_models_and_every_run_records_both_groups() -> None:
    a = Settings().analytics
    assert (a.shingle_words, a.num_perm, a.bands, a.rows, a.min_words) == (
        params.SHINGLE_WORDS,
        params.NUM_PERM,
        params.BANDS,
        params.ROWS,
        params.MIN_WORDS,
    )
    assert a.index_version == params.INDEX_VERSION and all(
        f.description for f in AnalyticsSettings.model_fields.values()
    )
    stored = json.loads(loader.settings_json(Settings()))
    assert stored["memory"] == Settings().memory.model_dump() and stored["analytics"]["num_perm"] == params.NUM_PERM
    assert Settings.model_validate(json.loads(Settings().model_dump_json())) == Settings()  # read back as stored


def test_a_run_cannot_ask_for_other_values_yet(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    with pytest.raises(ValidationError, match="cannot be changed per run yet"):
        Settings(memory=MemorySettings(load="128MB"))
    src = tmp_path / "a.txt"
    src.write_text("A story\n\nThe council met on Tuesday.\n", encoding="utf-8")
    env = {"CORPUS_ETL_ANALYTICS": '{"num_perm": 64}', "PATH": "/usr/bin:/bin"}
    code = "from corpus_etl_cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "ingest", str(src), "-w", str(tmp_path / "w"), "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("corpus-etl: error: setting analytics: ") and "cannot be changed" in done.stderr
