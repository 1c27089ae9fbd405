"""Whether a split record may hold two pages glued together (``articles.may_hold_two_pages``).

The splitter closes a record at the page-start cues it trusts (a skip link, a separator, a footer after enough
body, a run of menu lines). When it misses one, a record runs on into the next page. What is left inside such a
record is looked for here, each with at least ``min_words`` words of the record's body both before and after it
(a cue at the very top or bottom of a record is its own page's):

- ``page_cue``: a line of a rule with effect ``page_start`` or ``page_end`` (skip link, separator line,
  copyright footer: ``corpus_etl/rules/boilerplate.toml``), the end of one page and the start of the next;
- ``byline``: a second headline and byline pair: a byline line ("By Jane Doe") right under a short line that
  reads as a headline;
- ``menu_run``: the header of the next page: ``menu_lines`` lines of navigation chrome in a row (menus, share
  rows, link lists) followed shortly by a headline-like line and running text, or ``long_menu_lines`` of any
  ``MENU_WINDOW`` non-empty lines.

Measured on dragnet pages (in-sample: the knobs were chosen on the first sample), pairs of pages glued by a
blank line, a record counted as two pages when 40+ of its body words lie on each side of the join:
300 pairs, 31 such records: precision 0.59, recall 0.84 (first sample 0.68 / 1.00, second 0.47 / 0.64); of
429 articles of single pages, 6 (1.4 %) flagged. A flag is a reason to look, not a verdict.

Pure logic on the text and the rules; no I/O.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .rules import Rules
    from .split import Line

PAGE_EFFECTS = frozenset({"page_start", "page_end"})
MENU_WINDOW = 10  # non-empty lines in which ``long_menu_lines`` menu lines make a page header
MENU_RULES = frozenset({"skip_link", "link_list", "share_row", "navigation", "navigation_list", "read_more_link"})


def _headline_like(text: str) -> bool:
    n = len(text.split())
    return 2 <= n <= 25 and text[-1:] not in ".,;:!?\"”'’)"


def _headline_and_prose_follow(lines: Sequence[Line], k: int, hi: int, rules: Rules, within: int = 12) -> bool:
    """Whether, within ``within`` non-empty lines from line ``k``, a headline-like line no rule removes comes right
    before a line of running text (20+ words): the start of another page's article after its header."""
    seen: list[str] = []
    for ln in lines[k:hi]:
        if not ln.text:
            continue
        if len(seen) >= within:
            break
        if seen and _headline_like(seen[-1]) and len(ln.text.split()) >= 20 and rules.match_line(ln.text) is None:
            return rules.match_line(seen[-1]) is None
        seen.append(ln.text)
    return False


def two_page_cues(
    lines: Sequence[Line],
    span: tuple[int, int],
    paragraphs: Sequence[tuple[int, int, int]],
    rules: Rules,
    min_words: int = 40,
    menu_lines: int = 5,
    long_menu_lines: int = 8,
) -> list[str]:
    """The cues (``page_cue``, ``byline``, ``menu_run``) that a record holds the end of one page and the start of
    another, in text order; empty when it reads as one page.

    Args:
        lines: the text's logical lines (``split.logical_lines``), in order.
        span: the record's ``[char_start, char_end)`` in the text.
        paragraphs: the record's body paragraphs as (start, end, words), ``[start, end)`` in the text, in order.
        rules: the boilerplate rules (their line rules and byline pattern).
        min_words: body words needed before and after a cue.
        menu_lines: navigation lines in a row that make a page header.
    """
    from .split import parse_byline

    if not paragraphs:
        return []
    ends = [e for _, e, _ in paragraphs]
    cum: list[int] = []
    total = 0
    for _, _, w in paragraphs:
        total += w
        cum.append(total)
    starts = [ln.start for ln in lines]
    lo = bisect.bisect_left(starts, span[0])
    hi = bisect.bisect_left(starts, span[1])

    def before(pos: int) -> int:
        k = bisect.bisect_right(ends, pos)
        return cum[k - 1] if k else 0

    cues: list[str] = []
    run = 0
    window: deque[bool] = deque(maxlen=MENU_WINDOW)
    prev_text = ""
    for k in range(lo, hi):
        ln = lines[k]
        text = ln.text
        if not text:
            continue
        rule = rules.match_line(text)
        is_menu = rule is not None and rule.name in MENU_RULES
        run = run + 1 if is_menu else 0
        window.append(is_menu)
        dense = len(window) == window.maxlen and sum(window) >= long_menu_lines
        cue = None
        if rule is not None and rule.effect in PAGE_EFFECTS:
            cue = "page_cue"
        elif (run == menu_lines and _headline_and_prose_follow(lines, k + 1, hi, rules)) or dense:
            cue = "menu_run"
            window.clear()
        elif rule is None and _headline_like(prev_text) and parse_byline(text, rules) is not None:
            cue = "byline"
        if cue is not None:
            b = before(ln.start)
            if b >= min_words and total - before(ln.end) >= min_words and (not cues or cues[-1] != cue):
                cues.append(cue)
        prev_text = text
    return cues
