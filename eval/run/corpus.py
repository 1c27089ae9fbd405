"""The inputs of ``python -m eval.run`` beyond the shared corpora (``corpora``): the scrapinghub halves, the
concatenations' gold, the language texts and the seed files' gold."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

LANG_TEXT_CHARS = 300
SEPARATORS = {"no_separator": "\n\n", "separator": "\n\n-----\n\n"}
SEED_TITLES = {
    "000": [
        "BlackBerry will remain in Pakistan after gov withdraws demands",
        "BlackBerry sticks to its mobile security and privacy stand, despite pressure in Pakistan",
    ],
    "001": ["BlackBerry to exit Pakistan rather than comply with demand for server access"],
    "002": ["BlackBerry to exit Pakistan to avoid Data Monitoring demands"],
    "003": ["BlackBerry to stay in Pakistan after government drops surveillance request"],
    "004": ["BlackBerry refuses to back down, leaves Pakistan instead of handing over private data"],
}
SEED_BOILERPLATE = [
    "Skip to main content",
    "Canadian Manufacturing",
    "Tag:",
    "Story continues below advertisement",
    "READ MORE:",
    "Sponsored content",
    "About Web Staff",
    "Copyright",
    "Editors' Recommendations",
    "Read more",
    "blackberry-priv",
    "Ted Kritsonis/Digital Trends",
]


def scrapinghub_half(key: str) -> str:
    """'dev' or 'held-out': the parity of the first byte of sha256(page key), fixed before any tuning.

    Rules and thresholds are tuned looking at dev pages only; held-out pages are only ever scored.
    """
    return "dev" if hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 == 0 else "held-out"


def language_texts(sentences: Iterable[str], min_chars: int = LANG_TEXT_CHARS, limit: int = 100) -> list[str]:
    """Texts of at least ``min_chars`` characters made of consecutive sentences joined by a space."""
    out: list[str] = []
    cur: list[str] = []
    length = -1
    for s in sentences:
        s = s.strip()
        if not s:
            continue
        cur.append(s)
        length += len(s) + 1
        if length >= min_chars:
            out.append(" ".join(cur))
            cur, length = [], -1
            if len(out) >= limit:
                break
    return out


@dataclass(frozen=True)
class Gold:
    """One article of a synthetic file: its id, span, title line end, title and body."""

    id: str
    start: int
    end: int
    title_end: int
    title: str
    body: str


# Languages not written in the Latin script. A sentence of their test file that is mostly Latin letters
# (scraped HTTP headers, English menus: seen in ur.txt) is mislabelled ground truth and is left out; the
# report says how many sentences that drops per language.
NON_LATIN = frozenset(
    [
        "ar",
        "be",
        "bg",
        "bn",
        "el",
        "fa",
        "gu",
        "he",
        "hi",
        "hy",
        "ja",
        "ka",
        "kk",
        "kn",
        "ko",
        "mk",
        "ml",
        "mn",
        "mr",
        "ne",
        "pa",
        "ru",
        "sr",
        "ta",
        "te",
        "th",
        "uk",
        "ur",
        "zh",
    ]
)


def latin_share(text: str) -> float:
    """Share of the letters of ``text`` that are Latin letters (0 when it has none)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, "")) / len(letters)


def script_filter(iso: str, sentences: Iterable[str]) -> tuple[list[str], int]:
    """The sentences whose script fits the language, and how many were dropped."""
    kept = [s for s in sentences if s.strip()]
    if iso not in NON_LATIN:
        return kept, 0
    good = [s for s in kept if latin_share(s) < 0.5]
    return good, len(kept) - len(good)
