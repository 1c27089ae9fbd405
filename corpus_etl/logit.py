"""The logistic regressions the extractor's trained models share (``boundary.py``, ``titles.py``).

A model file is JSON: ``version``, ``features`` (names, in order), ``mean`` and ``scale`` (the
standardisation), ``coef`` and the model's thresholds. Inference is plain Python, deterministic.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def probability(x: list[float], mean: tuple[float, ...], scale: tuple[float, ...], coef: tuple[float, ...]) -> float:
    """The logistic of the standardised feature row ``x`` (``(x - mean) / scale``) times ``coef``."""
    z = 0.0
    for v, m, s, c in zip(x, mean, scale, coef, strict=True):
        z += c * ((v - m) / s)
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def read_model_file(path: Path, features: tuple[str, ...], owner: str) -> dict[str, Any]:
    """A model file's fields, with ``mean``/``scale``/``coef`` as float tuples; it must describe exactly
    ``features`` (``owner``, the module whose ``FEATURES`` they are, is named in the error)."""
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    if tuple(data["features"]) != features:
        raise ValueError(f"{path}: its features differ from {owner}.FEATURES; run make train")
    data["features"] = tuple(data["features"])
    for key in ("mean", "scale", "coef"):
        data[key] = tuple(float(v) for v in data[key])
    data["version"] = str(data["version"])
    return data
