"""The line model's pass (``line_model_bodies``): on a web page, the line model (``corpus_etl.linemodel``) decides
the bodies of each page's articles, and the page model (``corpus_etl.linemodel.pages``) where another page starts."""

from __future__ import annotations

import bisect
import re

from ..lines import (
    is_date_line,
    is_prose,
    parse_byline,
    words,
)
from ..options import Piece, RawRecord
from ..rule_groups import REPEATS
from ..state import SplitState


def line_model_bodies(st: SplitState) -> None:
    """On a web page, the line model (``corpus_etl.linemodel``) decides the bodies of each page's articles.

    It reads every unit of the page (a line, or a sentence of a long one) with its features and
    ``rule_view``; a line is body when units labelled body hold half its characters or more. The page's
    main article holds the body, and so does every other article of the page most of whose characters
    the model calls body (``line_model_article_share``; a second article the rules found in the page,
    not menus or teasers they took for one). Each body line goes to the last holder starting before it
    (the first holder for lines before them all), unless a record of kind 'related' (a heading said what it
    is) starts between them after ``page_gap_min_words`` words of the holder's body: that line stays as the
    rules left it. Each holder takes its lines (``SplitState.take_block``),
    its title and metadata staying; what it or other records kept between its first and last body line
    and the model does not call body is removed as 'line_model_<label>' (the label the model gave most of
    the line: other, comment, headline). A line a rule of the rules file or the learned boilerplate
    removes stays removed (those rules are certain), and so does a short line the text repeats (``REPEATS``: a
    site name printed again over the story, "Canadian Manufacturing"); a page where the model finds no body keeps
    the rules' decision.

    Chrome the rules took for an article goes (``line_model_drop_chrome``): an article of the page other than
    its holders that the model calls mostly not body, under ``page_gap_min_words`` words, and the main article
    of a page the model calls chrome (mostly not body, under that many words, not one body line) when another
    page of the text has a real article; their lines are removed as 'line_model_<label>'.

    The page model (``linemodel.pages``, on the first pass of ``split_text`` only) reads each page's gaps
    between body lines; where it says another page starts, the gap's ``new_page_line`` (after the gap's last
    footer line, else its first line) is kept in ``found_page_starts`` for the second pass.

    Reads the lines, the pieces (through ``SplitState.rule_view``), the records and the line and page models;
    changes the pieces and the records' bodies (``SplitState.take_block``, ``SplitState.drop_record``); writes
    ``found_page_starts`` and ``unsplit_gaps`` (and ``capture_gaps`` for the page model's training).
    """
    from ...linemodel import default_model, line_classes_many  # cycle: linemodel imports the splitter
    from ...linemodel.pages import gaps, load_page_model, new_page_probabilities, page_model_path  # cycle: as above

    model = default_model(st.opts.line_model_path)
    page_model = (
        load_page_model(str(page_model_path(st.opts.line_model_path)))
        if st.opts.page_model and not st.page_starts
        else None
    )
    view = st.rule_view()
    view_starts = [v[0] for v in view]
    mains = st.page_mains()
    starts = [ln.start for ln in st.lines]
    line_label: dict[int, str] = {}

    def rule_of(p: Piece) -> str:
        return f"line_model_{line_label.get(bisect.bisect_right(starts, p.start) - 1, 'other')}"

    def line_of(pos: int) -> int:
        return bisect.bisect_right(starts, pos) - 1

    # a line can join a body only as a whole body or removed piece (not a title, a byline, half a line)
    whole = {p.start: p for p in st.pieces if p.role in ("body", "removed")}
    first_kept: dict[int, int] = {}
    for p in st.pieces:
        if p.role != "removed" and p.record is not None:
            first_kept[p.record] = min(first_kept.get(p.record, p.start), p.start)

    def body_share(rec: RawRecord) -> float:
        """The share of a record's paragraph characters on lines the model calls body."""
        total = sum(b - a for a, b in rec.paragraph_spans)
        body = sum(b - a for a, b in rec.paragraph_spans if line_label.get(line_of(a)) == "body")
        return body / total if total else 0.0

    min_words = st.opts.page_gap_min_words
    real_page = False  # a page whose main article the model gives min_words words of body
    chrome_mains: list[int] = []  # mains of pages the model calls chrome and gives no body line
    # the pages with an article, and the model's classes of their lines: all asked at once (it reads the view
    # and the lines, which the loop below does not change)
    pages = [(lo, hi, page) for lo, hi, page in _page_segments(st) if page in mains]
    on_page: dict[int, list[int]] = {}  # page -> its records, in order (this pass adds none, moves none)
    for idx in range(len(st.records)):
        on_page.setdefault(st.record_page[idx], []).append(idx)
    classes = line_classes_many(st.text, [st.lines[lo:hi] for lo, hi, _ in pages], view, st.rules, model)
    for (lo, hi, page), (decided, shares) in zip(pages, classes, strict=True):
        main = mains[page]
        line_label.update(zip(range(lo, hi), decided, strict=True))
        continued_story(st, lo, hi, line_label)
        st.line_shares.update(zip(range(lo, hi), shares, strict=True))
        st.line_share_classes = tuple(model.classes)
        if page_model is not None or st.capture_gaps is not None:
            found = gaps(
                [ln.text for ln in st.lines[lo:hi]],
                decided,
                shares,
                model.classes,
                [
                    view[vi][2] if (vi := bisect.bisect_right(view_starts, ln.start) - 1) >= 0 else -1
                    for ln in st.lines[lo:hi]
                ],
                [getattr(st.rule_at(k), "effect", None) for k in range(lo, hi)],
                lambda t: is_date_line(t, st.rules),
            )
            if st.capture_gaps is not None:
                st.capture_gaps.append((lo, found))
            if page_model is not None and found:
                probs = new_page_probabilities(page_model, found)
                threshold = float(page_model.meta.get("threshold", 0.5))
                st.found_page_starts.update(
                    lo + g.new_page_line for g, q in zip(found, probs, strict=True) if q >= threshold
                )
                st.unsplit_gaps.update(
                    (lo + g.last_body + 1, float(q)) for g, q in zip(found, probs, strict=True) if q < threshold
                )
        holders = [main]
        for idx in on_page.get(page, ()):
            rec = st.records[idx]
            if idx == main or rec.kind != "article" or not rec.paragraphs:
                continue
            mostly_body = body_share(rec) > st.opts.line_model_article_share
            if mostly_body and rec.body_words >= st.opts.page_gap_min_words:
                holders.append(idx)
            elif st.opts.line_model_drop_chrome and not mostly_body and rec.body_words < min_words:
                st.drop_record(idx, rule_of)  # a few lines of chrome the rules took for an article
        main_chrome = body_share(st.records[main]) <= st.opts.line_model_article_share
        holders.sort(key=lambda idx: first_kept.get(idx, 0))
        holder_starts = [first_kept.get(idx, 0) for idx in holders]
        # a related block (a heading said what it is) ends the holder before it: its lines stay its own
        related_starts = sorted(
            first_kept[idx] for idx in on_page.get(page, ()) if st.records[idx].kind == "related" and idx in first_kept
        )
        chosen: dict[int, list[tuple[int, int, str, int]]] = {idx: [] for idx in holders}
        body_words = [0] * len(holders)  # words chosen so far, per holder
        words_before: dict[tuple[int, int], int] = {}  # (holder, related block) -> its words before the block
        for k in range(lo, hi):
            ln = st.lines[k]
            if line_label[k] != "body" or st.rule_at(k) is not None or st.is_learned(k):
                continue
            h = max(bisect.bisect_right(holder_starts, ln.start) - 1, 0)
            r = bisect.bisect_right(related_starts, ln.start) - 1
            if st.opts.line_model_keep_related and r >= 0 and related_starts[r] >= holder_starts[h]:
                # the holder's body words before the related block: its words so far, the first time a line
                # after the block is seen (lines come in text order)
                before = words_before.setdefault((h, r), body_words[h])
                if before >= st.opts.page_gap_min_words:
                    continue  # after a related block that follows its holder's article
            raw = st.text[ln.start : ln.end]
            lead = len(raw) - len(raw.lstrip())
            a, b = ln.start + lead, ln.start + len(raw.rstrip())
            piece = whole.get(ln.start)
            if piece is None or piece.end < b or (piece.role == "removed" and piece.rule in REPEATS):
                continue
            owner = holders[h]
            if ln.text == st.records[owner].title or parse_byline(ln.text, st.rules) is not None:
                continue  # the headline printed again (a caption, a share box), a byline: not body
            chosen[owner].append((a, b, ln.text, owner))
            body_words[h] += words(ln.text)
        for idx in holders:
            if chosen[idx]:
                st.take_block(idx, chosen[idx], rule_of)
        if body_words[holders.index(main)] >= min_words:
            real_page = True
        elif main_chrome and body_words[holders.index(main)] == 0 and st.records[main].body_words < min_words:
            chrome_mains.append(main)
    if real_page and st.opts.line_model_drop_chrome:
        for idx in chrome_mains:  # a page of chrome alone (a footer after the page's end) beside a real one
            st.drop_record(idx, rule_of)


