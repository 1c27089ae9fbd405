"""What ``python -m eval.realistic`` computes, as pure functions over records and gold: token alignment, body and
title scores, the articles the suite's error rules would quarantine, where gold words land (the ledger), and the
targets."""

from __future__ import annotations

import difflib
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from corpora.glue import GoldArticle
from eval.metrics import (
    bootstrap,
    multiset_overlap,
    prf,
    token_prf,
    tokenize,
)
from eval.realistic.extractors import Record

SEED = 20261205
TOLERANCE = 50  # characters either side of a gold start (boundaries)
RECOVERED_F1 = 0.8  # body token F1 for a gold article to count as recovered
LENIENT_TITLE_F1 = 0.8  # title token F1 for a lenient title match
MIN_BLOCK = 5  # tokens of a gold/page alignment block that locate where the gold content starts and ends
# issue 17's targets: (key in the results, comparison, goal)
TARGETS: list[tuple[str, str, str, float]] = [
    ("single pages: body F1 (scrapinghub + dragnet, mean of per-page F1)", "single.all.body_f1", ">=", 0.90),
    ("dragnet titles (normalised exact)", "single.titles.exact", ">=", 0.80),
    ("four pages a file: body F1 minus the same pages one a file", "concat.by_pages.4.delta_vs_single", ">=", -0.03),
    ("four pages a file: page-boundary F1", "concat.by_pages.4.boundary_f1", ">=", 0.95),
    (
        "Reuters + BBC, headlines, one blank line: articles recovered",
        "stories.with_one_blank_line.recovered",
        ">=",
        0.98,
    ),
    (
        "Reuters + BBC, headlines, two blank lines: articles recovered",
        "stories.with_two_blank_lines.recovered",
        ">=",
        0.98,
    ),
    ("Reuters + BBC, no headlines, one blank line: recovered", "stories.without_one_blank_line.recovered", ">=", 0.70),
    (
        "Reuters + BBC, no headlines, two blank lines: recovered",
        "stories.without_two_blank_lines.recovered",
        ">=",
        0.70,
    ),
    (
        "multinews .src: articles in `articles` (recovered, passing the error rules)",
        "multinews.src.recovered_in_articles",
        ">=",
        1.0,
    ),
    ("multinews blank-line joins: recovered", "multinews.text.recovered", ">=", 0.50),
    ("ledger: gold words in kind='article' rows", "ledger.all.article", ">=", 0.95),
    ("ledger: gold words in quarantine", "ledger.all.quarantine", "<=", 0.02),
]


# ==================================================================================================
# Metric functions (pure)

