"""Where a second web page starts inside what the splitter read as one page: the page model.

A file of glued pages often shows no rule-certain page start between them ("Skip to main content" is not on
every page), so the splitter sees one page and the line model gives the second page's body to the first
page's article. The page model reads the line model's labels of such a page: every *gap* (the non-body lines
between two body lines that the model labels body, at least ``MIN_GAP_LINES`` of them) is described by what
lies in it (how long it is, its menu, footer and comment lines, how sure the line model is of a headline in it,
and in what order: a site's footer, then a menu, a call to sign up or a date line, is where one page ends and the
next begins) and around it (the body words before and after, and how alike their words are), and a gradient-boosted
classifier trained on glued dev pages (``pagetrain.py``) says whether the next page starts in it.

Pure functions over plain data; the model file has the line model's format (``model.py``), classes
``("same", "new")``, and its decision threshold in ``meta["threshold"]``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..split import RULE_VIEW_GROUPS, cosine
from ..split.lines import LIST_BULLET, is_figures_line
from . import DEFAULT_MODEL
from .cues import FOOTER, PROMO
from .model import LineModel, beside_line_model, load_model

MIN_GAP_LINES = 2
"""A gap of fewer non-body lines (a caption, an ad line inside a body) is never a page boundary."""

CONTEXT_WORDS = 300
"""Words of body before and after a gap compared for topic (``cosine``)."""

_TOPIC_WORD = re.compile(r"[^\W\d_]{4,}")

# per-line cues the splitter passes (rule effects of the rules file), counted in a gap
CUES = ("page_start", "page_end", "related_start", "comments_start")

# the rules' view groups counted in a gap (split.RULE_VIEW_GROUPS: a group's index is its line's group)
VIEW_GROUPS_COUNTED = RULE_VIEW_GROUPS

FEATURES = (
    "gap_lines_log",
    "gap_chars_log",
    "gap_short_lines",
    "gap_headline_max",
    "gap_headline_lines",
    "gap_comment_lines",
    "gap_body_share_mean",
    *(f"gap_view_{g}" for g in VIEW_GROUPS_COUNTED),
    *(f"gap_cue_{c}" for c in CUES),
    "words_before_log",
    "words_after_log",
    "run_before_log",
    "run_after_log",
    "share_before",
    "topic_cosine",
    "gap_last_headline",
    # the gap's order: a page's footer, then the next page's header (menus, calls to sign up, a post's date line)
    "gap_footer_lines",
    "gap_promo_lines",
    "gap_date_lines",
    "gap_footer_then_menu",
    "gap_footer_then_promo",
    "gap_footer_last_pos",
    "gap_menu_first_pos",
    "gap_menu_last_pos",
    "gap_date_last_pos",
    "gap_end_then_start",
    "gap_menu_late_minus_early",
    "gap_low_content_late_minus_early",
    "gap_title_lines",
    "gap_other_share_early",
    "gap_other_share_late",
    "gap_headline_max_last3",
    "gap_comment_share_early",
    "gap_body_share_max",
    "gap_short_run_max",
)


@dataclass(frozen=True, slots=True)
class Gap:
    """Non-body lines ``(last_body, next_body)`` strictly between two body lines (indexes into the page's
    lines), their feature row (``FEATURES``), and the line where the next page starts if one starts in the gap
    (``new_page_line``)."""

    last_body: int
    next_body: int
    features: tuple[float, ...]
    new_page_line: int


def _topic(words: Sequence[str]) -> Counter[str]:
    return Counter(w.casefold() for w in words if _TOPIC_WORD.fullmatch(w))


def gaps(
    texts: Sequence[str],
    labels: Sequence[str],
    shares: np.ndarray,
    classes: Sequence[str],
    groups: Sequence[int],
    cues: Sequence[str | None],
    date_line: Callable[[str], bool],
) -> list[Gap]:
    """The gaps of one page and their features.

    Args:
        texts: the page's logical lines (clean text).
        labels: the line model's label of each line (``line_classes``).
        shares: its class shares per line (lines x ``classes``).
        classes: the line model's classes.
        groups: the rules' view group of each line (an index into ``VIEW_GROUPS_COUNTED``; -1 for none).
        cues: the rule effect of each line (one of ``CUES``, or anything else / None).
        date_line: whether a line is a date line (the splitter's ``parse_date_line``); asked of gap lines only.
    """
    body_idx = [i for i, lab in enumerate(labels) if lab == "body"]
    if len(body_idx) < 2:
        return []
    head = classes.index("headline")
    body_col = classes.index("body")
    words = [t.split() for t in texts]
    n_body = [len(words[i]) for i in body_idx]
    total = sum(n_body)
    # body runs: consecutive body lines with fewer than MIN_GAP_LINES lines between them
    cum = np.cumsum([0, *n_body])
    out: list[Gap] = []
    cands = [k for k in range(len(body_idx) - 1) if body_idx[k + 1] - body_idx[k] - 1 >= MIN_GAP_LINES]
    bounds = [-1, *cands, len(body_idx) - 1]
    for c_pos, k in enumerate(cands, start=1):
        a, b = body_idx[k], body_idx[k + 1]
        gap = range(a + 1, b)
        before = int(cum[k + 1])
        after = total - before
        run_before = before - int(cum[bounds[c_pos - 1] + 1])
        run_after = int(cum[bounds[c_pos + 1] + 1]) - before
        ctx_before: list[str] = []
        for j in range(k, -1, -1):
            ctx_before[:0] = words[body_idx[j]]
            if len(ctx_before) >= CONTEXT_WORDS:
                break
        ctx_after: list[str] = []
        for j in range(k + 1, len(body_idx)):
            ctx_after.extend(words[body_idx[j]])
            if len(ctx_after) >= CONTEXT_WORDS:
                break
        footer = _footer_lines(texts, a, b)
        view = Counter(groups[i] for i in gap)
        cue = Counter(cues[i] for i in gap)
        row = (
            math.log1p(len(gap)),
            math.log1p(sum(len(texts[i]) for i in gap)),
            float(sum(1 for i in gap if len(texts[i]) < 40)),
            float(max(shares[i, head] for i in gap)),
            float(sum(1 for i in gap if labels[i] == "headline")),
            float(sum(1 for i in gap if labels[i] == "comment")),
            float(np.mean([shares[i, body_col] for i in gap])),
            *(float(view.get(g, 0)) for g in range(len(VIEW_GROUPS_COUNTED))),
            *(float(cue.get(c, 0)) for c in CUES),
            math.log1p(before),
            math.log1p(after),
            math.log1p(run_before),
            math.log1p(run_after),
            before / total if total else 0.0,
            cosine(_topic(ctx_before[-CONTEXT_WORDS:]), _topic(ctx_after[:CONTEXT_WORDS])),
            float(shares[b - 1, head]),
            *_order(texts, shares, classes, groups, cues, date_line, a, b, footer),
        )
        out.append(Gap(a, b, row, new_page_line(texts, cues, a, b, footer, groups)))
    return out


def new_page_line(
    texts: Sequence[str],
    cues: Sequence[str | None],
    a: int,
    b: int,
    footer: Sequence[int] | None = None,
    groups: Sequence[int] | None = None,
) -> int:
    """Where the next page starts in the gap strictly between lines ``a`` and ``b``, if one starts there: after the
    gap's last footer line (``cues.FOOTER`` or a rule's 'page_end': "Powered by WordPress.com VIP", "© TED
    Conferences") when a line of the gap follows it, else at the gap's first line. A gap often holds the end of
    one page (its comments, sidebars, footer) and the start of the next (its site name, menus): the page's end
    stays with its page. With no footer line, at the gap's last run of ``HEADER_MENU_LINES`` menu lines or more (the
    rules' view ``groups``, when given): the next site's header menu ("* Home", "* Startups", ... over its article's
    "Comment" link), so that the page before's comments and sidebars stay with it and the next page's header links
    are read on its own page. ``footer``: the gap's lines ``cues.FOOTER`` finds (``_footer_lines``; found when None)."""
    found = set(_footer_lines(texts, a, b) if footer is None else footer)
    ends = [i for i in range(a + 1, b) if cues[i] == "page_end" or i in found]
    if ends and ends[-1] + 1 < b:
        return ends[-1] + 1
    if groups is not None:  # no footer line: the next site's header menu, the gap's last long run of menu lines
        run_start, best = None, None
        for i in range(a + 1, b + 1):
            if i < b and groups[i] == _MENU and _menu_item(texts[i]):
                run_start = i if run_start is None else run_start
                continue
            if run_start is not None and i - run_start >= HEADER_MENU_LINES:
                best = run_start
            run_start = None
        if best is not None:
            return best
    return a + 1


def _menu_item(text: str) -> bool:
    """Whether a line the rules read as a menu's is short enough for a header menu's item (``HEADER_MENU_WORDS`` words
    at most) and no row of figures (a wire story's earnings table, "Revs 933,183 vs 3,346,627", on a text read as a
    page)."""
    bullet = LIST_BULLET.match(text)
    item = text[bullet.end() :] if bullet else text
    return len(item.split()) <= HEADER_MENU_WORDS and not is_figures_line(text)


def _footer_lines(texts: Sequence[str], a: int, b: int) -> list[int]:
    """The lines strictly between ``a`` and ``b`` that ``cues.FOOTER`` finds, in order (read once per gap: by
    ``_order`` and ``new_page_line``)."""
    return [i for i in range(a + 1, b) if FOOTER.search(texts[i])]


_MENU = VIEW_GROUPS_COUNTED.index("removed_menu")
_LOW_CONTENT = VIEW_GROUPS_COUNTED.index("removed_low_content")
_TITLE = VIEW_GROUPS_COUNTED.index("main_title")
HEADER_MENU_LINES = 8
"""A run of this many menu lines in a gap with no footer line is the next site's header (``new_page_line``)."""
HEADER_MENU_WORDS = 5
"""... each of at most this many words after its bullet (the link list rule's longest item) and no row of figures
(``_menu_item``)."""
SHORT_LINE = 30
"""A line of fewer characters is short (``gap_short_run_max``: the longest run of them, a menu's items)."""


def _order(
    texts: Sequence[str],
    shares: np.ndarray,
    classes: Sequence[str],
    groups: Sequence[int],
    cues: Sequence[str | None],
    date_line: Callable[[str], bool],
    a: int,
    b: int,
    footer_lines: Sequence[int],
) -> tuple[float, ...]:
    """The ``gap_footer_lines`` ... ``gap_short_run_max`` features of the gap strictly between lines ``a`` and ``b``:
    its footer, promo and date lines and where they lie (a position is the line's rank in the gap over the gap's
    length, 0 when there is none), menus and low-content lines late in the gap against early (its second half
    against its first), and the line model's shares early and late. ``footer_lines``: ``_footer_lines(texts, a, b)``."""
    gap = range(a + 1, b)
    n = len(gap)
    early, late = gap[: max(n // 2, 1)], gap[n // 2 :]
    other, head, comment, body = (classes.index(c) for c in ("other", "headline", "comment", "body"))
    footer = [i - a - 1 for i in footer_lines]  # (ranks in the gap)
    promo = [j for j, i in enumerate(gap) if PROMO.search(texts[i])]
    dates = [j for j, i in enumerate(gap) if len(texts[i]) < 60 and date_line(texts[i])]
    menu = [j for j, i in enumerate(gap) if groups[i] == _MENU]
    ends = [j for j, i in enumerate(gap) if cues[i] == "page_end"]
    starts = [j for j, i in enumerate(gap) if cues[i] == "page_start"]

    def pos(ranks: list[int], last: bool) -> float:
        return ((max(ranks) if last else min(ranks)) + 1) / n if ranks else 0.0

    def late_minus_early(group: int) -> float:
        return float(sum(1 for i in late if groups[i] == group) - sum(1 for i in early if groups[i] == group))

    run = longest = 0
    for i in gap:
        run = run + 1 if len(texts[i]) < SHORT_LINE else 0
        longest = max(longest, run)
    return (
        float(len(footer)),
        float(len(promo)),
        float(len(dates)),
        float(bool(footer) and any(j > footer[0] for j in menu)),
        float(bool(footer) and any(j > footer[0] for j in promo)),
        pos(footer, last=True),
        pos(menu, last=False),
        pos(menu, last=True),
        pos(dates, last=True),
        float(bool(ends) and bool(starts) and max(starts) > min(ends)),
        late_minus_early(_MENU),
        late_minus_early(_LOW_CONTENT),
        float(sum(1 for i in gap if groups[i] == _TITLE)),
        float(np.mean([shares[i, other] for i in early])),
        float(np.mean([shares[i, other] for i in late])),
        float(max(shares[i, head] for i in gap[-3:])),
        float(np.mean([shares[i, comment] for i in early])),
        float(max(shares[i, body] for i in gap)),
        float(longest),
    )


def page_model_path(line_model_path: str | Path | None) -> Path:
    """The page model beside a line model file: ``linemodel*.npz`` -> ``pagemodel*.npz`` in the same folder
    (the packaged ``corpus_etl/models/pagemodel.npz`` for the packaged line model; a fold's line model
    ``linemodel-fold2.npz`` pairs with ``pagemodel-fold2.npz``, both trained without that fold's sites); any
    other ``name.npz`` -> ``name-pages.npz``."""
    return beside_line_model(line_model_path, DEFAULT_MODEL, "page")


@lru_cache(maxsize=8)
def load_page_model(path: str) -> LineModel | None:
    """The page model at ``path`` (None when there is no such file: no page is split by it)."""
    p = Path(path)
    return load_model(p) if p.is_file() else None


def new_page_probabilities(model: LineModel, found: Sequence[Gap]) -> np.ndarray:
    """P(the next page starts in the gap) for each of ``found``."""
    if not found:
        return np.zeros(0)
    x = np.array([g.features for g in found], dtype=np.float64)
    return model.stages[0].predict_proba(x, FEATURES)[:, model.classes.index("new")]
