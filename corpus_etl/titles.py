"""Article titles by a trained model: which line before an article's body is its headline.

Pure functions over plain data (no I/O but reading the packaged model file). The splitter knows where a
record's body starts (its first body paragraph); the headline is one of the lines shortly before it (or,
on some pages, one of its first lines). On web pages the nearest headline-like line there is often a
menu entry, a section name or the site's name, so instead of taking the first headline-like line, every
line in a window around the body start is a *candidate* (``title_candidates``), described by cheap
numbers (``title_features``: how headline-like it is, its length and capitalisation, how far it is from
the body, whether the page repeats it, e.g. in a ``"Headline | Site"`` line, how many of its words the
body's first paragraphs use, whether a rule of the rules file, a byline or a date matches it), and
gradient-boosted trees trained by ``scripts/train_titles.py`` (``make train``) on the dragnet pages with a
gold headline score them. ``choose_title`` takes the best candidate when its probability reaches the
model's threshold and strips a site-name suffix or prefix from it (``clean_title``).

The model file ``models/titles.npz`` has the line model's format (``linemodel/model.py``: trees walked in
numpy, no scikit-learn at run time), classes ``("other", "title")``, and in its metadata the version string
and the threshold. A line model file other than the packaged one (a site fold's, in the evaluation) has its
own title model beside it (``title_model_path``).
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .linemodel.model import load_model as load_trees
from .paragraphs import choose_stoplist, stoplist
from .split import _SENTENCE_END, is_headline, is_prose, parse_byline, parse_date_line, words
from .split.lines import LIST_BULLET

if TYPE_CHECKING:
    from .linemodel.model import LineModel
    from .rules import Rules
    from .split import Line, SplitOptions

MODEL_PATH = Path(__file__).with_name("models") / "titles.npz"
CLASSES = ("other", "title")

WINDOW_BEFORE = 40  # candidate lines before the body start
WINDOW_AFTER = 10  # ... and from it on (the body start's own line and the next nine)
MAX_WORDS = 40  # a longer line is no title
# A line the page prints this many times or more is a caption under each of its pictures or a widget's label
# ("Mouseover photo to load notes or add comment", 22 and 90 times on two dragnet pages), never the headline; a
# dragnet headline is printed at most 6 times on its page (the title, the breadcrumb, share and comment links).
REPEATED_NOT_TITLE = 10
MAX_CHARS = 300
BODY_LINES = 6  # the body's first lines whose words the candidates are compared with
BODY_LINES_LONG = 30  # ... and a longer stretch of it

FEATURES: tuple[str, ...] = (
    "bias",
    "headline",  # split.is_headline of the line
    "headline_stripped",  # ... of the line without a site-name affix (when it has one)
    "log_words",
    "chars_100",  # characters / 100 (capped at 3)
    "title_case",  # share of the words that start with a capital
    "all_caps",  # no lower-case letter
    "ends_sentence",
    "ends_colon",  # ends with ':' (a section heading, "Related:")
    "prose",  # split.is_prose
    "log_dist",  # log(1 + lines between it and the body start) (0 on or after it)
    "after_body_start",  # on or after the body start's line
    "block_dist",  # blank-line blocks between it and the body start (capped at 5)
    "page_pos",  # line index / lines in the page
    "first_headline_above",  # the nearest headline-like line above the body start (today's choice)
    "headline_rank",  # how many headline-like lines lie between it and the body start (capped at 5)
    "repeats",  # other lines with the same text (capped at 3)
    "inside_other",  # its text is a separator-delimited part of another line ("Headline | Site")
    "has_separator",  # it holds " | ", " - ", " :: " ... (or a site-name affix)
    "body_overlap",  # share of its content words found in the body's first paragraphs
    "body_overlap_any",  # at least two content words in common
    "rule_hit",  # a rule of the rules file removes it (menu, share row, ...)
    "stopword_share",
    "digit_share",  # share of characters that are digits
    "date_like",  # split.parse_date_line finds a date
    "byline_like",  # split.parse_byline reads it as a byline
    "next_meta",  # the next line is a byline or a date line (a headline is often followed by one)
    "prev_gap",  # it opens a blank-line block
    "longest_headline",  # the most words of the headline-like candidates
    "link_like",  # "http", "www.", "@", "»", "›", "..." in it
    "by_line",  # opens like a credit line: "By ...", "Posted by ...", "Photos by ...", "Modified on ... by"
    "overlap_gap",  # body_overlap minus the most of the candidates
    "overlap_best",  # the most body_overlap of the candidates (at least two words in common)
    "words_gap",  # log_words minus the most of the headline-like candidates
    "body_overlap_long",  # share of its content words found in the body's first BODY_LINES_LONG lines
    "overlap_long_gap",  # body_overlap_long minus the most of the candidates
    "in_body",  # its text is one of the body's first BODY_LINES_LONG lines, it not being the first
    "headline_x_overlap",  # headline * body_overlap_long
    "headline_x_dist",  # headline * log_dist
    "headline_x_block_start",  # headline * prev_gap
    "overlap_x_dist",  # body_overlap_long * log_dist
    "site_name",  # the page shows it as a site name (``site_names``)
    "list_item",  # it opens with a list bullet ("+ A Faster Way to Message on Mobile"); the features above read it
    # without the bullet
)


@dataclass(frozen=True)
class TitleModel:
    """Gradient-boosted trees over ``FEATURES`` (a ``linemodel.model.LineModel`` of one stage) and the threshold."""

    version: str
    trees: LineModel
    threshold: float  # the best candidate is the title at this probability (else the record has none)

    def probabilities(self, rows: list[list[float]]) -> np.ndarray:
        """P(the candidate is the headline) of each feature row (``FEATURES`` order)."""
        x = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))
        return self.trees.stages[0].predict_proba(x, FEATURES)[:, self.trees.classes.index("title")]


class TitleChoice(NamedTuple):
    """The chosen title: its line index, its cleaned text and the model's probability."""

    line: int
    title: str
    probability: float


