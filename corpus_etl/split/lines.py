"""Logical lines and the line tests: what the splitter knows of one line of text on its own.

``logical_lines`` cuts a text into non-blank logical lines (a hard-wrapped paragraph is one line); the tests
say whether a line reads as a headline, running text, a standfirst, a table row, a navigation row; the parsers
read a byline, a tag line, a date line. Pure functions of a line (and the rules file), no state of a split.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from ..normalize import normalize_inline
from ..rules import Rules

if TYPE_CHECKING:
    from .options import SplitOptions

_SENTENCE_END = re.compile(r"[.!?…。！？]['\"’”»)\]」』]*$")
_INNER_SENTENCE = re.compile(r"[.!?]['\"’”]?\s+[A-Z“\"‘]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_INNER_QUESTION = re.compile(r"[?!]['\"’”)]?\s+[A-Z“\"‘]")  # a question or exclamation before another sentence
_HEADLINE_BAD_END = re.compile(r"[.!?;:,…]['\"’”»)\]]*$")
_WORD = re.compile(r"\w+")
_NAV_SEPARATORS = re.compile(r"\s[/|•·»›>]\s")
_INNER_BULLET = re.compile(r"\s[*+▪►▼]\s")  # a list's bullet inside a line: its items flattened onto one line
# a blog's archive list flattened onto one line: "November (5) October (18) ...", "November 2012 October 2012 ..."
_ARCHIVE_RUN = re.compile(
    r"(?:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?\s++(?:\d{4}\s*+\(\d+\)|\d{4}|\(\d+\))\s*+){4,}+"
    # ... or of any entries with a count, in any language ("+ Novembro (113) + Outubro (217)", "Politics (12)")
    r"|(?:(?:[*+•▪►▼o]\s++)?+[^\W\d_][\w'’.&-]*+(?:\s[^\W\d_][\w'’.&-]*+){0,2}+\s*+\(\d+\)\s*+){4,}+",
    re.IGNORECASE,
)
# each entry of such a run holds a count "(5)" or a year: a line with fewer than four is no archive list (a cheap test
# before the run's pattern, which tries every letter of a line: 13 µs a line on average)
_ARCHIVE_FIGURE = re.compile(r"\(\d+\)|\d{4}")
_NESTED_BULLET = re.compile(r"(?<=\s)o(?=\s+[A-Z0-9])")  # a nested list's "o" bullet before an item


@dataclass(slots=True)
class Line:
    """A logical line: ``[start, end)`` in the text (``end`` includes its newline) and its clean text."""

    start: int
    end: int
    text: str
    block: int  # index of the blank-line-separated block it belongs to


def logical_lines(text: str) -> list[Line]:
    """Cut ``text`` into non-blank logical lines; blank lines and form feeds start a new block.

    A physical line ends at ``\n`` (a ``\r`` before it is part of the line) or after a form feed. A
    block whose lines look hard-wrapped (``_hard_wrapped``: every line but the last 30-100 characters long,
    none ending a sentence early) becomes one logical line; a line that opens a copyright footer is never
    joined to the lines above it (``_footer_cut``).
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
    alone = len(blocks) == 1
    blocks = [piece for whole in blocks for piece in _unspaced(whole, alone)]
    width = _wrap_width(blocks)
    lines: list[Line] = []
    for block, whole in enumerate(blocks):
        for phys in _footer_cut(whole):
            if len(phys) == 1:  # most blocks: one paragraph on one line
                start, end, clean = phys[0]
                lines.append(Line(start, end, clean, block))
            elif _hard_wrapped([c[2] for c in phys], width):
                lines.append(Line(phys[0][0], phys[-1][1], " ".join(c[2] for c in phys), block))
            else:
                runs = _paragraph_runs(phys, width)
                # paragraphs, not a list or a menu (a short last line may close the story: a wire's "REUTER" sign-off)
                ends = runs[:-1] if len(runs) > 1 and len(runs[-1]) == 1 and len(runs[-1][0][2]) < _WRAP_MIN else runs
                prose = all(_SENTENCE_END.search(run[-1][2]) for run in ends)
                for run in runs:
                    if prose and len(run) > 1 and _hard_wrapped([c[2] for c in run], width):
                        lines.append(Line(run[0][0], run[-1][1], " ".join(c[2] for c in run), block))
                    else:
                        lines.extend(Line(s, e, t, block) for s, e, t in run)
    return lines


