"""Features of the units of one page, as a float64 matrix (one row a unit, columns ``feature_names``).

Cheap and label-free, computed per page:

- the unit itself: length in characters and words, word length, punctuation, digits, capitals, whether it
  ends a sentence, inner sentences, stopword density (the page's stoplist, chosen as ``paragraphs.py``
  does), separators of menus and breadcrumbs (``| » / • ·``), bullets, links, what ``split.lines``' line tests
  say (headline-like, table row, navigation list) and which rule of the rules file matches it (one binary
  feature per line rule, plus the byline, date-line, dateline, tag and comment-marker patterns);
- layout: blank line before / after, size of its block, position in the page (by units and by characters),
  whether it is a sentence of a cut line;
- context over a window of +-3 units: mean log words, share of long units, share ending a sentence, mean
  stopword density, before and after the unit separately; distance to the longest unit and to the block
  holding the most characters;
- repeats: how many other pages of the same collection (site, folder) hold the same line
  (``learned.line_hash``), as a count and as a share of the collection's other pages.

The second stage (``stack_features``) adds the first stage's class probabilities of the neighbouring units.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from ..learned import line_hash
from ..paragraphs import choose_stoplist, stoplist, stopword_density
from ..rules import Rules
from ..split import (
    _INNER_SENTENCE,
    _SENTENCE_END,
    RULE_VIEW_GROUPS,
    SplitOptions,
    is_headline,
    is_navigation_list,
    is_table_row,
)
from .units import Unit

_SEPARATOR = re.compile(r"(?:^|\s)[|»›/•·>]+(?=\s|$)")
_BULLET = re.compile(r"^(?:[*•·▪►»+o-]|\d{1,2}[.)])\s")
_URL = re.compile(r"https?://|www\.|\S@\S|\.com\b")
_WORD = re.compile(r"\w+")
_LONG_WORDS = 20  # a unit of this many words is "long" for the context shares
WINDOW = 3

_HEADLINE_OPTS = SplitOptions()

UNIT_FEATURES = (
    "log_chars",
    "log_words",
    "mean_word_len",
    "ends_sentence",
    "inner_sentences",
    "starts_upper",
    "capital_words",
    "upper_chars",
    "digit_chars",
    "punct_chars",
    "commas_per_word",
    "stopword_density",
    "separators_per_word",
    "bullet",
    "link_like",
    "headline_like",
    "table_row",
    "navigation_list",
    "quote_start",
    "ends_colon",
)
META_FEATURES = ("rule_byline", "rule_date_line", "rule_dateline", "rule_tag", "rule_comment_marker")
LAYOUT_FEATURES = (
    "blank_before",
    "blank_after",
    "log_block_units",
    "block_index_rel",
    "pos_rel",
    "char_pos_rel",
    "cut_piece",
    "log_units_page",
    "log_chars_page",
    "has_stoplist",
)
CONTEXT_FEATURES = (
    "ctx_log_words",
    "ctx_long_share",
    "ctx_sentence_share",
    "ctx_stopword",
    "prev_log_words",
    "prev_long_share",
    "prev_sentence_share",
    "next_log_words",
    "next_long_share",
    "next_sentence_share",
    "dist_longest",
    "dist_longest_abs",
    "dist_main_block",
    "dist_main_block_abs",
    "in_main_block",
    "rel_len_longest",
)
REPEAT_FEATURES = ("repeat_other", "repeat_share", "has_collection")
# What the rules made of the unit (``split.RULE_VIEW_GROUPS``): the share of its characters in each group.
VIEW_FEATURES = tuple(f"view:{g}" for g in RULE_VIEW_GROUPS)


def feature_names(rules: Rules) -> tuple[str, ...]:
    """The names of the first stage's columns, in order (one ``rule:NAME`` per line rule of ``rules``)."""
    rule_cols = tuple(f"rule:{r.name}" for r in rules.lines)
    unit = UNIT_FEATURES + META_FEATURES + rule_cols
    return unit + LAYOUT_FEATURES + CONTEXT_FEATURES + REPEAT_FEATURES + VIEW_FEATURES


