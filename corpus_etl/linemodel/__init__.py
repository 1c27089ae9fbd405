"""A trained line classifier for plain-text web pages: which units are the article's body, its headline,
reader comments, or other text (menus, teasers, footers, ...).

``predict_lines(text)`` labels every unit of a text (``units.make_units``: logical lines, long ones cut into
sentences) with the class of highest probability, from the model file ``corpus_etl/models/linemodel.npz``
(``make train-lines`` rebuilds it from ../shared; see ``corpus_etl/models/TRAINING.md``). Inference is numpy only.
``extract_body(text)`` keeps the body units. A splitter passes the outlet's repeat counts
(``learned.line_hash`` -> pages holding the line) to let the model see lines repeated across the outlet.

Pure functions; the model file is read once per process.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..rules import Rules, load_rules
from ..split import Line, rule_view_of
from .features import feature_names, page_features, stack_feature_names, stack_features, view_start
from .model import LineModel, load_model
from .units import Unit, make_units, units_of_lines

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "linemodel.npz"

__all__ = [
    "DEFAULT_MODEL",
    "LineLabel",
    "body_lines",
    "default_model",
    "extract_body",
    "line_classes",
    "line_classes_many",
    "predict_lines",
    "predict_units",
]


@dataclass(frozen=True, slots=True)
class LineLabel:
    """A unit with its label: ``[start, end)`` of the source, the unit's clean text, the class of highest
    probability, that probability and the probability of ``body``."""

    start: int
    end: int
    text: str
    label: str
    probability: float
    body_probability: float


@lru_cache(maxsize=4)
def default_model(path: str | None = None) -> LineModel:
    """The packaged model (or the model file at ``path``), loaded once."""
    return load_model(Path(path) if path else DEFAULT_MODEL)


def predict_units(
    units: list[Unit],
    model: LineModel,
    rules: Rules,
    counts: Mapping[str, int] | None = None,
    collection_pages: int = 1,
    view: Sequence[tuple[int, int, int]] | None = None,
) -> np.ndarray:
    """Class probabilities (units x ``model.classes``) of a page's units, from the model's last stage
    (``view``: what the rules made of the page, ``split.rule_view_of``)."""
    return _predict_pages([units], model, rules, view, counts, collection_pages)[0]


def predict_lines(
    text: str,
    counts: Mapping[str, int] | None = None,
    collection_pages: int = 1,
    model: LineModel | None = None,
    rules: Rules | None = None,
) -> list[LineLabel]:
    """Label every unit of ``text`` (see the module docstring).

    Args:
        text: the decoded plain text of one page (or of a file: the model was trained on single pages).
        counts: number of pages of the text's collection holding each line (``learned.line_hash`` -> pages,
            this one included); None when unknown.
        collection_pages: number of pages in that collection.
        model: the model (the packaged one when None).
        rules: the rules file whose rule hits are features (the packaged one when None).

    Returns:
        One ``LineLabel`` per unit, in text order; the units tile the non-blank lines of ``text``.
    """
    model = model or default_model()
    rules = rules or load_rules()
    units = make_units(text)
    if not units:
        return []
    _, view = rule_view_of(text, rules)
    proba = predict_units(units, model, rules, counts, collection_pages, view)
    best = proba.argmax(axis=1)
    body = model.classes.index("body")
    return [
        LineLabel(u.start, u.end, u.text, model.classes[k], float(proba[i, k]), float(proba[i, body]))
        for i, (u, k) in enumerate(zip(units, best, strict=True))
    ]


def extract_body(text: str, model: LineModel | None = None) -> str:
    """The article body of a single page: the texts of its units labelled ``body``, one a line."""
    return "\n".join(lab.text for lab in predict_lines(text, model=model) if lab.label == "body")


def line_classes(
    text: str,
    lines: Sequence[Line],
    view: Sequence[tuple[int, int, int]],
    rules: Rules,
    model: LineModel | None = None,
) -> tuple[list[str], np.ndarray]:
    """The label of each of ``lines`` (see ``body_lines``) and its class shares: lines x ``model.classes``, the
    units' probabilities of each class weighted by their characters (rows of a line with no unit are 0)."""
    return line_classes_many(text, [lines], view, rules, model)[0]


def line_classes_many(
    text: str,
    pages: Sequence[Sequence[Line]],
    view: Sequence[tuple[int, int, int]],
    rules: Rules,
    model: LineModel | None = None,
) -> list[tuple[list[str], np.ndarray]]:
    """``line_classes`` of each of ``pages`` (runs of ``text``'s lines), the same answers; the model runs once over
    the units of all the pages not remembered (``_predict_pages``), not once a page."""
    model = model or default_model()
    out: list[tuple[list[str], np.ndarray] | None] = [None] * len(pages)
    todo: list[tuple[int, _PageKey | None, Sequence[Line], list[Unit]]] = []
    for k, lines in enumerate(pages):
        key = _page_key(text, lines, view)
        hit = _PAGES.get(key) if key is not None else None
        if hit is not None and hit[0] is model and hit[1] is rules:
            out[k] = (list(hit[2]), hit[3].copy())
        else:
            todo.append((k, key, lines, units_of_lines(text, lines)))
    asked = [units for _, _, _, units in todo if units]
    probas = iter([p for chunk in _chunks(asked, _BATCH_ROWS) for p in _predict_pages(chunk, model, rules, view)])
    for k, key, lines, units in todo:
        if units:
            decided, shares = _decide(lines, units, next(probas), model)
        else:
            decided, shares = ["other"] * len(lines), np.zeros((len(lines), len(model.classes)))
        if key is not None:
            if len(_PAGES) >= _PAGES_MAX:
                _PAGES.clear()
            _PAGES[key] = (model, rules, decided, shares)
        out[k] = (list(decided), shares.copy())
    return [o for o in out if o is not None]