def _paragraph_runs(phys: list[tuple[int, int, str]], width: int | None) -> list[list[tuple[int, int, str]]]:
    """A block's physical lines cut after each line that ends a paragraph, in a text hard-wrapped at ``width``:
    a line that ends a sentence with room left for the next line's first word, or one shorter than a wrapped
    line; and before each line that opens a list item. Paragraphs printed with no blank line between them (a wire
    story's "... every Wickes share." over "Wickes was last quoted at 345p compared with 275p at Friday's" /
    "close.") are then each one logical line (``logical_lines`` joins the runs that read as wrapped when every
    run of the block ends a sentence: a list's items or a menu's are never joined). Without a width (a text that
    is not hard-wrapped) the block is one run."""
    if width is None or len(phys) < 3:
        return [phys]
    runs: list[list[tuple[int, int, str]]] = [[]]
    for k, c in enumerate(phys):
        runs[-1].append(c)
        if k + 1 < len(phys):
            t, nxt = c[2], phys[k + 1][2]
            room = len(t) + 1 + len(nxt.split(" ", 1)[0]) <= width
            if len(t) < _WRAP_MIN or (room and _SENTENCE_END.search(t)) or _opens_item(nxt):
                runs.append([])
    return runs


def _opens_item(text: str) -> bool:
    """Whether a line opens a list item: a bullet ("* ", "+ ", "- ") or a number ("1. ", "2) ")."""
    return LIST_BULLET.match(text) is not None or NUMBERED_ITEM.match(text) is not None


def _footer_cut(phys: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    """A block's physical lines cut before each line (not the first) that opens a site's footer (``is_footer_title``:
    "©2012 Sugar Inc. · ...", "Copyright 2012 ..."): a footer printed right under a list of links with no
    blank line ends the page there, and is never joined into the list as one hard-wrapped line. (Wrapped
    prose does not open a line with a copyright sign.)"""
    if len(phys) == 1:
        return [phys]
    # (not a lower-case opening: a wrapped sentence may go on with "copyright 2012 filings ..." on its next line)
    cuts = [k for k in range(1, len(phys)) if is_footer_title(phys[k][2]) and not phys[k][2][:1].islower()]
    if not cuts:
        return [phys]
    edges = [0, *cuts, len(phys)]
    return [phys[a:b] for a, b in pairwise(edges)]


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


def _unspaced(phys: list[tuple[int, int, str]], alone: bool) -> list[list[tuple[int, int, str]]]:
    """A block as a renderer that separates blocks would have printed it: a block a line when it was saved with no
    blank line between its paragraphs (the text's only block; or a web page's: two paragraphs in a row and eight
    short lines or more, a scraper's ``get_text("\\n")`` saved a page to a file, the files then joined by blank
    lines; not a story's paragraphs under its headline, stories joined by blank lines), else the block as it is.
    Never a hard-wrapped block (``_mostly_wrapped``: its lines are pieces of paragraphs). The line, page and
    boundary models learned from pages with blank lines between blocks."""
    if len(phys) < 2 or _mostly_wrapped(phys):
        return [phys]
    short = sum(1 for c in phys if len(c[2]) < 40)
    if alone or (short >= 8 and any(_paragraph(a[2]) and _paragraph(b[2]) for a, b in pairwise(phys))):
        return [[c] for c in phys]
    return [phys]


def _paragraph(text: str) -> bool:
    """A line that reads as a paragraph of its own: 150 characters or more, ending a sentence, no list item."""
    return len(text) >= 150 and _SENTENCE_END.search(text) is not None and not _opens_item(text)


def _mostly_wrapped(phys: list[tuple[int, int, str]]) -> bool:
    """Whether most physical lines of a block (all but its last) are 30-100 characters long and end no sentence:
    a hard-wrapped text, whose lines are pieces of paragraphs, not paragraphs."""
    body = [c[2] for c in phys[:-1]]
    wrapped = sum(1 for t in body if _WRAP_MIN <= len(t) <= _WRAP_MAX and not _SENTENCE_END.search(t))
    return wrapped > len(body) // 2


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
LIST_BULLET = re.compile(r"[*+•·▪►-]\s")  # a list bullet opening a line ("+ A Faster Way to Message on Mobile")
NUMBERED_ITEM = re.compile(r"^(?:\d{1,2}|[ivx]{1,4})[.)]\s")  # a numbered list item's number: "1. ", "ii) "
# a match result between two capitalised names: "Clyde 0-5 Celtic", "Ireland 17-12 South Africa" (a sports
# headline, not a row of figures; 21 of the 2,225 BBC stories in ../shared open with one, no Reuters line is one)
_SCORE_LINE = re.compile(
    r"[A-Z][\w.'’&-]*(?: [A-Z][\w.'’&-]*){0,3} \d{1,3}-\d{1,3} [A-Z][\w.'’&-]*(?: [A-Z][\w.'’&-]*){0,3}"
)


def is_headline(text: str, opts: SplitOptions) -> bool:
    """A line that could be a headline: a few words, capitalised, not ending like a sentence.

    A question mark may end a headline (one question: not after another sentence, not doubled); a full stop only an
    all-capitals one ("... OF T.E.A.M.").
    Not headlines: lines ending in a function word (a wrapped line; all capitals may), rows of figures (tables;
    a match result between two names is a headline: "Clyde 0-5 Celtic"), numbered section headings ("1. Ditch the
    diet"), links.
    """
    n = words(text)
    if not (opts.headline_min_words <= n <= opts.headline_max_words) or len(text) > 250:
        return False
    if _HEADLINE_BAD_END.search(text) and not text.endswith("?") and not (text.endswith(".") and text.isupper()):
        return False
    # a headline asks one question, once: "... (mobile or otherwise)? What about radios and TVs?" or "... pie maker??"
    # is a reader's comment
    if text.endswith("?") and (text.endswith("??") or _INNER_QUESTION.search(text)):
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
    ) and not _SCORE_LINE.fullmatch(text):
        return False
    if NUMBERED_ITEM.match(text):
        return False
    return "http" not in text and "@" not in text and "www." not in text


