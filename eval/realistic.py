"""Dev evaluation that looks like real input (issue 17, section 3): pages glued together, long story files,
Multi-News, and where the gold words land in a real warehouse.

Run from the repository root: ``python -m eval.realistic`` (about 4 minutes on 2 cores; writes
``eval/REALISTIC.md`` and ``eval/realistic.json``). ``--quick`` for small samples, ``--only concat,ledger``
for some sections (both print the report and write files only with ``--out DIR``), ``--extractor
mod:factory`` to score another extractor (see ``ExtractorFactory``). Corpora are read from ``../shared``
(``CORPUS_ETL_SHARED``); the inputs are built in memory and in a temporary directory, never committed.
The outputs hold numbers and document ids only. See ``eval/README.md``.

Sections:

1. ``single``: scrapinghub and dragnet pages one a file: body token F1, comments kept out, dragnet titles.
2. ``concat``: 1-4 real pages (scrapinghub + dragnet) of one site fold joined by a blank line.
3. ``stories``: Reuters and BBC, 5-40 stories a file, one or two blank lines, with or without headlines,
   and BBC files of one category.
4. ``multinews``: ``dev.src`` as given and each line's articles joined by a blank line.
5. ``ledger``: the real ``corpus-etl ingest`` on a sample of the generated files; where the gold words land.

Site-disjointness: the extractor is obtained per fold (``ExtractorFactory(fold)``); every page belongs to the
fold of its site (``site_fold``), and a concatenation holds pages of one fold only, so a trained model can be
scored by a model trained without the file's sites. The product's rules ignore the fold.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from corpus_etl.linemodel.corpora import K_FOLDS, site_fold, site_key
from eval.run import (
    bbc_articles,
    bootstrap,
    boundary_counts,
    build_concatenation,
    code_version,
    fold_model_path,
    main_article,
    multiset_overlap,
    parse_reuters,
    prf,
    shared_dir,
    strip_private,
    table,
    token_counts,
    token_prf,
    tokenize,
)

SEED = 20261205
WORKERS = 2
TOLERANCE = 50  # characters either side of a gold start (boundaries)
RECOVERED_F1 = 0.8  # body token F1 for a gold article to count as recovered
LENIENT_TITLE_F1 = 0.8  # title token F1 for a lenient title match
MIN_BLOCK = 5  # tokens of a gold/page alignment block that locate where the gold content starts and ends
MIN_ARTICLE_WORDS = 20  # a Multi-News segment shorter than this is not scored as an article
SECTIONS = ("single", "concat", "stories", "multinews", "ledger")
JOINS = {"one_blank_line": "\n\n", "two_blank_lines": "\n\n\n"}
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
# The extractor hook

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
        settings = Settings(line_model_path=str(path))

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


def url_site(url: str) -> str:
    """The site (host) of a URL, as ``site_key`` normalises it."""
    return site_key(urlparse(url).netloc or url)


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


# ==================================================================================================
# Corpora and built inputs


@dataclass(frozen=True)
class Page:
    """One real page: id ("dragnet/NNN", "scrapinghub/<key>"), site, its text, gold body, gold title
    (dragnet titles.json) and comments (dragnet comments/)."""

    id: str
    site: str
    text: str
    gold: str
    title: str | None = None
    comments: str | None = None

    @property
    def fold(self) -> int:
        return site_fold(self.site)


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


def _read(path: Path) -> str:
    from corpus_etl.decode import decode_bytes

    return decode_bytes(path.read_bytes()).text


def dragnet_pages(root: Path) -> tuple[list[Page], list[str]]:
    """The dragnet pages with a readable gold body (site from sites.json, title from titles.json, comments),
    and the ids of the pages left out (a gold file that is not text: 5 are truncated UTF-16 saved as UTF-8)."""
    from corpus_etl.decode import DecodeError

    base = root / "corpora" / "dragnet"
    sites = json.loads((base / "sites.json").read_text(encoding="utf-8"))
    titles = json.loads((base / "titles.json").read_text(encoding="utf-8"))
    out, skipped = [], []
    for path in sorted((base / "page_text").glob("*.txt")):
        n = path.stem
        gold_path, com_path = base / "gold" / path.name, base / "comments" / path.name
        try:
            gold = _read(gold_path)
        except (OSError, DecodeError):
            skipped.append(f"dragnet/{n}")
            continue
        out.append(
            Page(
                f"dragnet/{n}",
                site_key(sites.get(n, f"dragnet-{n}")),
                _read(path).strip(),
                gold,
                titles[n]["title"] if n in titles else None,
                _read(com_path) if com_path.exists() else None,
            )
        )
    return out, skipped


def scrapinghub_pages(root: Path) -> list[Page]:
    """The scrapinghub pages (site: the host of the ground truth's url)."""
    base = root / "corpora" / "scrapinghub"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for key in sorted(truth):
        path = base / "page_text" / f"{key}.txt"
        if path.exists():
            out.append(
                Page(
                    f"scrapinghub/{key[:12]}",
                    url_site(truth[key]["url"]),
                    _read(path).strip(),
                    truth[key]["articleBody"],
                )
            )
    return out


def dev_page_folds(root: Path) -> list[dict[str, Any]]:
    """Every dev page a trained extractor may learn from, with its site and fold, for training with the folds this
    evaluation scores by: ``{"id", "path", "gold_path", "site", "fold"}``, scrapinghub then dragnet, sorted.
    A model for fold ``k`` must be trained and tuned on pages whose fold is not ``k`` only."""
    sh = root / "corpora" / "scrapinghub"
    truth = json.loads((sh / "ground-truth.json").read_text(encoding="utf-8"))
    out = [
        {"id": f"scrapinghub/{k[:12]}", "path": str(sh / "page_text" / f"{k}.txt"), "gold_path": None,
         "site": url_site(v["url"]), "fold": site_fold(url_site(v["url"]))}
        for k, v in sorted(truth.items())
    ]  # fmt: skip
    dn = root / "corpora" / "dragnet"
    sites = json.loads((dn / "sites.json").read_text(encoding="utf-8"))
    for path in sorted((dn / "page_text").glob("*.txt")):
        site = site_key(sites.get(path.stem, f"dragnet-{path.stem}"))
        out.append(
            {"id": f"dragnet/{path.stem}", "path": str(path), "gold_path": str(dn / "gold" / path.name),
             "site": site, "fold": site_fold(site)}
        )  # fmt: skip
    return out


def build_page_files(pages: Sequence[Page], n_files: int, rng: random.Random) -> list[Built]:
    """``n_files`` files of 1-4 pages (a quarter of the files each), the pages of a file drawn from one site
    fold (so a file can be scored by one fold's model), joined by a blank line."""
    by_fold: dict[int, list[Page]] = {}
    for p in pages:
        by_fold.setdefault(p.fold, []).append(p)
    folds = sorted(by_fold)
    out = []
    for i in range(n_files):
        k = 1 + i % 4
        fold = folds[rng.randrange(len(folds))]
        chosen = rng.sample(by_fold[fold], k)
        text, spans = build_concatenation([p.text for p in chosen], "\n\n")
        golds = [GoldArticle(p.id, s, e, s, p.title, p.gold) for p, (s, e) in zip(chosen, spans, strict=True)]
        out.append(Built(f"pages-{i:04d}-{k}p", text, "text", fold, golds, {"pages": k}))
    return out


@dataclass(frozen=True)
class Story:
    """A Reuters or BBC story: id, title, body, corpus and topic (BBC category)."""

    id: str
    title: str
    body: str
    corpus: str
    topic: str


def load_stories(root: Path, rng: random.Random, quick: bool) -> dict[str, list[Story]]:
    """BBC stories (duplicates dropped) and Reuters stories with a body of 40+ words (3 .sgm files drawn with
    ``rng`` when ``quick``)."""
    bbc = [Story(i, t, b, "bbc", i.split("/")[0]) for i, _, t, b in bbc_articles(root)[0]]
    files = sorted((root / "corpora" / "reuters21578").glob("reut2-*.sgm"))
    if quick:
        files = sorted(rng.sample(files, 3))
    reuters = []
    for path in files:
        for newid, title, body in parse_reuters(path.read_bytes().decode("latin-1")):
            if len(body.split()) >= 40:
                reuters.append(Story(f"{path.stem}#{newid}", title, body, "reuters", "reuters"))
    return {"bbc": bbc, "reuters": reuters}


def render_stories(stories: Sequence[Story], join: str, headlines: bool) -> tuple[str, list[GoldArticle]]:
    """One file of stories joined by ``join``: each the title line, a blank line and the body (``headlines``),
    or the body alone."""
    texts = [f"{s.title}\n\n{s.body}" if headlines else s.body for s in stories]
    text, spans = build_concatenation(texts, join)
    golds = [
        GoldArticle(s.id, a, b, a + len(s.title) if headlines else a, s.title if headlines else None, s.body)
        for s, (a, b) in zip(stories, spans, strict=True)
    ]
    return text, golds


def build_story_files(stories: dict[str, list[Story]], n_draws: int, rng: random.Random) -> list[Built]:
    """``n_draws`` draws of 5-40 stories for each of BBC (any topic), BBC (one topic) and Reuters, each rendered
    in the four variants (one/two blank lines x with/without headlines) from the same draw."""
    bbc_topics: dict[str, list[Story]] = {}
    for s in stories["bbc"]:
        bbc_topics.setdefault(s.topic, []).append(s)
    out = []
    for kind in ("bbc", "bbc_same_topic", "reuters"):
        for d in range(n_draws):
            k = rng.randint(5, 40)
            if kind == "bbc_same_topic":
                topic = sorted(bbc_topics)[rng.randrange(len(bbc_topics))]
                draw = rng.sample(bbc_topics[topic], min(k, len(bbc_topics[topic])))
            else:
                draw = rng.sample(stories[kind.split("_")[0]], k)
            for join_name, join in JOINS.items():
                for headlines in (True, False):
                    text, golds = render_stories(draw, join, headlines)
                    variant = f"{'with' if headlines else 'without'}_{join_name}"
                    name = f"stories-{kind}-{d:03d}-{variant}"
                    out.append(Built(name, text, "text", None, golds, {"kind": kind, "variant": variant}))
    return out


_MN_SEP = re.compile(r"[ \t]*\|{5}[ \t]*")
_MN_NEWLINE = re.compile(r"[ \t]*NEWLINE_CHAR[ \t]*")


def multinews_unwrap(segment: str) -> str:
    """A Multi-News article as plain text: each NEWLINE_CHAR (with the spaces around it) made a newline."""
    return _MN_NEWLINE.sub("\n", segment).strip()


def multinews_segments(line: str, base: int = 0) -> list[tuple[int, int, str]]:
    """``(start, end, article text)`` of the non-empty ``|||||``-separated articles of one ``.src`` line (the
    span in the raw line plus ``base``)."""
    out = []
    pos = 0
    for m in [*_MN_SEP.finditer(line), None]:
        end = m.start() if m else len(line)
        raw = line[pos:end]
        text = multinews_unwrap(raw)
        if text:
            lead = len(raw) - len(raw.lstrip())
            out.append((base + pos + lead, base + pos + len(raw.rstrip()), text))
        if m:
            pos = m.end()
    return out


def build_multinews(src: str, n_lines: int | None) -> tuple[Built, list[Built]]:
    """The ``.src`` file as given (first ``n_lines`` lines) and one text file per line, its articles joined by a
    blank line. Gold: every non-empty article; scored when it has ``MIN_ARTICLE_WORDS`` words or more."""
    lines = src.splitlines(keepends=True)[:n_lines]
    raw_golds: list[GoldArticle] = []
    text_files: list[Built] = []
    pos = 0
    for cl, line in enumerate(lines):
        segs = multinews_segments(line.rstrip("\r\n"), pos)
        for j, (s, e, t) in enumerate(segs):
            raw_golds.append(GoldArticle(f"{cl}.{j}", s, e, s, None, t, len(t.split()) >= MIN_ARTICLE_WORDS))
        text, spans = build_concatenation([t for _, _, t in segs], "\n\n")
        golds = [
            GoldArticle(f"{cl}.{j}", a, b, a, None, t, len(t.split()) >= MIN_ARTICLE_WORDS)
            for j, ((_, _, t), (a, b)) in enumerate(zip(segs, spans, strict=True))
        ]
        text_files.append(Built(f"multinews-{cl:03d}", text, "text", None, golds, {"cluster": cl}))
        pos += len(line)
    return Built("multinews-dev", "".join(lines), "multinews", None, raw_golds), text_files


# ==================================================================================================
# Workers (top-level, so that a process pool can run them)

_FACTORY: dict[str, Any] = {"spec": DEFAULT_EXTRACTOR, "by_fold": {}, "rules": None}


def _init_worker(spec: str) -> None:
    _FACTORY["spec"] = spec
    _FACTORY["by_fold"] = {}


def _extract(text: str, fmt: str, fold: int | None, what: str) -> list[Record]:
    """The extractor's records, slimmed to what is scored, each with ``failed``: the error rules it fails."""
    if _FACTORY["rules"] is None:
        from expectations import __file__ as exp_init

        suite = json.loads((Path(exp_init).parent / "articles.json").read_text(encoding="utf-8"))
        _FACTORY["rules"] = error_rules(suite)
    by_fold = _FACTORY["by_fold"]
    if fold not in by_fold:
        by_fold[fold] = load_factory(_FACTORY["spec"])(fold)
    try:
        records = by_fold[fold](text, fmt)
    except Exception as exc:  # say which document broke the extractor, then stop: a crash is not a score
        raise RuntimeError(f"extractor failed on {what}: {type(exc).__name__}: {exc}") from exc
    out = []
    for r in records:
        body = r.get("body") or ""
        slim = {
            "kind": r.get("kind", "article"),
            "title": r.get("title"),
            "body": body,
            "char_start": r["char_start"],
            "char_end": r["char_end"],
            "n_words": r.get("n_words", len(body.split())),
            "language": r.get("language"),
            "language_prob": r.get("language_prob"),
            "cluster": r.get("cluster"),
        }
        slim["failed"] = failed_rules({**r, "kind": slim["kind"], "n_words": slim["n_words"]}, _FACTORY["rules"])
        out.append(slim)
    return out


def _passing(records: Sequence[Record]) -> list[Record]:
    return [r for r in records if not r["failed"]]


def score_page(page: Page) -> dict[str, Any]:
    """A page one a file: body token F1 of the main article (the 'article' record with most words), of the main
    article among records passing the error rules, comment leak, title match."""
    records = _extract(page.text, "text", page.fold, page.id)
    main = main_article(records)
    main_in = main_article(_passing(records))
    pred = main["body"] if main else ""
    p, r, f = prf(*token_counts(pred, page.gold))
    out: dict[str, Any] = {
        "id": page.id,
        "site": page.site,
        "fold": page.fold,
        "precision": p,
        "recall": r,
        "f1": f,
        "f1_in_articles": token_prf(main_in["body"] if main_in else "", page.gold)[2],
        "n_records": len(records),
        "main_failed": main["failed"] if main else ["no article record"],
        "n_article_records": sum(1 for x in records if x["kind"] == "article"),
        "n_failing_article_records": sum(1 for x in records if x["kind"] == "article" and x["failed"]),
    }
    if page.comments:
        out["comment_leaked"], out["comment_tokens"] = comment_leak(pred, page.gold, page.comments)
    if page.title:
        out["title_exact"], out["title_lenient"] = title_match(main["title"] if main else None, page.title)
    return out


def score_file(b: Built) -> dict[str, Any]:
    """A built file: page/story boundaries, per gold article the best-overlapping record's body F1 and title,
    and whether it was recovered (by any article record, and by one passing the error rules)."""
    records = _extract(b.text, b.fmt, b.fold, b.name)
    articles = [r for r in records if r["kind"] == "article"]
    windows = []
    per: list[dict[str, Any]] = []
    for g in b.golds:
        span = content_span(align_blocks(g.body, b.text[g.start : g.end], g.start)) if "pages" in b.group else None
        content = span or (g.start, g.end)
        # a page's boundary may be anywhere from its first character to where its gold content starts
        windows.append((g.start, max(g.title_end, content[0] + TOLERANCE if span else g.title_end)))
        if not g.scored:
            continue
        rec = best_record(records, content)
        item: dict[str, Any] = {
            "id": g.id,
            "f1": token_prf(rec["body"] if rec else "", g.body)[2],
            "recovered": recovered(articles, g.body),
            "recovered_in_articles": recovered(_passing(articles), g.body),
        }
        if g.title:
            item["title_exact"], item["title_lenient"] = title_match(rec["title"] if rec else None, g.title)
        per.append(item)
    hits, n_pred, n_gold = boundary_counts([r["char_start"] for r in articles], windows, TOLERANCE)
    passing = boundary_counts([r["char_start"] for r in _passing(articles)], windows, TOLERANCE)
    return {
        "name": b.name,
        "group": b.group,
        "counts": (hits, n_pred, n_gold),
        "counts_in_articles": passing,
        "articles": per,
        "n_pred_articles": len(articles),
        "n_failing_articles": sum(1 for r in articles if r["failed"]),
        "failed_reasons": Counter(x for r in articles for x in r["failed"]),
    }


def score_multinews_src(b: Built) -> list[dict[str, Any]]:
    """The ``.src`` file: per line (cluster), the articles recovered and the boundary counts of that line."""
    records = _extract(b.text, b.fmt, None, b.name)
    by_cluster: dict[int, list[Record]] = {}
    for r in records:
        if r["cluster"] is not None:
            by_cluster.setdefault(int(r["cluster"]), []).append(r)
    gold_by: dict[int, list[GoldArticle]] = {}
    for g in b.golds:
        gold_by.setdefault(int(g.id.split(".")[0]), []).append(g)
    out = []
    for cl in sorted(gold_by):
        recs = by_cluster.get(cl, [])
        arts = [r for r in recs if r["kind"] == "article"]
        golds = gold_by[cl]
        scored = [g for g in golds if g.scored]
        hits, n_pred, n_gold = boundary_counts([r["char_start"] for r in arts], [(g.start, g.start) for g in golds])
        out.append(
            {
                "name": f"src line {cl}",
                "group": {"cluster": cl},
                "counts": (hits, n_pred, n_gold),
                "articles": [
                    {
                        "id": g.id,
                        "recovered": recovered(arts, g.body),
                        "recovered_in_articles": recovered(_passing(arts), g.body),
                    }
                    for g in scored
                ],
                "n_pred_articles": len(arts),
                "n_failing_articles": sum(1 for r in arts if r["failed"]),
                "failed_reasons": Counter(x for r in arts for x in r["failed"]),
            }
        )
    return out


# ==================================================================================================
# Sections


def _summary(files: list[dict[str, Any]]) -> dict[str, Any]:
    """Boundary F1 (micro over files), recovered shares, body F1 and titles of scored files, each with its
    bootstrap spread over files (recovered and body F1 pooled over the articles of the resampled files)."""
    arts_by_file = [f["articles"] for f in files]

    def pooled(key: str) -> Callable[[list[list[dict[str, Any]]]], float]:
        def stat(groups: list[list[dict[str, Any]]]) -> float:
            vals = [float(a[key]) for g in groups for a in g if key in a]
            return statistics.fmean(vals) if vals else 0.0

        return stat

    out: dict[str, Any] = {
        "n_files": len(files),
        "n_articles": sum(len(a) for a in arts_by_file),
        "boundary": spread([f["counts"] for f in files if f["counts"][2] or f["counts"][1]], _micro),
    }
    hits, n_pred, n_gold = (sum(f["counts"][i] for f in files) for i in range(3))
    out["boundary_precision"], out["boundary_recall"], out["boundary_f1"] = prf(hits, n_pred, n_gold)
    out["n_gold_boundaries"], out["n_pred_boundaries"] = n_gold, n_pred
    if all("counts_in_articles" in f for f in files):  # the starts of records that reach `articles` only
        sums = [sum(f["counts_in_articles"][i] for f in files) for i in range(3)]
        out["boundary_f1_in_articles"] = prf(*sums)[2]
    for key in ("recovered", "recovered_in_articles", "f1", "title_exact", "title_lenient"):
        if any(key in a for g in arts_by_file for a in g):
            s = spread(arts_by_file, pooled(key))
            out[key] = s["value"]
            out[f"{key}_spread"] = s
    n_art = sum(f["n_pred_articles"] for f in files)
    out["pred_articles_per_file"] = n_art / len(files) if files else 0.0
    out["gold_articles_per_file"] = out["n_articles"] / len(files) if files else 0.0
    out["share_pred_articles_failing_error_rules"] = (
        sum(f["n_failing_articles"] for f in files) / n_art if n_art else 0.0
    )
    reasons: Counter[str] = Counter()
    for f in files:
        reasons.update(f["failed_reasons"])
    out["failing_reasons"] = dict(reasons.most_common(5))
    return out


def section_single(pages: list[Page], pool: Executor) -> dict[str, Any]:
    scored = list(pool.map(score_page, pages, chunksize=8))
    out: dict[str, Any] = {"_pages": {s["id"]: s for s in scored}}
    for name, subset in (
        ("all", scored),
        ("scrapinghub", [s for s in scored if s["id"].startswith("scrapinghub/")]),
        ("dragnet", [s for s in scored if s["id"].startswith("dragnet/")]),
    ):
        f1 = spread([s["f1"] for s in subset])
        f1_in = spread([s["f1_in_articles"] for s in subset])
        out[name] = {
            "n_pages": len(subset),
            "n_sites": len({s["site"] for s in subset}),
            "body_f1": f1["value"],
            "body_f1_spread": f1,
            "body_f1_in_articles": f1_in["value"],
            "body_f1_in_articles_spread": f1_in,
            "share_main_failing_error_rules": _share([bool(s["main_failed"]) for s in subset]),
            "pages_without_article_passing": sum(1 for s in subset if s["main_failed"] and s["f1_in_articles"] == 0),
            "by_fold": {
                str(k): statistics.fmean(s["f1"] for s in subset if s["fold"] == k)
                for k in range(K_FOLDS)
                if any(s["fold"] == k for s in subset)
            },
        }
    com = [s for s in scored if s.get("comment_tokens")]
    leak = spread([s["comment_leaked"] / s["comment_tokens"] for s in com])
    out["comments"] = {
        "n_pages": len(com),
        "leak_mean": leak["value"],
        "leak_spread": leak,
        "leak_pooled": sum(s["comment_leaked"] for s in com) / max(1, sum(s["comment_tokens"] for s in com)),
        "pages_leaking_over_10pct": sum(1 for s in com if s["comment_leaked"] > 0.1 * s["comment_tokens"]),
    }
    tit = [s for s in scored if "title_exact" in s]
    ex, le = spread([float(s["title_exact"]) for s in tit]), spread([float(s["title_lenient"]) for s in tit])
    out["titles"] = {
        "n_pages": len(tit),
        "exact": ex["value"],
        "exact_spread": ex,
        "lenient": le["value"],
        "lenient_spread": le,
    }
    reasons: Counter[str] = Counter(x for s in scored for x in s["main_failed"])
    out["main_failing_reasons"] = dict(reasons.most_common(5))
    worst = sorted(scored, key=lambda s: (s["f1"], s["id"]))[:10]
    out["worst_pages"] = [{"id": s["id"], "site": s["site"], "f1": s["f1"]} for s in worst]
    return out


def section_concat(
    pages: list[Page], pool: Executor, n_files: int, single: dict[str, dict[str, Any]] | None
) -> dict[str, Any]:
    built = build_page_files(pages, n_files, random.Random(SEED))
    files = list(pool.map(score_file, built, chunksize=4))
    if single is None:  # score the pages used, one a file, for the paired comparison
        used = {g.id for b in built for g in b.golds}
        single = {s["id"]: s for s in pool.map(score_page, [p for p in pages if p.id in used], chunksize=8)}
    out: dict[str, Any] = {"all": _summary(files), "by_pages": {}, "_files": files, "_built": built}
    for k in (1, 2, 3, 4):
        sub = [f for f in files if f["group"]["pages"] == k]
        s = _summary(sub)
        pairs = [(a["f1"], single[a["id"]]["f1"]) for f in sub for a in f["articles"]]
        d = spread([[(a["f1"], single[a["id"]]["f1"]) for a in f["articles"]] for f in sub], _paired_delta)
        s["single_f1_same_pages"] = statistics.fmean(x[1] for x in pairs) if pairs else None
        s["delta_vs_single"] = d["value"]
        s["delta_vs_single_spread"] = d
        out["by_pages"][str(k)] = s
    return out


def _paired_delta(groups: list[list[tuple[float, float]]]) -> float:
    pairs = [p for g in groups for p in g]
    return statistics.fmean(a - b for a, b in pairs) if pairs else 0.0


def section_stories(built: list[Built], pool: Executor) -> dict[str, Any]:
    files = list(pool.map(score_file, built, chunksize=2))
    out: dict[str, Any] = {"_files": files}
    variants = sorted({f["group"]["variant"] for f in files})
    for v in variants:
        out[v] = _summary([f for f in files if f["group"]["variant"] == v and f["group"]["kind"] != "bbc_same_topic"])
        for kind in ("bbc", "reuters", "bbc_same_topic"):
            sub = [f for f in files if f["group"]["variant"] == v and f["group"]["kind"] == kind]
            out[v][kind] = _summary(sub)
    return out


def section_multinews(src_file: Built, text_files: list[Built], pool: Executor) -> dict[str, Any]:
    src_lines = score_multinews_src(src_file)
    texts = list(pool.map(score_file, text_files, chunksize=4))
    return {
        "src": _summary(src_lines),
        "text": _summary(texts),
        "n_lines": len(text_files),
        "n_segments": len(src_file.golds),
        "n_scored_articles": sum(1 for g in src_file.golds if g.scored),
        "_files": {"src": src_lines, "text": texts},
    }


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


def _ledger_sample(sources: dict[str, list[Built]], quick: bool) -> dict[str, list[Built]]:
    n_pages, n_stories, n_mn = (8, 4, 5) if quick else (32, 8, 25)
    sample: dict[str, list[Built]] = {}
    if sources.get("concat"):
        sample["pages"] = sources["concat"][:n_pages]
    if sources.get("stories"):
        # one draw of BBC and one of Reuters in each of the four variants, then more draws
        stories = sources["stories"]
        picked: list[Built] = []
        for kind in ("bbc", "reuters"):
            picked += [b for b in stories if b.group["kind"] == kind][: n_stories // 2]
        sample["stories"] = picked
    if sources.get("multinews_text"):
        sample["multinews_text"] = sources["multinews_text"][:n_mn]
    if sources.get("multinews_src"):
        src = sources["multinews_src"][0]
        keep = src.text.splitlines(keepends=True)[:n_mn]
        cut = len("".join(keep))
        sample["multinews_src"] = [
            Built(src.name, "".join(keep), "multinews", None, [g for g in src.golds if g.end <= cut], src.group)
        ]
    return sample


def section_ledger(sources: dict[str, list[Built]], quick: bool, log: Callable[[str], None]) -> dict[str, Any]:
    """Write a sample of the generated files to a temporary folder (one subfolder per group, as outlets),
    ingest it with the real ``corpus-etl ingest`` into a temporary warehouse, and place every gold word."""
    import duckdb

    sample = _ledger_sample(sources, quick)
    repo = Path(__file__).resolve().parents[1]
    exe = Path(sys.executable).with_name("corpus-etl")
    with tempfile.TemporaryDirectory(prefix="realistic-ledger-") as tmp:
        tmp_path = Path(tmp)
        by_path: dict[str, tuple[str, Built]] = {}
        # one ingest per site fold, with the line model trained without the fold's sites (fold_model_path); the
        # files of no fold (Reuters, BBC, Multi-News: never seen by the line model) with the packaged one
        for group, files in sample.items():
            for b in files:
                folder = tmp_path / "in" / ("packaged" if b.fold is None else f"fold{b.fold}") / group
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / (b.name + (".src" if b.fmt == "multinews" else ".txt"))
                path.write_text(b.text, encoding="utf-8")
                by_path[str(path.resolve())] = (group, b)
        env = dict(os.environ)
        env.setdefault("PREFECT_HOME", str(repo / ".prefect"))
        env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        env.setdefault("GX_ANALYTICS_ENABLED", "false")
        env.setdefault("DO_NOT_TRACK", "1")
        wh = tmp_path / "wh"
        wall = 0.0
        for part in sorted((tmp_path / "in").iterdir()):
            cmd = [
                str(exe),
                "ingest",
                str(part),
                "--warehouse",
                str(wh),
                "--workers",
                str(WORKERS),
                "--quiet",
                "--fail-on",
                "none",
            ]
            part_env = dict(env)
            if part.name.startswith("fold"):
                part_env["CORPUS_ETL_LINE_MODEL_PATH"] = str(fold_model_path(int(part.name.removeprefix("fold"))))
            t0 = time.perf_counter()
            done = subprocess.run(cmd, cwd=repo, env=part_env, capture_output=True, text=True, timeout=900)
            wall += time.perf_counter() - t0
            log(f"    corpus-etl ingest of {part.name}: exit {done.returncode}, {time.perf_counter() - t0:.0f} s")
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                raise RuntimeError(f"corpus-etl ingest failed (exit {done.returncode}): {' | '.join(tail)}")
        con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
        try:
            src_rows = con.execute("SELECT source_id, path, n_chars, status FROM sources ORDER BY path").fetchall()
            rows_by: dict[str, list[tuple[int, int, str]]] = {}
            for sid, a, b, kind in con.execute("SELECT source_id, char_start, char_end, kind FROM articles").fetchall():
                rows_by.setdefault(sid, []).append((a, b, kind))
            for sid, a, b in con.execute("SELECT source_id, char_start, char_end FROM quarantine").fetchall():
                rows_by.setdefault(sid, []).append((a, b, "quarantine"))
            removed_by: dict[str, list[tuple[int, int, str]]] = {}
            for sid, a, b, rule in con.execute(
                "SELECT source_id, char_start, char_end, rule FROM removed_spans"
            ).fetchall():
                removed_by.setdefault(sid, []).append((a, b, rule))
            q_reasons = Counter(
                x for (fe,) in con.execute("SELECT failed_expectations FROM quarantine").fetchall() for x in fe
            )
        finally:
            con.close()
    per_group: dict[str, list[tuple[Counter[str], Counter[str], int]]] = {}
    mismatched = []
    for sid, path, n_chars, status in src_rows:
        key = str(Path(path).resolve())
        if key not in by_path:
            continue
        group, b = by_path[key]
        if status != "loaded" or n_chars != len(b.text):
            mismatched.append(f"{b.name}: status {status}, {n_chars} chars decoded vs {len(b.text)} built")
            continue
        per_group.setdefault(group, []).append(
            ledger_counts(b.golds, b.text, removed_by.get(sid, []), rows_by.get(sid, []))
        )
    out: dict[str, Any] = {
        "n_files": len(by_path),
        "ingest_seconds": wall,
        "files_not_scored": mismatched,
        "quarantine_reasons": dict(q_reasons.most_common(6)),
    }
    all_files = [f for fs in per_group.values() for f in fs]
    for name, fs in [("all", all_files), *sorted(per_group.items())]:
        out[name] = _ledger_summary(fs)
    return out


def _ledger_summary(files: list[tuple[Counter[str], Counter[str], int]]) -> dict[str, Any]:
    total: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    missing = 0
    for places, r, m in files:
        total.update(places)
        rules.update(r)
        missing += m
    n = sum(total.values())
    out: dict[str, Any] = {"n_files": len(files), "gold_tokens_located": n, "gold_tokens_not_found": missing}
    for place in LEDGER_PLACES:

        def stat(fs: list[tuple[Counter[str], Counter[str], int]], place: str = place) -> float:
            tot = sum(sum(f[0].values()) for f in fs)
            return sum(f[0][place] for f in fs) / tot if tot else 0.0

        s = spread(files, stat)
        out[place] = s["value"]
        out[f"{place}_spread"] = s
    out["removed_by_rule"] = {k: v / n for k, v in rules.most_common(8)} if n else {}
    return out


# ==================================================================================================
# Report


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


def _num(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def _sp(s: dict[str, Any] | None) -> str:
    if not s or s.get("value") is None:
        return "-"
    return f"{s['value']:.3f} ± {s['std']:.3f} [{s['ci95'][0]:.3f}, {s['ci95'][1]:.3f}]"


def _boundary(s: dict[str, Any]) -> str:
    b = s.get("boundary") or {}
    return _sp({**b, "value": s["boundary_f1"]}) if b.get("value") is not None else "-"


def render(res: dict[str, Any]) -> str:
    m = res["meta"]
    code = m["code"]
    lines = [
        "# Dev evaluation on realistic input (issue 17)",
        "",
        f"Generated by `python -m eval.realistic{' --quick' if m['quick'] else ''}` (seed {m['seed']}, "
        f"{m['workers']} workers, Python {m['python']}), extractor `{m['extractor']}`; code: commit "
        f"`{code.get('git_commit')}`, corpus_etl sha256 `{code.get('corpus_etl_sha256')}`"
        f"{' (uncommitted changes in corpus_etl/)' if code.get('corpus_etl_uncommitted_changes') else ''}, "
        f"rules {code.get('rules_version')}. Wall time {res['timings'].get('total', 0):.0f} s. "
        "How each number is defined: `eval/README.md`, section *Realistic input*.",
        "",
        "Every number: value ± bootstrap standard deviation [95 % interval] over documents or files (1,000 "
        "resamples, seeded). Pages of scrapinghub and dragnet are scored site-disjoint: each by the extractor of its "
        "site fold (`product_extractor`: the line model trained without the fold's sites; the ledger ingests each "
        "fold with its model). In-sample: the title model (it saw the dragnet pages) and, for the Reuters, BBC and "
        "Multi-News sections, the boundary model (trained on those corpora; corpus-disjoint scores in "
        "`corpus_etl/models/BOUNDARY.md`).",
        "",
        "## Targets",
        "",
    ]
    base = res.get("baseline")
    lines.append(
        table(
            ["target", "goal", "measured", "status", *([f"at {base['commit']}"] if base else [])],
            [
                [
                    t["target"],
                    t["goal"],
                    _sp(t["spread"]) if t["spread"] else _num(t["value"]),
                    "-" if t["met"] is None else ("met" if t["met"] else "NOT MET"),
                    *([_num(base["values"].get(t["key"]))] if base else []),
                ]
                for t in res["targets"]
            ],
        )
    )
    if "single" in res:
        s = res["single"]
        lines += ["", "## 1. Single pages", ""]
        lines.append(
            table(
                [
                    "pages",
                    "n",
                    "sites",
                    "body F1 (main article)",
                    "body F1, records passing the error rules",
                    "main article fails an error rule",
                    "pages with no passing article",
                ],
                [
                    [
                        k,
                        s[k]["n_pages"],
                        s[k]["n_sites"],
                        _sp(s[k]["body_f1_spread"]),
                        _sp(s[k]["body_f1_in_articles_spread"]),
                        _num(s[k]["share_main_failing_error_rules"]),
                        s[k]["pages_without_article_passing"],
                    ]
                    for k in ("all", "scrapinghub", "dragnet")
                ],
            )
        )
        c, t = s["comments"], s["titles"]
        lines += [
            "",
            f"- Comments (dragnet, {c['n_pages']} pages with comments): share of comment-only tokens that land in "
            f"the body, mean per page {_sp(c['leak_spread'])}; pooled {_num(c['leak_pooled'])}; pages leaking over "
            f"10 %: {c['pages_leaking_over_10pct']}.",
            f"- Titles (dragnet `titles.json`, {t['n_pages']} pages): normalised exact {_sp(t['exact_spread'])}; "
            f"lenient {_sp(t['lenient_spread'])}.",
            "- Mean body F1 by site fold (all pages): "
            + ", ".join(f"{k}: {v:.3f}" for k, v in s["all"]["by_fold"].items()),
            f"- Why main articles would be quarantined: {s['main_failing_reasons'] or 'none'}.",
            "- Worst pages: " + ", ".join(f"{w['id']} ({w['site']}) {w['f1']:.2f}" for w in s["worst_pages"]) + ".",
        ]
    if "concat" in res:
        cc = res["concat"]
        lines += ["", "## 2. Real pages glued together (1-4 a file, one blank line)", ""]
        lines.append(
            table(
                [
                    "pages a file",
                    "files",
                    "articles",
                    "page-boundary F1",
                    "body F1 (best-overlapping record)",
                    "same pages one a file",
                    "difference",
                    "recovered",
                    "in `articles`",
                    "titles exact",
                    "titles lenient",
                    "predicted / gold articles a file",
                ],
                [
                    [
                        k,
                        v["n_files"],
                        v["n_articles"],
                        _boundary(v) if k != "1" else "-",
                        _sp(v.get("f1_spread")),
                        _num(v["single_f1_same_pages"]),
                        _sp(v["delta_vs_single_spread"]),
                        _num(v.get("recovered")),
                        _num(v.get("recovered_in_articles")),
                        _num(v.get("title_exact")),
                        _num(v.get("title_lenient")),
                        f"{v['pred_articles_per_file']:.2f} / {v['gold_articles_per_file']:.2f}",
                    ]
                    for k, v in cc["by_pages"].items()
                ],
            )
        )
        a = cc["all"]
        lines += [
            "",
            f"All files: page-boundary P {a['boundary_precision']:.3f} R {a['boundary_recall']:.3f} F1 "
            f"{_boundary(a)} (counting only records that pass the error rules, i.e. reach `articles`: "
            f"{a.get('boundary_f1_in_articles', float('nan')):.3f}); predicted article records failing an error rule: "
            f"{a['share_pred_articles_failing_error_rules']:.3f} ({a['failing_reasons']}).",
        ]
    if "stories" in res:
        st = res["stories"]
        lines += ["", "## 3. Reuters and BBC, 5-40 stories a file", ""]
        rows = []
        for v in sorted(k for k in st if not k.startswith("_")):
            for kind in ("all", "bbc", "reuters", "bbc_same_topic"):
                x = st[v] if kind == "all" else st[v][kind]
                rows.append(
                    [
                        v,
                        kind,
                        x["n_files"],
                        x["n_articles"],
                        _boundary(x),
                        _sp(x.get("recovered_spread")),
                        _num(x.get("recovered_in_articles")),
                        _num(x.get("title_exact")),
                        f"{x['pred_articles_per_file']:.1f} / {x['gold_articles_per_file']:.1f}",
                        _num(x["share_pred_articles_failing_error_rules"]),
                    ]
                )
        lines.append(
            table(
                [
                    "variant",
                    "stories",
                    "files",
                    "articles",
                    "boundary F1",
                    "recovered",
                    "in `articles`",
                    "titles exact",
                    "predicted / gold a file",
                    "records failing error rules",
                ],
                rows,
            )
        )
        lines += [
            "",
            "`all` = BBC (any topic) + Reuters; `bbc_same_topic` (one BBC category a file) is reported apart.",
        ]
    if "multinews" in res:
        mn = res["multinews"]
        lines += [
            "",
            f"## 4. Multi-News dev ({mn['n_lines']} lines, {mn['n_segments']} articles, {mn['n_scored_articles']} "
            f"of {MIN_ARTICLE_WORDS}+ words scored)",
            "",
        ]
        lines.append(
            table(
                [
                    "input",
                    "boundary F1",
                    "recovered (any record)",
                    "in `articles` (passing the error rules)",
                    "records failing error rules",
                    "why",
                ],
                [
                    [
                        k,
                        _boundary(mn[k]),
                        _sp(mn[k].get("recovered_spread")),
                        _sp(mn[k].get("recovered_in_articles_spread")),
                        _num(mn[k]["share_pred_articles_failing_error_rules"]),
                        mn[k]["failing_reasons"] or "-",
                    ]
                    for k in ("src", "text")
                ],
            )
        )
    if "ledger" in res:
        lg = res["ledger"]
        lines += [
            "",
            f"## 5. Word ledger (`corpus-etl ingest` of {lg['n_files']} generated files, {lg['ingest_seconds']:.0f} s)",
            "",
        ]
        groups = [k for k in lg if isinstance(lg[k], dict) and "article" in lg[k]]
        lines.append(
            table(
                ["files", "n", "gold words located", "not found", *LEDGER_PLACES],
                [
                    [
                        g,
                        lg[g]["n_files"],
                        lg[g]["gold_tokens_located"],
                        lg[g]["gold_tokens_not_found"],
                        *(_sp(lg[g][f"{p}_spread"]) for p in LEDGER_PLACES),
                    ]
                    for g in groups
                ],
            )
        )
        lines += [
            "",
            "- Removed gold words by rule (share of all located gold words): "
            + (", ".join(f"{k} {v:.3f}" for k, v in lg["all"]["removed_by_rule"].items()) or "none")
            + ".",
            f"- Quarantine reasons (rows): {lg['quarantine_reasons'] or 'none'}.",
            f"- Files not scored: {lg['files_not_scored'] or 'none'}.",
        ]
    lines += [
        "",
        "## Reading notes",
        "",
        '- "In `articles`" counts only records that pass the articles suite\'s error-level row rules '
        "(`expectations/articles.json`, checked here without GX); the ledger is the real thing (a real ingest).",
        "- The ledger says where gold words land, not whether articles were split right: a file of stories glued "
        "into one record puts every word in a `kind='article'` row. Read it with sections 2-4.",
        "- A row `all` pools its groups by gold words; the spread is over files (a group of one file has none).",
    ]
    lines += ["", "## Timings (s)", "", ", ".join(f"{k} {v:.1f}" for k, v in res["timings"].items()), ""]
    return "\n".join(lines)


# ==================================================================================================
# Driver


def evaluate(
    quick: bool,
    only: Sequence[str] = SECTIONS,
    extractor: str = DEFAULT_EXTRACTOR,
    root: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Build the inputs and run the sections in ``only``; the results with ``_``-prefixed in-memory details."""
    root = root or shared_dir()
    if not (root / "corpora").is_dir():
        raise SystemExit(f"corpora not found under {root} (set CORPUS_ETL_SHARED)")
    load_factory(extractor)
    n_concat, n_draws, n_mn = (40, 2, 20) if quick else (400, 16, None)
    res: dict[str, Any] = {
        "meta": {
            "quick": quick,
            "seed": SEED,
            "workers": WORKERS,
            "folds": K_FOLDS,
            "python": platform.python_version(),
            "extractor": extractor,
            "sections": list(only),
            "code": code_version(),
        }
    }
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    rng = random.Random(SEED)
    needs_pages = bool({"single", "concat", "ledger"} & set(only))
    t0 = time.perf_counter()
    pages: list[Page] = []
    if needs_pages:
        dragnet, skipped = dragnet_pages(root)
        res["meta"]["dragnet_pages_left_out"] = skipped
        pages = scrapinghub_pages(root) + dragnet
        if quick:
            pages = sorted(random.Random(SEED).sample(pages, 200), key=lambda p: p.id)
    timings["load"] = time.perf_counter() - t0
    sources: dict[str, list[Built]] = {}
    with ProcessPoolExecutor(WORKERS, initializer=_init_worker, initargs=(extractor,)) as pool:

        def timed(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
            t = time.perf_counter()
            out = fn()
            timings[name] = time.perf_counter() - t
            log(f"  {name}: {timings[name]:.1f} s")
            return out

        if "single" in only:
            res["single"] = timed("single", lambda: section_single(pages, pool))
            log(f"    single pages body F1 {res['single']['all']['body_f1']:.3f}")
        if "concat" in only or "ledger" in only:
            single = res.get("single", {}).get("_pages")
            if "concat" in only:
                res["concat"] = timed("concat", lambda: section_concat(pages, pool, n_concat, single))
                sources["concat"] = res["concat"]["_built"]
            else:
                sources["concat"] = build_page_files(pages, n_concat, random.Random(SEED))
        if "stories" in only or "ledger" in only:
            built = build_story_files(load_stories(root, rng, quick), n_draws, rng)
            sources["stories"] = built
            if "stories" in only:
                res["stories"] = timed("stories", lambda: section_stories(built, pool))
        if "multinews" in only or "ledger" in only:
            src_text = (root / "corpora" / "multinews_dev" / "dev.src").read_text(encoding="utf-8")
            src_file, text_files = build_multinews(src_text, n_mn)
            sources["multinews_src"], sources["multinews_text"] = [src_file], text_files
            if "multinews" in only:
                res["multinews"] = timed("multinews", lambda: section_multinews(src_file, text_files, pool))
    if "ledger" in only:
        if extractor != DEFAULT_EXTRACTOR:
            log("  ledger: runs the product's CLI, so it measures the product's extractor, not --extractor")
        res["ledger"] = timed("ledger", lambda: section_ledger(sources, quick, log))
    timings["total"] = time.perf_counter() - t_all
    res["timings"] = timings
    res["targets"] = targets(res)
    return res


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.realistic", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small samples (about 1 minute; a smoke test)")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated sections to run ({', '.join(SECTIONS)})"
    )
    parser.add_argument("--extractor", default=DEFAULT_EXTRACTOR, help="module:factory, see ExtractorFactory")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="a previous realistic.json: its targets' values as a column"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="output directory (default: eval/ for a full run of every section)"
    )
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in only if s not in SECTIONS]
    if bad:
        parser.error(f"unknown section(s) {', '.join(bad)}; choose from {', '.join(SECTIONS)}")
    full = not args.quick and set(only) == set(SECTIONS)
    out_dir = args.out or (Path(__file__).resolve().parent if full else None)
    print(f"evaluating on {shared_dir()} ({'quick' if args.quick else 'full'}, seed {SEED}, {only})", file=sys.stderr)
    res = evaluate(args.quick, only, args.extractor, log=lambda s: print(s, file=sys.stderr))
    if args.baseline:
        res["baseline"] = baseline_of(json.loads(args.baseline.read_text(encoding="utf-8")))
    report = render(res)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "REALISTIC.md").write_text(report, encoding="utf-8")
        data = json.dumps(strip_private(res), indent=1, ensure_ascii=False, default=_json_default)
        (out_dir / "realistic.json").write_text(data + "\n", encoding="utf-8")
    print(report)
    return 0


def _json_default(obj: Any) -> Any:
    if isinstance(obj, tuple | set | frozenset):
        return list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


if __name__ == "__main__":
    sys.exit(main())