@lru_cache(maxsize=8)
def load_model(path: str | None = None) -> TitleModel:
    """Read a model file (the packaged one by default); it must describe exactly ``FEATURES``.

    Raises:
        ValueError: the file's features are not ``FEATURES`` (the model is older than the code: run
            ``make train``).
    """
    trees = load_trees(Path(path or MODEL_PATH))
    if tuple(trees.stages[0].features) != FEATURES or tuple(trees.classes) != CLASSES:
        raise ValueError(
            f"{path or MODEL_PATH}: the title model's features are not corpus_etl.titles.FEATURES: "
            "retrain it with make train"
        )
    return TitleModel(str(trees.meta["version"]), trees, float(trees.meta["threshold"]))


def title_model_path(line_model_path: str | Path | None) -> Path:
    """The title model beside a line model file: the packaged ``models/titles.npz`` for the packaged line model
    (None); ``linemodel*.npz`` -> ``titles*.npz`` in the same folder (a site fold's line model
    ``linemodel-fold2.npz`` pairs with ``titles-fold2.npz``, both trained without that fold's sites); any other
    ``name.npz`` -> ``name-titles.npz``. A pairing that does not exist falls back to the packaged model."""
    if not line_model_path:
        return MODEL_PATH
    path = Path(line_model_path)
    if "linemodel" in path.name:
        paired = path.with_name(path.name.replace("linemodel", "titles", 1))
    else:
        paired = path.with_name(f"{path.stem}-titles{path.suffix}")
    return paired if paired.is_file() else MODEL_PATH


def model_version() -> str:
    """The packaged model's version string (recorded with a run's settings)."""
    return load_model().version


# --------------------------------------------------------------------------------------------------
# Text helpers

_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|»|›|•|·|/|:)\s+")
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")
_WORD = re.compile(r"\w+")
_LINK = re.compile(r"https?:|www\.|@|[»›]|\.\.\.|…")
_CREDIT = re.compile(
    r"^(?:\W*(?:posted|written|photos?|words|story|text|modified|updated|published|reported)\b[^.!?]{0,40}?)?\bby\b",
    re.I,
)
AFFIX_MAX_WORDS = 5  # a site name: at most this many words