def view_start(piece: tuple[int, int, int]) -> int:
    """Where a piece of a rule view (``(start, end, group)``) starts: the key to bisect a view by."""
    return piece[0]


def view_features(units: Sequence[Unit], view: Sequence[tuple[int, int, int]] | None) -> np.ndarray:
    """The ``VIEW_FEATURES`` columns of ``units``: per unit, the share of its span ``[start, end)`` that the
    pieces of ``view`` (``(start, end, group)`` in text order, not overlapping; ``split.rule_view_of``) of
    each group cover. None: no view (all 0)."""
    out = np.zeros((len(units), len(RULE_VIEW_GROUPS)))
    if not view or not units:
        return out
    u_start = np.array([u.start for u in units], dtype=np.int64)
    u_end = np.array([u.end for u in units], dtype=np.int64)
    # only the stretch of the view around the units (a page's units read a few of a long text's pieces): from
    # the last piece starting before the first unit's start (every piece before it starts before every unit's
    # start and end, so the searches below move by the same count) to the last one starting before the last end
    lo = max(bisect.bisect_left(view, int(u_start.min()), key=view_start) - 1, 0)
    hi = bisect.bisect_left(view, int(u_end.max()), key=view_start)
    if hi == 0:
        return out  # (every piece starts at or after every unit's end)
    pieces = np.array(view[lo:hi], dtype=np.int64).reshape(-1, 3)
    # per unit, the pieces from the last one starting at or before it to the last one starting before its end
    first = np.maximum(np.searchsorted(pieces[:, 0], u_start, side="right") - 1, 0)
    stop = np.maximum(np.searchsorted(pieces[:, 0], u_end, side="left"), first)
    count = stop - first
    unit = np.repeat(np.arange(len(units)), count)  # (unit, piece) pairs, unit by unit, pieces in order
    piece = first[unit] + np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    overlap = np.minimum(pieces[piece, 1], u_end[unit]) - np.maximum(pieces[piece, 0], u_start[unit])
    hit = overlap > 0
    length = np.maximum(u_end - u_start, 1)
    # (added pair by pair, in order: the same sums as a loop over the units and their pieces)
    np.add.at(out, (unit[hit], pieces[piece[hit], 2]), overlap[hit] / length[unit[hit]])
    return out


def _delete_all_but(keep: str) -> bytes:
    return bytes(b for b in range(128) if chr(b) not in keep) + bytes(range(128, 256))


_ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_DIGITS = "0123456789"
_NOT_UPPER = _delete_all_but(_ASCII_UPPER)
_NOT_ALPHA = _delete_all_but(_ASCII_UPPER + _ASCII_UPPER.lower())
_NOT_DIGIT = _delete_all_but(_ASCII_DIGITS)


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def _char_counts(text: str) -> tuple[int, int, int, int]:
    """(alphanumeric, letters, upper-case, digits) characters of ``text`` as ``str.isalnum`` ... count them
    (the ASCII characters through ``bytes.translate``, only the others one by one: the same answer at a fraction
    of the time)."""
    b = text.encode("ascii", "ignore")  # (its ASCII characters, through the byte tables)
    letters = len(b.translate(None, _NOT_ALPHA))
    digits = len(b.translate(None, _NOT_DIGIT))
    alnum, upper = letters + digits, len(b.translate(None, _NOT_UPPER))
    if len(b) < len(text):  # (and the others one by one: a page's line has a few)
        other = _NOT_ASCII.findall(text)
        alnum += sum(map(str.isalnum, other))
        letters += sum(map(str.isalpha, other))
        upper += sum(map(str.isupper, other))
        digits += sum(map(str.isdigit, other))
    return alnum, letters, upper, digits