@lru_cache(maxsize=4096)
def is_prose(text: str) -> bool:
    """A line that reads as running text: it ends a sentence, or it is long (remembered for the last 4,096
    texts, as ``words``)."""
    return bool(_SENTENCE_END.search(text)) or words(text) >= 30


_TOPIC_WORD = re.compile(r"[^\W\d_]{5,}")
LONG_WORD = re.compile(r"[^\W\d_]{4,}")
"""A longer word: four letters or more, no digit (what a headline shares with its article: ``passes.heads``; a
record's topic: ``linemodel.records``)."""


def topic_vector(text: str) -> Counter[str]:
    """Counts of the longer words of a text (5+ letters, lower-cased): a cheap topic fingerprint."""
    return Counter(w.casefold() for w in _TOPIC_WORD.findall(text))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine similarity of two word-count vectors (0 when either is empty)."""
    return cosine_with_squares(a, b, squares(a), squares(b))


def squares(a: Counter[str]) -> int:
    """The squared norm of a word-count vector (``cosine_with_squares`` reads it)."""
    return sum(v * v for v in a.values())


def cosine_with_squares(a: Counter[str], b: Counter[str], square_a: int, square_b: int) -> float:
    """``cosine(a, b)`` given their squared norms (``squares``), for a vector compared with many: the same float."""
    if len(a) > len(b):
        a, b = b, a
    num = sum(v * b[k] for k, v in a.items() if k in b)
    den = math.sqrt(square_a * square_b)
    return num / den if den else 0.0


_FIGURE_TOKEN = re.compile(r"(?<!\S)[^\s\d]*\d")  # a token holding a digit (matched once, from its start)


def has_figure(text: str) -> bool:
    """Whether ``text`` holds a digit (a row of figures, "Pay April 30", is content, not a menu line)."""
    return any(c.isdigit() for c in text)


def _figures(text: str, least: int, share: int) -> bool:
    """At least ``least`` tokens holding digits, and 1/``share`` of the line's tokens or more."""
    n = len(_FIGURE_TOKEN.findall(text))
    return n >= least and share * n >= len(text.split())


def is_figures_line(text: str) -> bool:
    """A line of figures: two or more tokens holding digits, a quarter of its tokens or more (an earnings table's
    row "Avg shrs 27.4 mln vs 25.8 mln"; ``is_table_row`` is the stricter test)."""
    return _figures(text, 2, 4)


def is_table_row(text: str) -> bool:
    """A row of a table of figures: three or more tokens holding digits, a third of its tokens or more
    ("DL Larry Ogunjobi 63 85% 1 tackle", "HD 225.86 -12.99 -5.44%")."""
    return _figures(text, 3, 3)


def is_standfirst(text: str) -> bool:
    """A one-sentence paragraph of at most 40 words (a deck under a headline)."""
    return words(text) <= 40 and bool(_SENTENCE_END.search(text)) and not _INNER_SENTENCE.search(text)


_PAGING_ARROW = re.compile(r"^\s*[«‹←]|[»›→]\s*$")


def is_navigation_title(text: str) -> bool:
    """A line that reads as the site's navigation, never as a headline: a link to the previous or next post
    ("« What a life | Main | ..."), opening or closing with a paging arrow, or a trail of two separators or more
    ("BLOG > Weight Loss > Weight Loss Tips"). One separator is not enough: "Watch | Portrait of ..." is a
    headline."""
    return bool(_PAGING_ARROW.search(text)) or len(_NAV_SEPARATORS.findall(text)) >= 2