def normalise_title(text: str) -> str:
    """A title for comparison: case-folded, spaces collapsed, punctuation stripped at both ends."""
    s = " ".join(text.casefold().split())
    # stripped of the runs of [\W_] (a character that is not ``str.isalnum``) at both ends: a loop, not a regex
    # that tries every position for the trailing run
    i, j = 0, len(s)
    while i < j and not s[i].isalnum():
        i += 1
    while j > i and not s[j - 1].isalnum():
        j -= 1
    return s[i:j]


_DOMAIN = re.compile(r"\.(?:com|org|net|co|gov|edu|info|io|tv|[a-z]{2})\b", re.I)


@dataclass(frozen=True)
class PageIndex:
    """What the features need to know about a whole page, computed once a page."""

    counts: Counter[str]  # normalised line text -> how many lines have it
    parts: frozenset[str]  # the normalised separator-delimited parts of its lines ("Headline | Site")
    sites: frozenset[str]  # ``site_names``

    def quoted(self, text: str) -> bool:
        """Whether ``text`` (normalised) is part of another, longer line of the page: the page quotes it whole
        ("12 Responses to “Negative Target Fixation – Do You Have It?”", a breadcrumb ending in it)."""
        key = normalise_title(text)
        return bool(key) and any(key != other and key in other for other in self.counts)


# page_index's answers by the lines' texts (a text split a second time asks again), for pages of up to
# _INDEX_MAX_LINES lines; forgotten at once when full (a bounded memory).
_INDEXES: dict[tuple[str, ...], PageIndex] = {}
_INDEXES_MAX = 8
_INDEX_MAX_LINES = 20_000


def page_index(lines: list[str]) -> PageIndex:
    """The ``PageIndex`` of a page's line texts (one pass; remembered for the last few pages: do not change
    its ``counts``)."""
    if len(lines) > _INDEX_MAX_LINES:
        return _page_index(lines)
    key = tuple(lines)
    index = _INDEXES.get(key)
    if index is None:
        if len(_INDEXES) >= _INDEXES_MAX:
            _INDEXES.clear()
        index = _INDEXES[key] = _page_index(lines)
    return index


def _page_index(lines: list[str]) -> PageIndex:
    counts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    parts: set[str] = set()
    for t in lines:
        key = normalise_title(t)
        counts[key] += 1
        if counts[key] > 1:
            continue  # (ends are counted over different lines)
        if len(t.split()) <= AFFIX_MAX_WORDS:
            ends[key] += 1
        pieces = _SEPARATOR.split(t) if len(t) <= 2 * MAX_CHARS else []
        if len(pieces) > 1:
            normed = [normalise_title(p) for p in pieces]
            parts.update(normed)
            ends.update({normed[0], normed[-1]})
    return PageIndex(counts, frozenset(parts), frozenset(e for e, c in ends.items() if c >= 2))


def site_names(lines: list[str]) -> frozenset[str]:
    """What a page shows as a site name (normalised): the ends of its lines (a short line, at most
    ``AFFIX_MAX_WORDS`` words, counts as its own end; a separated line, "... | Site", as its first and last
    parts) that end or open two different lines or more."""
    return page_index(lines).sites


def strip_site_affix(text: str, opts: SplitOptions, sites: frozenset[str] | None = None) -> str:
    """``text`` without a site-name suffix or prefix ("Headline | Site Name", "Site :: Headline").

    The line is cut at its last (for a suffix) or first (for a prefix) separator (`` | ``, `` - ``,
    `` :: ``, `` » `` ...); the short end (at most ``AFFIX_MAX_WORDS`` words) is dropped when the rest is
    headline-like (``split.is_headline``) and longer than it, and the end reads as a site name: a domain
    ("example.com"), or, when ``sites`` (``site_names`` of the page) is given, one of them ("Headline -
    Pastore" keeps its quoted speaker when the page shows no "Pastore" of its own). A suffix is tried first;
    the text is returned unchanged when neither applies.
    """
    seps = list(_SEPARATOR.finditer(text))
    if not seps:
        return text
    last, first = seps[-1], seps[0]
    options = [(text[: last.start()], text[last.end() :]), (text[first.end() :], text[: first.start()])]
    for rest, affix in options:
        rest, affix = rest.strip(), affix.strip()
        site = bool(_DOMAIN.search(affix)) or (sites is not None and normalise_title(affix) in sites)
        if site and 0 < words(affix) <= AFFIX_MAX_WORDS and words(rest) > words(affix) and is_headline(rest, opts):
            return rest
    return text


