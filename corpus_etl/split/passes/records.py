"""Passes that decide which records stand and of what kind: whether the text is a web page (``detect_page``); on a
web page (or in an explicit segment) the articles the line-by-line pass cut out of one article joined again
(``merge_weak_splits``); in a text of stories, long 'related' records made articles (``long_related_are_articles``);
on a web page, untitled blocks beside the page's article made 'related' (``demote_untitled``); in an explicit
segment, a lone headline made the body (``untitle_lone_headlines``)."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from typing import TYPE_CHECKING

from ...kinds import RECORD_MODEL_JUNK, UNTITLED_BESIDE_ARTICLE
from ..lines import (
    fold_line,
    words,
)
from ..options import RawRecord
from ..paragraph_classes import (
    classes_of,
)
from ..rule_groups import MENU_CHROME, PAGE_CHROME, REPEATS
from ..state import SplitState, rule_chrome_dense
from .briefs import dated_dateline, states_the_day

# removed lines of a site's legal footer (the record model counts them around a record)
LEGAL = frozenset(["copyright", "legal_notice", "cookie_notice", "affiliate_notice", "staff_footer", "contact_line"])

if TYPE_CHECKING:  # (linemodel imports the splitter)
    from ...linemodel.records import RecordView


def detect_page(st: SplitState) -> None:
    """Set ``st.page``: whether the text is a web page (``_is_page``). Reads the pieces; the passes after it read
    ``st.page``."""
    st.page = _is_page(st)


def _is_page(st: SplitState) -> bool:
    """Whether the text is a web page: enough lines removed as web chrome (not metadata, not credits; a line with
    no letter, a table's rule "----" or "- - - -" read as a bullet list, is evidence of nothing)."""
    found = Counter(
        p.rule
        for p in st.pieces
        if p.role == "removed" and p.rule in PAGE_CHROME and any(c.isalpha() for c in st.text[p.start : p.end])
    )
    n = sum(found.values())
    # Short lines printed twice ("Year", a lone dateline) are common in a concatenation of clean
    # stories: alone they do not make a web page; nor do lines learned as the folder's repeats (a
    # folder of earnings stories repeats "Nine mths", "Pay April 30" in many files), nor a few menu-like
    # lines among many stories.
    n_words = sum(words(ln.text) for ln in st.lines)
    dense = n * 1000 >= st.opts.page_min_chrome_per_1000_words * n_words
    by_rules = n - sum(found[r] for r in REPEATS)
    # (one line a rule reads as chrome among repeats is no page either: a wire table's note "(C) - Sales made on
    # exporters' own account.", a headline read as a breadcrumb; every dev page read as one has two or more; nor are
    # two such lines among a file of 1,800 wire stories whose repeated lines the folder's learning made dense)
    return (
        n >= st.opts.page_min_chrome_lines and by_rules >= 2 and dense and rule_chrome_dense(by_rules, n_words, st.opts)
    )


def merge_weak_splits(st: SplitState) -> None:
    """On a web page, join what the line-by-line pass cut out of one article.

    An article opened only on weak evidence (a topic change, a repeated headline + standfirst
    layout: ``SplitOptions.page_weak_splits``) continues the article before it; so does a
    'related' block with no headline that holds a paragraph the classifier finds good (running
    text after a "Related articles" box in the middle of a body; teasers open with their
    headline), and a 'related' block with a headline that holds two good paragraphs right after a
    block that rejoined, three otherwise (the article going on under a caption or a subheading:
    ``_continues``). The headline of a joined record becomes a body paragraph (a subheading, or a
    teaser the classifier then removes); its pieces, paragraphs and metadata move to the article
    it continues.

    Reads the records, ``open_reason`` and the pieces; changes the pieces' records (and a joined title's role), the
    records' paragraphs, metadata and kind. A joined record is left empty (``assemble`` drops it).
    """
    target: dict[int, int] = {}
    last_article: int | None = None
    rejoined: set[int] = set()  # related blocks that rejoined their article
    gaps = _chrome_gaps(st)
    for idx, rec in enumerate(st.records):
        prev_idx = target.get(idx - 1, idx - 1)
        if rec.kind == "article":
            # (in an explicit segment, one article by definition, every split is weak)
            weak = st.opts.one_article or st.open_reason[idx] in st.opts.page_weak_splits
            if weak and gaps.get(idx, 0) >= st.opts.page_gap_lines and rec.body_words >= st.opts.page_gap_min_words:
                weak = False  # another page's article: a page's footer and the next one's header lie between
            if idx and weak and st.records[prev_idx].kind == "article":
                _join(st, idx, prev_idx)
                target[idx] = prev_idx
            else:
                last_article = idx
        elif prev_idx == last_article and _continues(st, last_article, rec, idx - 1 in rejoined):
            # (only right after the article or what joined it: record extents must not overlap)
            _join(st, idx, last_article)
            target[idx] = last_article
            rec.set_kind("article")
            rejoined.add(idx)


HEADER_MIN_LINES = 2
"""A page header printed again is this many removed lines or more (one repeated line is an ad slot, a rule)."""
HEADER_MAX_LINES = 8  # ... and at most this many (the last lines above the first record)
HEADER_FOUND_LINES = 3
HEADER_MIN_WORDS = 4
_WORD = re.compile(r"\w+")


def header_pages(st: SplitState) -> None:
    """On a web page, where the text's own header is printed again, another page starts (kept in
    ``found_page_starts`` for the second pass, as the page model's page starts): the last ``HEADER_MIN_LINES`` to
    ``HEADER_MAX_LINES`` lines removed above the first record ("The Daily Ledger" / "Home | World | Business"),
    found again later as consecutive lines that this pass removed too (``HEADER_FOUND_LINES`` of them or all,
    ``HEADER_MIN_WORDS`` words or more), with a kept line right under them, as under the first
    (``_repeated_header``). A file of one site's pages whose footers were not kept has no other sign of where a page
    ends: its stories (the untitled ones most) ran together as one article. On 1,559 single dev pages it starts a
    page on 10 (a menu printed twice on one page: "* Print" / "* Email" ...).

    Reads the lines and the pieces; writes ``found_page_starts``.
    """
    st.found_page_starts.update(_repeated_header(st))


def _repeated_header(st: SplitState) -> list[int]:
    """The lines where the text's own header is printed again (``header_pages``); none when the text has no such
    header or does not print it again."""
    removed, kept, first = st.piece_lines()
    if not first:
        return []
    top_line = min(first.values())  # (the first record's first kept line)
    top: list[int] = []  # the removed lines right above the first record, nearest last
    for k in range(top_line - 1, -1, -1):
        if k not in removed or len(top) == HEADER_MAX_LINES:
            break
        top.append(k)
    top.reverse()
    if len(top) < HEADER_MIN_LINES:
        return []
    gap = top_line - top[-1] - 1  # (0: the first record's line is right under its header)
    keys = [fold_line(ln.text) for ln in st.lines]
    # (a few lines of it, found again, are a menu printed twice on one page: "* Print" / "* Email" over and under
    # the article; so a header found again is HEADER_FOUND_LINES of its lines or more (all, when it has fewer),
    # of HEADER_MIN_WORDS words or more)
    for size in range(len(top), min(len(top), HEADER_FOUND_LINES) - 1, -1):
        header = [keys[k] for k in top[-size:]]
        if sum(len(_WORD.findall(h)) for h in header) < HEADER_MIN_WORDS:
            break
        found = [
            j
            for j in range(top_line + 1, len(st.lines) - size + 1)
            if keys[j] == header[0]
            and all(j + m in removed and keys[j + m] == header[m] for m in range(size))
            and j + size + gap in kept  # (as over the first record: a story follows, not the page's footer)
        ]
        if found:
            return found
    return []


def _chrome_gaps(st: SplitState) -> dict[int, int]:
    """Per record (by index, from the second): the lines removed between the end of the record before
    it and its own first kept line (a page's footer and the next page's header, between two pages)."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    removed: list[int] = []
    for p in st.pieces:
        if p.role == "removed":
            removed.append(p.start)
        elif p.record is not None:
            first[p.record] = min(first.get(p.record, p.start), p.start)
            last[p.record] = max(last.get(p.record, p.end), p.end)
    removed.sort()
    out: dict[int, int] = {}
    for idx in range(1, len(st.records)):
        if idx in first and idx - 1 in last:
            out[idx] = bisect.bisect_left(removed, first[idx]) - bisect.bisect_left(removed, last[idx - 1])
    return out


def _continues(st: SplitState, article: int, rec: RawRecord, after_rejoined: bool = False) -> bool:
    """Whether the classifier, reading ``rec`` right after the article's body, finds enough good text
    in it: one good paragraph for a block with no headline; for a block with one (a teaser is a
    headline and a summary of a paragraph or two), ``SplitOptions.related_rejoin_good`` right after a
    block that rejoined (the article going on under a caption after a box of links), one more
    otherwise."""
    before = st.records[article].paragraphs
    n_good = classes_of(st, before + rec.paragraphs)[len(before) :].count("good")
    if rec.title is None:
        return n_good >= 1
    return n_good >= st.opts.related_rejoin_good + (not after_rejoined)


def _join(st: SplitState, idx: int, into: int) -> None:
    rec, prev = st.records[idx], st.records[into]
    title_spans: list[tuple[int, int]] = []
    for p in st.pieces:
        if p.record == idx:
            p.record = into
            if p.role == "title":
                p.role = "body"
                raw = st.text[p.start : p.end]
                lead = len(raw) - len(raw.lstrip())
                title_spans.append((p.start + lead, p.start + len(raw.rstrip())))
    if rec.title and title_spans:
        prev.paragraphs.append(rec.title)
        prev.paragraph_spans.append(title_spans[0])
        prev.body_words += words(rec.title)
    prev.paragraphs.extend(rec.paragraphs)
    prev.paragraph_spans.extend(rec.paragraph_spans)
    prev.body_words += rec.body_words
    prev.authors.extend(a for a in rec.authors if a not in prev.authors)
    prev.tags.extend(t for t in rec.tags if t not in prev.tags)
    prev.outlet = prev.outlet or rec.outlet
    prev.published = prev.published or rec.published
    rec.paragraphs, rec.paragraph_spans, rec.title, rec.body_words = [], [], None, 0
    rec.authors, rec.tags = [], []


def long_related_are_articles(st: SplitState) -> None:
    """In a text that is no web page (stories one after another), a 'related' record of
    ``page_gap_min_words`` words or more is a story, not a teaser (a teaser is a headline and a sentence or
    two): its kind becomes 'article' (a "More from ..." line at the end of a story had opened a related zone
    over the stories after it).

    Reads and changes the records' ``kind``.
    """
    for rec in st.records:
        if rec.kind == "related" and rec.body_words >= st.opts.page_gap_min_words:
            rec.set_kind("article")


def demote_untitled(st: SplitState) -> None:
    """On a web page, an article with no headline and no metadata is a block of the page (a list of
    teasers, a promo) when another article of the same page (not of another page of the file: a new
    page's chrome or a separator line starts one) has its headline and a date, a byline or tags over a
    body: that one is the page's article, the untitled block becomes 'related'.

    Reads the records and ``record_page``; changes the records' ``kind``.
    """
    by_page: dict[int, list[RawRecord]] = {}
    for r, page in zip(st.records, st.record_page, strict=True):
        if r.kind == "article" and r.paragraphs:
            by_page.setdefault(page, []).append(r)
    min_words = st.opts.min_body_words_before_split
    for arts in by_page.values():
        if not any(r.title and (r.published or r.authors or r.tags) and r.body_words >= min_words for r in arts):
            continue
        for r in arts:
            if not (r.title or r.published or r.authors or r.tags):
                r.set_kind("related", UNTITLED_BESIDE_ARTICLE)


def untitle_lone_headlines(st: SplitState) -> None:
    """In an explicit segment, a record that is a headline-like line and nothing else (a tweet, a one-line
    article) holds that line as its body, not as a title over no body; so does every article record of a segment
    whose file's articles come without headlines (``SplitOptions.segment_headlines`` off): its headline line
    becomes a paragraph of its body, where it stands (the title model's choice too, on a segment read as a web
    page).

    Reads the records and their title pieces; changes both (the title piece becomes the body).
    """
    for idx, rec in enumerate(st.records):
        if rec.title is None or rec.kind != "article" or (rec.paragraphs and st.opts.segment_headlines):
            continue
        piece = st.title_piece(idx)
        if piece is None:
            continue
        piece.role = "body"
        raw = st.text[piece.start : piece.end]  # (the line as printed: a chosen title may be cleaned)
        line = raw.strip()
        start = piece.start + len(raw) - len(raw.lstrip())
        k = bisect.bisect_left(rec.paragraph_spans, (start, start + len(line)))
        rec.paragraphs.insert(k, line)
        rec.paragraph_spans.insert(k, (start, start + len(line)))
        rec.body_words, rec.title = rec.body_words + words(line), None


def demote_junk_records(st: SplitState) -> None:
    """On a web page, an article record the record model (``linemodel.records``) calls junk (page chrome, a
    newsletter box, comments, a teaser or another post: most of its words no article's) becomes 'related', with
    ``kind_reason`` ``RECORD_MODEL_JUNK`` and the model's probability in ``kind_prob``. The file's largest article
    record the model does not call junk (the largest, when it calls them all junk: ``_kept``) is never demoted (a file
    keeps its main article; a comment thread or an archive list larger than the post is no main article), nor, in a
    file of glued pages (two page start lines or more), each page's (a page as a page start line opened it: a page is
    scraped for its article; on the 50 MB bench corpus's chrome files 903 of 16,472 real stories were demoted before),
    nor a wire story (``_wire_story``): a record whose body
    opens with its own wire dateline stating the day ("SPRINGFIELD, Ill., May 4 - ..."), or a brief
    ``restore_dated_briefs`` or ``restore_headline_briefs`` gave its body back (``RawRecord.wire_brief``), nor a
    page's only article ``restore_empty_pages`` gave back (``RawRecord.page_article``). A real article is never hidden,
    and a wire story's short lede or rows of figures look like a teaser or chrome to a model trained on web pages. A
    demoted record's text stays in its record (nothing is removed).

    Runs on the text's last pass only (not when the page model found pages: the text is split again). With
    ``capture_records`` set (the model's training), the records and their rows are kept there and nothing changes.

    Reads the records (with ``wire_brief``), ``record_page``, ``open_reason``, the pieces and the line model's
    ``line_shares``; changes the records' ``kind``, ``kind_reason`` and ``kind_prob``.
    """
    from ...linemodel.records import (  # cycle: linemodel imports the splitter
        features,
        junk_probabilities,
        load_record_model,
        record_model_path,
    )

    if st.found_page_starts:
        return
    views = record_views(st)
    if not views:
        return
    rows = features(views, len(st.text))
    if st.capture_records is not None:
        st.capture_records.extend(zip(views, rows, strict=True))
        return
    model = load_record_model(str(record_model_path(st.opts.line_model_path)))
    if model is None or len(views) < 2:
        return
    probs = junk_probabilities(model, rows)
    threshold = float(model.meta.get("threshold", 0.5))
    # the file's largest article record the model does not call junk, and in a file of glued pages (two page start
    # lines or more) each page's (a page as a page start line opened it: ``page_offsets``): a page is scraped for its
    # article
    junk = {id(v): q >= threshold for v, q in zip(views, probs.tolist(), strict=True)}
    groups: dict[int, list[RecordView]] = {}
    for v in views:
        groups.setdefault(st.page_start_of(v.index) if st.glued_pages else 0, []).append(v)
    keep = {id(_kept(views, junk))} | {id(_kept(g, junk)) for g in groups.values()}
    for v, q in zip(views, probs.tolist(), strict=True):
        rec = st.records[v.index]
        if id(v) not in keep and q >= threshold and not _wire_story(st, rec) and not rec.page_article:
            rec.set_kind("related", RECORD_MODEL_JUNK, float(q))


def _kept(views: list[RecordView], junk: dict[int, bool]) -> RecordView:
    """The record of ``views`` that ``demote_junk_records`` never demotes: the largest that the record model does not
    call junk (a comment thread of 3,000 words under a post of 400 is no page's article), the largest when it calls
    them all junk."""
    fine = [v for v in views if not junk[id(v)]] or views
    return max(fine, key=lambda v: (v.words, -v.start))


def _wire_story(st: SplitState, rec: RawRecord) -> bool:
    """Whether ``rec`` is a wire story: a brief a briefs pass gave its body back, or a record with its own
    dated wire dateline, found on its lines (``RawRecord.dateline``; the line itself may be removed, as a figures
    brief's "CINCINNATI, Oct. 19 -" over a note) or opening its body (``briefs.dated_dateline``)."""
    if rec.wire_brief or states_the_day(rec.dateline):
        return True
    return bool(rec.paragraphs) and dated_dateline(st, rec.paragraphs[0])


def record_views(st: SplitState) -> list[RecordView]:
    """The article records of ``st`` with a body, as the record model reads them (``linemodel.records.RecordView``),
    in text order."""
    from ...linemodel.records import LINE_CLASSES, RecordView  # cycle: as above

    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for p in st.pieces:
        if p.role != "removed" and p.record is not None:
            first[p.record] = min(first.get(p.record, p.start), p.start)
            last[p.record] = max(last.get(p.record, p.end), p.end)
    # the removed pieces around each record: between the kept text of other records (or the text's ends) and its own
    ordered = st.pieces_by_start()[0]
    before: dict[int, tuple[int, int, int]] = {}
    after: dict[int, tuple[int, int]] = {}
    gap: list[str] = []  # rules of the removed pieces since the last kept piece
    prev: int | None = None  # the record of the last kept piece
    for p in ordered:
        if p.role == "removed" or p.record is None:
            gap.append(p.rule or "")
            continue
        if p.record != prev:
            if prev is not None and prev not in after:
                after[prev] = (len(gap), sum(1 for r in gap if r in LEGAL))
            if p.record not in before:
                before[p.record] = (
                    len(gap),
                    sum(1 for r in gap if r in MENU_CHROME),
                    sum(1 for r in gap if r in LEGAL),
                )
        gap = []
        prev = p.record
    if prev is not None and prev not in after:
        after[prev] = (len(gap), sum(1 for r in gap if r in LEGAL))
    starts = [ln.start for ln in st.lines]
    cols = [st.line_share_classes.index(c) if c in st.line_share_classes else -1 for c in LINE_CLASSES]
    out = []
    for idx, rec in enumerate(st.records):
        if rec.kind != "article" or not rec.paragraphs or idx not in first:
            continue
        lines = sorted({bisect.bisect_right(starts, a) - 1 for a, _ in rec.paragraph_spans})
        shares = [st.line_shares[k] for k in lines if k in st.line_shares]
        if shares:
            mean = [float(sum(s[c] for s in shares) / len(shares)) if c >= 0 else 0.0 for c in cols]
            body_min = float(min(s[cols[0]] for s in shares)) if cols[0] >= 0 else 0.0
        else:
            mean, body_min = [0.0] * len(LINE_CLASSES), 0.0
        out.append(
            RecordView(
                index=idx,
                page=st.record_page[idx],
                start=first[idx],
                end=last[idx],
                paragraphs=tuple(rec.paragraphs),
                words=rec.body_words,
                title=rec.title,
                published=bool(rec.published),
                authors=bool(rec.authors),
                tags=bool(rec.tags),
                dateline=bool(rec.dateline),
                open_reason=st.open_reason[idx],
                line_shares=tuple(mean),
                line_body_min=body_min,
                spans=tuple(rec.paragraph_spans),
                removed_before=before.get(idx, (0, 0, 0))[0],
                menu_before=before.get(idx, (0, 0, 0))[1],
                legal_before=before.get(idx, (0, 0, 0))[2],
                removed_after=after.get(idx, (0, 0))[0],
                legal_after=after.get(idx, (0, 0))[1],
            )
        )
    return out