_BATCH_ROWS = 2048  # units of pages whose features are held and run through the model together (bounded memory)


def _chunks(pages: list[list[Unit]], rows: int) -> list[list[list[Unit]]]:
    """``pages`` in runs of at most ``rows`` units (a longer page alone), in order."""
    out: list[list[list[Unit]]] = []
    n = rows
    for units in pages:
        if n + len(units) > rows:
            out.append([])
            n = 0
        out[-1].append(units)
        n += len(units)
    return out


def _predict_pages(
    pages: list[list[Unit]],
    model: LineModel,
    rules: Rules,
    view: Sequence[tuple[int, int, int]] | None,
    counts: Mapping[str, int] | None = None,
    collection_pages: int = 1,
) -> list[np.ndarray]:
    """``predict_units`` of each page's units, each page's features its own, each stage of the model run once over
    the rows of all the pages (a tree's walk, and the sum of a row's trees, read that row alone: the same doubles
    as a page at a time)."""
    names = feature_names(rules)
    xs = [page_features(units, rules, counts, collection_pages, view=view) for units in pages]
    cuts = np.cumsum([len(x) for x in xs])[:-1]
    probas = np.split(model.stages[0].predict_proba(np.vstack(xs), names), cuts)
    if len(model.stages) > 1:
        body = model.classes.index("body")
        x2 = np.vstack(
            [np.hstack([x, stack_features(p, units, body)]) for x, p, units in zip(xs, probas, pages, strict=True)]
        )
        probas = np.split(model.stages[1].predict_proba(x2, names + stack_feature_names(model.classes)), cuts)
    return probas


# line_classes' answers by page: a text split a second time (``split.split_text``) hands the line model the pages
# it did not cut again. The key is all the answer reads: the page's stretch of the text, its lines (span, text,
# block) and the pieces of the view overlapping them; the model and the rules are checked by identity. Pages of
# up to _PAGE_MAX_CHARS characters, forgotten at once when full (a bounded memory).
_PageKey = tuple[int, str, tuple[tuple[int, int, str, int], ...], tuple[tuple[int, int, int], ...]]
_PAGES: dict[_PageKey, tuple[LineModel, Rules, list[str], np.ndarray]] = {}
_PAGES_MAX = 64
_PAGE_MAX_CHARS = 1_000_000


def forget_pages() -> None:
    """Forget ``line_classes``' answers (a batch worker calls it after each batch: ``pipeline.forget_memos``)."""
    _PAGES.clear()


def _page_key(text: str, lines: Sequence[Line], view: Sequence[tuple[int, int, int]]) -> _PageKey | None:
    """The cache key of a ``line_classes`` question (None: a page too long to remember)."""
    if not lines:
        return None
    lo, hi = lines[0].start, max(ln.end for ln in lines)
    if hi - lo > _PAGE_MAX_CHARS:
        return None
    spans = tuple((ln.start, ln.end, ln.text, ln.block) for ln in lines)
    seen: tuple[tuple[int, int, int], ...] = ()
    if view:
        first = max(bisect.bisect_right(view, lo, key=view_start) - 1, 0)  # (the view's pieces are in text order)
        seen = tuple(view[first : bisect.bisect_left(view, hi, key=view_start)])
    return lo, text[lo:hi], spans, seen


def _decide(
    lines: Sequence[Line], units: list[Unit], proba: np.ndarray, model: LineModel
) -> tuple[list[str], np.ndarray]:
    """Each line's label and class shares from its units' class probabilities ``proba`` (see ``line_classes``)."""
    shares = np.zeros((len(lines), len(model.classes)))
    best = proba.argmax(axis=1)
    at = np.array([u.line for u in units], dtype=np.intp)
    lens = np.array([max(len(u.text), 1) for u in units], dtype=np.float64)
    chars = np.zeros((len(lines), len(model.classes)))  # (whole numbers: sums exact in any order)
    np.add.at(chars, (at, best), lens)
    np.add.at(shares, at, proba * lens[:, None])  # (unit by unit, in order, as a loop adds them)
    totals = shares.sum(axis=1, keepdims=True)
    shares = np.divide(shares, totals, out=np.zeros_like(shares), where=totals > 0)
    body = model.classes.index("body")
    total = chars.sum(axis=1)
    top = chars.argmax(axis=1)
    is_body = (total > 0) & (chars[:, body] * 2 >= total)
    out = [
        "body" if b else (model.classes[k] if t > 0 else "other")
        for b, k, t in zip(is_body.tolist(), top.tolist(), total.tolist(), strict=True)
    ]
    return out, shares


def body_lines(
    text: str,
    lines: Sequence[Line],
    view: Sequence[tuple[int, int, int]],
    rules: Rules,
    model: LineModel | None = None,
) -> list[str]:
    """The label of each of ``lines`` (logical lines of ``text``: one page of it), for the splitter: 'body' when
    the units labelled body hold half of the line's characters or more, else the label holding most of them.
    ``view`` is what the rules made of the text (``split.SplitState.rule_view``)."""
    return line_classes(text, lines, view, rules, model)[0]