def clean_title(text: str, opts: SplitOptions, index: PageIndex) -> str:
    """The title a chosen headline line gives: ``strip_site_affix`` with the page's site names, unless the page
    quotes the whole line inside another one (``PageIndex.quoted``). Then its separated end is the headline's
    own ("Negative Target Fixation – Do You Have It?" under "12 Responses to “Negative Target Fixation – Do You
    Have It?”"), even when that end also ends another line; a site name is not quoted with the headline."""
    stripped = strip_site_affix(text, opts, index.sites)
    return text if stripped != text and index.quoted(text) else stripped


def _parts(text: str) -> list[str]:
    """The separator-delimited parts of a line (normalised), when it has a separator."""
    pieces = _SEPARATOR.split(text)
    return [normalise_title(p) for p in pieces] if len(pieces) > 1 else []


def title_candidates(lines: list[Line], body_start: int, first_line: int = 0) -> list[int]:
    """Indices of the lines that may be the headline of the body starting on line ``body_start``.

    The ``WINDOW_BEFORE`` lines before it (none before ``first_line``: in a text of several articles, the
    line after the previous article) and the ``WINDOW_AFTER`` from it on, but those with no letter, more
    than ``MAX_WORDS`` words or ``MAX_CHARS`` characters.
    """
    lo = max(0, first_line, body_start - WINDOW_BEFORE)
    hi = min(len(lines), body_start + WINDOW_AFTER)
    out = []
    for i in range(lo, hi):
        t = lines[i].text
        if len(t) <= MAX_CHARS and len(t.split()) <= MAX_WORDS and any(c.isalpha() for c in t):
            out.append(i)
    return out


def fallback_body_start(lines: list[Line]) -> int | None:
    """The first line of running text of 20 words or more (a body start when no record has one)."""
    return next((i for i, ln in enumerate(lines) if words(ln.text) >= 20 and is_prose(ln.text)), None)


_NOT_ASCII_DIGIT = bytes(b for b in range(256) if not 48 <= b <= 57)


def _capitals_digits(t: str) -> tuple[bool, int]:
    """Whether ``t`` has letters and none of them lower-case (``str.isalpha``, ``str.islower``), and its digits
    (``str.isdigit``); an ASCII line by whole-string methods (the same answer, no loop over its characters)."""
    if t.isascii():  # (letters are A-Z and a-z: it has some when its upper and lower cases differ)
        return t.upper() != t.lower() and t == t.upper(), len(t.encode("ascii").translate(None, _NOT_ASCII_DIGIT))
    letters = [c for c in t if c.isalpha()]
    return bool(letters) and not any(c.islower() for c in letters), sum(1 for c in t if c.isdigit())


class _LineFacts(NamedTuple):
    """What the features read of one line's text alone (``title_features``; the same line is a candidate of
    several bodies, and of the same body again when a text is split a second time)."""

    words: int
    headline: bool
    title_case: float
    capitals: bool
    digits: int
    key: str  # normalise_title
    content: tuple[str, ...]  # its content words, case-folded
    all_words: tuple[str, ...]  # its words, case-folded
    ends_sentence: bool
    prose: bool
    separated: bool  # it has separator-delimited parts (``_parts``)
    rule_hit: bool
    date_like: bool
    byline_like: bool
    meta: bool  # a byline or a date line (as the line after a candidate)
    link_like: bool
    by_line: bool
    list_item: bool = False  # it opens with a list bullet (the other facts are of the text after it)


# _LineFacts by line text, per (rules, options); and the site-name stripped text by (text, sites). Forgotten at
# once when full (a bounded memory).
_FACTS: dict[tuple[int, SplitOptions], dict[str, _LineFacts]] = {}
_FACTS_RULES: dict[int, Rules] = {}  # (held, so that no other rules object takes the id of one remembered)
_STRIPPED: dict[tuple[int, SplitOptions], dict[tuple[str, frozenset[str]], tuple[str, bool]]] = {}
_FACTS_MAX = 50_000


