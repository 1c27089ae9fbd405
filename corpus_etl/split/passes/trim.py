"""Trimming the bodies: short non-sentence lines at a body's edges and runs of them inside it, and on a web page the
paragraphs the paragraph classifier finds bad or far from the body's main block (``trim_edges``); then, on a web
page, the recall safeguard that gives a page's too-short article a dominant block of good text (``recall_fallback``).
"""

from __future__ import annotations

import bisect
from itertools import pairwise

from ..lines import (
    cosine,
    has_figure,
    is_prose,
    is_table_row,
    topic_vector,
    words,
)
from ..options import Piece, RawRecord
from ..paragraph_classes import (
    classes_in_context,
    context_classes,
    good_blocks,
    has_good_paragraph,
    initial_class_of,
    link_chrome_starts,
)
from ..state import SplitState
from .briefs import bare_dateline


def trim_edges(st: SplitState) -> None:
    """Remove short non-sentence lines at the start and end of each record's body (menus, footers).

    And a record whose body is mostly such lines (a menu that got a headline) is no article: its
    lines become removed spans ('navigation_block'); not when its sentences hold
    ``SplitOptions.navigation_block_max_prose_words`` words or more (a post under a run of repeated photo
    captions: its short lines are trimmed as chrome instead). In a text of stories (no web page, three articles or
    more), a headlined record whose body is short non-sentence lines only, figures or not, keeps them (a wire brief of
    rows: "Qtly dividend six cts vs six cts", "Pay April 30").

    Reads the records and pieces (and the paragraph classifier); changes pieces to removed (with the rule), the
    records' paragraphs, spans and body words (and the title of a removed block); on a web page keeps the articles'
    paragraphs before trimming in ``st.pretrim`` (for ``recall_fallback``).
    """
    by_record: dict[int, list[Piece]] = {}
    for p in sorted(st.pieces, key=lambda p: p.start):
        if p.record is not None:
            by_record.setdefault(p.record, []).append(p)
    # On a web page, an 'article' in which the classifier finds no good paragraph while another
    # article of the page has some is a block of teasers or menus, not an article. Of the same page: in a file of
    # glued pages another page's article says nothing about this one (alone, its page keeps it).
    use_classifier = st.page and st.opts.paragraph_classifier
    if use_classifier:
        st.pretrim = sorted(
            (a, b, t, idx)
            for idx, rec in enumerate(st.records)
            if rec.kind == "article"
            for t, (a, b) in zip(rec.paragraphs, rec.paragraph_spans, strict=True)
        )
    has_good = {
        idx: has_good_paragraph(st, rec.paragraphs)
        for idx, rec in enumerate(st.records)
        if use_classifier and rec.kind == "article" and rec.paragraphs
    }
    # (a page as it is known to begin, ``page_begin_of``: at a rule's page start line, "Skip to main content", or
    # after the page before's site footer line, "© 2012 ... All rights reserved" (a site's "Contribute to NJ.com"
    # box under its footer line made dragnet R201's article a teaser block); not where the page model or a run of
    # menu lines guessed one, often inside one page)
    page_has_good: set[int] = {st.page_begin_of(idx) for idx, good in has_good.items() if good}
    # a text of stories: no web page, three articles or more (not a short page the page test did not recognise)
    stories = not st.page and sum(1 for r in st.records if r.kind == "article") >= 3
    for idx, rec in enumerate(st.records):
        # short, no sentence, no figures (a table row of figures is content)
        weak = [not is_prose(p) and words(p) < 10 and not has_figure(p) for p in rec.paragraphs]
        if rec.paragraphs and rec.kind == "article":
            strong_words = sum(words(p) for p, w in zip(rec.paragraphs, weak, strict=True) if not w)
            block = None
            if (
                len(rec.paragraphs) >= 5
                and strong_words < 0.3 * rec.body_words
                and strong_words < st.opts.navigation_block_max_prose_words
            ):
                block = "navigation_block"
            elif idx in has_good and not has_good[idx] and st.page_begin_of(idx) in page_has_good:
                block = "low_content_block"
            if block:
                for p in by_record.get(idx, []):
                    if p.role != "removed":
                        p.role, p.rule = "removed", block
                rec.paragraphs, rec.paragraph_spans, rec.title = [], [], None
                continue
        if stories and rec.title and rec.kind == "article" and _rows_only(st, rec.paragraphs):
            continue  # a story file's brief of rows under its headline ("Qtly dividend six cts vs six cts", "Pay
            # April 15", "Record April Two"): no menu to trim, and trimmed it is a headline over nothing
        lo, hi = 0, len(weak)
        while lo < hi and weak[lo]:
            lo += 1
        while hi > lo and weak[hi - 1]:
            hi -= 1
        drop = {k: "edge_chrome" for k in [*range(lo), *range(hi, len(weak))]}
        # Inside the body a lone short line is a subheading; a run of them is a menu or a widget.
        k = lo
        while k < hi:
            if weak[k]:
                run_end = k
                while run_end < hi and weak[run_end]:
                    run_end += 1
                if run_end - k >= st.opts.weak_run_min:
                    drop.update(dict.fromkeys(range(k, run_end), "inner_chrome"))
                k = run_end
            else:
                k += 1
        if st.page and st.opts.paragraph_classifier and rec.kind == "article":
            _classify_body(st, rec, drop, by_record.get(idx, []))
        if not drop:
            continue
        body_pieces = [p for p in by_record.get(idx, []) if p.role == "body"]
        starts = [p.start for p in body_pieces]
        for k, rule in drop.items():
            a, b = rec.paragraph_spans[k]
            j = bisect.bisect_right(starts, a) - 1  # the body piece holding the paragraph
            if j >= 0 and body_pieces[j].start <= a and b <= body_pieces[j].end:
                body_pieces[j].role, body_pieces[j].rule = "removed", rule
        rec.body_words -= sum(words(rec.paragraphs[k]) for k in drop)
        keep = [k for k in range(len(weak)) if k not in drop]
        rec.paragraphs = [rec.paragraphs[k] for k in keep]
        rec.paragraph_spans = [rec.paragraph_spans[k] for k in keep]


