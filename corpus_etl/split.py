"""Split the decoded text of a plain-text source into records, accounting for every character.

Pure functions, no I/O. The text is cut into logical lines (a hard-wrapped paragraph is one logical
line); each line is classified with the rules file (chrome, tag line, byline, author block, photo
credit, image alt text, headline, prose) and a small state machine groups the lines into records:
main articles, and related-story teasers after an "Editors' Recommendations"-style heading.

A text with web chrome is one web page: only strong evidence opens a second article there (see
``_merge_weak_splits``), and the bodies are trimmed by the paragraph classifier of ``paragraphs.py``.
Lines learned as the outlet's boilerplate (``learned.py``) are removed ('learned_repeat').

The result accounts for the whole text: record extents and the removed spans between them partition
``[0, len(text))``; removed spans inside a record's extent carry that record's index.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .boundary import BoundaryModel, BoundaryScorer
from .boundary import load_model as load_boundary_model
from .normalize import normalize_inline
from .paragraphs import ParagraphOptions, choose_stoplist, classify, initial_class, stoplist
from .rules import LineRule, Rules

if TYPE_CHECKING:  # (titles imports this module)
    from .titles import PageIndex

_SENTENCE_END = re.compile(r"[.!?…。！？]['\"’”»)\]」』]*$")
_INNER_SENTENCE = re.compile(r"[.!?]['\"’”]?\s+[A-Z“\"‘]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_ZERO_COUNT = re.compile(r"^\D*(?<!\d)0(?!\d)\D*$")  # a line whose only number is 0
_LIST_ITEM = re.compile(r"[*+•·▪►-]\s")  # a line opening with a list bullet
_FOOTER_YEAR = re.compile(r"(?:19|20)\d\d")
_SEGMENT_OPENING_WORDS = 10  # in an explicit segment, a line of this many words opens the article (see step)
_HEADLINE_BAD_END = re.compile(r"[.!?;:,…]['\"’”»)\]]*$")
_WORD = re.compile(r"\w+")
_NAV_SEPARATORS = re.compile(r"\s[/|•·»›>]\s")


@dataclass(slots=True)
class Line:
    """A logical line: ``[start, end)`` in the text (``end`` includes its newline) and its clean text."""

    start: int
    end: int
    text: str
    block: int  # index of the blank-line-separated block it belongs to


@dataclass(slots=True)
class Piece:
    """A classified part of a line. ``role`` is a record role or 'removed' (then ``rule`` says why)."""

    start: int
    end: int
    role: str
    rule: str | None = None
    record: int | None = None


@dataclass(slots=True)
class RawRecord:
    """A record before normalisation: its pieces and the metadata found on its lines."""

    kind: str  # 'article' | 'related'
    title: str | None = None
    # where a title came from when it was not a headline line of the text ('jsonl_field'); see TITLE_SOURCES
    title_source: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    outlet: str | None = None
    tags: list[str] = field(default_factory=list)
    dateline: str | None = None
    published: str | None = None  # ISO date stated near the headline
    paragraph_spans: list[tuple[int, int]] = field(default_factory=list)
    cluster: int | None = None  # Multi-News cluster / JSONL line number
    meta: dict[str, object] | None = None  # JSONL fields other than the text
    body_words: int = 0
    char_start: int = 0
    char_end: int = 0


@dataclass(slots=True)
class RemovedSpan:
    """A removed span of the source text; ``record`` is the index of the record whose extent holds it."""

    start: int
    end: int
    rule: str
    record: int | None = None


@dataclass(slots=True)
class SplitResult:
    """Records in text order and the removed spans; together they account for the whole text."""

    records: list[RawRecord]
    removed: list[RemovedSpan]
    text_length: int
    # the plain text's logical lines (``logical_lines``), which the learned-boilerplate counts reuse
    lines: list[Line] | None = None
    # the gaps between body lines where the page model saw a page start it did not split at: (offset of the line
    # after the gap, the model's probability), in text order (``articles.may_hold_two_pages``, corpus_etl/glued.py)
    page_gap_probs: list[tuple[int, float]] = field(default_factory=list)


_PARAGRAPHS = ParagraphOptions()


@dataclass(frozen=True)
class SplitOptions:
    """Knobs of the plain-text splitter. A run's are made of its settings in one place
    (``settings.ExtractionSettings.split_options``), where each is documented; the defaults here are the same
    (``tests/unit/test_settings.py`` checks it) for the callers without settings (training, tests)."""

    min_body_words_before_split: int = 40
    headline_min_words: int = 3
    headline_max_words: int = 25
    repeated_line_max_words: int = 6
    same_topic_similarity: float = 0.2
    weak_run_min: int = 2
    page_min_chrome_lines: int = 3
    page_min_chrome_per_1000_words: float = 1.0
    page_gap_lines: int = 8
    zone_end_menu_lines: int = 8
    title_model: bool = True
    # (not a run setting) when on, where the headline test's title sits right over the body, it stands (off since
    # the trees model: it finds the headline where the headline test took a byline or a caption over the body).
    title_model_skip_adjacent: bool = False
    title_inside_body_max_words: int = 40
    page_gap_min_words: int = 100
    # (not a run setting) open reasons (see _Splitter.open_record) too weak to split a web page.
    page_weak_splits: tuple[str, ...] = ("topic", "layout", "model", "model_untitled", "model_strong")
    boundary_model: bool = True
    # (not a run setting) the text is one article (an explicit segment: a Multi-News article, a JSONL text): only
    # an opener after a headline, a page start or a related block opens another record in it.
    one_article: bool = False
    model_strong: float = 0.9
    model_strong_min_words: int = 10
    paragraph_classifier: bool = True
    paragraphs: ParagraphOptions = _PARAGRAPHS  # the paragraph classifier's thresholds
    line_model: bool = True
    line_model_path: str | None = None  # a line model file other than the packaged one (training's folds)
    line_model_article_share: float = 0.5
    line_model_drop_chrome: bool = True
    line_model_keep_related: bool = True
    page_model: bool = True
    block_gap: int = 4
    related_rejoin_good: int = 2
    block_keep_share: float = 0.25
    block_keep_paragraphs: int = 3
    block_off_max_share: float = 1.0
    comments_max_unmarked: float = 2.0
    comments_max_lead_words: int = 250
    recall_fallback_share: float = 0.1
    recall_fallback_min_chars: int = 1000
    recall_fallback_block_share: float = 0.5
    brief_min_words: int = 20


# --------------------------------------------------------------------------------------------------
# Lines


def logical_lines(text: str) -> list[Line]:
    """Cut ``text`` into non-blank logical lines; blank lines and form feeds start a new block.

    A physical line ends at ``\n`` (a ``\r`` before it is part of the line) or after a form feed. A
    block whose lines look hard-wrapped (``_hard_wrapped``: every line but the last 30-100 characters long,
    none ending a sentence early) becomes one logical line.
    """
    blocks: list[list[tuple[int, int, str]]] = []  # (start, end, clean text) of each block's physical lines
    current: list[tuple[int, int, str]] = []

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append(current)
            current = []

    pos = 0
    n = len(text)
    for part in text.split("\n"):  # (str.split is C; a regex match per line cost a third of this function)
        if pos >= n:  # the empty piece after a final newline
            break
        end = pos + len(part) + 1  # with its newline (past the end for the last line: clipped below)
        if "\f" in part:
            for chunk in _form_feed_lines(part, end <= n):
                stop = pos + len(chunk)
                clean = normalize_inline(chunk)
                if clean:
                    current.append((pos, stop, clean))
                    if chunk.endswith("\f"):
                        flush()
                else:
                    flush()
                pos = stop
            continue
        # a line's newline would be dropped by normalize_inline: the line is cleaned without it
        clean = normalize_inline(part) if part else ""
        if clean:
            current.append((pos, end if end <= n else n, clean))
        else:
            flush()
        pos = end
    flush()
    width = _wrap_width(blocks)
    lines: list[Line] = []
    for block, phys in enumerate(blocks):
        if len(phys) == 1:  # most blocks: one paragraph on one line
            start, end, clean = phys[0]
            lines.append(Line(start, end, clean, block))
        elif _hard_wrapped([c[2] for c in phys], width):
            lines.append(Line(phys[0][0], phys[-1][1], " ".join(c[2] for c in phys), block))
        else:
            lines.extend(Line(s, e, t, block) for s, e, t in phys)
    return lines


def _form_feed_lines(part: str, newline: bool) -> list[str]:
    """The physical lines of ``part`` (a piece of text between newlines that holds a form feed): each
    ends after its form feed, the last with the newline that followed ``part`` (when ``newline``)."""
    chunks = [c + "\f" for c in part.split("\f")]
    last = chunks.pop()[:-1] + ("\n" if newline else "")
    if last:
        chunks.append(last)
    return chunks


_WRAP_MIN, _WRAP_MAX = 30, 100  # the length of a hard-wrapped line (all but a paragraph's last)


def _hard_wrapped(lines: list[str], width: int | None = None) -> bool:
    """Whether the physical ``lines`` of one block are one hard-wrapped paragraph: every line but the last
    is 30-100 characters long and few of them end a sentence (a third, rounded down). In a text wrapped at
    ``width`` (``_wrap_width``), a line that ends a sentence still wraps when the next line's first word
    would not have fitted on it: "... like Sweden's L.M." over "Ericsson <ERIC.ST>, now supply ...".
    """
    body = lines[:-1]
    if not all(_WRAP_MIN <= len(t) <= _WRAP_MAX for t in body):
        return False
    # A wrapped line seldom ends a sentence; allow a few that happen to.
    enders = [i for i, t in enumerate(body) if _SENTENCE_END.search(t)]
    if len(enders) <= len(body) // 3:
        return True
    if width is None:
        return False
    return all(len(body[i]) + 1 + len(lines[i + 1].split(" ", 1)[0]) > width for i in enders)


def _wrap_width(blocks: list[list[tuple[int, int, str]]]) -> int | None:
    """The width a text is hard-wrapped at, or None when it is not: the median of the longest wrapped line
    of each block of three lines or more that ``_hard_wrapped`` joins without a width, when at least two
    blocks are."""
    widest = sorted(
        max(len(c[2]) for c in phys[:-1]) for phys in blocks if len(phys) >= 3 and _hard_wrapped([c[2] for c in phys])
    )
    return widest[len(widest) // 2] if len(widest) >= 2 else None


# --------------------------------------------------------------------------------------------------
# Line tests


@lru_cache(maxsize=4096)
def words(text: str) -> int:
    """Number of words: whitespace-separated tokens, and one per two CJK characters (unspaced scripts).

    (Remembered for the last 4,096 texts: the splitter, the boundary model and the line tests count the same
    line several times.)"""
    if text.isascii():  # no CJK character to count (most lines)
        return len(text.split())
    cjk = len(_CJK.findall(text))
    return len(text.split()) + cjk // 2


_HEADLINE_TRAILING_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "and",
        "or",
        "but",
        "as",
        "that",
        "than",
        "into",
        "over",
        "under",
        "about",
    ]
)
_NUMBERED = re.compile(r"^(?:\d{1,2}|[ivx]{1,4})[.)]\s")


def is_headline(text: str, opts: SplitOptions) -> bool:
    """A line that could be a headline: a few words, capitalised, not ending like a sentence.

    A question mark may end a headline; a full stop only an all-capitals one ("... OF T.E.A.M.").
    Not headlines: lines ending in a function word (a wrapped line; all capitals may), rows of figures (tables),
    numbered section headings ("1. Ditch the diet"), links.
    """
    n = words(text)
    if not (opts.headline_min_words <= n <= opts.headline_max_words) or len(text) > 250:
        return False
    if _HEADLINE_BAD_END.search(text) and not text.endswith("?") and not (text.endswith(".") and text.isupper()):
        return False
    first = text[0]
    if not (first.isupper() or first.isdigit() or first in "“\"‘'«¿¡$£€<(["):
        return False
    tokens = text.split()
    # (a wrapped line of running text ends in a function word; an all-capitals headline may: "... CRISIS OVER")
    if tokens[-1].casefold() in _HEADLINE_TRAILING_WORDS and not text.isupper():
        return False
    # figures (tokens of digits, no letters: "22", "1.07", "9-,"), not names holding digits ("3COM", "20-DAY")
    if sum(1 for t in tokens if any(c.isdigit() for c in t) and not any(c.isalpha() for c in t)) * 10 >= 3 * len(
        tokens
    ):
        return False
    if _NUMBERED.match(text):
        return False
    return "http" not in text and "@" not in text and "www." not in text


@lru_cache(maxsize=4096)
def is_prose(text: str) -> bool:
    """A line that reads as running text: it ends a sentence, or it is long (remembered for the last 4,096
    texts, as ``words``)."""
    return bool(_SENTENCE_END.search(text)) or words(text) >= 30


_TOPIC_WORD = re.compile(r"[^\W\d_]{5,}")


def topic_vector(text: str) -> Counter[str]:
    """Counts of the longer words of a text (5+ letters, lower-cased): a cheap topic fingerprint."""
    return Counter(w.casefold() for w in _TOPIC_WORD.findall(text))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine similarity of two word-count vectors (0 when either is empty)."""
    if len(a) > len(b):
        a, b = b, a
    num = sum(v * b[k] for k, v in a.items() if k in b)
    den = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return num / den if den else 0.0