_WORD = re.compile(r"\w+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def tokens_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """``(lower-cased token, start, end)`` of every ``\\w+`` token (the tokens ``tokenize`` returns)."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


def normalise_title(title: str | None) -> str:
    """NFKC, curly quotes and dashes made plain, case folded, whitespace collapsed, ends stripped."""
    t = unicodedata.normalize("NFKC", title or "").translate(_QUOTES).casefold()
    return " ".join(t.split())


def title_match(pred: str | None, gold: str) -> tuple[bool, bool]:
    """(exact, lenient): exact = equal after ``normalise_title``; lenient = exact, or token F1 of the two
    titles >= ``LENIENT_TITLE_F1``, or the gold title is inside the predicted one ("Title | Site"). A missing
    predicted title matches neither."""
    if not pred:
        return False, False
    p, g = normalise_title(pred), normalise_title(gold)
    exact = p == g
    return exact, exact or (bool(g) and g in p) or token_prf(p, g)[2] >= LENIENT_TITLE_F1


Block = tuple[int, int, int, int]
"""A run of gold tokens found one after the other in the text: (first gold token, token count, char start, end)."""


def align_blocks(gold: str, text: str, offset: int = 0) -> list[Block]:
    """The gold tokens found in ``text``, as runs in gold order (char offsets plus ``offset``).

    A longest-common-blocks alignment of the two token sequences (``difflib.SequenceMatcher`` without
    autojunk), so tokens are found in order and a gold word is placed at most once.
    """
    g = [t for t, _, _ in tokens_with_offsets(gold)]
    pt = tokens_with_offsets(text)
    sm = difflib.SequenceMatcher(None, g, [t for t, _, _ in pt], autojunk=False)
    return [(a, n, pt[b][1] + offset, pt[b + n - 1][2] + offset) for a, b, n in sm.get_matching_blocks() if n]


def align(gold: str, text: str, offset: int = 0) -> list[tuple[int, int] | None]:
    """Where each gold token is in ``text``: ``(start, end)`` (plus ``offset``) or None when not found
    (``align_blocks``, token by token)."""
    n_gold = len(tokens_with_offsets(gold))
    out: list[tuple[int, int] | None] = [None] * n_gold
    pt = tokens_with_offsets(text)
    starts = {s: k for k, (_, s, _) in enumerate(pt)}
    for a, n, s, _ in align_blocks(gold, text):
        k = starts[s]
        for i in range(n):
            out[a + i] = (pt[k + i][1] + offset, pt[k + i][2] + offset)
    return out


def content_span(blocks: Sequence[Block], min_block: int = MIN_BLOCK) -> tuple[int, int] | None:
    """(start, end) of the gold content in the text: from the first to the last block of at least
    ``min_block`` tokens (of all blocks when none is that long), so stray gold words found in the chrome do
    not move it. None when nothing was found."""
    long_blocks = [b for b in blocks if b[1] >= min_block] or list(blocks)
    if not long_blocks:
        return None
    return min(b[2] for b in long_blocks), max(b[3] for b in long_blocks)


def comment_leak(pred: str | None, gold: str, comments: str) -> tuple[int, int]:
    """(leaked, comment-only tokens): the comment tokens not explained by the gold body (multiset
    ``comments - gold``) and how many of them are in the predicted body beyond the gold (``pred - gold``)."""
    g = Counter(tokenize(gold))
    c_only = Counter(tokenize(comments)) - g
    p_extra = Counter(tokenize(pred)) - g
    return multiset_overlap(c_only, p_extra), sum(c_only.values())


def micro_f1(counts: Sequence[tuple[int, int, int]]) -> float:
    """F1 of summed (matched, predicted, gold) counts."""
    return prf(sum(c[0] for c in counts), sum(c[1] for c in counts), sum(c[2] for c in counts))[2]


def best_record(records: Sequence[Record], span: tuple[int, int], kind: str = "article") -> Record | None:
    """The record of ``kind`` whose [char_start, char_end) overlaps ``span`` the most (the first on ties)."""
    best: Record | None = None
    best_n = 0
    for r in records:
        if r["kind"] != kind:
            continue
        n = min(span[1], r["char_end"]) - max(span[0], r["char_start"])
        if n > best_n:
            best, best_n = r, n
    return best


def recovered(records: Sequence[Record], gold_body: str, threshold: float = RECOVERED_F1) -> bool:
    """Whether some record of kind 'article' has body token F1 >= ``threshold`` against ``gold_body``."""
    gt = Counter(tokenize(gold_body))
    n_g = sum(gt.values())
    for r in records:
        if r["kind"] == "article":
            t = Counter(tokenize(r["body"]))
            if prf(multiset_overlap(t, gt), sum(t.values()), n_g)[2] >= threshold:
                return True
    return False


def spread(values: Sequence[Any], stat: Callable[[list[Any]], float] = statistics.fmean) -> dict[str, Any]:
    """``stat`` of the items with its bootstrap spread over them (1,000 resamples, seeded): value, std, 95 % CI."""
    if not values:
        return {"value": None, "std": None, "ci95": None, "n": 0}
    std, lo, hi = bootstrap(list(values), stat, 1000, SEED)
    return {"value": stat(list(values)), "std": std, "ci95": [lo, hi], "n": len(values)}


def _micro(counts: list[tuple[int, int, int]]) -> float:
    return micro_f1(counts)


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


# -- the articles suite's error rules, read from expectations/articles.json -------------------------

_CONDITION = re.compile(r'^\s*(\w+)\s*(==|!=)\s*"([^"]*)"\s*$')
_NULL_TEST = re.compile(r"^\s*(\w+)\.(isnull|notnull)\(\)\s*$")


@dataclass(frozen=True)
class RowRule:
    """One error-level row expectation of the articles suite, as a predicate on a record."""

    reason: str
    check: Callable[[Record], bool]  # True when the row passes
    column: str | None = None  # the column it reads; a record without that key is not checked


def _rule(exp: dict[str, Any]) -> RowRule | None:
    kw = exp["kwargs"]
    col = kw.get("column")
    reason = exp.get("meta", {}).get("reason", exp["type"])
    cond: Callable[[Record], bool] = lambda r: True  # noqa: E731
    if "row_condition" in kw:
        tests: list[Callable[[Record], bool]] = []
        for term in kw["row_condition"].split(" and "):  # ('kind == "article" and dateline.isnull()')
            if m := _CONDITION.match(term):
                c_col, op, val = m.groups()
                tests.append(lambda r, c=c_col, v=val, eq=op == "==": (r.get(c) == v) == eq)
            elif m := _NULL_TEST.match(term):
                tests.append(lambda r, c=m.group(1), null=m.group(2) == "isnull": (r.get(c) is None) == null)
            else:
                return None

        def cond(r: Record) -> bool:
            return all(t(r) for t in tests)

    t = exp["type"]
    lo, hi = kw.get("min_value"), kw.get("max_value")

    def between(x: float) -> bool:
        return (lo is None or x >= lo) and (hi is None or x <= hi)

    if t == "expect_column_values_to_not_be_null":
        return RowRule(reason, lambda r: not cond(r) or r.get(col) is not None)
    if t == "expect_column_value_lengths_to_be_between":
        return RowRule(reason, lambda r: not cond(r) or r.get(col) is None or between(len(r[col])))
    if t == "expect_column_values_to_be_between" and "mostly" not in kw:
        return RowRule(reason, lambda r: not cond(r) or r.get(col) is None or between(r[col]))
    if t == "expect_column_values_to_not_match_regex_list":
        rx = [re.compile(p) for p in kw["regex_list"]]
        return RowRule(reason, lambda r: not cond(r) or r.get(col) is None or not any(x.search(r[col]) for x in rx))
    if t == "expect_column_values_to_match_regex":
        one = re.compile(kw["regex"])
        return RowRule(reason, lambda r: not cond(r) or r.get(col) is None or bool(one.search(r[col])))
    if t == "expect_column_values_to_be_in_set" and isinstance(kw.get("value_set"), list):
        allowed = set(kw["value_set"])
        return RowRule(reason, lambda r: not cond(r) or r.get(col) is None or r[col] in allowed)
    return None  # batch-level, pair or parameterised rules are not checked here


def error_rules(suite: dict[str, Any]) -> list[RowRule]:
    """The suite's error-level row rules this module can check on one record (null, length, range, regex,
    literal set; with a row condition of ``col == "x"``, ``col != "x"``, ``col.isnull()`` or ``col.notnull()`` terms
    joined by ``and``). The others are left out."""
    out = []
    for exp in suite.get("expectations", []):
        if exp.get("meta", {}).get("severity") == "error":
            r = _rule(exp)
            if r is not None:
                out.append(RowRule(r.reason, r.check, exp["kwargs"].get("column")))
    return out


def failed_rules(record: Record, rules: Sequence[RowRule]) -> list[str]:
    """Reasons of the rules ``record`` fails (empty: it would be loaded into ``articles``). A rule on a column
    the record does not have (an extractor that returns no ids, say) is not checked."""
    return [r.reason for r in rules if (r.column is None or r.column in record) and not r.check(record)]


def _paired_delta(groups: list[list[tuple[float, float]]]) -> float:
    pairs = [p for g in groups for p in g]
    return statistics.fmean(a - b for a, b in pairs) if pairs else 0.0


# -- the ledger: the real CLI on a sample of the generated files ---------------------------------------

LEDGER_PLACES = ("article", "related", "quarantine", "removed", "elsewhere")


def ledger_place(
    pos: tuple[int, int],
    removed: Sequence[tuple[int, int, str]],
    rows: Sequence[tuple[int, int, str]],
) -> tuple[str, str | None]:
    """Where the token at ``pos`` landed: 'removed' (with the rule) when a removed span holds its start, else the
    place of the row whose span holds it ('article', 'related' or 'quarantine'), else 'elsewhere'."""
    s = pos[0]
    for a, b, rule in removed:
        if a <= s < b:
            return "removed", rule
    for a, b, place in rows:
        if a <= s < b:
            return place, None
    return "elsewhere", None


def ledger_counts(
    golds: Sequence[GoldArticle],
    text: str,
    removed: Sequence[tuple[int, int, str]],
    rows: Sequence[tuple[int, int, str]],
) -> tuple[Counter[str], Counter[str], int]:
    """(tokens per place, removed tokens per rule, gold tokens not found in the file) of one file's gold articles
    (title and body): each gold token is located in its article's span (``align``) and placed (``ledger_place``)."""
    places: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    missing = 0
    for g in golds:
        gold_text = f"{g.title}\n\n{g.body}" if g.title else g.body
        for loc in align(gold_text, text[g.start : g.end], g.start):
            if loc is None:
                missing += 1
                continue
            place, rule = ledger_place(loc, removed, rows)
            places[place] += 1
            if rule:
                rules[rule] += 1
    return places, rules, missing


# ==================================================================================================
# Targets


def lookup(res: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted path of the results (None when a part is missing)."""
    cur: Any = res
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def spread_of(res: dict[str, Any], dotted: str) -> dict[str, Any] | None:
    """The bootstrap spread stored beside a value (``<key>_spread``, or the boundary spread for boundary_f1)."""
    head, _, last = dotted.rpartition(".")
    parent = lookup(res, head) if head else res
    if not isinstance(parent, dict):
        return None
    if last == "boundary_f1":
        return parent.get("boundary")  # type: ignore[no-any-return]
    return parent.get(f"{last}_spread")  # type: ignore[no-any-return]


def targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 17 with the measured value, its spread and MET / NOT MET (None: not measured)."""
    out = []
    for label, key, op, goal in TARGETS:
        v = lookup(res, key)
        met = None if v is None else (v >= goal if op == ">=" else v <= goal)
        out.append(
            {
                "target": label,
                "key": key,
                "goal": f"{op} {goal:g}",
                "value": v,
                "spread": spread_of(res, key),
                "met": met,
            }
        )
    return out


def baseline_of(previous: dict[str, Any]) -> dict[str, Any]:
    """What the report shows of a previous run (its ``realistic.json``): its commit and its targets' values."""
    code = previous.get("meta", {}).get("code", {})
    return {
        "commit": code.get("git_commit"),
        "corpus_etl_sha256": code.get("corpus_etl_sha256"),
        "values": {t["key"]: t["value"] for t in previous.get("targets", [])},
    }
