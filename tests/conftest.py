"""Shared fixtures: paths to ../shared, one Prefect test harness per session, a GX validator."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# In CI the property tests are derandomized: the same examples on every run, no flaky failures.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# Prefect reads its settings at import: isolate it before anything imports it.
_PREFECT_HOME = tempfile.mkdtemp(prefix="corpus-etl-prefect-")
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)  # (each session's home, gone with it)
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.pop("PREFECT_API_URL", None)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CORPUS_ETL_SHARED", REPO.parent / "shared"))
SEEDS = SHARED / "seeds"
CORPORA = SHARED / "corpora"
SAMPLES = REPO / "samples"


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI") and not SEEDS.is_dir():
        raise pytest.UsageError(f"CI=true but the shared data is missing: {SEEDS} does not exist")


def need_shared(path: Path) -> Path:
    """Return ``path``; skip the test when it is missing outside CI (CI fails at session start)."""
    if not path.exists():
        pytest.skip(f"{path} is not available on this machine")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return need_shared(SEEDS)


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """One Prefect test server for the whole session; yields its API URL (for CLI subprocesses too)."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield str(PREFECT_API_URL.value())


@pytest.fixture(scope="session")
def validator():  # type: ignore[no-untyped-def]
    """A real GX validator with the project's suites (built once: importing GX is slow)."""
    from expectations.validate import Validator

    return Validator()
