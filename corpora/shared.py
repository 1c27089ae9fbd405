"""Where the shared corpora are: ``$CORPUS_ETL_SHARED`` or ``../shared`` beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

from corpus_etl.decode import decode_bytes


def shared_dir() -> Path:
    """The shared corpora directory: ``$CORPUS_ETL_SHARED`` or ``<repo>/../shared``."""
    env = os.environ.get("CORPUS_ETL_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


def read_text(path: Path) -> str:
    """A file of ../shared as the product reads it (``corpus_etl.decode.decode_bytes``: BOM, charset detection;
    ``DecodeError`` for a file that is not text)."""
    return decode_bytes(path.read_bytes()).text


def seed_files(root: Path) -> list[Path]:
    """The five seed source files (``seeds/*.txt``), sorted."""
    return sorted((root / "seeds").glob("*.txt"))


def multinews_dev(root: Path) -> Path:
    """The Multi-News dev clusters (``corpora/multinews_dev/dev.src``: one cluster a line)."""
    return root / "corpora" / "multinews_dev" / "dev.src"


def page_files(root: Path, corpus: str) -> list[Path]:
    """The page texts of a dev corpus with gold bodies (``corpus``: 'dragnet' or 'scrapinghub'), sorted."""
    return sorted((root / "corpora" / corpus / "page_text").glob("*.txt"))