_FIGURE_TOKEN = re.compile(r"(?<!\S)[^\s\d]*\d")  # a token holding a digit (matched once, from its start)


def is_table_row(text: str) -> bool:
    """A row of a table of figures: three or more tokens holding digits, a third of its tokens or more
    ("DL Larry Ogunjobi 63 85% 1 tackle", "HD 225.86 -12.99 -5.44%")."""
    n = len(_FIGURE_TOKEN.findall(text))
    return n >= 3 and 3 * n >= len(text.split())


def is_standfirst(text: str) -> bool:
    """A one-sentence paragraph of at most 40 words (a deck under a headline)."""
    return words(text) <= 40 and bool(_SENTENCE_END.search(text)) and not _INNER_SENTENCE.search(text)


@lru_cache(maxsize=4096)
def is_navigation_list(text: str) -> bool:
    """A row of capitalised menu entries joined by separators ("Operations / IIoT Public Sector"); remembered
    for the last 4,096 texts, as ``words``."""
    if not _NAV_SEPARATORS.search(text) or _SENTENCE_END.search(text):
        return False
    tokens = [t for t in _WORD.findall(text)]
    if len(tokens) < 3:
        return False
    capital = sum(1 for t in tokens if t[0].isupper() or t[0].isdigit())
    return capital / len(tokens) >= 0.8


def parse_tags(raw: str) -> list[str]:
    """Split a tag line's value on commas (or on spaces when there is none), lower-cased, deduplicated."""
    parts = raw.split(",") if "," in raw else raw.split()
    out: list[str] = []
    for p in parts:
        t = p.strip(" .;#").casefold()
        if t and t not in out:
            out.append(t)
    return out


_BYLINE_TAIL = re.compile(
    r"\s*(?:[|·•,]\s*)?(?:\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?|(?i:updated|published|posted)\b|@\w+|"
    r"on (?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|"
    r"[A-Z][a-z]{2,8}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4}).*$"
)
_OUTLET_WORDS = re.compile(
    r"\b(?:The|Press|News|Times|Post|Media|Daily|Journal|Herald|Tribune|Reuters|Associated|Agency|Staff|"
    r"Magazine|Digital|Network|Radio|TV|Online|Wire|Telegraph|Guardian|Gazette|Ledger|Manufacturing)\b"
)


def parse_byline(text: str, rules: Rules) -> tuple[list[str], str | None] | None:
    """Authors and outlet of a byline line ("by Peter Henderson, The Canadian Press"), or None.

    A date or time after the names ("By Tariq Malik, Mike Wall 2019-11-18T22:05:36Z") is ignored; a
    second name after the comma that reads as a person, not an outlet, is another author.
    """
    m = rules.byline.fullmatch(text)
    if not m:
        # (the line without its tail is a prefix of it: when no prefix matches, the tail's scan is skipped)
        if not rules.byline.match(text):
            return None
        m = rules.byline.fullmatch(_BYLINE_TAIL.sub("", text))
        if not m:
            return None
    names = re.split(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b)\s*", m.group("names"))
    authors = [n.strip() for n in names if n.strip()]
    if not authors or not all(rules.person_name.fullmatch(a) for a in authors):
        return None
    if any(a.isupper() and _OUTLET_WORDS.search(a.title()) for a in authors):
        return None  # "BY THE ASSOCIATED PRESS": an outlet in capitals, not a person
    outlet = m.group("outlet")
    if outlet and rules.person_name.fullmatch(outlet) and not _OUTLET_WORDS.search(outlet):
        authors.append(outlet)
        outlet = None
    return authors, outlet


_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan", "janvier", "januar", "enero"),
            ("february", "feb", "février", "fevrier", "februar", "febrero"),
            ("march", "mar", "mars", "märz", "marzo"),
            ("april", "apr", "avril", "abril"),
            ("may", "mai", "mayo"),
            ("june", "jun", "juin", "juni", "junio"),
            ("july", "jul", "juillet", "juli", "julio"),
            ("august", "aug", "août", "aout", "agosto"),
            ("september", "sep", "sept", "septembre", "septiembre"),
            ("october", "oct", "octobre", "oktober", "octubre"),
            ("november", "nov", "novembre", "noviembre"),
            ("december", "dec", "décembre", "decembre", "dezember", "diciembre"),
        ]
    )
    for m in names
}


def parse_date_line(text: str, rules: Rules) -> str | None:
    """The ISO date of a line that only states a date ("Published: Nov. 30, 2015 10:32 AM"), or None."""
    m = rules.date_line.fullmatch(text)
    if not m:
        return None
    g = m.groupdict()
    try:
        year = int(g["y1"] or g["y2"] or g["y3"])
        if g["y1"]:
            month, day = int(g["m1"]), int(g["d1"])
        else:
            month = _MONTHS[(g["mon2"] or g["mon3"]).casefold().rstrip(".")]
            day = int(g["d2"] or g["d3"])

        return date(year, month, day).isoformat()
    except (KeyError, ValueError, TypeError):
        return None


# --------------------------------------------------------------------------------------------------
# The splitter


