"""Is an article record of a web page really an article, or page chrome the rules and the line model left as one (a
site footer, a newsletter box, a comment thread, a teaser, another post of the blog)? The record model.

On glued web pages most false page boundaries are article records after a page's article (issue 17: 67 of 85
false boundaries in 100 four-page files). Every article record of a web page is described by cheap record-level
features (``FEATURES``: its size against the page's and the file's largest record, where it lies relative to
them, title and metadata, sentence share and stopword density, legal / promo / comment cues, the line model's
mean class shares over its lines, how alike its words are to the page's main record's), and a gradient-boosted
classifier trained on glued dev pages (``recordtrain.py``) gives P(junk): most of its words are no gold article
words. The splitter makes such a record kind 'related' with reason ``kinds.RECORD_MODEL_JUNK`` and that probability
(``split.passes.records.demote_junk_records``); its text stays in the warehouse.

Pure functions over plain data; the model file has the line model's format (``model.py``), classes
``("article", "junk")`` and its decision threshold in ``meta["threshold"]``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..split.lines import LONG_WORD, cosine_with_squares, squares
from . import DEFAULT_MODEL
from .cues import COMMENT, LEGAL, LINK, PROMO, count
from .model import LineModel, beside_line_model, load_model

LINE_CLASSES = ("body", "headline", "comment", "other")
"""The line model's classes whose mean share over a record's lines is a feature (a missing class counts 0)."""

_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_STOP_WORDS = (
    "the a an of to in and or but is are was were be been it its this that these those for on with as at "
    "by from he she they we you his her their our has have had not no will would can could said says "
    "which who what when there than then also about after into over more"
)
_STOP = frozenset(_STOP_WORDS.split(" "))

FEATURES = (
    "words_log",
    "paragraphs_log",
    "words_per_paragraph_log",
    "share_of_page",
    "share_of_file",
    "ratio_to_page_main",
    "ratio_to_file_main",
    "is_page_main",
    "after_page_main",
    "before_page_main",
    "after_file_main",
    "page_articles",
    "file_pages",
    "rank_on_page",
    "position_in_text",
    "position_on_page",
    "has_title",
    "title_words",
    "has_date",
    "has_authors",
    "has_tags",
    "has_dateline",
    "opened_break",
    "opened_opener",
    "sentence_share",
    "stopword_density",
    "capital_share",
    "digit_share",
    "legal_per_100",
    "promo_per_100",
    "comment_per_100",
    "links",
    "cosine_page_main",
    "cosine_file_main",
    *(f"line_{c}_mean" for c in LINE_CLASSES),
    "line_body_min",
    "first_on_page",
    "removed_before_log",
    "menu_before_log",
    "legal_before",
    "removed_after_log",
    "legal_after",
    "text_after_share",
)


@dataclass(frozen=True, slots=True)
class RecordView:
    """What the record model reads of one article record (the splitter's ``RawRecord`` and its place).

    ``line_shares`` holds the line model's mean class share (``LINE_CLASSES``) over the record's body lines (all
    zero when the line model did not read them) and ``line_body_min`` the least body share of one of its lines."""

    index: int
    page: int
    start: int
    end: int
    paragraphs: tuple[str, ...]
    words: int
    title: str | None
    published: bool
    authors: bool
    tags: bool
    dateline: bool
    open_reason: str
    line_shares: tuple[float, ...] = (0.0,) * len(LINE_CLASSES)
    line_body_min: float = 0.0
    spans: tuple[tuple[int, int], ...] = ()  # the paragraphs' ``(start, end)`` in the text (the labels read them)
    # removed pieces between the kept text before the record and its first kept piece: all, menus, legal lines
    removed_before: int = 0
    menu_before: int = 0
    legal_before: int = 0
    # ... and between its last kept piece and the kept text after it: all, legal lines
    removed_after: int = 0
    legal_after: int = 0


def _topic(text: str) -> Counter[str]:
    return Counter(w.casefold() for w in LONG_WORD.findall(text))


def features(views: Sequence[RecordView], text_length: int) -> list[tuple[float, ...]]:
    """The feature row (``FEATURES``) of each of ``views``: the article records of one text, in text order."""
    if not views:
        return []
    by_page: dict[int, list[RecordView]] = {}
    for v in views:
        by_page.setdefault(v.page, []).append(v)
    page_main = {p: max(vs, key=lambda v: (v.words, -v.start)) for p, vs in by_page.items()}
    page_words = {p: sum(v.words for v in vs) for p, vs in by_page.items()}
    file_main = max(views, key=lambda v: (v.words, -v.start))
    file_words = sum(v.words for v in views)
    topics = {v.index: _topic("\n".join(v.paragraphs)) for v in views}
    norms = {k: squares(t) for k, t in topics.items()}
    # per page, once: where its records begin and end, and each record's rank by size (largest first)
    page_lo = {p: min(x.start for x in vs) for p, vs in by_page.items()}
    page_hi = {p: max(x.end for x in vs) for p, vs in by_page.items()}
    rank_of = {id(x): k for vs in by_page.values() for k, x in enumerate(sorted(vs, key=lambda x: (-x.words, x.start)))}

    def similarity(a: int, b: int) -> float:
        """``cosine(topics[a], topics[b])``, with the topics' squared norms read once."""
        return cosine_with_squares(topics[a], topics[b], norms[a], norms[b])

    rows = []
    for v in views:
        pm = page_main[v.page]
        on_page = by_page[v.page]
        body = "\n".join(v.paragraphs)
        toks = _WORD.findall(body)
        n = max(len(toks), 1)
        lower = [t.casefold() for t in toks]
        low = body.lower()  # (the cue patterns' anchors are looked up in it)
        lo, hi = page_lo[v.page], page_hi[v.page]
        per100 = 100.0 / n
        rows.append(
            (
                math.log1p(v.words),
                math.log1p(len(v.paragraphs)),
                math.log1p(v.words / max(len(v.paragraphs), 1)),
                v.words / page_words[v.page] if page_words[v.page] else 0.0,
                v.words / file_words if file_words else 0.0,
                v.words / pm.words if pm.words else 0.0,
                v.words / file_main.words if file_main.words else 0.0,
                float(v is pm),
                float(v.start > pm.start),
                float(v.start < pm.start),
                float(v.start > file_main.start),
                float(len(on_page)),
                float(len(by_page)),
                float(rank_of[id(v)]),
                v.start / text_length if text_length else 0.0,
                (v.start - lo) / (hi - lo) if hi > lo else 0.0,
                float(v.title is not None),
                float(len(v.title.split())) if v.title else 0.0,
                float(v.published),
                float(v.authors),
                float(v.tags),
                float(v.dateline),
                float(v.open_reason == "break"),
                float(v.open_reason == "opener"),
                sum(1 for p in v.paragraphs if _SENTENCE_END.search(p.rstrip())) / max(len(v.paragraphs), 1),
                sum(map(_STOP.__contains__, lower)) / n,  # (a count of True: the same whole number)
                sum([t[:1].isupper() for t in toks]) / n,
                sum(map(str.isdigit, toks)) / n,
                count(LEGAL, body, low) * per100,
                count(PROMO, body, low) * per100,
                count(COMMENT, body, low) * per100,
                float(len(LINK.findall(body))),
                1.0 if v is pm else similarity(v.index, pm.index),
                1.0 if v is file_main else similarity(v.index, file_main.index),
                *v.line_shares,
                v.line_body_min,
                float(v.start <= lo),  # (no record of the page starts before it)
                math.log1p(v.removed_before),
                math.log1p(v.menu_before),
                float(v.legal_before),
                math.log1p(v.removed_after),
                float(v.legal_after),
                (text_length - v.end) / text_length if text_length else 0.0,
            )
        )
    return rows


def record_model_path(line_model_path: str | Path | None) -> Path:
    """The record model beside a line model file (as ``pages.page_model_path``): ``linemodel*.npz`` ->
    ``recordmodel*.npz`` in the same folder (a fold's ``linemodel-fold2.npz`` pairs with ``recordmodel-fold2.npz``,
    both trained without that fold's sites); any other ``name.npz`` -> ``name-records.npz``."""
    return beside_line_model(line_model_path, DEFAULT_MODEL, "record")


@lru_cache(maxsize=8)
def load_record_model(path: str) -> LineModel | None:
    """The record model at ``path`` (None when there is no such file: no record is demoted by it)."""
    p = Path(path)
    return load_model(p) if p.is_file() else None


def junk_probabilities(model: LineModel, rows: Sequence[tuple[float, ...]]) -> np.ndarray:
    """P(junk) of each feature row."""
    if not rows:
        return np.zeros(0)
    x = np.array(rows, dtype=np.float64)
    return model.stages[0].predict_proba(x, FEATURES)[:, model.classes.index("junk")]
