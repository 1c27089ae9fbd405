"""Publication dates: the date (and time where stated) an article's page gives, and where it was found.

Looked for, in this order, and the first valid one wins:

1. ``date_line``: the splitter's date line under the headline (``split.parse_date_line``).
2. Lines at the head of the record (its first ``HEAD_LINES`` lines) and just above it (up to ``ABOVE_LINES``
   lines after the previous record), nearest to the headline first: a line that is mostly a date ("July 24,
   2012 12:11 AM", "24. Juli 2012, 10:32 Uhr", "In Depth | 24 July 2012") is ``date_line``; one saying
   "Updated"/"Aktualisiert"/"Last updated" is ``updated``; a byline with a date ("By Jane Doe | July 24, 2012")
   is ``byline``; a dateline ("WASHINGTON, July 24, 2012 —") is ``dateline``. A date inside running text
   ("on July 4, 2012, the company said") is not a publication date and is never taken.
3. ``url``: a date in a URL of those lines, of a JSONL field or of the source path ("/2012/07/24/").
4. ``jsonl_field``: a JSONL record's date field (``date``, ``published``, ``pubDate``, ...).

A value must have a day, a month and a year, and must not be later than ``not_after`` (the file's
modification time: a page cannot state a publication after it was saved). The ingest date is never used.

Measured by ``eval/dates.py`` (``eval/DATES.md``): of the 290 dragnet pages whose gold content opens with a
date line, the main article gets that date on 0.924 (the splitter's date line alone: 0.148) and another date
on 0.014. In-sample: ``ABOVE_LINES`` was raised from 4 to 12 after reading the misses on those pages (BBC's
date sits above a share-button list); 4 gave 0.890.

Fast: a line with no "19" or "20" in it is not searched (every date has a year); the others are pre-filtered by
one regular expression that finds the date's text (English and German month names and abbreviations, ISO and
numeric dates, an optional time); only that text goes to ``dateparser`` (slow: about 1 ms a call), through a
cache, so a corpus's repeated date formats cost one call each. Only lines with a "/" or "www." are searched for
URLs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

HEAD_LINES = 12  # non-empty lines of a record's head that are searched
ABOVE_LINES = 12  # non-empty lines above a record (after the previous one) that are searched
MAX_LINE_WORDS = 24  # longer lines are running text
MAX_OTHER_WORDS = 5  # words besides the date (and its label) for a line to be a date line
SOURCES = ("date_line", "updated", "byline", "dateline", "url", "jsonl_field")

_MON = (
    r"(?:jan(?:uary|uar|\.)?|feb(?:ruary|ruar|\.)?|mar(?:ch|\.)?|märz|maerz|apr(?:il|\.)?|may|mai|"
    r"jun(?:e|i|\.)?|jul(?:y|i|\.)?|aug(?:ust|\.)?|sep(?:t(?:ember)?)?\.?|oct(?:ober|\.)?|okt(?:ober|\.)?|"
    r"nov(?:ember|\.)?|dec(?:ember|\.)?|dez(?:ember|\.)?)"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|\.)?"
_YEAR = r"(?:19|20)\d\d"
_TIME = r"(?:,?\s*(?:at|um|-|–|\|)?\s*[0-2]?\d[:.][0-5]\d(?::[0-5]\d)?(?:\s*[ap]\.?\s?m\.?)?(?:\s*uhr)?)?"
_WEEKDAY = (
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)\.?)"
)
_DATE = re.compile(
    rf"(?<![\w/])(?:{_WEEKDAY},?\s+)?(?:"
    rf"(?P<mdy>{_MON}\s+{_DAY},?\s+{_YEAR})|"
    rf"(?P<dmy>{_DAY}\s+{_MON},?\s+{_YEAR})|"
    rf"(?P<iso>{_YEAR}-[01]?\d-[0-3]?\d)(?:T[0-2]\d:[0-5]\d(?::[0-5]\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)?|"
    rf"(?P<dots>[0-3]?\d\.[01]?\d\.{_YEAR})|"
    rf"(?P<slash>[01]?\d/[0-3]?\d/{_YEAR})"
    rf"){_TIME}(?![\w])",
    re.IGNORECASE,
)
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d\d)[/-]?(?P<m>[01]\d)[/-]?(?P<d>[0-3]\d)(?=[/_.-]|$)")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+/\S+")
_UPDATED = re.compile(r"\b(?:updated?|last modified|aktualisiert|stand)\b", re.IGNORECASE)
_LABEL = re.compile(
    r"\b(?:published|posted|updated?|last|modified|first|on|at|am|um|uhr|date|datum|veröffentlicht|aktualisiert|"
    r"stand|et|est|edt|pt|pst|pdt|gmt|bst|cet|cest|mez|utc|uhr)\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^\W*(?:by|von|from)\s+[A-Z]", re.IGNORECASE)
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{1,40}(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,3})?,\s*$")
_WORD = re.compile(r"\w+")
JSONL_DATE_FIELDS = ("date", "published", "published_at", "publishedAt", "pubDate", "datePublished", "created_at")


@dataclass(frozen=True)
class Published:
    """A publication date found for an article: the date, the time of day as stated ("HH:MM", the page's own
    clock, no zone applied) or None, and where it came from (one of ``SOURCES``)."""

    date: date
    time: str | None
    source: str


@lru_cache(maxsize=1)
def _date_parser() -> Any:
    """dateparser's parser for English and German dates with day, month and year, made once: what
    ``dateparser.parse(text, languages=["en", "de"], settings=...)`` builds on every call (its locales and
    settings, 40 % of a call), with the same answers (it keeps no state between texts: ``try_previous_locales``
    is off)."""
    from dateparser.date import DateDataParser  # lazy: ~0.13 s; only the workers parse dates

    return DateDataParser(
        languages=["en", "de"], settings={"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"}
    )


@lru_cache(maxsize=65536)
def parse_date_text(text: str) -> tuple[date, str | None] | None:
    """The date and time of a date's text as ``_DATE`` finds it, parsed by dateparser (English and German);
    None when it is no complete date. Cached: pages of one site repeat a few formats."""
    clean = re.sub(r"\b([ap])\.\s?m\.", r"\1m", text, flags=re.IGNORECASE)
    clean = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", clean)
    parsed = _date_parser().get_date_data(clean)["date_obj"]
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return None
    stated = re.search(r"\d:[0-5]\d|\d\.[0-5]\d\s*uhr", text, re.IGNORECASE)
    return parsed.date(), (f"{parsed.hour:02d}:{parsed.minute:02d}" if stated else None)


def _may_hold_date(line: str) -> bool:
    """False when ``_DATE`` cannot match in ``line``: every date it finds has a year, 19xx or 20xx (a test of two
    substrings before the slow search)."""
    return "19" in line or "20" in line


def _date_in_line(line: str, not_after: date | None) -> tuple[date, str | None, str] | None:
    """The publication date a short line states, with the kind of line, or None (see the module doc)."""
    if len(line) > 400 or not _may_hold_date(line):
        return None
    m = _DATE.search(line)
    if m is None:
        return None
    n_words = len(_WORD.findall(line))
    if n_words > MAX_LINE_WORDS:
        return None
    got = parse_date_text(m.group())
    if got is None or (not_after is not None and got[0] > not_after):
        return None
    rest = line[: m.start()] + " " + line[m.end() :]
    other = [w for w in _WORD.findall(_LABEL.sub(" ", rest)) if not w.isdigit()]
    if _BYLINE.match(line):
        kind = "byline"
    elif _DATELINE.match(line[: m.start()]) and m.start() > 0:
        kind = "dateline"
    elif len(other) <= MAX_OTHER_WORDS or "|" in line or "·" in line:
        kind = "updated" if _UPDATED.search(rest) else "date_line"
    else:
        return None
    return got[0], got[1], kind


def states_date(line: str) -> bool:
    """Whether a short line states a publication date: a date line, an "updated" line, a byline or a dateline with
    a date ("24 July 2012 Last updated at 11:00 ET", "Posted on October 12th, 2012 • 23 Comments")."""
    return _date_in_line(line, None) is not None


def date_in_url(url: str, not_after: date | None = None) -> date | None:
    """A date written in a URL or path ("/2012/07/24/", "/2012-07-24-title"), or None."""
    for m in _URL_DATE.finditer(url):
        try:
            d = date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            continue
        if not_after is None or d <= not_after:
            return d
    return None


def _nonempty_lines(text: str) -> list[str]:
    return [s for s in (ln.strip() for ln in text.splitlines()) if s]


def find_published(
    head: str,
    above: str = "",
    stated: str | None = None,
    meta: Mapping[str, object] | None = None,
    source_path: str = "",
    not_after: date | None = None,
) -> Published | None:
    """The publication date of one article.

    Args:
        head: the source text of the record's head (its span's first characters).
        above: the source text between the previous record's end and this record's start.
        stated: the splitter's date line (ISO date), if it found one.
        meta: a JSONL record's other fields.
        source_path: the file's path or URL.
        not_after: the latest possible date (the file's modification date); None: no limit.

    Returns:
        The date, time and source, or None when the page states none.
    """
    if stated:
        day = date.fromisoformat(stated)
        if not_after is None or day <= not_after:
            line = next((ln for ln in _nonempty_lines(head) if _may_hold_date(ln) and _DATE.search(ln)), "")
            clock = _date_in_line(line, not_after) if line else None
            return Published(day, clock[1] if clock and clock[0] == day else None, "date_line")
    lines = _nonempty_lines(head)[:HEAD_LINES] + list(reversed(_nonempty_lines(above)[-ABOVE_LINES:]))
    for ln in lines:
        found = _date_in_line(ln, not_after)
        if found:
            return Published(*found)
    urls = [u for ln in lines if "/" in ln or "www." in ln for u in _URL.findall(ln)]  # (a URL has one of them)
    if meta:
        urls += [str(v) for v in meta.values() if isinstance(v, str) and "/" in v]
    urls.append(source_path)
    for u in urls:
        in_url = date_in_url(u, not_after)
        if in_url is not None:
            return Published(in_url, None, "url")
    for key in JSONL_DATE_FIELDS:
        value = (meta or {}).get(key)
        if isinstance(value, str) and (m := _DATE.search(value)):
            got = parse_date_text(m.group())
            if got and (not_after is None or got[0] <= not_after):
                return Published(got[0], got[1], "jsonl_field")
    return None
