"""Texts glued into one file, with the span of each: how every built input of eval/ is joined."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def build_concatenation(texts: Sequence[str], separator: str) -> tuple[str, list[tuple[int, int]]]:
    """Join article texts with ``separator`` (plus a final newline) and return each text's span."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for k, t in enumerate(texts):
        if k:
            parts.append(separator)
            pos += len(separator)
        spans.append((pos, pos + len(t)))
        parts.append(t)
        pos += len(t)
    parts.append("\n")
    return "".join(parts), spans


@dataclass(frozen=True)
class GoldArticle:
    """One article of a built file: id, span [start, end) in the file, where its headline line ends (= start
    without one), its title (None without one) and its gold body; ``page`` for real pages."""

    id: str
    start: int
    end: int
    title_end: int
    title: str | None
    body: str
    scored: bool = True  # False: in the file, not scored as an article (a Multi-News segment under 20 words)


@dataclass
class Built:
    """A generated input file: its name, text, format, fold (None outside the k-fold corpora) and gold."""

    name: str
    text: str
    fmt: str
    fold: int | None
    golds: list[GoldArticle]
    group: dict[str, Any] = field(default_factory=dict)
