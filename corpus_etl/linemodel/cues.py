"""Word cues of web-page chrome that the record and page models count (one registry of the patterns).

Each is a compiled, case-insensitive pattern searched in a line or a record's text; the models' features count
its matches (``records.FEATURES``: per 100 words of a record; ``pages.FEATURES``: the lines of a gap).
"""

from __future__ import annotations

import re

LEGAL = re.compile(
    r"©|\bcopyright\b|\ball rights reserved\b|\bprivacy\b|\bterms (of|and) (use|service)\b|\bcookies?\b|"
    r"\blicen[cs]e[ds]?\b|\bdisclaimer\b|\btrademarks?\b",
    re.IGNORECASE,
)
"""Legal words, in a footer or a cookie notice (the record model: per 100 words of a record)."""

PROMO = re.compile(
    r"\bsubscribe\b|\bnewsletter\b|\bsign up\b|\bfollow us\b|\bregister\b|\bdownload\b|\bclick here\b|"
    r"\bread more\b|\bshare\b|\bemail\b|\bcontact us\b|\badvertis",
    re.IGNORECASE,
)
"""Calls to act (subscribe, sign up, share): a newsletter box, a site header's account links."""

COMMENT = re.compile(
    r"\breply\b|\bcomments?\b|\bposted by\b|\bsays:|\bwrote:|\blog ?in\b|\bpermalink\b|\b\d{1,2}:\d{2}\s*(am|pm)\b",
    re.IGNORECASE,
)
"""Marks of a comment thread (a reply link, "X says:", a comment's clock time)."""

ANCHORS: dict[re.Pattern[str], tuple[str, ...]] = {
    LEGAL: ("©", "copyright", "all rights reserved", "privacy", "terms ", "cookie", "licen", "disclaimer", "trademark"),
    PROMO: (
        "subscribe",
        "newsletter",
        "sign up",
        "follow us",
        "register",
        "download",
        "click here",
        "read more",
        "share",
        "email",
        "contact us",
        "advertis",
    ),
    COMMENT: ("reply", "comment", "posted by", "says:", "wrote:", "log", "permalink", ":"),
}
"""For each pattern ``count`` reads, lower-cased strings of which every match of the pattern holds one (at least one
string for each branch of the pattern: a test checks the counts against ``findall``)."""

# The characters other than ASCII that IGNORECASE matches to an ASCII letter: "İ", "ı" (i), "ſ" (s), "K" (k). Their
# ``str.lower()`` is not that letter, so a text holding one is always searched.
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


def count(pattern: re.Pattern[str], text: str, lowered: str | None = None) -> int:
    """``len(pattern.findall(text))`` for a pattern of ``ANCHORS``: 0 without searching when none of its anchors is in
    the text (``lowered``: ``text.lower()``, when the caller has it). The same count: a match holds an anchor in any
    case, and ``str.lower()`` lowers every character IGNORECASE matches to an ASCII letter but ``_FOLDS_TO_ASCII``."""
    low = text.lower() if lowered is None else lowered
    if any(a in low for a in ANCHORS[pattern]) or (not text.isascii() and _FOLDS_TO_ASCII.search(text)):
        return len(pattern.findall(text))
    return 0


LINK = re.compile(r"https?://|www\.|\S+@\S+\.\w+")
"""A web or e-mail address."""

FOOTER = re.compile(
    r"©|\bcopyright\b|\ball rights reserved\b|\bprivacy policy\b|\bterms (of|and) (use|service)\b|\bpowered by\b|"
    r"\bcontact us\b",
    re.IGNORECASE,
)
"""A line of a site's footer, where a page ends ("© 2012 ...", "Powered by WordPress", "Privacy Policy | Terms of
Use"): narrower than ``LEGAL`` (no bare "privacy", "cookies", "license", which site headers and articles say too).
The page model counts such lines in a gap and where the last one lies."""