def _unit_row(text: str, stops: frozenset[str] | None, rules: Rules) -> list[float]:
    n_chars = len(text)
    tokens = text.split()
    n_words = len(tokens)
    alnum, letters, upper, digits = _char_counts(text)
    spaces = text.count(" ")
    punct = n_chars - alnum - spaces
    words = _WORD.findall(text)
    caps = sum([w[0].isupper() for w in words])
    return [
        math.log1p(n_chars),
        math.log1p(n_words),
        (sum(map(len, words)) / len(words)) if words else 0.0,
        1.0 if _SENTENCE_END.search(text) else 0.0,
        float(len(_INNER_SENTENCE.findall(text))),
        1.0 if text[:1].isupper() else 0.0,
        caps / len(words) if words else 0.0,
        upper / letters if letters else 0.0,
        digits / n_chars if n_chars else 0.0,
        punct / n_chars if n_chars else 0.0,
        text.count(",") / n_words if n_words else 0.0,
        stopword_density(text, stops) if stops else -1.0,
        len(_SEPARATOR.findall(text)) / n_words if n_words else 0.0,
        1.0 if _BULLET.match(text) else 0.0,
        1.0 if _URL.search(text) else 0.0,
        1.0 if is_headline(text, _HEADLINE_OPTS) else 0.0,
        1.0 if digits >= 3 and is_table_row(text) else 0.0,  # (a table row has 3+ tokens holding a digit)
        1.0 if is_navigation_list(text) else 0.0,
        1.0 if text[:1] in "\"“‘«'" else 0.0,
        1.0 if text.endswith(":") else 0.0,
    ]


# Rows of the unit and metadata columns, with the rule columns to set, by (rules, stoplist, text): the menus and
# footers of a site recur from page to page. Forgotten at once when full (a bounded memory).
_ROWS: dict[tuple[int, str | None, str], tuple[list[float], tuple[int, ...]]] = {}
_ROWS_MAX = 50_000
_RULES: dict[int, Rules] = {}
_RULE_COLUMNS: dict[int, dict[int, tuple[int, ...]]] = {}  # id(rules) -> id(rule) -> its rule columns


def forget_rows() -> None:
    """Forget the remembered rows (a batch worker calls it after each batch: ``pipeline.forget_memos``)."""
    _ROWS.clear()
    _RULES.clear()
    _RULE_COLUMNS.clear()


def _row(
    text: str, stops: frozenset[str] | None, stop_name: str | None, rules: Rules
) -> tuple[list[float], tuple[int, ...]]:
    key = (id(rules), stop_name, text)
    row = _ROWS.get(key)
    if row is None:
        if len(_ROWS) >= _ROWS_MAX:
            _ROWS.clear()
            _RULES.clear()
            _RULE_COLUMNS.clear()
        _RULES[id(rules)] = rules  # (held, so that no other rules object takes its id while rows are kept)
        row = _ROWS[key] = (_unit_row(text, stops, rules) + _meta_row(text, rules), _rule_columns(text, rules))
    return row


def _meta_row(text: str, rules: Rules) -> list[float]:
    return [
        1.0 if len(text) <= 200 and rules.byline.fullmatch(text) else 0.0,
        1.0 if len(text) <= 200 and rules.date_line.fullmatch(text) else 0.0,
        1.0 if rules.dateline.match(text) else 0.0,
        1.0 if rules.tag.fullmatch(text) else 0.0,
        1.0 if len(text) <= 200 and rules.comment_marker.search(text) else 0.0,
    ]


def _rule_columns(text: str, rules: Rules) -> tuple[int, ...]:
    # the first matching rule, as the splitter sees it (``Rules.match_line``): the rule columns that are 1
    hit = rules.match_line(text)
    if hit is None:
        return ()
    columns = _RULE_COLUMNS.get(id(rules))
    if columns is None:
        columns = _RULE_COLUMNS[id(rules)] = {}
        for k, r in enumerate(rules.lines):
            columns[id(r)] = (*columns.get(id(r), ()), k)
    return columns[id(hit)]


