"""The paragraph classifier (``corpus_etl.paragraphs``, jusText's) as the passes ask it about the paragraphs of this
text: with the stopwords of the text's language, its context-free classes cached per text, the link-like chrome
lines between paragraphs read in place as bad paragraphs, and the good paragraphs grouped into blocks."""

from __future__ import annotations

import bisect
from itertools import pairwise

from ..paragraphs import choose_stoplist, classify, initial_class, stoplist
from .lines import words
from .options import Piece, RawRecord
from .rule_groups import LINK_CHROME
from .state import SplitState


def page_stoplist(st: SplitState) -> frozenset[str] | None:
    """The stopwords of the text's language (chosen once from all its paragraphs), or None."""
    if st.stops is None:
        name = choose_stoplist([p for r in st.records for p in r.paragraphs], st.para_opts)
        st.stops = stoplist(name) if name else frozenset()
    return st.stops or None


def classes_of(st: SplitState, paragraphs: list[str], chrome: list[bool] | None = None) -> list[str]:
    """The paragraph classifier's 'good' / 'bad' for paragraphs of this text."""
    return classify(paragraphs, page_stoplist(st), st.para_opts, chrome, st.initial_classes)


def has_good_paragraph(st: SplitState, paragraphs: list[str]) -> bool:
    """Whether the classifier finds a good paragraph among ``paragraphs`` (a record's body): with the stopwords of
    the text's language, or, when the paragraphs are in another language (a page of another language glued into the
    file; the text's language is that of its first words), with the stopwords of theirs."""
    if "good" in classes_of(st, paragraphs):
        return True
    own = choose_stoplist(paragraphs, st.para_opts)
    stops = stoplist(own) if own else frozenset()
    if not stops or stops == page_stoplist(st):
        return False
    return "good" in classify(paragraphs, stops, st.para_opts)  # (not the text's cache: other stopwords)


def initial_class_of(st: SplitState, paragraph: str) -> str:
    """The classifier's context-free class of a paragraph of this text (cached)."""
    cls = st.initial_classes.get(paragraph)
    if cls is None:
        cls = st.initial_classes[paragraph] = initial_class(paragraph, page_stoplist(st), st.para_opts)
    return cls


def is_link_chrome(st: SplitState, p: Piece) -> bool:
    """A removed piece that is link-like chrome: a menu, share row, teaser link, or a short line
    repeated on the page (a long repeated line is more often a photo caption)."""
    if p.rule == "repeated_line":
        return words(st.text[p.start : p.end]) <= st.opts.repeated_line_max_words
    return p.rule in LINK_CHROME


def link_chrome_starts(st: SplitState, pieces: list[Piece]) -> list[int]:
    """Sorted start offsets of the link-like chrome lines (``is_link_chrome``) among ``pieces``."""
    return sorted(p.start for p in pieces if p.role == "removed" and is_link_chrome(st, p))


def classes_in_context(st: SplitState, rec: RawRecord, pieces: list[Piece]) -> list[str]:
    """The classifier's classes of ``rec``'s paragraphs, read with the link-like chrome lines removed
    between them (``is_link_chrome``) in place as bad paragraphs, as jusText sees them in the HTML."""
    return context_classes(st, rec.paragraphs, rec.paragraph_spans, link_chrome_starts(st, pieces))


def context_classes(
    st: SplitState, paragraphs: list[str], spans: list[tuple[int, int]], chrome_starts: list[int]
) -> list[str]:
    """The classes of ``paragraphs`` (in text order, at ``spans``) with a bad paragraph in place of each
    run of chrome lines (``chrome_starts``) before, between and after them."""
    if not chrome_starts:
        return classes_of(st, paragraphs)
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
    classes = classes_of(st, seq, is_chrome)
    return [classes[k] for k in where]


def good_blocks(
    st: SplitState, classes: list[str], good: list[int], spans: list[tuple[int, int]], chrome: list[int]
) -> list[list[int]]:
    """The good paragraphs (indices ``good``) grouped into blocks: a new block starts after a gap of at
    least ``SplitOptions.block_gap`` bad paragraphs or link-like chrome lines (``chrome``: their starts)."""
    blocks: list[list[int]] = [[good[0]]]
    for a, b in pairwise(good):
        n_bad = sum(1 for k in range(a + 1, b) if classes[k] == "bad")
        n_chrome = bisect.bisect_left(chrome, spans[b][0]) - bisect.bisect_left(chrome, spans[a][1])
        if n_bad + n_chrome >= st.opts.block_gap:
            blocks.append([])
        blocks[-1].append(b)
    return blocks