# A line that says the story goes on after it ("Story continues below advertisement"), which a rule removes.
_STORY_CONTINUES = re.compile(r"(?:story|article) continues (?:below|after)\b.{0,40}", re.IGNORECASE)


def continued_story(st: SplitState, lo: int, hi: int, line_label: dict[int, str]) -> None:
    """Under a line that says the story continues ("Story continues below advertisement", removed by its rule) right
    after a line the model calls body, the running text (``is_prose``) that follows, up to the next line a rule or
    the learned boilerplate removes or that is not running text, is the story's body whatever the model called it:
    the model, which never saw that line on the dev pages, read a story's last paragraph under it, before the
    page's footer, as chrome (3 % of the words of the benchmark's web-page files). Changes ``line_label`` of the
    lines ``lo``..``hi - 1``."""
    last_body = False  # the nearest line with text above is body
    k = lo
    while k < hi:
        text = st.lines[k].text
        if not text.strip():
            k += 1
            continue
        if last_body and st.rule_at(k) is not None and _STORY_CONTINUES.fullmatch(text.strip()):
            j, restored = k + 1, False
            while j < hi:
                t = st.lines[j].text
                if t.strip():
                    if st.rule_at(j) is not None or st.is_learned(j) or not is_prose(t):
                        break
                    if line_label.get(j) != "body":
                        st.continued.add(j)
                    line_label[j] = "body"
                    restored = True
                j += 1
            k = j
            last_body = restored  # (a second such line under the text restored goes on the same way)
            continue
        last_body = line_label.get(k) == "body"
        k += 1


def _page_segments(st: SplitState) -> list[tuple[int, int, int]]:
    """The text's pages as runs of lines: ``(first line, line after the last, page)``. A line is on the page
    of the record holding its first piece; a line of no record, on the page of the line before (the
    first page for lines before every record)."""
    starts = [ln.start for ln in st.lines]
    page_of_line: list[int | None] = [None] * len(st.lines)
    for p in st.pieces:
        if p.record is not None:
            k = bisect.bisect_right(starts, p.start) - 1
            if k >= 0 and page_of_line[k] is None:
                page_of_line[k] = st.record_page[p.record]
    segments: list[tuple[int, int, int]] = []
    page = next((q for q in page_of_line if q is not None), 0)
    for k, q in enumerate(page_of_line):
        if q is not None and q > page:  # (pages only go forward)
            page = q
        if segments and segments[-1][2] == page:
            segments[-1] = (segments[-1][0], k + 1, page)
        else:
            segments.append((k, k + 1, page))
    return segments