def _facts_memo(
    rules: Rules, opts: SplitOptions
) -> tuple[dict[str, _LineFacts], dict[tuple[str, frozenset[str]], tuple[str, bool]]]:
    key = (id(rules), opts)
    # (checked at every call, not only for a new key: the memos of one key were refilled past the bound all run)
    if sum(map(len, _FACTS.values())) + sum(map(len, _STRIPPED.values())) >= _FACTS_MAX or len(_FACTS) >= 8:
        forget_memos()
    facts = _FACTS.get(key)
    stripped = _STRIPPED.get(key)
    if facts is None or stripped is None or _FACTS_RULES.get(id(rules)) is not rules:
        _FACTS_RULES[id(rules)] = rules
        facts = _FACTS[key] = {}
        stripped = _STRIPPED[key] = {}
    return facts, stripped


def forget_memos() -> None:
    """Forget every memo of this module (line facts, stripped texts, content words, page indexes): a batch worker
    calls it after each batch (``pipeline.forget_memos``), so that the next batch reuses their memory."""
    _FACTS.clear()
    _STRIPPED.clear()
    _FACTS_RULES.clear()
    _CONTENT.clear()
    _INDEXES.clear()


# _content_words by line text; forgotten at once when full (a bounded memory)
_CONTENT: dict[str, tuple[str, ...]] = {}


def _content_words(t: str) -> tuple[str, ...]:
    """The content words of a line (``_CONTENT_WORD``), case-folded, in order."""
    words = _CONTENT.get(t)
    if words is None:
        if len(_CONTENT) >= _FACTS_MAX:
            _CONTENT.clear()
        words = _CONTENT[t] = tuple(w.casefold() for w in _CONTENT_WORD.findall(t))
    return words


def _line_facts(t: str, rules: Rules, opts: SplitOptions) -> _LineFacts:
    bullet = LIST_BULLET.match(t)
    if bullet and t[bullet.end() :].strip():  # (an item of a list: its text is read without the bullet)
        return _line_facts(t[bullet.end() :].lstrip(), rules, opts)._replace(
            rule_hit=rules.match_line(t) is not None, list_item=True
        )
    n = words(t)
    toks = t.split()
    capitals, digits = _capitals_digits(t)
    byline = parse_byline(t, rules) is not None
    date_line = parse_date_line(t, rules) is not None if n <= 16 else False
    return _LineFacts(
        n,
        is_headline(t, opts),
        sum(1 for w in toks if w[:1].isupper()) / len(toks) if toks else 0.0,
        capitals,
        digits,
        normalise_title(t),
        _content_words(t),
        tuple(w.casefold() for w in _WORD.findall(t)),
        bool(_SENTENCE_END.search(t)),
        is_prose(t),
        bool(_parts(t)),
        rules.match_line(t) is not None,
        date_line,
        byline,
        byline or date_line,
        bool(_LINK.search(t)),
        n <= 16 and bool(_CREDIT.match(t)),
    )


