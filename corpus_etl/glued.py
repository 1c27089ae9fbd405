"""Whether a split record may hold two pages glued together (``articles.may_hold_two_pages``).

The splitter closes a record at the page-start cues it trusts (a skip link, a separator, a footer after enough
body, a run of menu lines). When it misses one, a record runs on into the next page. What is left inside such a
record is looked for here, each with at least ``min_words`` words of the record's body both before and after it
(a cue at the very top or bottom of a record is its own page's):

- ``page_cue``: a line of a rule with effect ``page_start`` or ``page_end`` (skip link, separator line,
  copyright footer: ``corpus_etl/rules/boilerplate.toml``), the end of one page and the start of the next;
- ``byline``: a second headline and byline pair: a byline line ("By Jane Doe") right under a short line that
  reads as a headline;
- ``page_model``: a gap between body lines where the page model (``corpus_etl/linemodel/pages.py``) saw a page
  start with probability ``min_page_prob`` or more, below the threshold at which the splitter splits there.

Measured on dragnet pages, pairs of pages glued by a blank line, a record counted as two pages when 40+ of its
body words lie on each side of the join (after the page model's splits, few are left): 550 pairs in three
samples, 17 such records: 10 flagged, and 10 flags on records that do not cross the join (precision 0.50,
recall 0.59); of 615 articles of single pages, 6 (1 %) flagged. ``min_page_prob`` was chosen on the first two
samples (0.83 / 1.00 and 0.38 / 0.50); the third: 0.33 / 0.33. The shipped page model saw dragnet pages in
training: in-sample. A run of menu lines as a cue was dropped: on single pages it flagged 3 %, on the pairs it
halved the precision. A flag is a reason to look, not a verdict.

Pure logic on the text and the rules; no I/O.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .split import parse_byline

if TYPE_CHECKING:
    from .rules import Rules
    from .split import Line

PAGE_EFFECTS = frozenset({"page_start", "page_end"})


def _line_start(line: Line) -> int:
    return line.start


def _headline_like(text: str) -> bool:
    n = len(text.split())
    return 2 <= n <= 25 and text[-1:] not in ".,;:!?\"”'’)"


def two_page_cues(
    lines: Sequence[Line],
    span: tuple[int, int],
    paragraphs: Sequence[tuple[int, int, int]],
    rules: Rules,
    min_words: int = 40,
    page_gaps: Sequence[tuple[int, float]] = (),
    min_page_prob: float = 0.1,
) -> list[str]:
    """The cues (``page_cue``, ``byline``, ``page_model``) that a record holds the end of one page and the start of
    another, in text order; empty when it reads as one page.

    Args:
        lines: the text's logical lines (``split.logical_lines``), in order.
        span: the record's ``[char_start, char_end)`` in the text.
        paragraphs: the record's body paragraphs as (start, end, words), ``[start, end)`` in the text, in order.
        rules: the boilerplate rules (their line rules and byline pattern).
        min_words: body words needed before and after a cue.
        page_gaps: the gaps where the page model saw a page start it did not split at (``SplitResult.page_gap_probs``:
            offset of the line after the gap, probability).
        min_page_prob: the page model's probability from which such a gap is a cue.
    """
    if not paragraphs:
        return []
    ends = [e for _, e, _ in paragraphs]
    cum: list[int] = []
    total = 0
    for _, _, w in paragraphs:
        total += w
        cum.append(total)
    lo = bisect.bisect_left(lines, span[0], key=_line_start)  # (bisected: a file's records each read only theirs)
    hi = bisect.bisect_left(lines, span[1], key=_line_start)

    def before(pos: int) -> int:
        k = bisect.bisect_right(ends, pos)
        return cum[k - 1] if k else 0

    cues: list[str] = []
    prev_text = ""
    for ln in lines[lo:hi]:
        text = ln.text
        if not text:
            continue
        rule = rules.match_line(text)
        cue = None
        if rule is not None and rule.effect in PAGE_EFFECTS:
            cue = "page_cue"
        elif rule is None and _headline_like(prev_text) and parse_byline(text, rules) is not None:
            cue = "byline"
        if cue is not None:
            b = before(ln.start)
            if b >= min_words and total - before(ln.end) >= min_words and (not cues or cues[-1] != cue):
                cues.append(cue)
        prev_text = text
    for offset, q in page_gaps:
        inside = span[0] < offset < span[1] and q >= min_page_prob
        if inside and min(before(offset), total - before(offset)) >= min_words and "page_model" not in cues:
            cues.append("page_model")
    return cues