_FOOTER_LINE = re.compile(
    r"^\W*(?:powered by\b|©|\(c\)\s*(?:19|20)\d\d\b|copyright\s*(?:©|\(c\)|(?:19|20)\d\d\b)|all rights reserved\b)",
    re.IGNORECASE,
)


def is_footer_title(text: str) -> bool:
    """A line that opens as a site's footer, never as a headline: "Powered by WordPress.com VIP", "© 2012 PMC",
    "Copyright 2012 ...", "All rights reserved". (A headline may speak of copyright, "Copyright ruling hits
    Google"; it does not open with a copyright sign or year.)"""
    return bool(_FOOTER_LINE.match(text))


_FORM_FIELD = re.compile(r"\(\s*(?:will not be published|required|optional)\s*\)", re.IGNORECASE)


def is_form_field(text: str) -> bool:
    """A web form's field label, never a headline: "Mail (will not be published) (required)", "Name (required)"
    (a comment form under a post; a few words at most)."""
    return words(text) <= 8 and bool(_FORM_FIELD.search(text))


def fold_line(text: str) -> str:
    """A line's text for comparing lines: case-folded, runs of spaces as one."""
    return " ".join(text.casefold().split())


def is_rejected_title(text: str) -> bool:
    """A line that is never a title, whatever chose it: the site's navigation (``is_navigation_title``), its
    footer (``is_footer_title``) or a form's field label (``is_form_field``)."""
    return is_navigation_title(text) or is_footer_title(text) or is_form_field(text)


@lru_cache(maxsize=4096)
def is_navigation_list(text: str) -> bool:
    """A row of capitalised menu entries joined by separators ("Operations / IIoT Public Sector"), or a list's
    items flattened onto one line ("* Contact Us * Reader Services * Subscribe Now + Daily Publications o Chicago
    Sun-Times": three bullets or more inside the line, capitalised entries; a nested list's "o" bullets are no
    words; six items or more of four words or fewer on average, whatever their case), or a blog's archive or
    category list so flattened (four months or more with a year or a count, or four entries of 1-3 words with a
    count, half the line or more: "November (5) October (18) ...", "+ Novembro (113) + Outubro (217)"); remembered
    for the last 4,096 texts, as ``words``."""
    if (
        len(_ARCHIVE_FIGURE.findall(text)) >= 4
        and (m := _ARCHIVE_RUN.search(text))
        and 2 * (m.end() - m.start()) >= len(text)
    ):
        return True
    if _SENTENCE_END.search(text):
        return False
    if not _NAV_SEPARATORS.search(text):
        bullets = len(_INNER_BULLET.findall(text))
        if bullets < 3:
            return False
        text = _NESTED_BULLET.sub(" ", text)
        if bullets >= 6 and len(_WORD.findall(text)) <= 4 * (bullets + 1):
            return True  # six items or more of four words or fewer on average: a menu, whatever its case
    tokens = [t for t in _WORD.findall(text)]
    if len(tokens) < 3:
        return False
    capital = sum(1 for t in tokens if t[0].isupper() or t[0].isdigit())
    return capital / len(tokens) >= 0.8


def menu_items(text: str) -> int:
    """How many menu entries a menu-like line holds: one, or a list's items flattened onto the line ("* World *
    Europe * Politics": three)."""
    return 1 + len(_INNER_BULLET.findall(text))


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
    r"(?:on )?(?:[A-Z][a-z]{2,8}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4})).*$"
)
_OUTLET_WORDS = re.compile(
    r"\b(?:The|Press|News|Times|Post|Media|Daily|Journal|Herald|Tribune|Reuters|Associated|Agency|Staff|"
    r"Magazine|Digital|Network|Radio|TV|Online|Wire|Telegraph|Guardian|Gazette|Ledger|Manufacturing)\b"
)


def parse_byline(text: str, rules: Rules) -> tuple[list[str], str | None] | None:
    """Authors and outlet of a byline line ("by Peter Henderson, The Canadian Press"), or None.

    A date or time after the names ("By Tariq Malik, Mike Wall 2019-11-18T22:05:36Z", a blog's "by Paulo Coelho
    on June 25, 2012") is ignored; a second name after the comma that reads as a person, not an outlet, is
    another author.
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


DATE_LINE_MAX_WORDS = 16
"""A date line is short: a longer line stating a date is a sentence."""


def is_date_line(text: str, rules: Rules) -> bool:
    """Whether a line of at most ``DATE_LINE_MAX_WORDS`` words only states a date (``parse_date_line``)."""
    return words(text) <= DATE_LINE_MAX_WORDS and parse_date_line(text, rules) is not None