class _Splitter:
    def __init__(
        self,
        text: str,
        rules: Rules,
        opts: SplitOptions,
        learned: frozenset[str] = frozenset(),
        page_starts: frozenset[int] = frozenset(),
    ) -> None:
        self.text = text
        self.learned = learned  # line hashes learned as the outlet's boilerplate (corpus_etl.learned)
        self.rules = rules
        self.opts = opts
        self.lines = logical_lines(text)
        self.pieces: list[Piece] = []
        self.records: list[RawRecord] = []
        self.cur: int | None = None  # index of the open record
        self.main: int | None = None  # index of the current page's main article
        self.zone = "main"
        self.repeated = self._repeated_lines()
        counts = Counter(ln.text for ln in self.lines)
        # A headline-like line printed more than twice (a recurring interview question, a section
        # label) is a subheading, never the headline of a new article.
        doubled = self._doubled()
        self.recurring = {t for t, c in counts.items() if c > 2 or (c == 2 and t not in doubled)}
        self._rule_cache: dict[int, LineRule | None] = {}
        self.open_reason: list[str] = []  # per record: what opened it (see open_record)
        self.page_no = 0  # pages seen so far: a new page's chrome or a separator line starts the next
        self.menu_run = 0  # menu-like lines removed in a row
        self.removed_run = 0  # pieces removed since the last kept one
        self.chrome_seen = 0  # lines removed so far by a rule that marks a web page (_PAGE_CHROME)
        self.record_page: list[int] = []  # per record: the page it is on
        self.page = False  # set by _finish: the text is a web page (see _is_page)
        self.stops: frozenset[str] | None = None  # stopwords of the page's language (chosen lazily)
        self.para_opts = opts.paragraphs
        self._initial_classes: dict[str, str] = {}  # the classifier's initial class by paragraph text
        # a web page's article paragraphs before trimming: (start, end, text, record) (see _recall_fallback)
        self._pretrim: list[tuple[int, int, str, int]] = []
        # P(opens an article) of a block-opening line, asked for where the splitter decides (boundary.py)
        self.bmodel: BoundaryModel | None = load_boundary_model() if opts.boundary_model else None
        self.boundaries = BoundaryScorer(text, self.lines, rules, opts, self.bmodel)
        # rule_view() kept after the decisions of the rules (see rules_view_of; the line model's training)
        self.capture_view = False
        self._title_index: PageIndex | None = None  # the title model's index of the lines (_choose_titles)
        self._titles_asked: dict[int, tuple[int, int]] = {}  # record -> (body line, first line) asked about
        self.view: list[tuple[int, int, int]] = []
        # lines where a page starts by the page model's decision on an earlier pass (split_text)
        self.page_starts = page_starts
        self.found_page_starts: set[int] = set()  # ... and where it says one starts on this pass
        self.unsplit_gaps: dict[int, float] = {}  # line -> the page model's probability, below its threshold
        self.capture_gaps: list[tuple[int, list[Any]]] | None = None  # (first line, gaps) per page (training)

    # -- bookkeeping ---------------------------------------------------------------------------
    def _repeated_lines(self) -> set[str]:
        """Short non-prose lines that occur more than once, not merely as a doubled headline."""
        where: dict[str, list[int]] = {}
        for i, ln in enumerate(self.lines):
            if words(ln.text) <= self.opts.repeated_line_max_words:
                where.setdefault(ln.text, []).append(i)
        out = set()
        for text, idx in where.items():
            if len(idx) < 2 or is_prose(text):
                continue
            if len(idx) == 2 and idx[1] - idx[0] == 1:
                continue  # "Headline / Headline": handled as a duplicate title
            out.add(text)
        # A longer line printed three times or more that is no sentence: a caption or a widget title
        # (a line printed twice in a row, "Headline / Headline", counts once).
        long_counts = Counter(
            ln.text
            for k, ln in enumerate(self.lines)
            if words(ln.text) > self.opts.repeated_line_max_words
            and not is_prose(ln.text)
            and not (k and self.lines[k - 1].text == ln.text)
        )
        out.update(t for t, c in long_counts.items() if c >= 3)
        return out

    def _doubled(self) -> set[str]:
        """Lines printed twice in a row ("Headline / Headline")."""
        return {a.text for a, b in zip(self.lines, self.lines[1:], strict=False) if a.text == b.text}

    def remove(self, start: int, end: int, rule: str) -> None:
        self.pieces.append(Piece(start, end, "removed", rule, self.cur))
        self.removed_run += 1
        if rule in _PAGE_CHROME and rule not in _REPEATS:  # (as _is_page counts them)
            self.chrome_seen += 1

    def keep(self, start: int, end: int, role: str) -> None:
        assert self.cur is not None
        self.pieces.append(Piece(start, end, role, None, self.cur))
        self.removed_run = 0

    def _model_may_split(self) -> bool:
        """Whether a model split here could stand: not on what already reads as a web page (where model
        splits are weak) unless a page's worth of removed lines lies right before (``_merge_weak_splits``).
        Saves describing the lines of web pages for nothing."""
        n = self.chrome_seen
        if (
            n < self.opts.page_min_chrome_lines
            or n * 1000 < self.opts.page_min_chrome_per_1000_words * self.boundaries.cum[-1]
        ):
            return True
        return self.removed_run >= self.opts.page_gap_lines

    def open_record(self, reason: str = "break") -> RawRecord:
        """Open a record; ``reason`` says what opened it: 'break' (nothing was open: start of the text,
        a page start, a related block), or the headline test's reason ('opener', 'layout', 'topic')."""
        kind = "related" if self.zone == "related" else "article"
        self.records.append(RawRecord(kind=kind))
        self.open_reason.append(reason)
        self.record_page.append(self.page_no)
        self.cur = len(self.records) - 1
        if kind == "article":
            self.main = self.cur
        return self.records[self.cur]

    def close(self) -> None:
        self.cur = None

    def current(self) -> RawRecord | None:
        return None if self.cur is None else self.records[self.cur]

    # -- main loop -------------------------------------------------------------------------------
    def run(self) -> SplitResult:
        i = 0
        n = len(self.lines)
        while i < n:
            i = self.step(i)
        return self._finish()

    def rule_at(self, i: int) -> LineRule | None:
        """The line rule matching line ``i`` (each line is matched once)."""
        if i not in self._rule_cache:
            self._rule_cache[i] = self.rules.match_line(self.lines[i].text)
        return self._rule_cache[i]

    def is_learned(self, i: int) -> bool:
        """Whether line ``i`` is a line learned as the outlet's boilerplate."""
        if not self.learned:
            return False
        from .learned import line_hash  # cycle: learned imports this module

        return line_hash(self.lines[i].text) in self.learned

    def next_content(self, i: int) -> Line | None:
        """The next line after ``i`` that no line rule removes."""
        for j in range(i + 1, len(self.lines)):
            ln = self.lines[j]
            if self.rule_at(j) is None and ln.text not in self.repeated and not self.is_learned(j):
                return ln
        return None

    def step(self, i: int) -> int:
        ln = self.lines[i]
        text = ln.text
        start = ln.start
        rec = self.current()
        if i in self.page_starts:  # the page model's page start (see _line_model_bodies)
            if rec is not None:
                self.close()
                rec = None
            self.zone = "main"
            self.page_no += 1

        # Alt text glued onto the start of a sentence.
        for prefix in self.rules.prefixes:
            m = prefix.regex.match(text)
            if m and len(text) >= 60 and is_prose(text):
                cut = m.end("cut")
                raw_cut = self._raw_offset(ln, cut)
                self.remove(start, raw_cut, prefix.name)
                text = text[cut:].lstrip()
                start = raw_cut
                break

        # A headline printed twice, or with " - image" after it.
        if rec is not None and rec.title and not rec.paragraphs and text.casefold() == rec.title.casefold():
            self.remove(start, ln.end, "duplicate_title")
            return i + 1

        rule = self.rule_at(i) if text == ln.text else self.rules.match_line(text)
        if (rule is not None and rule.name in _MENU_CHROME) or (rule is None and is_navigation_list(text)):
            self.menu_run += 1
            if self.zone != "main" and self.menu_run == self.opts.zone_end_menu_lines:
                # a run of menu lines under comments or teasers: the next page's header
                self.close()
                self.zone = "main"
                self.page_no += 1
        else:
            self.menu_run = 0
        if rule is not None:
            if rule.effect == "page_start":
                if rec is not None and (rec.paragraphs or rec.title):
                    self.close()
                self.zone = "main"
                self.page_no += 1
            elif rule.effect == "page_end":
                if self.page_end(text):
                    self.close()
                    self.zone = "main"
                    self.page_no += 1
            elif rule.effect == "related_start":
                main = self.records[self.main] if self.main is not None else None
                if main is not None and main.body_words >= self.opts.min_body_words_before_split:
                    self.close()
                    self.zone = "related"
                # before any article body it is a menu heading: removed, nothing else changes
            elif rule.effect == "related_sep" and self.zone == "related":
                self.close()
            elif rule.effect == "comments_start":
                main = self.records[self.main] if self.main is not None else None
                if (
                    main is not None
                    and main.body_words >= self.opts.min_body_words_before_split
                    and self._comments_follow(i, main.body_words)
                ):
                    self.close()
                    self.zone = "comments"
            self.remove(start, ln.end, rule.name)
            return i + 1
        if self.zone == "comments":  # reader comments under an article are not records
            self.remove(start, ln.end, "comments")
            return i + 1
        if text == ln.text and self.is_learned(i):
            self.remove(start, ln.end, "learned_repeat")
            return i + 1
        if text in self.repeated:
            self.remove(start, ln.end, "repeated_line")
            return i + 1
        if is_navigation_list(text):
            self.remove(start, ln.end, "navigation_list")
            return i + 1

        # A dateline on a line of its own after a body may open the next (untitled) story.
        if rec is not None and self.rules.dateline.match(text) and (reason := self._starts_untitled_record(rec, i)):
            self.close()
            rec = self.open_record(reason)

        # Metadata lines.
        tag = self.rules.tag.fullmatch(text)
        if tag:
            if rec is None or (self.zone == "related" and rec.paragraphs):
                rec = self.open_record()
            rec.tags.extend(t for t in parse_tags(tag.group("tags")) if t not in rec.tags)
            self.keep(start, ln.end, "tags")
            return i + 1
        published = parse_date_line(text, self.rules) if words(text) <= 16 else None
        if published and rec is not None and not rec.paragraphs and rec.published is None:
            rec.published = published
            self.keep(start, ln.end, "date")
            return i + 1
        if published:  # a timestamp line elsewhere on the page ("Updated: Nov 19, 2019 6:55 AM")
            self.remove(start, ln.end, "date_line")
            return i + 1
        byline = parse_byline(text, self.rules)
        if byline:
            if rec is None:
                rec = self.open_record()
            rec.authors.extend(a for a in byline[0] if a not in rec.authors)
            rec.outlet = rec.outlet or byline[1]
            self.keep(start, ln.end, "byline")
            return i + 1
        if self._author_block(i):
            return self._take_author_block(i)

        # Content.
        headline = is_headline(text, self.opts)
        if rec is None:
            # (an explicit segment is an article: a line of some words opens it though it ends in a link)
            wordy = self.opts.one_article and words(text) >= _SEGMENT_OPENING_WORDS
            if not headline and not is_prose(text) and self.zone == "main" and not wordy:
                self.remove(start, ln.end, "pre_title_chrome")
                return i + 1
            rec = self.open_record()
        elif headline and (reason := self._starts_new_record(rec, i)):
            if self.zone == "related" and rec.title and not rec.paragraphs:
                self._demote_title(self.cur, "related_link")
                rec.title = None
            else:
                self.close()
                rec = self.open_record(reason)
        elif not headline and (reason := self._starts_untitled_record(rec, i)):
            self.close()
            rec = self.open_record(reason)
        if rec.title is None and not rec.paragraphs and headline:
            rec.title = text
            self.keep(start, ln.end, "title")
            return i + 1
        if rec.title is None and not rec.paragraphs and not is_prose(text) and words(text) < 3:
            self.remove(start, ln.end, "pre_title_chrome")
            return i + 1
        if rec.dateline is None and len(rec.paragraphs) < 3 and rec.kind == "article":
            m = self.rules.dateline.match(text)
            # (on its own line too: "OKLAHOMA CITY, March 31 -" over a Reuters brief's figures)
            if m and (m.end() < len(text) or not rec.paragraphs):
                rec.dateline = m.group("dateline").strip(" ,")
        rec.paragraphs.append(text)
        raw = self.text[start : ln.end]
        lead = len(raw) - len(raw.lstrip())
        rec.paragraph_spans.append((start + lead, start + len(raw.rstrip())))
        rec.body_words += words(text)
        self.keep(start, ln.end, "body")
        return i + 1

    def page_end(self, text: str) -> bool:
        """Whether a footer line (a copyright line: rule effect 'page_end') ends the page: after the page's
        article has a body (``min_body_words_before_split`` words) and when the line is a site's footer, with
        a year or "all rights reserved", not a photo credit ("© Getty Images")."""
        main = self.records[self.main] if self.main is not None else None
        if main is None or main.body_words < self.opts.min_body_words_before_split:
            return False
        if self.main is not None and self.record_page[self.main] != self.page_no:
            return False  # the page's article has not started yet
        return bool(_FOOTER_YEAR.search(text)) or "rights reserved" in text.casefold()

    def _comments_follow(self, i: int, body_words: int) -> bool:
        """Whether the text after the comments heading on line ``i`` (up to the next page) reads as a comments
        thread. A safety net: prose of more than ``SplitOptions.comments_max_unmarked`` times the article's
        words so far, with not one comment marker line (``Rules.comment_marker``: a reply link, "X says:",
        a timestamp) is the article going on under a comment count, not comments; so is such prose of more than
        ``SplitOptions.comments_max_lead_words`` words before the first marker (a comment count over the article,
        "1 Comments", whose real comments come far below)."""
        if _ZERO_COUNT.search(self.lines[i].text):
            return False  # "Comments (0)", "0 Responses": a count of none starts no thread
        prose = 0
        limit = self.opts.comments_max_unmarked * body_words
        for j in range(i + 1, len(self.lines)):
            rule = self.rule_at(j)
            if rule is not None and rule.effect == "page_start":
                break
            text = self.lines[j].text
            # (a marker line is short: "... years ago" in a paragraph of the article is no timestamp)
            if len(text) <= 200 and self.rules.comment_marker.search(text):
                return prose <= max(limit, self.opts.comments_max_lead_words)
            if rule is None and is_prose(text):
                prose += words(text)
        return prose <= limit

    def _starts_new_record(self, rec: RawRecord, i: int) -> str | None:
        """Why the headline-like line ``i`` opens a new article rather than being a subheading of ``rec``.

        Only when running text or an opener (a byline, a date line, a dateline) follows it. The boundary
        model (``corpus_etl.boundary``) sure of it ('model_strong', ``SplitOptions.model_strong``) needs a
        few words of body before it; otherwise, after enough body, it does when what follows is an opener
        ('opener'), when it repeats the layout the current article opened with (headline, then a
        one-sentence standfirst: 'layout'), or when the model says so at its threshold ('model'; without
        the model: when the text after it changes topic, 'topic'). Otherwise (None) it is a subheading
        and stays in the body.
        """
        if self.zone == "related":
            return "related" if rec.title or rec.paragraphs else None
        if self.lines[i].text in self.recurring:
            return None
        nxt = self.next_content(i)
        if nxt is None:
            return None
        opener = (
            parse_byline(nxt.text, self.rules) is not None
            or parse_date_line(nxt.text, self.rules) is not None
            or bool(self.rules.dateline.match(nxt.text))
        )
        if not opener and not is_prose(nxt.text):
            return None
        enough = rec.body_words >= self.opts.min_body_words_before_split
        if enough and opener:
            return "opener"
        if rec.dateline and rec.paragraphs and self.rules.dateline.match(nxt.text):
            return "opener"  # a dated brief, then a headline over a dateline ("Qtly div 14 cts vs 12.5 cts ...")
        if self.opts.one_article:
            return None
        p = self.boundaries.probability(i) if self._model_may_split() else 0.0
        if (
            self.bmodel is not None
            and p >= self.opts.model_strong
            and rec.body_words >= self.opts.model_strong_min_words
        ):
            return "model_strong"
        if not enough:
            return None
        if rec.title and len(rec.paragraphs) >= 2 and is_standfirst(rec.paragraphs[0]) and is_standfirst(nxt.text):
            return "layout"
        if self.bmodel is not None:
            return "model" if p >= self.bmodel.threshold else None
        before = topic_vector(" ".join(rec.paragraphs)[-3000:])
        after = topic_vector(self.upcoming_text(i, 150))
        return "topic" if cosine(before, after) < self.opts.same_topic_similarity else None

    def _starts_untitled_record(self, rec: RawRecord, i: int) -> str | None:
        """Why the line ``i``, running text (or a dateline) with no headline above it, opens a new
        (untitled) article: the boundary model says so, sure of it after a few words of body
        ('model_strong' at ``SplitOptions.model_strong``) or at its threshold after enough body
        ('model_untitled'), and enough text follows to be an article; never in a text that opens with a
        headline over running text (its stories start at headlines). None: it continues the record."""
        if self.bmodel is None or self.opts.one_article or self.zone != "main" or rec.kind != "article":
            return None
        if self.boundaries.opens_with_headline():
            return None  # a text of stories with headlines: a story starts at a headline
        text = self.lines[i].text
        if not is_prose(text) and not self.rules.dateline.match(text):  # (a dateline alone opens a story)
            return None
        if rec.body_words < self.opts.model_strong_min_words:
            return None
        if self.boundaries.words_from(i) < self.opts.min_body_words_before_split:
            return None  # a closing line (a sign-up line, a footer) is no article of its own
        if not self._model_may_split():
            return None
        p = self.boundaries.probability(i)
        if p >= self.opts.model_strong:
            return "model_strong"
        if p < self.bmodel.threshold_untitled or rec.body_words < self.opts.min_body_words_before_split:
            return None
        return "model_untitled"

    def upcoming_text(self, i: int, max_words: int) -> str:
        """Up to ``max_words`` words of the content lines after line ``i``."""
        out: list[str] = []
        n = 0
        for j in range(i + 1, len(self.lines)):
            if self.rule_at(j) is not None:
                continue
            ln = self.lines[j]
            out.append(ln.text)
            n += words(ln.text)
            if n >= max_words:
                break
        return " ".join(out)

    def _demote_title(self, record: int | None, rule: str) -> None:
        for p in reversed(self.pieces):
            if p.record == record and p.role == "title":
                p.role, p.rule = "removed", rule
                return

    def _author_block(self, i: int) -> bool:
        """A person's name line followed by a role line ("Former Digital Trends Contributor")."""
        if i + 1 >= len(self.lines):
            return False
        ln, nxt = self.lines[i], self.lines[i + 1]
        return bool(self.rules.person_name.fullmatch(ln.text)) and bool(self.rules.author_role.fullmatch(nxt.text))

    def _take_author_block(self, i: int) -> int:
        """Consume name, role and the bio after them (prose opening with the name or a pronoun)."""
        name_line = self.lines[i]
        end_i = i + 2
        if end_i < len(self.lines):
            bio = self.lines[end_i].text
            first_name = name_line.text.split()[0]
            if is_prose(bio) and bio.split()[0] in (first_name, "He", "She", "They", "Il", "Elle", "Er", "Sie"):
                end_i += 1
        if self.main is not None:
            authors = self.records[self.main].authors
            if name_line.text not in authors:
                authors.append(name_line.text)
        end = self.lines[end_i - 1].end
        if self.cur is not None and self.cur == self.main:
            self.keep(name_line.start, end, "author")
        else:
            self.remove(name_line.start, end, "author_block")
        return end_i

    def _raw_offset(self, ln: Line, clean_offset: int) -> int:
        """Map an offset in a line's clean text back to the raw text (clean text drops spaces only)."""
        raw = self.text[ln.start : ln.end]
        # Walk both strings; normalisation only collapses or drops whitespace and invisible characters.
        target = ln.text[:clean_offset].replace(" ", "")
        seen = 0
        for j, ch in enumerate(raw):
            if seen == len(target):
                return ln.start + j
            if ch == target[seen]:
                seen += 1
        return ln.end

    # -- accounting ------------------------------------------------------------------------------
    def _trim_edges(self) -> None:
        """Remove short non-sentence lines at the start and end of each record's body (menus, footers).

        And a record whose body is mostly such lines (a menu that got a headline) is no article: its
        lines become removed spans ('navigation_block').
        """
        by_record: dict[int, list[Piece]] = {}
        for p in sorted(self.pieces, key=lambda p: p.start):
            if p.record is not None:
                by_record.setdefault(p.record, []).append(p)
        # On a web page, an 'article' in which the classifier finds no good paragraph while another
        # article of the page has some is a block of teasers or menus, not an article.
        use_classifier = self.page and self.opts.paragraph_classifier
        if use_classifier:
            self._pretrim = sorted(
                (a, b, t, idx)
                for idx, rec in enumerate(self.records)
                if rec.kind == "article"
                for t, (a, b) in zip(rec.paragraphs, rec.paragraph_spans, strict=True)
            )
        has_good = {
            idx: "good" in self._classes(rec.paragraphs)
            for idx, rec in enumerate(self.records)
            if use_classifier and rec.kind == "article" and rec.paragraphs
        }
        for idx, rec in enumerate(self.records):
            # short, no sentence, no figures (a table row of figures is content)
            weak = [not is_prose(p) and words(p) < 10 and not any(c.isdigit() for c in p) for p in rec.paragraphs]
            if rec.paragraphs and rec.kind == "article":
                strong_words = sum(words(p) for p, w in zip(rec.paragraphs, weak, strict=True) if not w)
                block = None
                if len(rec.paragraphs) >= 5 and strong_words < 0.3 * rec.body_words:
                    block = "navigation_block"
                elif idx in has_good and not has_good[idx] and any(has_good.values()):
                    block = "low_content_block"
                if block:
                    for p in by_record.get(idx, []):
                        if p.role != "removed":
                            p.role, p.rule = "removed", block
                    rec.paragraphs, rec.paragraph_spans, rec.title = [], [], None
                    continue
            lo, hi = 0, len(weak)
            while lo < hi and weak[lo]:
                lo += 1
            while hi > lo and weak[hi - 1]:
                hi -= 1
            drop = {k: "edge_chrome" for k in [*range(lo), *range(hi, len(weak))]}
            # Inside the body a lone short line is a subheading; a run of them is a menu or a widget.
            k = lo
            while k < hi:
                if weak[k]:
                    run_end = k
                    while run_end < hi and weak[run_end]:
                        run_end += 1
                    if run_end - k >= self.opts.weak_run_min:
                        drop.update(dict.fromkeys(range(k, run_end), "inner_chrome"))
                    k = run_end
                else:
                    k += 1
            if self.page and self.opts.paragraph_classifier and rec.kind == "article":
                self._classify_body(rec, drop, by_record.get(idx, []))
            if not drop:
                continue
            body_pieces = [p for p in by_record.get(idx, []) if p.role == "body"]
            starts = [p.start for p in body_pieces]
            for k, rule in drop.items():
                a, b = rec.paragraph_spans[k]
                j = bisect.bisect_right(starts, a) - 1  # the body piece holding the paragraph
                if j >= 0 and body_pieces[j].start <= a and b <= body_pieces[j].end:
                    body_pieces[j].role, body_pieces[j].rule = "removed", rule
            rec.body_words -= sum(words(rec.paragraphs[k]) for k in drop)
            keep = [k for k in range(len(weak)) if k not in drop]
            rec.paragraphs = [rec.paragraphs[k] for k in keep]
            rec.paragraph_spans = [rec.paragraph_spans[k] for k in keep]

    def _demote_untitled(self) -> None:
        """On a web page, an article with no headline and no metadata is a block of the page (a list of
        teasers, a promo) when another article of the same page (not of another page of the file: a new
        page's chrome or a separator line starts one) has its headline and a date, a byline or tags over a
        body: that one is the page's article, the untitled block becomes 'related'."""
        by_page: dict[int, list[RawRecord]] = {}
        for r, page in zip(self.records, self.record_page, strict=True):
            if r.kind == "article" and r.paragraphs:
                by_page.setdefault(page, []).append(r)
        min_words = self.opts.min_body_words_before_split
        for arts in by_page.values():
            if not any(r.title and (r.published or r.authors or r.tags) and r.body_words >= min_words for r in arts):
                continue
            for r in arts:
                if not (r.title or r.published or r.authors or r.tags):
                    r.kind = "related"

    def _recall_fallback(self) -> None:
        """A recall safeguard for each page of a web page (trafilatura falls back to a baseline extractor
        when its main extraction comes out suspiciously short): when the page's article is very short
        next to the text the classifier finds good in the page's articles, a block of that good text
        becomes the article's body.

        The page's article paragraphs before trimming (``_pretrim``: of every record that was an article
        then, whatever cut them since: classifier, removed block, another article of the page) are read
        as one sequence, link-like chrome lines in place, and grouped into blocks of good paragraphs as in
        ``_off_main_block``. It fires when the page's longest article keeps less than
        ``SplitOptions.recall_fallback_share`` of the characters of that good text, and the largest block
        holds at least ``recall_fallback_min_chars`` characters and ``recall_fallback_block_share`` of it
        (one dominant run of prose, not teasers scattered over the page). That article (or, with none, the
        record holding the block) then takes the block's good paragraphs and the lone bad ones between
        them as its body; everything else kept between its old and new text (its former body, records
        in between) is removed with rule 'recall_fallback', so the former cut stays auditable. Records of
        kind 'related' and reader comments never count: a heading said what they are.
        """
        by_page: dict[int, list[tuple[int, int, str, int]]] = {}
        for para in self._pretrim:
            by_page.setdefault(self.record_page[para[3]], []).append(para)
        # The page's articles and the chrome lines are found once, and again after a block is taken (it
        # changes records and pieces): a scan of every record and piece per page was quadratic in a file
        # of many pages.
        arts_by_page: dict[int, list[int]] | None = None
        chrome: list[int] | None = None
        for page, paras in by_page.items():
            if arts_by_page is None:
                arts_by_page = {}
                for i, r in enumerate(self.records):
                    if r.kind == "article" and r.paragraphs:
                        arts_by_page.setdefault(self.record_page[i], []).append(i)
            arts = arts_by_page.get(page, [])
            kept = {i: sum(len(t) for t in self.records[i].paragraphs) for i in arts}
            main = max(arts, key=lambda i: kept[i], default=None)
            main_chars = kept[main] if main is not None else 0
            share = self.opts.recall_fallback_share
            if main_chars >= share * sum(len(t) for _, _, t, _ in paras):  # cheap: good text <= all text
                continue
            texts = [t for _, _, t, _ in paras]
            spans = [(a, b) for a, b, _, _ in paras]
            if chrome is None:
                chrome = self._chrome_starts(self.pieces)
            classes = self._context_classes(texts, spans, chrome)
            good = [k for k, c in enumerate(classes) if c == "good"]
            good_chars = sum(len(texts[k]) for k in good)
            if not good or main_chars >= share * good_chars:
                continue
            block = max(self._good_blocks(classes, good, spans, chrome), key=lambda b: sum(len(texts[k]) for k in b))
            mass = sum(len(texts[k]) for k in block)
            if mass < self.opts.recall_fallback_min_chars or mass < self.opts.recall_fallback_block_share * good_chars:
                continue
            chosen = list(block)  # plus a lone bad paragraph between two good ones (a quote, a subheading)
            for a, b in pairwise(block):
                if b - a == 2:
                    chosen.append(a + 1)
            chosen.sort()
            target = main if main is not None else paras[chosen[0]][3]
            self._take_block(target, [paras[k] for k in chosen])
            arts_by_page = chrome = None

    def _restore_dated_briefs(self) -> None:
        """On a web page, a wire story whose body the classifiers read as chrome gets it back: a brief of
        figures (an earnings or a commodity table: "Shr one cent vs nine cts", "Net 51,057 vs 554,878") is
        short lines with few stopwords, which the paragraph classifier and the line model remove.

        A story is a line that opens with a dateline stating the day ("EAST RUTHERFORD, N.J., March 17 -"), kept
        or removed by a content judgement (``_soft_removal``), and the lines after it up to the first line of page
        chrome (a copyright, a skip link, "Read more") or another record. Its article is the record holding the
        dateline's line or, for a dateline removed, the first article record met after it; with none (every line of the
        story removed), a new article record. When that article keeps fewer body words than
        ``SplitOptions.brief_min_words`` and than half the story's words, the story's lines removed by a content
        judgement (not 'line_model_comment') and a title below the dateline (a row of figures the title model
        took) become its body; a line a rule removes for what it is (an advertisement) stays removed. With no
        title above the dateline, a headline-like line removed right before it becomes the title (a story no record
        holds is restored only under such a headline: a teaser "ZURICH, Oct 31 (Reuters) - ..." is not); the title is
        then chosen again above the body (``_choose_titles``), or stays NULL."""
        stop = _PAGE_CHROME - {"advertisement"} - _REPEATS  # (a table's header line may repeat)
        starts = [ln.start for ln in self.lines]
        pieces = sorted(self.pieces, key=lambda p: p.start)
        stories: list[tuple[int, list[Piece], int | None]] = []  # (dateline piece, the story's pieces, article)
        k = 0
        while k < len(pieces):
            p = pieces[k]
            m = self._dateline_at(p, starts)
            if (
                m is None
                or not _DATED.search(m.group("dateline"))
                or (p.role == "removed" and not _soft_removal(p.rule or ""))
            ):
                k += 1
                continue
            owner = p.record if p.role != "removed" else None
            if owner is not None and self.records[owner].kind != "article":
                k += 1
                continue
            j = k
            while j < len(pieces):
                q = pieces[j]
                if q.role == "removed" and q.rule in stop:
                    break
                if q.role != "removed" and q.record is not None and q.record != owner:
                    if owner is None and self.records[q.record].kind == "article":
                        owner = q.record
                    else:
                        break
                j += 1
            stories.append((k, pieces[k:j], owner))
            k = max(j, k + 1)
        for k, story, owner in reversed(stories):  # (a record inserted renumbers only the records after it)
            soft = [
                q
                for q in story
                if q.role == "removed" and _soft_removal(q.rule or "") and q.rule != "line_model_comment"
            ]
            kept = self.records[owner].body_words if owner is not None else 0
            story_words = kept + sum(words(self.text[q.start : q.end]) for q in soft)
            if not soft or kept >= max(self.opts.brief_min_words, story_words / 2):
                continue
            if owner is None:  # a story no record holds: a brief only under its headline, as a wire prints it
                if not (k and self._headline_removed(pieces[k - 1], stop, starts)):
                    continue
                owner = self._insert_record(story[0].start)
            rec = self.records[owner]
            chosen = {a: (a, b, t) for (a, b), t in zip(rec.paragraph_spans, rec.paragraphs, strict=True)}
            titled = [q for q in story if q.role == "title" and q.record == owner]
            for q in soft + titled:
                a, b, t = self._paragraph_of(q, starts)
                if t:
                    chosen.setdefault(a, (a, b, t))
            for q in titled:
                q.role = "body"
                rec.title = None
            self._take_block(owner, [(a, b, t, owner) for a, b, t in sorted(chosen.values())])
            m = self._dateline_at(pieces[k], starts)
            if rec.dateline is None and m is not None:
                rec.dateline = m.group("dateline").strip(" ,")
            if not any(q.record == owner and q.role == "title" for q in self.pieces) and k > 0:
                prev = pieces[k - 1]
                if self._headline_removed(prev, stop, starts):
                    prev.role, prev.rule, prev.record = "title", None, owner
                    rec.title = self._paragraph_of(prev, starts)[2]

    def _headline_removed(self, p: Piece, stop: frozenset[str], starts: list[int]) -> bool:
        """Whether piece ``p`` is a headline-like line removed by no rule of page chrome."""
        return p.role == "removed" and p.rule not in stop and is_headline(self._paragraph_of(p, starts)[2], self.opts)

    def _dateline_at(self, p: Piece, starts: list[int]) -> re.Match[str] | None:
        """The dateline opening the line that piece ``p`` starts (None when it does not start a line)."""
        ln = self.lines[bisect.bisect_right(starts, p.start) - 1]
        return self.rules.dateline.match(ln.text) if ln.start == p.start else None

    def _paragraph_of(self, p: Piece, starts: list[int]) -> tuple[int, int, str]:
        """Piece ``p`` as a body paragraph: (start, end, text) as ``step`` keeps a line."""
        ln = self.lines[bisect.bisect_right(starts, p.start) - 1]
        raw = self.text[p.start : p.end]
        lead = len(raw) - len(raw.lstrip())
        text = ln.text if (ln.start, ln.end) == (p.start, p.end) else " ".join(raw.split())
        return p.start + lead, p.start + len(raw.rstrip()), text

    def _insert_record(self, start: int) -> int:
        """A new article record in text order: right after the last record holding a kept piece before ``start``
        (on that record's page); the records after it are renumbered. Its index."""
        pos = 1 + max(
            (p.record for p in self.pieces if p.role != "removed" and p.record is not None and p.start < start),
            default=-1,
        )
        for p in self.pieces:
            if p.record is not None and p.record >= pos:
                p.record += 1
        self.records.insert(pos, RawRecord(kind="article"))
        self.open_reason.insert(pos, "dated_brief")
        self.record_page.insert(pos, self.record_page[pos - 1] if pos else 0)
        self._titles_asked = {(i + 1 if i >= pos else i): v for i, v in self._titles_asked.items()}
        if self.main is not None and self.main >= pos:
            self.main += 1
        return pos

    def _take_block(
        self,
        target: int,
        chosen: list[tuple[int, int, str, int]],
        rule_of: Callable[[Piece], str] | None = None,
    ) -> None:
        """Make the paragraphs ``chosen`` (start, end, text, record; in text order) the body of record
        ``target``; its other body paragraphs and whatever other records kept between its old and new text
        are removed ('recall_fallback', or the rule ``rule_of`` gives the piece)."""
        rec = self.records[target]
        mine = [p for p in self.pieces if p.record == target and p.role != "removed"]
        lo = min([chosen[0][0], *(p.start for p in mine)])
        hi = max([chosen[-1][1], *(p.end for p in mine)])
        bodies = sorted((p for p in self.pieces if p.role in ("body", "removed")), key=lambda p: p.start)
        starts = [p.start for p in bodies]
        restored: set[int] = set()
        for a, b, _, _ in chosen:
            j = bisect.bisect_right(starts, a) - 1
            while j >= 0 and not (bodies[j].start <= a and b <= bodies[j].end):
                j -= 1  # (a removed piece of another rule may start inside the line: a glued alt text)
            if j >= 0:
                restored.add(id(bodies[j]))
        touched: set[int] = set()
        for p in self.pieces:
            if id(p) in restored:
                if p.record is not None and p.record != target:
                    touched.add(p.record)
                p.role, p.rule, p.record = "body", None, target
            elif lo <= p.start < hi and (p.record != target or p.role == "body"):
                if p.role != "removed":
                    if p.record is not None and p.record != target:
                        touched.add(p.record)
                    p.role, p.rule = "removed", rule_of(p) if rule_of else "recall_fallback"
                p.record = target
        rec.kind = "article"
        rec.paragraphs = [t for _, _, t, _ in chosen]
        rec.paragraph_spans = [(a, b) for a, b, _, _ in chosen]
        rec.body_words = sum(words(t) for t in rec.paragraphs)
        for idx in touched:  # what other records lost to the block
            other = self.records[idx]
            keep = [k for k, (a, _) in enumerate(other.paragraph_spans) if not lo <= a < hi]
            other.paragraphs = [other.paragraphs[k] for k in keep]
            other.paragraph_spans = [other.paragraph_spans[k] for k in keep]
            other.body_words = sum(words(t) for t in other.paragraphs)
            if not any(p.record == idx and p.role == "title" for p in self.pieces):
                other.title = None

    def _long_related_are_articles(self) -> None:
        """In a text that is no web page (stories one after another), a 'related' record of
        ``page_gap_min_words`` words or more is a story, not a teaser (a teaser is a headline and a sentence or
        two): its kind becomes 'article' (a "More from ..." line at the end of a story had opened a related zone
        over the stories after it)."""
        for rec in self.records:
            if rec.kind == "related" and rec.body_words >= self.opts.page_gap_min_words:
                rec.kind = "article"

    def _untitle_lone_headlines(self) -> None:
        """In an explicit segment, a record that is a headline-like line and nothing else (a tweet, a one-line
        article) holds that line as its body, not as a title over no body."""
        for idx, rec in enumerate(self.records):
            if rec.title is None or rec.paragraphs or rec.kind != "article":
                continue
            piece = next((p for p in self.pieces if p.record == idx and p.role == "title"), None)
            if piece is None:
                continue
            piece.role = "body"
            rec.paragraphs, rec.paragraph_spans = [rec.title], [(piece.start, piece.end)]
            rec.body_words, rec.title = words(rec.title), None

    def _drop_record(self, idx: int, rule_of: Callable[[Piece], str]) -> None:
        """Remove every kept piece of record ``idx`` (rule ``rule_of`` gives each its reason); the record, empty,
        is then no record (``_finish``)."""
        for p in self.pieces:
            if p.record == idx and p.role != "removed":
                p.role, p.rule, p.record = "removed", rule_of(p), None
        rec = self.records[idx]
        rec.paragraphs, rec.paragraph_spans, rec.body_words, rec.title = [], [], 0, None

    def _page_mains(self) -> dict[int, int]:
        """Page -> its main article: the article record with the most body characters."""
        mains: dict[int, int] = {}
        chars: dict[int, int] = {}
        for idx, rec in enumerate(self.records):
            if rec.kind == "article" and rec.paragraphs:
                n = sum(len(t) for t in rec.paragraphs)
                page = self.record_page[idx]
                if n > chars.get(page, -1):
                    mains[page], chars[page] = idx, n
        return mains

    def rule_view(self) -> list[tuple[int, int, int]]:
        """What the rules made of the text, as the line model reads it: ``(start, end, group)`` of every piece
        in text order, ``group`` an index into ``RULE_VIEW_GROUPS`` (the body, title or metadata of its page's
        main article, the body of another article, a related record, other kept text; removed as menu
        chrome, as low content, as reader comments, or by another rule)."""
        mains = set(self._page_mains().values())
        out: list[tuple[int, int, int]] = []
        for p in sorted(self.pieces, key=lambda p: p.start):
            if p.role == "removed":
                rule = p.rule or ""
                if rule in _MENU_CHROME:
                    g = "removed_menu"
                elif rule in _LOW_CONTENT:
                    g = "removed_low_content"
                elif "comment" in rule:
                    g = "removed_comment"
                else:
                    g = "removed_other"
            else:
                rec = self.records[p.record] if p.record is not None else None
                main = p.record in mains
                if rec is not None and rec.kind == "related":
                    g = "related"
                elif p.role == "body":
                    g = "main_body" if main else "article_body"
                elif p.role == "title":
                    g = "main_title" if main else "other_kept"
                else:
                    g = "main_meta" if main else "other_kept"
            out.append((p.start, p.end, _VIEW_INDEX[g]))
        return out

    def _page_segments(self) -> list[tuple[int, int, int]]:
        """The text's pages as runs of lines: ``(first line, line after the last, page)``. A line is on the page
        of the record holding its first piece; a line of no record, on the page of the line before (the
        first page for lines before every record)."""
        starts = [ln.start for ln in self.lines]
        page_of_line: list[int | None] = [None] * len(self.lines)
        for p in self.pieces:
            if p.record is not None:
                k = bisect.bisect_right(starts, p.start) - 1
                if k >= 0 and page_of_line[k] is None:
                    page_of_line[k] = self.record_page[p.record]
        segments: list[tuple[int, int, int]] = []
        page = next((q for q in page_of_line if q is not None), 0)
        for k, q in enumerate(page_of_line):
            if q is not None and q > page:  # (pages only go forward)
                page = q
            if segments and segments[-1][2] == page:
                segments[-1] = (segments[-1][0], k + 1, page)
            else:
                segments.append((k, k + 1, page))
        return segments

    def _line_model_bodies(self) -> None:
        """On a web page, the line model (``corpus_etl.linemodel``) decides the bodies of each page's articles.

        It reads every unit of the page (a line, or a sentence of a long one) with its features and
        ``rule_view``; a line is body when units labelled body hold half its characters or more. The page's
        main article holds the body, and so does every other article of the page most of whose characters
        the model calls body (``line_model_article_share``; a second article the rules found in the page,
        not menus or teasers they took for one). Each body line goes to the last holder starting before it
        (the first holder for lines before them all), unless a record of kind 'related' (a heading said what it
        is) starts between them after ``page_gap_min_words`` words of the holder's body: that line stays as the
        rules left it. Each holder takes its lines (``_take_block``),
        its title and metadata staying; what it or other records kept between its first and last body line
        and the model does not call body is removed as 'line_model_<label>' (the label the model gave most of
        the line: other, comment, headline). A line a rule of the rules file or the learned boilerplate
        removes stays removed (those rules are certain); a page where the model finds no body keeps the
        rules' decision.

        Chrome the rules took for an article goes (``line_model_drop_chrome``): an article of the page other than
        its holders that the model calls mostly not body, under ``page_gap_min_words`` words, and the main article
        of a page the model calls chrome (mostly not body, under that many words, not one body line) when another
        page of the text has a real article; their lines are removed as 'line_model_<label>'.

        The page model (``linemodel.pages``, on the first pass of ``split_text`` only) reads each page's gaps
        between body lines; where it says another page starts, the line after the gap's last body line is kept
        in ``found_page_starts`` for the second pass."""
        from .linemodel import default_model, line_classes  # cycle: linemodel imports this module
        from .linemodel.pages import gaps, load_page_model, new_page_probabilities, page_model_path  # cycle: as above

        model = default_model(self.opts.line_model_path)
        page_model = (
            load_page_model(str(page_model_path(self.opts.line_model_path)))
            if self.opts.page_model and not self.page_starts
            else None
        )
        view = self.rule_view()
        view_starts = [v[0] for v in view]
        mains = self._page_mains()
        starts = [ln.start for ln in self.lines]
        line_label: dict[int, str] = {}

        def rule_of(p: Piece) -> str:
            return f"line_model_{line_label.get(bisect.bisect_right(starts, p.start) - 1, 'other')}"

        def line_of(pos: int) -> int:
            return bisect.bisect_right(starts, pos) - 1

        # a line can join a body only as a whole body or removed piece (not a title, a byline, half a line)
        whole = {p.start: p for p in self.pieces if p.role in ("body", "removed")}
        first_kept: dict[int, int] = {}
        for p in self.pieces:
            if p.role != "removed" and p.record is not None:
                first_kept[p.record] = min(first_kept.get(p.record, p.start), p.start)

        def body_share(rec: RawRecord) -> float:
            """The share of a record's paragraph characters on lines the model calls body."""
            total = sum(b - a for a, b in rec.paragraph_spans)
            body = sum(b - a for a, b in rec.paragraph_spans if line_label.get(line_of(a)) == "body")
            return body / total if total else 0.0

        min_words = self.opts.page_gap_min_words
        real_page = False  # a page whose main article the model gives min_words words of body
        chrome_mains: list[int] = []  # mains of pages the model calls chrome and gives no body line
        for lo, hi, page in self._page_segments():
            main = mains.get(page)
            if main is None:  # no article on the page: nothing to give the body to
                continue
            decided, shares = line_classes(self.text, self.lines[lo:hi], view, self.rules, model)
            line_label.update(zip(range(lo, hi), decided, strict=True))
            if page_model is not None or self.capture_gaps is not None:
                found = gaps(
                    [ln.text for ln in self.lines[lo:hi]],
                    decided,
                    shares,
                    model.classes,
                    [
                        view[vi][2] if (vi := bisect.bisect_right(view_starts, ln.start) - 1) >= 0 else -1
                        for ln in self.lines[lo:hi]
                    ],
                    [getattr(self.rule_at(k), "effect", None) for k in range(lo, hi)],
                )
                if self.capture_gaps is not None:
                    self.capture_gaps.append((lo, found))
                if page_model is not None and found:
                    probs = new_page_probabilities(page_model, found)
                    threshold = float(page_model.meta.get("threshold", 0.5))
                    self.found_page_starts.update(
                        lo + g.last_body + 1 for g, q in zip(found, probs, strict=True) if q >= threshold
                    )
                    self.unsplit_gaps.update(
                        (lo + g.last_body + 1, float(q)) for g, q in zip(found, probs, strict=True) if q < threshold
                    )
            holders = [main]
            for idx, rec in enumerate(self.records):
                if idx == main or rec.kind != "article" or self.record_page[idx] != page or not rec.paragraphs:
                    continue
                mostly_body = body_share(rec) > self.opts.line_model_article_share
                if mostly_body and rec.body_words >= self.opts.page_gap_min_words:
                    holders.append(idx)
                elif self.opts.line_model_drop_chrome and not mostly_body and rec.body_words < min_words:
                    self._drop_record(idx, rule_of)  # a few lines of chrome the rules took for an article
            main_chrome = body_share(self.records[main]) <= self.opts.line_model_article_share
            holders.sort(key=lambda idx: first_kept.get(idx, 0))
            holder_starts = [first_kept.get(idx, 0) for idx in holders]
            # a related block (a heading said what it is) ends the holder before it: its lines stay its own
            related_starts = sorted(
                first_kept[idx]
                for idx, r in enumerate(self.records)
                if r.kind == "related" and idx in first_kept and self.record_page[idx] == page
            )
            chosen: dict[int, list[tuple[int, int, str, int]]] = {idx: [] for idx in holders}
            body_words = [0] * len(holders)  # words chosen so far, per holder
            words_before: dict[tuple[int, int], int] = {}  # (holder, related block) -> its words before the block
            for k in range(lo, hi):
                ln = self.lines[k]
                if line_label[k] != "body" or self.rule_at(k) is not None or self.is_learned(k):
                    continue
                h = max(bisect.bisect_right(holder_starts, ln.start) - 1, 0)
                r = bisect.bisect_right(related_starts, ln.start) - 1
                if self.opts.line_model_keep_related and r >= 0 and related_starts[r] >= holder_starts[h]:
                    # the holder's body words before the related block: its words so far, the first time a line
                    # after the block is seen (lines come in text order)
                    before = words_before.setdefault((h, r), body_words[h])
                    if before >= self.opts.page_gap_min_words:
                        continue  # after a related block that follows its holder's article
                raw = self.text[ln.start : ln.end]
                lead = len(raw) - len(raw.lstrip())
                a, b = ln.start + lead, ln.start + len(raw.rstrip())
                piece = whole.get(ln.start)
                if piece is None or piece.end < b:
                    continue
                owner = holders[h]
                if ln.text == self.records[owner].title or parse_byline(ln.text, self.rules) is not None:
                    continue  # the headline printed again (a caption, a share box), a byline: not body
                chosen[owner].append((a, b, ln.text, owner))
                body_words[h] += words(ln.text)
            for idx in holders:
                if chosen[idx]:
                    self._take_block(idx, chosen[idx], rule_of)
            if body_words[holders.index(main)] >= min_words:
                real_page = True
            elif main_chrome and body_words[holders.index(main)] == 0 and self.records[main].body_words < min_words:
                chrome_mains.append(main)
        if real_page and self.opts.line_model_drop_chrome:
            for idx in chrome_mains:  # a page of chrome alone (a footer after the page's end) beside a real one
                self._drop_record(idx, rule_of)

    def _is_page(self) -> bool:
        """Whether the text is a web page: enough lines removed as web chrome (not metadata, not credits)."""
        found = Counter(p.rule for p in self.pieces if p.role == "removed" and p.rule in _PAGE_CHROME)
        n = sum(found.values())
        # Short lines printed twice ("Year", a lone dateline) are common in a concatenation of clean
        # stories: alone they do not make a web page; nor do lines learned as the folder's repeats (a
        # folder of earnings stories repeats "Nine mths", "Pay April 30" in many files), nor a few menu-like
        # lines among many stories.
        n_words = sum(words(ln.text) for ln in self.lines)
        dense = n * 1000 >= self.opts.page_min_chrome_per_1000_words * n_words
        by_rules = n - sum(found[r] for r in _REPEATS)
        return n >= self.opts.page_min_chrome_lines and by_rules > 0 and dense

    def _merge_weak_splits(self) -> None:
        """On a web page, join what the line-by-line pass cut out of one article.

        An article opened only on weak evidence (a topic change, a repeated headline + standfirst
        layout: ``SplitOptions.page_weak_splits``) continues the article before it; so does a
        'related' block with no headline that holds a paragraph the classifier finds good (running
        text after a "Related articles" box in the middle of a body; teasers open with their
        headline), and a 'related' block with a headline that holds two good paragraphs right after a
        block that rejoined, three otherwise (the article going on under a caption or a subheading:
        ``_continues``). The headline of a joined record becomes a body paragraph (a subheading, or a
        teaser the classifier then removes); its pieces, paragraphs and metadata move to the article
        it continues.
        """
        target: dict[int, int] = {}
        last_article: int | None = None
        rejoined: set[int] = set()  # related blocks that rejoined their article
        gaps = self._chrome_gaps()
        for idx, rec in enumerate(self.records):
            prev_idx = target.get(idx - 1, idx - 1)
            if rec.kind == "article":
                # (in an explicit segment, one article by definition, every split is weak)
                weak = self.opts.one_article or self.open_reason[idx] in self.opts.page_weak_splits
                if (
                    weak
                    and gaps.get(idx, 0) >= self.opts.page_gap_lines
                    and rec.body_words >= self.opts.page_gap_min_words
                ):
                    weak = False  # another page's article: a page's footer and the next one's header lie between
                if idx and weak and self.records[prev_idx].kind == "article":
                    self._join(idx, prev_idx)
                    target[idx] = prev_idx
                else:
                    last_article = idx
            elif prev_idx == last_article and self._continues(last_article, rec, idx - 1 in rejoined):
                # (only right after the article or what joined it: record extents must not overlap)
                self._join(idx, last_article)
                target[idx] = last_article
                rec.kind = "article"
                rejoined.add(idx)

    def _choose_titles(self) -> None:
        """On web pages, the title model (``corpus_etl.titles``) picks the headline of each page's main article
        (the one with most words; the model was trained on those) among the lines around its body's start:
        often a line the headline test passed over, or not the menu entry or site name it took. The chosen
        line becomes the record's title piece (a line removed as chrome, or the body's first paragraph) when
        it lies after the records before it and no later than the body's start; a title it replaces is
        removed as 'title_rejected'. A line among the body's first lines becomes the title when the body
        before it is a few words of chrome (``_title_inside_body``). Where the model finds none, the title
        stays."""
        from .titles import choose_title, page_index, title_model_path  # cycle: titles imports this module
        from .titles import load_model as load_title_model  # cycle: titles imports this module

        model = load_title_model(str(title_model_path(self.opts.line_model_path)))
        if self._title_index is None:  # (asked twice on a web page: before and after the line model)
            self._title_index = page_index([ln.text for ln in self.lines])
        index = self._title_index
        starts = [ln.start for ln in self.lines]
        first_piece: dict[int, Piece] = {}
        last_kept: dict[int, int] = {}
        for p in self.pieces:
            first_piece.setdefault(p.start, p)
            if p.role != "removed" and p.record is not None:
                last_kept[p.record] = max(last_kept.get(p.record, 0), p.end)
        main_of_page: dict[int, int] = {}  # the model was trained on pages' main articles: only those ask it
        for idx, rec in enumerate(self.records):
            if rec.kind == "article" and rec.paragraph_spans:
                page = self.record_page[idx]
                best = main_of_page.get(page)
                if best is None or rec.body_words > self.records[best].body_words:
                    main_of_page[page] = idx
        mains = set(main_of_page.values())
        titled_line = {
            q.record: bisect.bisect_right(starts, q.start) - 1
            for q in self.pieces
            if q.role == "title" and q.record is not None
        }
        floor = 0
        for idx, rec in enumerate(self.records):
            if idx in mains:
                body_line = bisect.bisect_right(starts, rec.paragraph_spans[0][0]) - 1
                if self.opts.title_model_skip_adjacent and titled_line.get(idx) == body_line - 1:
                    floor = max(floor, last_kept.get(idx, 0))
                    continue  # a headline right over its body: the headline test's title stands
                first_line = bisect.bisect_left(starts, floor)
                if self._titles_asked.get(idx) == (body_line, first_line):
                    floor = max(floor, last_kept.get(idx, 0))
                    continue  # asked already, about the same lines (choose_title is a pure function of them)
                self._titles_asked[idx] = (body_line, first_line)
                choice = choose_title(self.text, self.lines, body_line, self.rules, self.opts, model, first_line, index)
                if choice is not None and self.lines[choice.line].start >= floor:
                    if choice.line <= body_line:
                        self._retitle(idx, choice.line, choice.title, first_piece)
                    else:
                        self._title_inside_body(idx, choice.line, choice.title, first_piece)
            floor = max(floor, last_kept.get(idx, 0))

    def _title_inside_body(self, idx: int, line: int, title: str, first_piece: dict[int, Piece]) -> None:
        """The title model's headline lies in the body of record ``idx``, after its first lines ("Keep me logged
        in", a date line, "You are here: Home / ..."): when those lines hold at most
        ``SplitOptions.title_inside_body_max_words`` words, they are removed as 'pre_title_chrome' and the line
        becomes the title (through ``_retitle``, as the body's first paragraph)."""
        rec, ln = self.records[idx], self.lines[line]
        p = first_piece.get(ln.start)
        if p is None or p.role != "body" or p.record != idx or p.end != ln.end:
            return
        k = next((j for j, (a, _) in enumerate(rec.paragraph_spans) if a >= p.start), None)
        if not k or sum(words(t) for t in rec.paragraphs[:k]) > self.opts.title_inside_body_max_words:
            return
        if _LIST_ITEM.match(title) or parse_byline(title, self.rules) is not None:
            return  # (what _retitle refuses: leave the body as it is)
        before = {a for a, _ in rec.paragraph_spans[:k]}
        for q in self.pieces:
            if q.record == idx and q.role == "body" and q.start < p.start and (q.start in before or q.end <= p.start):
                q.role, q.rule, q.record = "removed", "pre_title_chrome", None
        rec.body_words -= sum(words(t) for t in rec.paragraphs[:k])
        del rec.paragraphs[:k], rec.paragraph_spans[:k]
        self._retitle(idx, line, title, first_piece)

    def _retitle(self, idx: int, line: int, title: str, first_piece: dict[int, Piece]) -> None:
        rec, ln = self.records[idx], self.lines[line]
        p = first_piece.get(ln.start)
        if p is None or p.end != ln.end:
            return  # (a line cut in two by a rule: left as it is)
        if p.role == "removed" and self.rule_at(line) is not None:
            return  # a line a rule of the rules file removes ("Share on Facebook") is never a title
        if _LIST_ITEM.match(title) or parse_byline(title, self.rules) is not None:
            return  # nor is an item of a list ("* Read all of our series here") or a byline
        old = next((q for q in self.pieces if q.record == idx and q.role == "title"), None)
        if p is old:
            rec.title = title
            return
        # a headline that opened a record with no body before this one (its body went to this record) moves here
        owner = p.record
        empty_before = owner is not None and owner < idx and not self.records[owner].paragraph_spans
        if p.role == "body" and p.record == idx and rec.paragraph_spans and rec.paragraph_spans[0][0] >= p.start:
            rec.body_words -= words(rec.paragraphs[0])
            del rec.paragraphs[0], rec.paragraph_spans[0]
        elif empty_before and owner is not None and p.role in ("removed", "title"):
            if p.role == "title":
                self.records[owner].title = None
        elif p.role != "removed" or p.record not in (None, idx):
            return
        if old is not None:
            old.role, old.rule = "removed", "title_rejected"
        p.role, p.rule, p.record = "title", None, idx
        rec.title = title

    def _chrome_gaps(self) -> dict[int, int]:
        """Per record (by index, from the second): the lines removed between the end of the record before
        it and its own first kept line (a page's footer and the next page's header, between two pages)."""
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        removed: list[int] = []
        for p in self.pieces:
            if p.role == "removed":
                removed.append(p.start)
            elif p.record is not None:
                first[p.record] = min(first.get(p.record, p.start), p.start)
                last[p.record] = max(last.get(p.record, p.end), p.end)
        removed.sort()
        out: dict[int, int] = {}
        for idx in range(1, len(self.records)):
            if idx in first and idx - 1 in last:
                out[idx] = bisect.bisect_left(removed, first[idx]) - bisect.bisect_left(removed, last[idx - 1])
        return out

    def _continues(self, article: int, rec: RawRecord, after_rejoined: bool = False) -> bool:
        """Whether the classifier, reading ``rec`` right after the article's body, finds enough good text
        in it: one good paragraph for a block with no headline; for a block with one (a teaser is a
        headline and a summary of a paragraph or two), ``SplitOptions.related_rejoin_good`` right after a
        block that rejoined (the article going on under a caption after a box of links), one more
        otherwise."""
        before = self.records[article].paragraphs
        n_good = self._classes(before + rec.paragraphs)[len(before) :].count("good")
        if rec.title is None:
            return n_good >= 1
        return n_good >= self.opts.related_rejoin_good + (not after_rejoined)

    def _join(self, idx: int, into: int) -> None:
        rec, prev = self.records[idx], self.records[into]
        title_spans: list[tuple[int, int]] = []
        for p in self.pieces:
            if p.record == idx:
                p.record = into
                if p.role == "title":
                    p.role = "body"
                    raw = self.text[p.start : p.end]
                    lead = len(raw) - len(raw.lstrip())
                    title_spans.append((p.start + lead, p.start + len(raw.rstrip())))
        if rec.title and title_spans:
            prev.paragraphs.append(rec.title)
            prev.paragraph_spans.append(title_spans[0])
            prev.body_words += words(rec.title)
        prev.paragraphs.extend(rec.paragraphs)
        prev.paragraph_spans.extend(rec.paragraph_spans)
        prev.body_words += rec.body_words
        prev.authors.extend(a for a in rec.authors if a not in prev.authors)
        prev.tags.extend(t for t in rec.tags if t not in prev.tags)
        prev.outlet = prev.outlet or rec.outlet
        prev.published = prev.published or rec.published
        rec.paragraphs, rec.paragraph_spans, rec.title, rec.body_words = [], [], None, 0
        rec.authors, rec.tags = [], []

    def _stoplist(self) -> frozenset[str] | None:
        """The stopwords of the text's language (chosen once from all its paragraphs), or None."""
        if self.stops is None:
            name = choose_stoplist([p for r in self.records for p in r.paragraphs], self.para_opts)
            self.stops = stoplist(name) if name else frozenset()
        return self.stops or None

    def _classes(self, paragraphs: list[str], chrome: list[bool] | None = None) -> list[str]:
        """The paragraph classifier's 'good' / 'bad' for paragraphs of this text."""
        return classify(paragraphs, self._stoplist(), self.para_opts, chrome, self._initial_classes)

    def _link_chrome(self, p: Piece) -> bool:
        """A removed piece that is link-like chrome: a menu, share row, teaser link, or a short line
        repeated on the page (a long repeated line is more often a photo caption)."""
        if p.rule == "repeated_line":
            return words(self.text[p.start : p.end]) <= self.opts.repeated_line_max_words
        return p.rule in _LINK_CHROME

    def _chrome_starts(self, pieces: list[Piece]) -> list[int]:
        """Sorted start offsets of the link-like chrome lines (``_link_chrome``) among ``pieces``."""
        return sorted(p.start for p in pieces if p.role == "removed" and self._link_chrome(p))

    def _classes_in_context(self, rec: RawRecord, pieces: list[Piece]) -> list[str]:
        """The classifier's classes of ``rec``'s paragraphs, read with the link-like chrome lines removed
        between them (``_link_chrome``) in place as bad paragraphs, as jusText sees them in the HTML."""
        return self._context_classes(rec.paragraphs, rec.paragraph_spans, self._chrome_starts(pieces))

    def _context_classes(
        self, paragraphs: list[str], spans: list[tuple[int, int]], chrome_starts: list[int]
    ) -> list[str]:
        """The classes of ``paragraphs`` (in text order, at ``spans``) with a bad paragraph in place of each
        run of chrome lines (``chrome_starts``) before, between and after them."""
        if not chrome_starts:
            return self._classes(paragraphs)
        seq: list[str] = []
        is_chrome: list[bool] = []
        where: list[int] = []  # position of each paragraph in the sequence
        c = 0
        for para, (a, _) in zip(paragraphs, spans, strict=True):
            if c < len(chrome_starts) and chrome_starts[c] < a:
                seq.append("")
                is_chrome.append(True)
                while c < len(chrome_starts) and chrome_starts[c] < a:  # a run of chrome lines counts once
                    c += 1
            where.append(len(seq))
            seq.append(para)
            is_chrome.append(False)
        if c < len(chrome_starts):
            seq.append("")
            is_chrome.append(True)
        classes = self._classes(seq, is_chrome)
        return [classes[k] for k in where]

    def _good_blocks(
        self, classes: list[str], good: list[int], spans: list[tuple[int, int]], chrome: list[int]
    ) -> list[list[int]]:
        """The good paragraphs (indices ``good``) grouped into blocks: a new block starts after a gap of at
        least ``SplitOptions.block_gap`` bad paragraphs or link-like chrome lines (``chrome``: their starts)."""
        blocks: list[list[int]] = [[good[0]]]
        for a, b in pairwise(good):
            n_bad = sum(1 for k in range(a + 1, b) if classes[k] == "bad")
            n_chrome = bisect.bisect_left(chrome, spans[b][0]) - bisect.bisect_left(chrome, spans[a][1])
            if n_bad + n_chrome >= self.opts.block_gap:
                blocks.append([])
            blocks[-1].append(b)
        return blocks

    def _off_main_block(
        self, rec: RawRecord, classes: list[str], good: list[int], pieces: list[Piece]
    ) -> dict[int, str]:
        """Paragraphs of good blocks far from the body's main block, to be removed, with the rule removing
        them: 'off_main_block', or 'teaser_list' for a teaser list after the article (``_teaser_blocks``).

        The good paragraphs fall into blocks separated by gaps of at least ``SplitOptions.block_gap``
        bad paragraphs or link-like chrome lines (a teaser list, a footer). The block with the most good
        text is the article (boilerpipe's and trafilatura's densest block); a block holding less than
        ``block_keep_share`` of that text and fewer than ``block_keep_paragraphs`` good paragraphs, on
        the far side of such a gap, is a teaser summary or a promo text of the page, not the article's
        continuation (a longer one is a part of the article after a widget, kept).
        """
        chrome = self._chrome_starts(pieces)
        blocks = self._good_blocks(classes, good, rec.paragraph_spans, chrome)
        if len(blocks) == 1:
            return {}
        mass = [sum(len(rec.paragraphs[k]) for k in blk) for blk in blocks]
        main = max(mass)
        teasers = self._teaser_blocks(rec, blocks, chrome)
        out: list[int] = []
        off_mass = 0
        for b, (blk, m) in enumerate(zip(blocks, mass, strict=True)):
            small = m < self.opts.block_keep_share * main and len(blk) < self.opts.block_keep_paragraphs
            if small and b not in teasers:
                out.extend(range(blk[0], blk[-1] + 1))
                off_mass += m
        # A safety net: small blocks that together outweigh the main block are no teasers around an
        # article but one text cut up by inline links or widgets: nothing is removed.
        cut = dict.fromkeys(out, "off_main_block") if off_mass <= self.opts.block_off_max_share * main else {}
        for b in teasers:
            cut.update(dict.fromkeys(range(blocks[b][0], blocks[b][-1] + 1), "teaser_list"))
        return cut

    def _teaser_blocks(self, rec: RawRecord, blocks: list[list[int]], chrome: list[int]) -> set[int]:
        """Indices of the good blocks that are a teaser list after the article.

        A block is laid out as a teaser list when two or more of its paragraphs are running text (good or
        near-good on their own) and each sits right under a short line or a link-like chrome line (a
        headline, a byline, a timestamp), none right after another. The article's block is the block not
        so laid out that holds the most text the classifier finds good on its own (not through its
        neighbours); a teaser-list block after it on another topic (word overlap under
        ``SplitOptions.same_topic_similarity``) is teasers, however long it is (teasers can outweigh a
        short article). An article going on after a widget has paragraphs in a row or shares the article's
        words; a list article (a headline and a paragraph per item) has no block with paragraphs in a row
        before its items, or shares its words.
        """
        initial = [self._initial_class(p) for p in rec.paragraphs]
        spans = rec.paragraph_spans

        def teaser_layout(blk: list[int]) -> bool:
            prose = [k for k in range(blk[0], blk[-1] + 1) if initial[k] in ("good", "neargood")]
            return len(prose) >= 2 and not any(
                k > 0
                and initial[k - 1] in ("good", "neargood")
                and bisect.bisect_left(chrome, spans[k - 1][1]) == bisect.bisect_left(chrome, spans[k][0])
                for k in prose
            )

        layout = [teaser_layout(blk) for blk in blocks]
        if all(layout) or not any(layout):
            return set()
        dense = [sum(len(rec.paragraphs[k]) for k in blk if initial[k] == "good") for blk in blocks]
        ref = max((b for b in range(len(blocks)) if not layout[b]), key=lambda b: (dense[b], len(blocks[b])))
        ref_topic = topic_vector(" ".join(rec.paragraphs[k] for k in blocks[ref]))
        out: set[int] = set()
        for b in range(ref + 1, len(blocks)):
            if layout[b]:
                topic = topic_vector(" ".join(rec.paragraphs[k] for k in blocks[b]))
                if cosine(topic, ref_topic) < self.opts.same_topic_similarity:
                    out.add(b)
        return out

    def _initial_class(self, paragraph: str) -> str:
        """The classifier's context-free class of a paragraph of this text (cached)."""
        cls = self._initial_classes.get(paragraph)
        if cls is None:
            cls = self._initial_classes[paragraph] = initial_class(paragraph, self._stoplist(), self.para_opts)
        return cls

    def _classify_body(self, rec: RawRecord, drop: dict[int, str], pieces: list[Piece]) -> None:
        """Mark for removal the paragraphs of a web page's article that the paragraph classifier finds bad:
        everything before its first and after its last good paragraph ('low_content_edge'), and runs of
        bad paragraphs inside it ('low_content_run'). A body with no good paragraph is left alone."""
        classes = self._classes_in_context(rec, pieces)
        good = [k for k, c in enumerate(classes) if c == "good"]
        if not good:
            return
        for k, rule in self._off_main_block(rec, classes, good, pieces).items():
            drop.setdefault(k, rule)
            classes[k] = "bad"
        good = [k for k in good if classes[k] == "good"]
        if not good:
            return
        lede = good[0] - 1  # a sentence opening with a dateline right before the body is its lede
        if lede >= 0 and is_prose(rec.paragraphs[lede]) and self.rules.dateline.match(rec.paragraphs[lede]):
            classes[lede] = "good"
            good.insert(0, lede)
        for k in [*range(good[0]), *range(good[-1] + 1, len(classes))]:
            drop.setdefault(k, "low_content_edge")
        k = good[0]
        while k < good[-1]:
            if classes[k] == "bad":
                run_end = k
                while classes[run_end] == "bad":
                    run_end += 1
                # a lone bad paragraph may be a quote or a subheading; a run that is mostly rows of figures
                # is a table in the body (statistics, results), content
                rows = sum(1 for j in range(k, run_end) if is_table_row(rec.paragraphs[j]))
                if run_end - k >= self.opts.weak_run_min and not (rows >= 2 and 2 * rows >= run_end - k):
                    for j in range(k, run_end):
                        drop.setdefault(j, "low_content_run")
                k = run_end
            else:
                k += 1

    def _finish(self) -> SplitResult:
        self.page = self._is_page()
        if self.page or self.opts.one_article:  # (an explicit segment is one article: its related blocks rejoin too)
            self._merge_weak_splits()
        else:
            self._long_related_are_articles()
        self._trim_edges()
        if self.page:
            self._demote_untitled()
            if self.opts.paragraph_classifier:
                self._recall_fallback()
            if self.opts.title_model:
                self._choose_titles()
            if self.opts.line_model:
                self._line_model_bodies()
            if not self.capture_view:  # (the line model's training reads the rules' view, as it reads it)
                self._restore_dated_briefs()
            if self.opts.line_model and self.opts.title_model:  # again, around the bodies the model chose
                self._choose_titles()  # (dragnet titles +0.018)
        if self.opts.one_article:
            self._untitle_lone_headlines()
        if self.capture_view:
            self.view = self.rule_view()
        text_len = len(self.text)
        # Records with nothing but metadata are not records: their lines become removed spans. So is, on a web
        # page, a headline left with no body ("Terms of service | Privacy | ...", "Powered by WordPress.com VIP" over
        # a footer the classifiers removed): a headline with no body is an article only in a text of stories.
        keep_idx: dict[int, int] = {}
        for idx, rec in enumerate(self.records):
            if rec.paragraphs or (rec.title and rec.kind == "article" and not self.page):
                keep_idx[idx] = len(keep_idx)
            elif rec.title:  # a teaser headline with nothing under it
                self._demote_title(idx, "title_without_body" if rec.kind == "article" else "related_link")
        records = [self.records[i] for i in sorted(keep_idx)]
        pieces = sorted(self.pieces, key=lambda p: p.start)
        for p in pieces:
            if p.record is not None and p.record not in keep_idx:
                if p.role != "removed":
                    p.role, p.rule = "removed", f"orphan_{p.role}"
                p.record = None
            elif p.record is not None:
                p.record = keep_idx[p.record]
        # Extents: each record from its first to its last kept piece.
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for p in pieces:
            if p.role != "removed" and p.record is not None:
                first.setdefault(p.record, p.start)
                last[p.record] = p.end
        # Removed pieces outside every extent belong to no record.
        bounds = sorted((first[r], last[r], r) for r in first)
        bound_starts = [b[0] for b in bounds]  # extents do not overlap: the last one starting before holds it
        for p in pieces:
            if p.role == "removed":
                j = bisect.bisect_right(bound_starts, p.start) - 1
                p.record = bounds[j][2] if j >= 0 and p.end <= bounds[j][1] else None
        # Stretch spans over the whitespace between them so that everything is covered.
        top: list[tuple[int, int, int | None, Piece | None]] = []  # top-level spans in order
        for s, e, r in bounds:
            top.append((s, e, r, None))
        for p in pieces:
            if p.role == "removed" and p.record is None:
                top.append((p.start, p.end, None, p))
        top.sort(key=lambda t: t[0])
        removed: list[RemovedSpan] = []
        prev_end = 0
        extents: dict[int, list[int]] = {}
        for k, (span_start, _, rec_idx, piece) in enumerate(top):
            s = prev_end if k == 0 else span_start
            e = top[k + 1][0] if k + 1 < len(top) else text_len  # absorb the whitespace up to the next span
            if rec_idx is not None:
                extents[rec_idx] = [s, e]
            else:
                assert piece is not None and piece.rule is not None
                removed.append(RemovedSpan(s, e, piece.rule, None))
            prev_end = e
        if not top and text_len:
            removed.append(RemovedSpan(0, text_len, "whitespace", None))
        for p in pieces:
            if p.role == "removed" and p.record is not None:
                assert p.rule is not None
                removed.append(RemovedSpan(p.start, p.end, p.rule, p.record))
        for r, (s, e) in extents.items():
            records[r].char_start, records[r].char_end = s, e
        removed.sort(key=lambda x: (x.start, x.end))
        return SplitResult(records, _merge_adjacent(removed), text_len, self.lines)


