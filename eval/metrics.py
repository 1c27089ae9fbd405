"""Pure metric functions of the evaluations (token P/R/F1, the scrapinghub benchmark's shingle scores, the bootstrap,
boundary matching), unit-tested on tiny inline strings (``tests/unit/test_eval_metrics.py``)."""

from __future__ import annotations

import bisect
import random
import re
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from corpora.reuters import collapse_ws

SEED = 20261122
BOUNDARY_TOLERANCE = 50  # characters either side of a gold boundary


_TOKEN = re.compile(r"\w+")


def tokenize(text: str | None) -> list[str]:
    """Lower-cased word tokens (``\\w+``)."""
    return _TOKEN.findall((text or "").lower())


def prf(overlap: float, n_pred: float, n_gold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 from an overlap count and the two sizes.

    Nothing predicted and nothing expected is a perfect score; otherwise an empty side scores 0.
    """
    if n_pred == 0 and n_gold == 0:
        return 1.0, 1.0, 1.0
    p = overlap / n_pred if n_pred else 0.0
    r = overlap / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def multiset_overlap(a: Counter[str], b: Counter[str]) -> int:
    """Size of the multiset intersection of two token counters."""
    return sum((a & b).values())


def token_counts(pred: str | None, gold: str | None) -> tuple[int, int, int]:
    """(overlap, predicted tokens, gold tokens) of two texts' lower-cased token multisets."""
    p, g = Counter(tokenize(pred)), Counter(tokenize(gold))
    return multiset_overlap(p, g), sum(p.values()), sum(g.values())


def token_prf(pred: str | None, gold: str | None) -> tuple[float, float, float]:
    """Token precision, recall and F1 of ``pred`` against ``gold`` (lower-cased ``\\w+``, multisets)."""
    return prf(*token_counts(pred, gold))


def token_tp_fp_fn(pred: str | None, gold: str | None) -> tuple[float, float, float]:
    """Per-document (tp, fp, fn) on lower-cased token multisets, normalised to sum to 1 as the benchmark
    normalises its shingle counts (so that ``benchmark_scores`` aggregates them as it does shingles)."""
    overlap, n_pred, n_gold = token_counts(pred, gold)
    tp, fp, fn = float(overlap), float(n_pred - overlap), float(n_gold - overlap)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def shingles(text: str | None, n: int = 4) -> Counter[tuple[str, ...]]:
    """Word n-grams as the scrapinghub benchmark's ``evaluate.py`` makes them (case kept, ``\\w+``)."""
    tokens = _TOKEN.findall(text or "")
    out: Counter[tuple[str, ...]] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        gram = tuple(tokens[i : i + n])
        if gram:
            out[gram] += 1
    return out


def benchmark_tp_fp_fn(pred: str | None, gold: str | None) -> tuple[float, float, float]:
    """The benchmark's per-document (tp, fp, fn) on 4-gram shingles, normalised to sum to 1."""
    ps, gs = shingles(pred), shingles(gold)
    tp = float(sum((ps & gs).values()))
    fp = float(sum((ps - gs).values()))
    fn = float(sum((gs - ps).values()))
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def benchmark_scores(tp_fp_fns: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The benchmark's corpus scores: mean precision (documents with a prediction), mean recall
    (documents with a gold body), and F1 = harmonic mean of those two means."""

    def precision(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == fn == 0 else tp / (tp + fn)

    ps = [precision(*x) for x in tp_fp_fns if x[0] + x[1] > 0]
    rs = [recall(*x) for x in tp_fp_fns if x[0] + x[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bootstrap(
    items: Sequence[Any], stat: Callable[[list[Any]], float], n: int = 1000, seed: int = SEED
) -> tuple[float, float, float]:
    """How much a score over these documents could move with another draw of documents like them.

    The documents are resampled with replacement ``n`` times (``random.Random(seed)``) and ``stat`` is
    computed on each resample, as the scrapinghub benchmark estimates the spread of its scores.

    Returns:
        (sample standard deviation of the resampled scores, as ``evaluate.py`` takes it, 2.5th percentile,
        97.5th percentile); all three are the score itself for fewer than two documents.
    """
    if len(items) < 2:
        m = stat(list(items)) if items else 0.0
        return 0.0, m, m
    rng = random.Random(seed)
    k = len(items)
    scores = sorted(stat([items[rng.randrange(k)] for _ in range(k)]) for _ in range(n))
    return statistics.stdev(scores), scores[int(0.025 * (n - 1))], scores[int(0.975 * (n - 1))]


def bootstrap_mean(values: Sequence[float], n: int = 1000, seed: int = SEED) -> tuple[float, float, float]:
    """``bootstrap`` of the mean of ``values``."""
    return bootstrap(values, statistics.fmean, n, seed)


def titles_equal(pred: str | None, gold: str) -> bool:
    """Exact title match after collapsing whitespace in both; a missing predicted title never matches."""
    return pred is not None and collapse_ws(pred) == collapse_ws(gold)


def span_overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters shared by two half-open spans."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def best_overlap(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> int | None:
    """Index of the span overlapping ``span`` the most (the first on ties), or None when none overlaps."""
    best, best_len = None, 0
    for i, s in enumerate(spans):
        n = span_overlap(span, s)
        if n > best_len:
            best, best_len = i, n
    return best


def boundary_window(start: int, title_end: int, tolerance: int = BOUNDARY_TOLERANCE) -> tuple[int, int]:
    """Where a predicted boundary matches a gold one: within ``tolerance`` characters, or in its title line."""
    return start - tolerance, max(start + tolerance, title_end)


def match_boundaries(pred: Sequence[int], windows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """A maximum one-to-one matching of predicted offsets to gold windows (inclusive ``(lo, hi)``).

    Windows are taken in order of their right end, each taking the leftmost free offset inside it
    (optimal for points and intervals). Each gold and each prediction is matched at most once.

    Returns:
        ``(pred_index, window_index)`` pairs, sorted.
    """
    order = sorted(range(len(windows)), key=lambda j: (windows[j][1], windows[j][0]))
    points = sorted(range(len(pred)), key=lambda i: pred[i])
    used = [False] * len(pred)
    pairs: list[tuple[int, int]] = []
    for j in order:
        lo, hi = windows[j]
        for i in points:
            if used[i] or pred[i] < lo:
                continue
            if pred[i] > hi:
                break
            used[i] = True
            pairs.append((i, j))
            break
    return sorted(pairs)


def boundary_counts(
    pred_starts: Sequence[int], gold: Sequence[tuple[int, int]], tolerance: int = BOUNDARY_TOLERANCE
) -> tuple[int, int, int]:
    """(matched, predicted boundaries, gold boundaries) of one concatenated file.

    Args:
        pred_starts: ``char_start`` of every predicted article record.
        gold: ``(start, title_line_end)`` of every gold article, in text order.
        tolerance: see ``boundary_window``.

    The first gold article starts the file, so it is not a boundary: the one prediction that matches its
    window is the start of the file, neither a hit nor a false boundary. Every other prediction is a
    predicted boundary; the gold boundaries are the starts of the other articles.
    """
    if not gold:
        return 0, len(pred_starts), 0
    windows = [boundary_window(s, e, tolerance) for s, e in gold]
    pairs = match_boundaries(pred_starts, windows)
    at_start = sum(1 for _, j in pairs if j == 0)
    hits = len(pairs) - at_start
    return hits, len(pred_starts) - at_start, len(gold) - 1


# Where page-boundary errors are (``boundary_errors``), one name each.
MISSED_GLUED = "missed: glued to the record before"
MISSED_LATE = "missed: its article record starts late"
MISSED_RELATED = "missed: its content in a related record"
MISSED_REMOVED = "missed: its content removed"
EXTRA_BEFORE = "extra: before a page's content"
EXTRA_INSIDE = "extra: inside a page's content"
EXTRA_AFTER = "extra: after a page's content"
BOUNDARY_ERRORS = (MISSED_GLUED, MISSED_LATE, MISSED_RELATED, MISSED_REMOVED, EXTRA_BEFORE, EXTRA_INSIDE, EXTRA_AFTER)


def boundary_errors(
    records: Sequence[dict[str, Any]],
    gold: Sequence[tuple[int, int]],
    contents: Sequence[tuple[int, int]],
    tolerance: int = BOUNDARY_TOLERANCE,
) -> Counter[str]:
    """Where the page-boundary errors of one file of glued pages are (``BOUNDARY_ERRORS``), as ``boundary_counts``
    matches them.

    A gold boundary (a page after the first) is missed because the record holding its content's start begins before
    it (the page is glued to the one before), an article record starts after it inside the page's content (the
    page's head was cut off), or its content's start is in a related record or in no record at all. An extra
    boundary (an article record's start that matches no page) is before, inside or after the gold content of the
    page it starts on. The counts add up to ``boundary_counts``' misses and false boundaries.

    Args:
        records: every record of the file (``kind``, ``char_start``, ``char_end``), in text order.
        gold: ``(start, title_line_end)`` of every page, in text order (as ``boundary_counts``).
        contents: ``(start, end)`` of each page's gold content in the text.
        tolerance: see ``boundary_window``.
    """
    out: Counter[str] = Counter()
    if not gold:
        return out
    articles = [r for r in records if r["kind"] == "article"]
    starts = [r["char_start"] for r in articles]
    windows = [boundary_window(s, e, tolerance) for s, e in gold]
    pairs = match_boundaries(starts, windows)
    matched_pred = {i for i, _ in pairs}
    matched_gold = {j for _, j in pairs}
    page_starts = [s for s, _ in gold]
    for j in range(1, len(gold)):
        if j in matched_gold:
            continue
        hi, end = windows[j][1], contents[j][1]
        if any(hi < x < end for i, x in enumerate(starts) if i not in matched_pred):
            out[MISSED_LATE] += 1
            continue
        at = contents[j][0]
        holder = next((r for r in records if r["char_start"] <= at < r["char_end"]), None)
        if holder is None:
            out[MISSED_REMOVED] += 1
        elif holder["kind"] != "article":
            out[MISSED_RELATED] += 1
        else:  # (an article record holds it and starts before the window: none starts in it)
            out[MISSED_GLUED] += 1
    for i, x in enumerate(starts):
        if i in matched_pred:
            continue
        j = max(bisect.bisect_right(page_starts, x) - 1, 0)  # (the page it starts on)
        lo, hi = contents[j]
        out[EXTRA_BEFORE if x < lo else EXTRA_INSIDE if x < hi else EXTRA_AFTER] += 1
    return out


def main_article(records: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The record of kind 'article' with the most words (the first on ties), or None."""
    best: dict[str, Any] | None = None
    for r in records:
        if r["kind"] == "article" and (best is None or r["n_words"] > best["n_words"]):
            best = r
    return best
