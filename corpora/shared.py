"""Where the shared corpora are: ``$CORPUS_ETL_SHARED`` or ``../shared`` beside the repository."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path:
    """The shared corpora directory: ``$CORPUS_ETL_SHARED`` or ``<repo>/../shared``."""
    env = os.environ.get("CORPUS_ETL_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"