# Removed lines of menus and link lists (shared by the two sets below).
_MENU_CHROME = frozenset(
    [
        "skip_link",
        "link_list",
        "svg_title",
        "share_row",
        "navigation",
        "navigation_list",
        "read_more_link",
        "learned_repeat",
        "relative_time",
        "video_link",
    ]
)
# Rules whose lines mark a text as a web page (see SplitOptions.page_min_chrome_lines).
_PAGE_CHROME = _MENU_CHROME | {
    "copyright",
    "legal_notice",
    "contact_line",
    "advertisement",
    "comments_heading",
    "read_more",
    "staff_footer",
    "affiliate_notice",
    "cookie_notice",
    "related_heading",
    "repeated_line",
}
# Lines removed for repeating (in the text, or across the folder's files): alone no evidence of a web page.
_REPEATS = frozenset(["repeated_line", "learned_repeat"])
# Removed lines of text the rules found weak (rule_view's group 'removed_low_content').
_LOW_CONTENT = frozenset(
    [
        "low_content_edge",
        "low_content_run",
        "off_main_block",
        "teaser_list",
        "inner_chrome",
        "navigation_block",
        "recall_fallback",
        "pre_title_chrome",
    ]
)


# A wire dateline that states the day ("EAST RUTHERFORD, N.J., March 17", "LONDON, March 25 (Reuters)"); a page's
# "RSS —", "TWO-DAY SALE!" or "LONDON —" match the dateline pattern too.
_DATED = re.compile(r"[A-Za-z.]\s\d{1,2}(?:\s*\([^)]*\))?$")