def _window_mean(values: np.ndarray, before: int, after: int) -> np.ndarray:
    """Mean of ``values[i - before : i + after + 1]`` clipped to the array, excluding nothing."""
    n = len(values)
    csum = np.concatenate(([0.0], np.cumsum(values)))
    idx = np.arange(n)
    lo = np.clip(idx - before, 0, n)
    hi = np.clip(idx + after + 1, 0, n)
    count = hi - lo
    out = np.zeros(n)
    ok = count > 0
    out[ok] = (csum[hi[ok]] - csum[lo[ok]]) / count[ok]
    return out


def page_features(
    units: Sequence[Unit],
    rules: Rules,
    counts: Mapping[str, int] | None = None,
    collection_pages: int = 1,
    stop_name: str | None = None,
    view: Sequence[tuple[int, int, int]] | None = None,
) -> np.ndarray:
    """The first stage's feature matrix of one page's ``units`` (``feature_names(rules)`` columns).

    Args:
        units: the page's units (``make_units``).
        rules: the rules whose line rules become binary features.
        counts: for a ``learned.line_hash`` of a unit's text, the number of pages of the page's collection
            that hold it, this one included (missing: 1). None: no collection known.
        collection_pages: the number of pages in that collection (this one included).
        stop_name: the page's stoplist name; chosen from the units' text when None.
        view: what the rules made of the page (``split.rule_view_of``); None: unknown (its columns are 0).
    """
    n = len(units)
    n_cols = len(feature_names(rules))
    if n == 0:
        return np.zeros((0, n_cols))
    texts = [u.text for u in units]
    if stop_name is None:
        stop_name = choose_stoplist(texts)
    stops = stoplist(stop_name) if stop_name else None
    rows = [_row(t, stops, stop_name, rules) for t in texts]
    hits = np.zeros((n, len(rules.lines)))  # the rule columns: one-hot
    for i, (_, columns) in enumerate(rows):
        if columns:
            hits[i, list(columns)] = 1.0
    base = np.hstack([np.array([r for r, _ in rows]), hits])

    blocks = np.array([u.block for u in units])
    lens = np.array([len(t) for t in texts], dtype=float)
    log_words = base[:, 1]
    ends = base[:, 3]
    stop_d = np.maximum(base[:, UNIT_FEATURES.index("stopword_density")], 0.0)
    long_ = (np.expm1(log_words) >= _LONG_WORDS).astype(float)
    blank_before = np.ones(n)
    blank_before[1:] = blocks[1:] != blocks[:-1]
    blank_after = np.ones(n)
    blank_after[:-1] = blocks[1:] != blocks[:-1]
    _, block_inv, block_sizes = np.unique(blocks, return_inverse=True, return_counts=True)
    block_chars = np.bincount(block_inv, weights=lens)
    n_blocks = len(block_sizes)
    char_pos = np.concatenate(([0.0], np.cumsum(lens)[:-1]))
    total_chars = float(lens.sum()) or 1.0
    idx = np.arange(n, dtype=float)
    denom = max(n - 1, 1)
    layout = np.column_stack(
        [
            blank_before,
            blank_after,
            np.log1p(block_sizes[block_inv]),
            block_inv / max(n_blocks - 1, 1),
            idx / denom,
            char_pos / total_chars,
            np.array([1.0 if u.parts > 1 else 0.0 for u in units]),
            np.full(n, math.log1p(n)),
            np.full(n, math.log1p(total_chars)),
            np.full(n, 1.0 if stops else 0.0),
        ]
    )
    longest = int(np.argmax(lens))
    main_block = int(np.argmax(block_chars))
    main_units = np.flatnonzero(block_inv == main_block)
    # distance in units to the main block (0 inside it)
    dist_block = np.where(
        idx < main_units[0], idx - main_units[0], np.where(idx > main_units[-1], idx - main_units[-1], 0)
    )
    w = WINDOW
    context = np.column_stack(
        [
            _window_mean(log_words, w, w),
            _window_mean(long_, w, w),
            _window_mean(ends, w, w),
            _window_mean(stop_d, w, w),
            _shifted_mean(log_words, w, before=True),
            _shifted_mean(long_, w, before=True),
            _shifted_mean(ends, w, before=True),
            _shifted_mean(log_words, w, before=False),
            _shifted_mean(long_, w, before=False),
            _shifted_mean(ends, w, before=False),
            (idx - longest) / denom,
            np.abs(idx - longest) / denom,
            dist_block / denom,
            np.abs(dist_block) / denom,
            (block_inv == main_block).astype(float),
            lens / max(lens[longest], 1.0),
        ]
    )
    if counts is None or collection_pages <= 1:
        repeat = np.zeros((n, 3))
    else:
        other = np.array([max(counts.get(line_hash(t), 1) - 1, 0) for t in texts], dtype=float)
        repeat = np.column_stack([np.log1p(other), other / (collection_pages - 1), np.ones(n)])
    return np.hstack([base, layout, context, repeat, view_features(units, view)])


