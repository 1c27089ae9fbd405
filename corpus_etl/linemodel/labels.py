"""Training labels of units from a page's gold text (what annotators kept as the article, its comments, its title).

A unit is ``body`` when the gold article holds it:

- a short unit (at most ``SHORT_TOKENS`` tokens) only when its tokens are exactly a line of the gold text,
  or, with at least ``MIN_SUBSTRING_TOKENS`` tokens, a run of the gold's tokens: word overlap alone marks
  menu entries ("Politics", "Home") as content;
- a longer unit when most of its tokens (``MIN_WORD_SHARE``) and most of its word pairs
  (``MIN_PAIR_SHARE``) occur in the gold text.

``comment`` likewise against the gold comments; ``headline`` is the unit whose text is the gold title (the
occurrence nearest before the first body unit); everything else is ``other``. Tokens are lower-cased
``\\w+`` words, as the body F1 counts them.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

from .units import Unit

CLASSES = ("other", "body", "headline", "comment")
SHORT_TOKENS = 6
MIN_SUBSTRING_TOKENS = 3
MIN_WORD_SHARE = 0.8
MIN_PAIR_SHARE = 0.6

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Lower-cased ``\\w+`` tokens."""
    return _TOKEN.findall(text.lower())


class GoldText:
    """A gold text indexed for ``matches``: its lines, its token string, its token and token-pair counts."""

    def __init__(self, text: str) -> None:
        self.lines = {" ".join(t) for line in text.splitlines() if (t := tokens(line))}
        toks = tokens(text)
        self.joined = " " + " ".join(toks) + " "
        self.words = Counter(toks)
        self.pairs = set(itertools.pairwise(toks))
        self.empty = not toks

    def matches(self, unit_tokens: list[str]) -> bool:
        """Whether a unit with these tokens is part of the gold text (see the module docstring)."""
        n = len(unit_tokens)
        if n == 0 or self.empty:
            return False
        key = " ".join(unit_tokens)
        if n <= SHORT_TOKENS:
            return key in self.lines or (n >= MIN_SUBSTRING_TOKENS and f" {key} " in self.joined)
        counts = Counter(unit_tokens)
        word_share = sum(min(c, self.words[w]) for w, c in counts.items()) / n
        if word_share < MIN_WORD_SHARE:
            return False
        pairs = list(itertools.pairwise(unit_tokens))
        return sum(1 for p in pairs if p in self.pairs) / len(pairs) >= MIN_PAIR_SHARE


def label_units(units: Sequence[Unit], body: str, comments: str | None = None, title: str | None = None) -> list[str]:
    """One of ``CLASSES`` per unit, from the page's gold ``body``, ``comments`` and ``title``."""
    gold = GoldText(body)
    gold_comments = GoldText(comments) if comments else None
    labels: list[str] = []
    for u in units:
        toks = tokens(u.text)
        if gold.matches(toks):
            labels.append("body")
        elif gold_comments is not None and gold_comments.matches(toks):
            labels.append("comment")
        else:
            labels.append("other")
    if title:
        want = " ".join(title.split())
        hits = [i for i, u in enumerate(units) if " ".join(u.text.split()) == want]
        if hits:
            first_body = next((i for i, lab in enumerate(labels) if lab == "body"), len(units))
            before = [i for i in hits if i <= first_body]
            labels[before[-1] if before else hits[0]] = "headline"
    return labels