def _soft_removal(rule: str) -> bool:
    """Whether a line removed for ``rule`` was removed by a judgement of its content (weak text, the line
    model's label, a rejected title), not for what a rule recognises it to be."""
    return rule in _LOW_CONTENT or rule.startswith("line_model_") or rule in ("title_rejected", "low_content_block")


# Groups of _Splitter.rule_view: what the rules made of a piece of a web page (the line model's features).
RULE_VIEW_GROUPS = (
    "main_body",
    "main_title",
    "main_meta",
    "article_body",
    "related",
    "other_kept",
    "removed_menu",
    "removed_low_content",
    "removed_comment",
    "removed_other",
)
_VIEW_INDEX = {g: k for k, g in enumerate(RULE_VIEW_GROUPS)}
# Removed lines that are link-like web chrome: the paragraph classifier reads them as bad paragraphs
# (short repeated lines too, see _Splitter._link_chrome).
_LINK_CHROME = _MENU_CHROME | {"related_link", "date_line"}


def _merge_adjacent(spans: list[RemovedSpan]) -> list[RemovedSpan]:
    out: list[RemovedSpan] = []
    for sp in spans:
        if out and out[-1].end == sp.start and out[-1].rule == sp.rule and out[-1].record == sp.record:
            out[-1].end = sp.end
        else:
            out.append(sp)
    return out


