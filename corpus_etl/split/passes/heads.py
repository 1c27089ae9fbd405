"""An article's head: the lines above its first kept line that are its own (headline, date, byline) though removed.

On a web page the splitter often keeps an article from its title or its first body line on, while lines of its
head just above were removed: a headline the title model did not choose (a photo caption or a deck won), a date
line ("24 July 2012 Last updated at 11:00 ET"), a byline, a share row between them. Those removed lines belong to
the article, not to the chrome before it: its extent (``char_start``) starts at the head, and the removed spans
there are the article's (``removed_spans.article_id``), not the page's. Nothing kept or removed changes: a record's
text, title and metadata are as before; only where it starts.

Measured on the dev glued pages (issue 17): of 71 article records that started inside their page's gold content
rather than at it, 45 started 50-300 characters late, below such a head.
"""

from __future__ import annotations

import bisect

from ...dates import states_date
from ..lines import LIST_BULLET, LONG_WORD, is_headline, parse_byline, parse_date_line, words
from ..state import SplitState

HEAD_TOP_WORDS = 16  # at most this many words on a head's top line (a headline, a date, a byline)
HEAD_BETWEEN_WORDS = 3  # ... on a line between the top and the record ("Share this page", "* Twitter")
HEAD_BETWEEN_RUN = 10  # at most this many such lines in a row
HEAD_LINES = 20  # lines of a head at most
HEAD_SHARED_WORDS = 2  # a headline-like top line shares this many longer words with the article at least
HEAD_PARAGRAPHS = 2  # ... with its title and this many first paragraphs

# effects of the rules whose lines never belong to an article's head (a page's start or end, a comments or
# related section)
_STOP_EFFECTS = frozenset({"page_start", "page_end", "comments_start", "related_start", "related_sep"})


def claim_heads(st: SplitState) -> None:
    """Set ``RawRecord.head_start`` of each article record of a web page whose removed head lies right above its first
    kept line: from that line up, over removed lines only (never above the kept line before it, the page's beginning
    or a line of a rule that ends a page or opens a section), lines of a few words (``HEAD_BETWEEN_WORDS``, at most
    ``HEAD_BETWEEN_RUN`` in a row) or head lines (``_head_line``: a date, a byline, a headline telling its story); the
    head starts at the highest head line reached. None when there is none.

    Reads the pieces, records, lines and page beginnings; writes ``head_start`` (``assemble`` starts the extent there).
    """
    effect = {r.name: r.effect for r in st.rules.lines}
    removed_lines: dict[int, str] = {}
    first_kept: dict[int, int] = {}
    kept_lines: set[int] = set()
    for p in st.pieces:
        line = st.line_of(p.start)
        if p.role == "removed":
            removed_lines.setdefault(line, p.rule or "")
        elif p.record is not None:
            kept_lines.add(line)
            first_kept[p.record] = min(first_kept.get(p.record, line), line)
    begins = sorted(st.line_of(b) for b in st.page_begins if b < len(st.text))
    for idx, rec in enumerate(st.records):
        first = first_kept.get(idx)
        if rec.kind != "article" or first is None:
            continue
        at = bisect.bisect_right(begins, first)  # (the last page begin at or above its first kept line)
        floor = begins[at - 1] if at else 0
        own = _topic_words(" ".join([rec.title or "", *rec.paragraphs[:HEAD_PARAGRAPHS]]))
        top, run, j = None, 0, first - 1
        while j >= floor and first - j <= HEAD_LINES:
            if j in kept_lines or j not in removed_lines or effect.get(removed_lines[j]) in _STOP_EFFECTS:
                break
            text = st.lines[j].text
            n = words(text)
            if _head_line(text, n, st, own):
                top, run = j, 0
            elif n <= HEAD_BETWEEN_WORDS and run < HEAD_BETWEEN_RUN:
                run += 1
            else:
                break
            j -= 1
        rec.head_start = st.lines[top].start if top is not None else None


def _head_line(text: str, n: int, st: SplitState, own: frozenset[str]) -> bool:
    """A line that may top an article's head: a date line or a line stating a date, a byline, or a headline-like line
    (not a list item) that tells the article's story (``HEAD_SHARED_WORDS`` of its longer words in the record's title
    and first paragraphs, ``own``: a teaser of another story or a site's tag line above it is no head of it)."""
    if n > HEAD_TOP_WORDS or LIST_BULLET.match(text):
        return False
    if parse_date_line(text, st.rules) is not None or parse_byline(text, st.rules) is not None or states_date(text):
        return True
    if st.rules.byline.match(text):  # a byline with more after the names: "By Paul Gorst | Goal.com – 1 hour ago"
        return True
    return is_headline(text, st.opts) and len(_topic_words(text) & own) >= HEAD_SHARED_WORDS


def _topic_words(text: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in LONG_WORD.findall(text))