def title_features(
    lines: list[Line],
    body_start: int,
    cands: list[int],
    rules: Rules,
    opts: SplitOptions,
    index: PageIndex | None = None,
) -> list[list[float]]:
    """One feature row (``FEATURES`` order) per candidate line ``cands`` of the body at ``body_start``
    (``index``: the page's ``page_index``, computed when not given)."""
    n_lines = max(len(lines), 1)
    body = [lines[j].text for j in range(body_start, min(len(lines), body_start + BODY_LINES))]
    name = choose_stoplist(body) if body else None
    stops = stoplist(name) if name else frozenset()
    memo, stripped_memo = _facts_memo(rules, opts)
    body_words = set().union(*(_content_words(t) for t in body)) - stops
    long_body = [lines[j].text for j in range(body_start, min(len(lines), body_start + BODY_LINES_LONG))]
    long_words = set().union(*(_content_words(t) for t in long_body)) - stops
    index = index or page_index([ln.text for ln in lines])
    counts, parts, sites = index.counts, index.parts, index.sites

    def facts(t: str) -> _LineFacts:
        f = memo.get(t)
        if f is None:
            f = memo[t] = _line_facts(t, rules, opts)
        return f

    def strip(t: str) -> tuple[str, bool]:
        """(``strip_site_affix`` of ``t``, whether what it strips leaves a headline)."""
        got = stripped_memo.get((t, sites))
        if got is None:
            s = strip_site_affix(t, opts, sites)
            got = stripped_memo[(t, sites)] = (s, s != t and is_headline(s, opts))
        return got

    cand_facts = {i: facts(lines[i].text) for i in cands}
    heads = {i: f.headline for i, f in cand_facts.items()}
    above = [i for i in cands if i < body_start and heads[i]]
    nearest = above[-1] if above else None
    head_words = [cand_facts[i].words for i in cands if heads[i]]
    most = max(head_words) if head_words else 0

    rows: list[list[float]] = []
    extra: list[tuple[float, bool]] = []  # (body_overlap_long, in_body) of each candidate
    keys: dict[int, str] = {}  # normalise_title of each candidate's text
    for i in cands:
        t = lines[i].text
        f = cand_facts[i]
        n = f.words
        stripped, stripped_headline = strip(t)
        key = keys[i] = f.key
        content = [w for w in f.content if w not in stops]
        distinct = set(content)
        common = len(distinct & body_words)
        all_words = f.all_words
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        dist = max(body_start - i, 0)
        between = len(above) - bisect.bisect_right(above, i)  # (above is in line order)
        extra.append((len(distinct & long_words) / len(distinct) if content else 0.0, i > body_start))
        rows.append(
            [
                1.0,
                float(heads[i]),
                float(stripped_headline),
                math.log1p(n),
                min(len(t) / 100.0, 3.0),
                f.title_case,
                float(f.capitals),
                float(f.ends_sentence),
                float(t.endswith(":")),
                float(f.prose),
                math.log1p(dist),
                float(i >= body_start),
                float(min(abs(lines[body_start].block - lines[i].block), 5)) if body_start < len(lines) else 5.0,
                i / n_lines,
                float(i == nearest),
                float(min(between, 5)),
                float(min(counts[key] - 1, 3)),
                float(key in parts and not f.separated),
                float(stripped != t or f.separated),
                common / len(distinct) if content else 0.0,
                float(common >= 2),
                float(f.rule_hit),
                sum(map(stops.__contains__, all_words)) / len(all_words) if all_words else 0.0,
                f.digits / len(t),
                float(f.date_like),
                float(f.byline_like),
                float(bool(nxt) and facts(nxt).meta),
                float(i == 0 or lines[i - 1].block != lines[i].block),
                float(heads[i] and n == most),
                float(f.link_like),
                float(f.by_line),
            ]
        )
    overlap, lw, head = FEATURES.index("body_overlap"), FEATURES.index("log_words"), FEATURES.index("headline")
    best = max((r[overlap] for r in rows), default=0.0)
    most_lw = max((r[lw] for r in rows if r[head]), default=0.0)
    any_overlap = FEATURES.index("body_overlap_any")
    best_long = max((e[0] for e in extra), default=0.0)
    dist, gap = FEATURES.index("log_dist"), FEATURES.index("prev_gap")
    for i, r, (lo, inside) in zip(cands, rows, extra, strict=True):
        r += [r[overlap] - best, float(r[overlap] == best and r[any_overlap] > 0), r[lw] - most_lw]
        r += [lo, lo - best_long, float(inside)]
        r += [r[head] * lo, r[head] * r[dist], r[head] * r[gap], lo * r[dist]]
        r.append(float(keys[i] in sites))
        r.append(float(cand_facts[i].list_item))
    return rows


def title_probabilities(
    lines: list[Line],
    body_start: int,
    rules: Rules,
    opts: SplitOptions,
    model: TitleModel | None = None,
    first_line: int = 0,
    index: PageIndex | None = None,
) -> dict[int, float]:
    """P(headline) of every candidate line (``title_candidates``) of the body at ``body_start``, by line
    index (each candidate scored on its own, so that the threshold means the same on every page; none for a body
    start outside the lines): ``title_probabilities_many`` of the one body."""
    return title_probabilities_many(lines, [(body_start, first_line)], rules, opts, model, index)[0]