def split_text(
    text: str, rules: Rules, opts: SplitOptions | None = None, learned: frozenset[str] = frozenset()
) -> SplitResult:
    """Split a plain-text source into records and removed spans.

    Args:
        text: the decoded source text.
        rules: compiled rules (``rules.load_rules()``).
        opts: splitter options.
        learned: hashes (``corpus_etl.learned.line_hash``) of the lines learned as boilerplate of the
            file's outlet; such a line is removed with rule 'learned_repeat'.

    Returns:
        The records in text order (``char_start``/``char_end`` set) and the removed spans; record
        extents plus top-level removed spans partition ``[0, len(text))``.

    On a web page where the page model finds a second page inside what the rules read as one (glued pages), the
    text is split a second time with a page starting at each line it found (one extra pass, never more).
    """
    opts = opts or SplitOptions()
    sp = _Splitter(text, rules, opts, learned)
    result = sp.run()
    if sp.found_page_starts:  # the page model found pages inside a page: split again with them as page starts
        result = _Splitter(text, rules, opts, learned, frozenset(sp.found_page_starts)).run()
    result.page_gap_probs = [(sp.lines[i].start, q) for i, q in sorted(sp.unsplit_gaps.items()) if i < len(sp.lines)]
    return result


def rule_view_of(
    text: str, rules: Rules, opts: SplitOptions | None = None, learned: frozenset[str] = frozenset()
) -> tuple[SplitResult, list[tuple[int, int, int]]]:
    """The split of ``text`` by the rules alone (no line model) and its ``_Splitter.rule_view`` (what the line
    model reads; its training calls this)."""
    sp = _Splitter(text, rules, replace(opts or SplitOptions(), line_model=False), learned)
    sp.capture_view = True
    result = sp.run()
    return result, sp.view