def _rows_only(st: SplitState, paragraphs: list[str]) -> bool:
    """Whether a body is short lines with no sentence and nothing else (a bare dateline over them aside): a wire
    brief's rows, figures or spelt out ("Pay April 30", "Qtly div five cts vs five cts prior")."""
    rows = [p for p in paragraphs if not bare_dateline(st, p)]
    return bool(rows) and all(not is_prose(p) and words(p) < 10 for p in rows)


def _classify_body(st: SplitState, rec: RawRecord, drop: dict[int, str], pieces: list[Piece]) -> None:
    """Mark for removal the paragraphs of a web page's article that the paragraph classifier finds bad:
    everything before its first and after its last good paragraph ('low_content_edge'), and runs of
    bad paragraphs inside it ('low_content_run'). A body with no good paragraph is left alone."""
    classes = classes_in_context(st, rec, pieces)
    good = [k for k, c in enumerate(classes) if c == "good"]
    if not good:
        return
    for k, rule in _off_main_block(st, rec, classes, good, pieces).items():
        drop.setdefault(k, rule)
        classes[k] = "bad"
    good = [k for k in good if classes[k] == "good"]
    if not good:
        return
    lede = good[0] - 1  # a sentence opening with a dateline right before the body is its lede
    if lede >= 0 and is_prose(rec.paragraphs[lede]) and st.rules.dateline.match(rec.paragraphs[lede]):
        classes[lede] = "good"
        good.insert(0, lede)
    for k in [*range(good[0]), *range(good[-1] + 1, len(classes))]:
        drop.setdefault(k, "low_content_edge")
    k = good[0]
    while k < good[-1]:
        if classes[k] == "bad":
            run_end = k
            while classes[run_end] == "bad":
                run_end += 1
            # a lone bad paragraph may be a quote or a subheading; a run that is mostly rows of figures
            # is a table in the body (statistics, results), content
            rows = sum(1 for j in range(k, run_end) if is_table_row(rec.paragraphs[j]))
            if run_end - k >= st.opts.weak_run_min and not (rows >= 2 and 2 * rows >= run_end - k):
                for j in range(k, run_end):
                    drop.setdefault(j, "low_content_run")
            k = run_end
        else:
            k += 1


