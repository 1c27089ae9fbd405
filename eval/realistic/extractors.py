"""The extractor hook of ``python -m eval.realistic``: ``--extractor module:factory`` names an ``ExtractorFactory``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from eval.common import fold_model_path

Record = dict[str, Any]
Extractor = Callable[[str, str], list[Record]]
"""``extract(text, fmt) -> records``: the ``articles`` rows of one decoded text (``fmt``: text or multinews),
in text order, each with at least kind, title, body, char_start, char_end (``n_words``, ``language``,
``cluster`` when it has them)."""
ExtractorFactory = Callable[[int | None], Extractor]
"""``factory(fold) -> extract``: the extractor to score documents of site fold ``fold`` with (a model trained
and tuned without any page of a site of that fold); ``None`` for documents outside the k-fold corpora (Reuters,
BBC, Multi-News: no page of theirs is in dragnet or scrapinghub)."""
DEFAULT_EXTRACTOR = "eval.realistic:product_extractor"


def rules_extractor(fold: int | None = None) -> Extractor:
    """The product's extractor (``corpus_etl.pipeline.extract_records``) with its packaged models, the same for
    every fold: its line model saw every dev page, so its page numbers are in-sample (``product_extractor``
    is the site-disjoint one)."""
    from corpus_etl.pipeline import extract_records

    def extract(text: str, fmt: str) -> list[Record]:
        return extract_records(text, fmt=fmt)

    return extract


def product_extractor(fold: int | None = None) -> Extractor:
    """The product's extractor (``corpus_etl.pipeline.extract_records``), its line model swapped for the one
    trained without fold ``fold``'s sites (``fold_model_path``); the packaged model outside the k-fold corpora
    (whose pages it never saw). The rules ignore the fold."""
    from corpus_etl.pipeline import extract_records
    from corpus_etl.settings import Settings

    settings = Settings()
    if fold is not None:
        path = fold_model_path(fold)
        if not path.is_file():
            raise SystemExit(f"{path}: no line model for site fold {fold} (make train-lines writes them)")
        settings = Settings(extraction={"line_model_path": str(path)})

    def extract(text: str, fmt: str) -> list[Record]:
        return extract_records(text, settings=settings, fmt=fmt)

    return extract


def load_factory(spec: str) -> ExtractorFactory:
    """The factory named ``module:function`` (importable in the worker processes too)."""
    module, _, name = spec.partition(":")
    if not module or not name:
        raise SystemExit(f"--extractor must be module:function, got {spec!r}")
    fn = getattr(importlib.import_module(module), name, None)
    if not callable(fn):
        raise SystemExit(f"--extractor {spec}: {name} is not a function of {module}")
    return fn  # type: ignore[no-any-return]