def title_probabilities_many(
    lines: list[Line],
    asks: Sequence[tuple[int, int]],
    rules: Rules,
    opts: SplitOptions,
    model: TitleModel | None = None,
    index: PageIndex | None = None,
) -> list[dict[int, float]]:
    """``title_probabilities`` of several bodies of one page, each asked as ``(body_start, first_line)``: the same
    answers, the model run once over all their candidates (each candidate is scored on its own; the trees' walk
    and the sums are per row), not once per body (a call's fixed cost was most of a body's)."""
    model = model or load_model()
    index = index or page_index([ln.text for ln in lines])
    out: list[dict[int, float]] = []
    for start in range(0, len(asks), TITLE_ASKS):  # (a bounded number of feature rows held at once)
        part = asks[start : start + TITLE_ASKS]
        # (no candidates for a body start outside the lines: ``choose_title`` answers None there)
        cands_of = [title_candidates(lines, body, first) if 0 <= body < len(lines) else [] for body, first in part]
        rows: list[list[float]] = []
        for (body, _), cands in zip(part, cands_of, strict=True):
            if cands:
                rows += title_features(lines, body, cands, rules, opts, index)
        probs: list[float] = model.probabilities(rows).tolist() if rows else []
        at = 0
        for cands in cands_of:
            out.append(dict(zip(cands, probs[at : at + len(cands)], strict=True)))
            at += len(cands)
        del rows, probs
    return out


TITLE_ASKS = 64  # bodies whose candidates title_probabilities_many scores together (about 1,000 feature rows)


def is_bare_dateline(text: str, rules: Rules) -> bool:
    """Whether ``text`` is a wire dateline and nothing else ("LONDON, March 25 -")."""
    m = rules.dateline.match(text)
    return m is not None and not text[m.end() :].strip()


def choose_title(
    text: str,
    lines: list[Line],
    body_start_line: int,
    rules: Rules,
    opts: SplitOptions,
    model: TitleModel | None = None,
    first_line: int = 0,
    index: PageIndex | None = None,
    probs: dict[int, float] | None = None,
) -> TitleChoice | None:
    """The headline of the body starting on line ``body_start_line`` of ``text`` (cut into ``lines`` by
    ``split.logical_lines``), or None when no candidate reaches the model's threshold. No line before
    ``first_line`` is considered (give the line after the previous record in a text of several articles).

    A line that is a dateline and nothing else ("EAST RUTHERFORD, N.J., March 17 -", over a wire brief's
    figures) is never the headline, nor is a line after it or after a line of the body that opens with a
    dateline (the story has begun: "Shr one cent vs nine cts"), nor a line the page prints ``REPEATED_NOT_TITLE``
    times or more; these are certain rules over the model. The
    candidate of highest probability wins (the earliest line on a tie); its text is returned without
    a site-name affix (``clean_title``). Deterministic. ``text`` is the page itself (kept for the
    splitter's call; the features read only ``lines``). ``index``: the page's ``page_index``, when the
    caller asks about several bodies of one page; ``probs``: this body's ``title_probabilities``, when the caller
    computed them (``title_probabilities_many``).
    """
    del text  # (the lines carry what the features need)
    model = model or load_model()
    if not lines or not 0 <= body_start_line < len(lines):
        return None
    index = index or page_index([ln.text for ln in lines])
    if probs is None:
        probs = title_probabilities(lines, body_start_line, rules, opts, model, first_line, index)
    dated = next(
        (
            i
            for i in range(min(probs, default=0), max(probs, default=-1) + 1)
            if (i >= body_start_line and rules.dateline.match(lines[i].text)) or is_bare_dateline(lines[i].text, rules)
        ),
        None,
    )
    if dated is not None:
        probs = {i: q for i, q in probs.items() if i < dated}
    probs = {i: q for i, q in probs.items() if index.counts[normalise_title(lines[i].text)] < REPEATED_NOT_TITLE}
    if not probs:
        return None
    best = max(probs, key=lambda i: (probs[i], -i))
    if probs[best] < model.threshold:
        return None
    return TitleChoice(best, clean_title(lines[best].text, opts, index), probs[best])