def _off_main_block(
    st: SplitState, rec: RawRecord, classes: list[str], good: list[int], pieces: list[Piece]
) -> dict[int, str]:
    """Paragraphs of good blocks far from the body's main block, to be removed, with the rule removing
    them: 'off_main_block', or 'teaser_list' for a teaser list after the article (``_teaser_blocks``).

    The good paragraphs fall into blocks separated by gaps of at least ``SplitOptions.block_gap``
    bad paragraphs or link-like chrome lines (a teaser list, a footer). The block with the most good
    text is the article (boilerpipe's and trafilatura's densest block); a block holding less than
    ``block_keep_share`` of that text and fewer than ``block_keep_paragraphs`` good paragraphs, on
    the far side of such a gap, is a teaser summary or a promo text of the page, not the article's
    continuation (a longer one is a part of the article after a widget, kept).
    """
    chrome = link_chrome_starts(st, pieces)
    blocks = good_blocks(st, classes, good, rec.paragraph_spans, chrome)
    if len(blocks) == 1:
        return {}
    mass = [sum(len(rec.paragraphs[k]) for k in blk) for blk in blocks]
    main = max(mass)
    teasers = _teaser_blocks(st, rec, blocks, chrome)
    out: list[int] = []
    off_mass = 0
    for b, (blk, m) in enumerate(zip(blocks, mass, strict=True)):
        small = m < st.opts.block_keep_share * main and len(blk) < st.opts.block_keep_paragraphs
        if small and b not in teasers:
            out.extend(range(blk[0], blk[-1] + 1))
            off_mass += m
    # A safety net: small blocks that together outweigh the main block are no teasers around an
    # article but one text cut up by inline links or widgets: nothing is removed.
    cut = dict.fromkeys(out, "off_main_block") if off_mass <= st.opts.block_off_max_share * main else {}
    for b in teasers:
        cut.update(dict.fromkeys(range(blocks[b][0], blocks[b][-1] + 1), "teaser_list"))
    return cut


def _teaser_blocks(st: SplitState, rec: RawRecord, blocks: list[list[int]], chrome: list[int]) -> set[int]:
    """Indices of the good blocks that are a teaser list after the article.

    A block is laid out as a teaser list when two or more of its paragraphs are running text (good or
    near-good on their own) and each sits right under a short line or a link-like chrome line (a
    headline, a byline, a timestamp), none right after another. The article's block is the block not
    so laid out that holds the most text the classifier finds good on its own (not through its
    neighbours); a teaser-list block after it on another topic (word overlap under
    ``SplitOptions.same_topic_similarity``) is teasers, however long it is (teasers can outweigh a
    short article). An article going on after a widget has paragraphs in a row or shares the article's
    words; a list article (a headline and a paragraph per item) has no block with paragraphs in a row
    before its items, or shares its words.
    """
    initial = [initial_class_of(st, p) for p in rec.paragraphs]
    spans = rec.paragraph_spans

    def teaser_layout(blk: list[int]) -> bool:
        prose = [k for k in range(blk[0], blk[-1] + 1) if initial[k] in ("good", "neargood")]
        return len(prose) >= 2 and not any(
            k > 0
            and initial[k - 1] in ("good", "neargood")
            and bisect.bisect_left(chrome, spans[k - 1][1]) == bisect.bisect_left(chrome, spans[k][0])
            for k in prose
        )

    layout = [teaser_layout(blk) for blk in blocks]
    if all(layout) or not any(layout):
        return set()
    dense = [sum(len(rec.paragraphs[k]) for k in blk if initial[k] == "good") for blk in blocks]
    ref = max((b for b in range(len(blocks)) if not layout[b]), key=lambda b: (dense[b], len(blocks[b])))
    ref_topic = topic_vector(" ".join(rec.paragraphs[k] for k in blocks[ref]))
    out: set[int] = set()
    for b in range(ref + 1, len(blocks)):
        if layout[b]:
            topic = topic_vector(" ".join(rec.paragraphs[k] for k in blocks[b]))
            if cosine(topic, ref_topic) < st.opts.same_topic_similarity:
                out.add(b)
    return out