def _shifted_mean(values: np.ndarray, w: int, before: bool) -> np.ndarray:
    """Mean over the ``w`` units before (or after) each unit, itself excluded; 0 at the page's edge."""
    n = len(values)
    csum = np.concatenate(([0.0], np.cumsum(values)))
    idx = np.arange(n)
    if before:
        lo, hi = np.clip(idx - w, 0, n), idx
    else:
        lo, hi = idx + 1, np.clip(idx + 1 + w, 0, n)
    count = hi - lo
    out = np.zeros(n)
    ok = count > 0
    out[ok] = (csum[hi[ok]] - csum[lo[ok]]) / count[ok]
    return out


STACK_OFFSETS = (-3, -2, -1, 1, 2, 3)
STACK_WINDOWS = (3, 10)


def stack_feature_names(classes: Sequence[str]) -> tuple[str, ...]:
    """The second stage's extra columns: the first stage's probabilities of the unit and its neighbours."""
    names = [f"p1:{c}" for c in classes]
    names += [f"p1:{c}@{k:+d}" for k in STACK_OFFSETS for c in classes]
    names += [f"p1:{c}~{w}" for w in STACK_WINDOWS for c in classes]
    names += [f"p1:{c}:page" for c in classes]
    names += ["p1:body_chars_before", "p1:body_chars_after"]
    return tuple(names)


def stack_features(proba: np.ndarray, units: Sequence[Unit], body_class: int) -> np.ndarray:
    """The second stage's extra columns of one page (``stack_feature_names``), from the first stage's
    class probabilities ``proba`` (units x classes). Neighbours past the page's edge count as 0."""
    n, k = proba.shape
    if n == 0:
        return np.zeros((0, len(stack_feature_names([str(j) for j in range(k)]))))
    cols = [proba]
    for off in STACK_OFFSETS:
        shifted = np.zeros_like(proba)
        if off < 0 and n + off > 0:
            shifted[-off:] = proba[: n + off]
        elif off > 0 and n - off > 0:
            shifted[: n - off] = proba[off:]
        cols.append(shifted)
    for w in STACK_WINDOWS:
        cols.append(np.column_stack([_window_mean(proba[:, j], w, w) for j in range(k)]))
    cols.append(np.tile(proba.mean(axis=0) if n else np.zeros(k), (n, 1)))
    lens = np.array([len(u.text) for u in units], dtype=float)
    body_chars = proba[:, body_class] * lens
    total = float(body_chars.sum()) or 1.0
    before = np.concatenate(([0.0], np.cumsum(body_chars)[:-1])) / total
    after = 1.0 - before - body_chars / total
    cols.append(np.column_stack([before, after]))
    return np.hstack(cols)