def page_gaps_of(
    text: str, rules: Rules, opts: SplitOptions | None = None
) -> tuple[list[Line], list[tuple[int, list[Any]]]]:
    """The logical lines of ``text`` and the gaps (``linemodel.pages.Gap``) the page model reads on each page the
    splitter hands the line model, as ``(first line of the page, gaps)`` (the page model's training calls this;
    the page model itself is not asked)."""
    sp = _Splitter(text, rules, replace(opts or SplitOptions(), page_model=False))
    sp.capture_gaps = []
    sp.run()
    return sp.lines, sp.capture_gaps


def check_coverage(result: SplitResult) -> list[str]:
    """Problems with a split's accounting (empty when every character is covered exactly once)."""
    problems: list[str] = []
    top = sorted(
        [(r.char_start, r.char_end, f"record {i}") for i, r in enumerate(result.records)]
        + [(s.start, s.end, f"removed {s.rule}") for s in result.removed if s.record is None]
    )
    pos = 0
    for s, e, what in top:
        if s != pos:
            problems.append(f"{what} starts at {s}, expected {pos}")
        if e < s:
            problems.append(f"{what} ends before it starts ({s}, {e})")
        pos = max(pos, e)
    if pos != result.text_length:
        problems.append(f"spans end at {pos}, text has {result.text_length} characters")
    for sp in result.removed:
        if sp.record is not None:
            rec = result.records[sp.record]
            if not (rec.char_start <= sp.start <= sp.end <= rec.char_end):
                problems.append(f"removed {sp.rule} {sp.start}-{sp.end} outside record {sp.record}")
    return problems