def recall_fallback(st: SplitState) -> None:
    """A recall safeguard for each page of a web page (trafilatura falls back to a baseline extractor
    when its main extraction comes out suspiciously short): when the page's article is very short
    next to the text the classifier finds good in the page's articles, a block of that good text
    becomes the article's body.

    The page's article paragraphs before trimming (``st.pretrim``, kept by ``trim_edges``: of every record that was
    an article then, whatever cut them since: classifier, removed block, another article of the page) are read
    as one sequence, link-like chrome lines in place, and grouped into blocks of good paragraphs as in
    ``_off_main_block``. It fires when the page's longest article keeps less than
    ``SplitOptions.recall_fallback_share`` of the characters of that good text, and the largest block
    holds at least ``recall_fallback_min_chars`` characters and ``recall_fallback_block_share`` of it
    (one dominant run of prose, not teasers scattered over the page). That article (or, with none, the
    record holding the block) then takes the block's good paragraphs and the lone bad ones between
    them as its body; everything else kept between its old and new text (its former body, records
    in between) is removed with rule 'recall_fallback', so the former cut stays auditable. Records of
    kind 'related' and reader comments never count: a heading said what they are.

    Reads ``st.pretrim``, the records, ``record_page`` and the pieces; changes, through ``SplitState.take_block``, the
    pieces and the records' bodies (and kind).
    """
    by_page: dict[int, list[tuple[int, int, str, int]]] = {}
    for para in st.pretrim:
        by_page.setdefault(st.record_page[para[3]], []).append(para)
    # The page's articles and the chrome lines are found once, and again after a block is taken (it
    # changes records and pieces): a scan of every record and piece per page was quadratic in a file
    # of many pages.
    arts_by_page: dict[int, list[int]] | None = None
    chrome: list[int] | None = None
    for page, paras in by_page.items():
        if arts_by_page is None:
            arts_by_page = {}
            for i, r in enumerate(st.records):
                if r.kind == "article" and r.paragraphs:
                    arts_by_page.setdefault(st.record_page[i], []).append(i)
        arts = arts_by_page.get(page, [])
        kept = {i: sum(len(t) for t in st.records[i].paragraphs) for i in arts}
        main = max(arts, key=lambda i: kept[i], default=None)
        main_chars = kept[main] if main is not None else 0
        share = st.opts.recall_fallback_share
        if main_chars >= share * sum(len(t) for _, _, t, _ in paras):  # cheap: good text <= all text
            continue
        texts = [t for _, _, t, _ in paras]
        spans = [(a, b) for a, b, _, _ in paras]
        if chrome is None:
            chrome = link_chrome_starts(st, st.pieces)
        classes = context_classes(st, texts, spans, chrome)
        good = [k for k, c in enumerate(classes) if c == "good"]
        good_chars = sum(len(texts[k]) for k in good)
        if not good or main_chars >= share * good_chars:
            continue
        block = max(good_blocks(st, classes, good, spans, chrome), key=lambda b: sum(len(texts[k]) for k in b))
        mass = sum(len(texts[k]) for k in block)
        if mass < st.opts.recall_fallback_min_chars or mass < st.opts.recall_fallback_block_share * good_chars:
            continue
        chosen = list(block)  # plus a lone bad paragraph between two good ones (a quote, a subheading)
        for a, b in pairwise(block):
            if b - a == 2:
                chosen.append(a + 1)
        chosen.sort()
        target = main if main is not None else paras[chosen[0]][3]
        st.take_block(target, [paras[k] for k in chosen])
        arts_by_page = chrome = None
