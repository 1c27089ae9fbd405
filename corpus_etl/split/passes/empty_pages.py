"""The empty pages' pass (``restore_empty_pages``): in a file of glued web pages, a page that the classifiers left
without any record gets back the story they removed."""

from __future__ import annotations

import bisect
from itertools import pairwise

from ..lines import has_figure, is_figures_line, is_headline, is_prose, words
from ..options import Piece
from ..state import SplitState
from .briefs import INSIDE_STORY, given_back, insert_record, paragraph_of

# Fewest words of running text a restored story holds (two short sentences; a menu has none).
_MIN_PROSE_WORDS = 20
# Fewest words of a line that counts as running text.
_MIN_LINE_WORDS = 6


def restore_empty_pages(st: SplitState) -> None:
    """In a file of web pages glued together (two page start lines or more: "Skip to main content"), a page on which
    no record keeps any text (everything between its page start line and the next was removed) gets back its story,
    when the classifiers removed it: a short news page (three sentences between the site's chrome, a dividend notice
    under its headline) reads to the line model like a teaser or a caption. A page is scraped for its article; with
    none left its words would be lost.

    The story is the longest run of the page's lines removed by a content judgement (``soft_removal``, not a
    reader's comment; a row of figures the file repeats, "Pay April 30", too), across an advertisement slot; any other
    line ends it. Its first line, when headline-like, becomes the title; the rest the body, when that holds
    ``_MIN_PROSE_WORDS`` words of running text in two paragraphs or more (a footer's one-paragraph "About us" blurb
    under its heading is no story), or two rows of figures or more under the headline (a wire brief).
    Otherwise the page stays as it is. The record made is marked ``RawRecord.page_article``: the record model never
    makes it 'related' (it is the page's only article).

    Reads ``page_offsets``, the lines, pieces and records; inserts article records (renumbering the records after them)
    and changes the pieces it restores.
    """
    if not st.glued_pages:
        return
    starts = [ln.start for ln in st.lines]
    bounds = [*sorted(set(st.page_offsets)), len(st.text)]
    for lo, hi in reversed(list(pairwise(bounds))):  # (an inserted record renumbers the records after it)
        pieces, piece_starts, _ = st.pieces_by_start()
        page = pieces[bisect.bisect_left(piece_starts, lo) : bisect.bisect_left(piece_starts, hi)]
        if not page or any(p.role != "removed" for p in page):
            continue
        story = max(_runs(st, page), key=lambda run: sum(words(st.text[p.start : p.end]) for p in run), default=[])
        lines = [paragraph_of(st, p, starts) for p in story]
        if not lines:
            continue
        title = lines[0] if is_headline(lines[0][2], st.opts) else None
        body = lines[1:] if title else lines
        running = [words(t) for _, _, t in body if words(t) >= _MIN_LINE_WORDS and is_prose(t)]
        prose = sum(running) if len(running) >= 2 else 0  # (one paragraph: a site's "About us" blurb in its footer)
        figures = title is not None and len(body) >= 2 and all(has_figure(t) for _, _, t in body)
        if not body or not (prose >= _MIN_PROSE_WORDS or (figures and any(is_figures_line(t) for _, _, t in body))):
            continue
        idx = insert_record(st, story[0].start, "empty_page")
        rec = st.records[idx]
        rec.page_article = True
        st.take_block(idx, [(a, b, t, idx) for a, b, t in body])
        if title is not None:
            head = story[0]
            head.role, head.rule, head.record = "title", None, idx
            rec.title = title[2]


def _runs(st: SplitState, page: list[Piece]) -> list[list[Piece]]:
    """The runs of a page's pieces (in text order) that a content judgement removed, each without the
    advertisement slots inside it."""
    runs: list[list[Piece]] = [[]]
    for p in page:
        if (p.rule or "") in INSIDE_STORY:
            continue
        if given_back(st, p):
            runs[-1].append(p)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]
