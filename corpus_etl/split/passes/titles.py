"""The title model's pass (``choose_titles``): on a web page, the headline of each page's main article chosen among
the lines around its body's start (``corpus_etl.titles``)."""

from __future__ import annotations

import bisect

from ..lines import (
    LIST_BULLET,
    fold_line,
    is_rejected_title,
    parse_byline,
    words,
)
from ..options import Piece
from ..state import SplitState
from .briefs import bare_dateline, dated_dateline

# At this probability or more, the title model's headline may be a line that a rule of the rules file removes
# with no other effect ("53 bits ought to be enough for anybody" read as image alt text, "Photos: ..." as a
# credit) or an item of a list ("+ Listen to Music With Your Friends", taken without its bullet); below it such
# a line is never a title. (Site-disjoint dragnet titles: the same from 0.3 to 0.5, fewer at 0.7.)
SURE_TITLE = 0.5


def choose_titles(st: SplitState) -> None:
    """On web pages, the title model (``corpus_etl.titles``) picks the headline of each page's main article
    (the one with most words; the model was trained on those) among the lines around its body's start:
    often a line the headline test passed over, or not the menu entry or site name it took. The chosen
    line becomes the record's title piece (a line removed as chrome, or the body's first paragraph) when
    it lies after the records before it and its page's start (``SplitState.page_offsets``: the line of a page start
    rule, "Skip to main content") and no later than the body's start; a title it replaces is
    removed as 'title_rejected'. A line among the body's first lines becomes the title when the body
    before it is a few words of chrome (``title_inside_body``). Where the model finds none, the title
    stays, and so does a headline right over the body when the model picks a line no title can be
    (``is_rejected_title``: "Home | World | Business" over it; elsewhere such a choice is let through, and
    ``untitle_navigation`` removes it at the end, with the site's name it replaced: a page's date line under a
    "« Previous | Main | Next »" line comes with it). A line a rule removes or a list item becomes a title only
    when the model is sure (``_refused``).
    Asked a second time (after the line model) about a body that starts elsewhere, the model is asked about
    both body starts and the surer answer wins (site-disjoint dragnet titles +0.005). A wire brief the briefs' passes
    gave its rows back (``RawRecord.wire_brief``) keeps a headline right over its body: the model, trained on pages'
    articles, took a dividend notice's row for the better title.

    Reads the lines, pieces and records and the title model; changes title pieces (a new title, 'title_rejected',
    'pre_title_chrome') and the records' titles and bodies; keeps what it asked in ``st.titles_asked`` (run twice).
    """
    from ...titles import (  # cycle: titles imports the splitter
        choose_title,
        page_index,
        title_model_path,
        title_probabilities_many,
    )
    from ...titles import load_model as load_title_model  # cycle: titles imports the splitter

    model = load_title_model(str(title_model_path(st.opts.line_model_path)))
    if st.title_index is None:  # (asked twice on a web page: before and after the line model)
        st.title_index = page_index([ln.text for ln in st.lines])
    index = st.title_index
    starts = [ln.start for ln in st.lines]
    first_piece: dict[int, Piece] = {}
    last_kept: dict[int, int] = {}
    for p in st.pieces:
        first_piece.setdefault(p.start, p)
        if p.role != "removed" and p.record is not None:
            last_kept[p.record] = max(last_kept.get(p.record, 0), p.end)
    main_of_page: dict[int, int] = {}  # the model was trained on pages' main articles: only those ask it
    for idx, rec in enumerate(st.records):
        if rec.kind == "article" and rec.paragraph_spans:
            page = st.record_page[idx]
            best = main_of_page.get(page)
            if best is None or rec.body_words > st.records[best].body_words:
                main_of_page[page] = idx
    mains = set(main_of_page.values())
    titled_line = {
        q.record: bisect.bisect_right(starts, q.start) - 1
        for q in st.pieces
        if q.role == "title" and q.record is not None
    }
    # Which records ask the model, about which lines: decided before any answer (the answers change titles, not
    # the pieces' records or the floors these read), so that the model is run once for all of them.
    asks: list[tuple[int, int, int, int | None, int]] = []  # (record, body line, first line, earlier body line, floor)
    floor = 0
    for idx, rec in enumerate(st.records):
        if idx in mains:
            body_line = bisect.bisect_right(starts, rec.paragraph_spans[0][0]) - 1
            before = st.titles_asked.get(idx)
            adjacent = titled_line.get(idx) == body_line - 1
            first_line = bisect.bisect_left(starts, floor)
            # (a wire brief given its rows back keeps the headline over them: the model, trained on pages' articles,
            # reads a row "Qtly div 10 cts vs 10 cts in prior qtr" as the better title)
            if adjacent and (st.opts.title_model_skip_adjacent or rec.wire_brief):
                pass  # a headline right over its body: the headline test's title stands
            elif before != (body_line, first_line):  # (else asked already, about the same lines: the same answer)
                st.titles_asked[idx] = (body_line, first_line)
                moved = before[0] if before is not None and before[0] != body_line else None
                asks.append((idx, body_line, first_line, moved, floor))
        floor = max(floor, last_kept.get(idx, 0))
    questions = sorted({(b, f) for _, b, f, _, _ in asks} | {(m, f) for _, _, f, m, _ in asks if m is not None})
    answers = dict(
        zip(questions, title_probabilities_many(st.lines, questions, st.rules, st.opts, model, index), strict=True)
    )
    for idx, body_line, first_line, moved, floor in asks:
        choice = choose_title(
            st.text, st.lines, body_line, st.rules, st.opts, model, first_line, index, answers[(body_line, first_line)]
        )
        if moved is not None:  # (asked again, the body moved: the surer answer)
            old = choose_title(
                st.text, st.lines, moved, st.rules, st.opts, model, first_line, index, answers[(moved, first_line)]
            )
            if old is not None and (choice is None or old.probability > choice.probability):
                choice = old
        if choice is not None and is_rejected_title(choice.title) and titled_line.get(idx) == body_line - 1:
            choice = None  # (a menu line over a headline right above its body: the headline stands)
        # (not above where its page begins: a headline of the page before, whose record an edge trim dropped, or
        # a sidebar's heading above the page before's copyright line, is no title of this one)
        low = max(floor, st.title_floor(idx))
        if choice is not None and st.lines[choice.line].start >= low:
            if choice.line <= body_line:
                _retitle(st, idx, choice.line, choice.title, first_piece, choice.probability)
            else:
                title_inside_body(st, idx, choice.line, choice.title, first_piece, choice.probability)


def title_inside_body(
    st: SplitState, idx: int, line: int, title: str, first_piece: dict[int, Piece], prob: float = 0.0
) -> None:
    """The title model's headline lies in the body of record ``idx``, after its first lines ("Keep me logged
    in", a date line, "You are here: Home / ..."): when those lines hold at most
    ``SplitOptions.title_inside_body_max_words`` words, they are removed as 'pre_title_chrome' and the line
    becomes the title (through ``_retitle``: the body's first paragraph, or a line removed as chrome between
    the body's paragraphs, "kids - November 12, 2012" over "Eat, Drink, and Keep the Kids Occupied"). Never
    below the story's dateline (``_below_dateline``)."""
    rec, ln = st.records[idx], st.lines[line]
    p = first_piece.get(ln.start)
    if p is None or p.role not in ("body", "removed") or p.record != idx or p.end != ln.end:
        return
    k = next((j for j, (a, _) in enumerate(rec.paragraph_spans) if a >= p.start), None)
    if not k or sum(words(t) for t in rec.paragraphs[:k]) > st.opts.title_inside_body_max_words:
        return
    if _refused(st, line, p, title, prob) or _below_dateline(st, idx, line):
        return  # (what _retitle refuses: leave the body as it is)
    before = {a for a, _ in rec.paragraph_spans[:k]}
    for q in st.pieces_of(idx):
        if q.role == "body" and q.start < p.start and (q.start in before or q.end <= p.start):
            q.role, q.rule, q.record = "removed", "pre_title_chrome", None
    rec.body_words -= sum(words(t) for t in rec.paragraphs[:k])
    del rec.paragraphs[:k], rec.paragraph_spans[:k]
    _retitle(st, idx, line, title, first_piece, prob)


def _below_dateline(st: SplitState, idx: int, line: int) -> bool:
    """Whether a line opening with a dated wire dateline ("BASLE, March 18 - Net profit ...") lies between record
    ``idx``'s start (its title, else the end of the pieces other records keep before ``line``) and ``line``,
    whatever the line's role now (a lede the edges' trim or a classifier removed comes back with the line model
    or the briefs' pass): the dateline opens the story's body, so a line below it (a wire brief's "Turnover 39.3
    billion francs ...", "Proposed dividend 70 francs vs same") is body, never its headline."""
    start = st.lines[line].start
    # floor: the last end of a piece other records keep, up to ``start``, and the last start of a title piece of
    # ``idx`` before ``start``. The pieces are walked back from ``start`` in start order, and only as far as a
    # piece could still raise either (a piece starting at ``q.start`` ends by ``q.start + longest``).
    ordered, starts, longest = st.pieces_by_start()
    floor = 0
    for k in range(bisect.bisect_right(starts, start) - 1, -1, -1):
        q = ordered[k]
        if q.start + longest <= floor:
            break  # (and q.start <= floor: no title start before it is above the floor either)
        if q.end <= start and q.end > floor and q.role != "removed" and q.record is not None and q.record != idx:
            floor = q.end
        elif q.start < start and q.start > floor and q.record == idx and q.role == "title":
            floor = q.start
    j = line - 1
    while j >= 0 and st.lines[j].start >= floor:
        if dated_dateline(st, st.lines[j].text):
            return True
        j -= 1
    return False


def _refused(st: SplitState, line: int, p: Piece, title: str, prob: float) -> bool:
    """Whether line ``line`` (its first piece ``p``) may not become the title ``title`` the model gave probability
    ``prob``: a line a rule of the rules file removes ("Share on Facebook", a copyright line) is never a title,
    nor an item of a list ("* Read all of our series here"), nor a byline; but a line removed by a rule of no
    other effect than removing it, or a list item, is when the model is sure of it (``SURE_TITLE``). (A line of the
    site's navigation is not refused here: as the record's title it brings the page's date line with it, and
    ``untitle_navigation`` takes the title away at the end; refused here, three dragnet pages lost their date.)"""
    rule = st.rule_at(line) if p.role == "removed" else None
    if rule is not None and (rule.effect != "remove" or prob < SURE_TITLE):
        return True
    if LIST_BULLET.match(title) and prob < SURE_TITLE:
        return True
    return parse_byline(LIST_BULLET.sub("", title, count=1), st.rules) is not None


def _retitle(st: SplitState, idx: int, line: int, title: str, first_piece: dict[int, Piece], prob: float = 0.0) -> None:
    rec, ln = st.records[idx], st.lines[line]
    p = first_piece.get(ln.start)
    if p is None or p.end != ln.end:
        return  # (a line cut in two by a rule: left as it is)
    if _refused(st, line, p, title, prob) or _below_dateline(st, idx, line):
        return
    bullet = LIST_BULLET.match(title)
    if bullet:
        title = title[bullet.end() :].strip()
    old = st.title_piece(idx)
    if p is old:
        rec.title = title
        return
    # a headline that opened a record with no body before this one (its body went to this record) moves here
    owner = p.record
    empty_before = owner is not None and owner < idx and not st.records[owner].paragraph_spans
    if p.role == "body" and p.record == idx and rec.paragraph_spans and rec.paragraph_spans[0][0] >= p.start:
        rec.body_words -= words(rec.paragraphs[0])
        del rec.paragraphs[0], rec.paragraph_spans[0]
    elif empty_before and owner is not None and p.role in ("removed", "title"):
        if p.role == "title":
            st.records[owner].title = None
    elif p.role != "removed" or p.record not in (None, idx):
        return
    if old is not None:
        old.role, old.rule = "removed", "title_rejected"
    p.role, p.rule, p.record = "title", None, idx
    rec.title = title


def untitle_navigation(st: SplitState) -> None:
    """A title that reads as the site's navigation (``is_navigation_title``: a link to the previous or next post,
    a breadcrumb trail) or opens as its footer (``is_footer_title``: "Powered by WordPress.com VIP" at the top of
    the next glued page, under the page before's copyright line), whichever pass chose it, is no headline: it is
    removed as 'title_rejected' and the record's title is NULL (an article with no title is an article; a wrong
    title is wrong data). So is a title printed in the header of two articles or more of the text
    (``_shared_titles``: the site's name over each story of a file, "The Daily Ledger", taken as the title of an
    untitled one): a headline names one article. So is a title above where its record's page begins
    (``SplitState.title_floor``: a sidebar's heading over the page before's copyright line, "Contribute to NJ.com",
    which opened a record the next page's article filled). A title given by the input (a JSONL field) stays.

    Reads the records' titles and kinds and where their pages begin; changes their title pieces and titles.
    """
    shared = _shared_titles(st)
    title_at = {p.record: p.start for p in st.pieces if p.role == "title" and p.record is not None}
    for idx, rec in enumerate(st.records):
        if rec.title is None or rec.title_source is not None:
            continue
        above_page = title_at.get(idx, 0) < st.title_floor(idx)
        if is_rejected_title(rec.title) or idx in shared or above_page:
            st.demote_title(idx, "title_rejected")
            rec.title = None


HEADER_LINES = 5
"""An article's header: its first kept line and the removed lines right above it, at most this many."""


def _shared_titles(st: SplitState) -> set[int]:
    """The articles (``kind='article'``, a title found in the text) whose title is in the header of another article
    of the text too: a line of the same text (case-folded) lies in the ``HEADER_LINES`` lines above that article's
    first kept line, or is it, and those articles are different stories (their first paragraphs differ, a bare
    dateline over one of them aside: ``_first_text``) that do
    not all have it as their title or are not next to each other. A headline names one article (printed twice, or
    cut in two, it heads the same story, or its pieces one after the other); the site's name printed over each
    story of a file is no headline, though the title model takes it for one over an untitled story ("The Daily
    Ledger")."""
    _, kept, firsts = st.piece_lines()  # (firsts: record -> the line of its first kept piece)
    titled = [
        i
        for i, rec in enumerate(st.records)
        if rec.kind == "article" and rec.title and rec.title_source is None and i in firsts
    ]
    if len(titled) < 2:
        return set()
    keys: dict[str, list[int]] = {}  # title text -> the articles whose header holds it
    wanted = {_title_key(st.records[i].title) for i in titled}
    for i, rec in enumerate(st.records):
        if rec.kind != "article" or i not in firsts:
            continue
        top = lo = firsts[i]
        while lo > 0 and top - lo < HEADER_LINES and (lo - 1) not in kept:
            lo -= 1  # (up through the removed lines above it, never into another record's lines)
        seen = {fold_line(st.lines[k].text) for k in range(lo, top + 1)}
        for key in seen & wanted:
            keys.setdefault(key, []).append(i)
    out: set[int] = set()
    for i in titled:
        key = _title_key(st.records[i].title)
        heads = keys.get(key, [])
        if len(heads) < 2:
            continue
        stories = {_first_text(st, st.records[j].paragraphs) for j in heads}
        apart = heads != list(range(heads[0], heads[0] + len(heads)))  # (other records lie between them)
        if len(stories) > 1 and (apart or any(_title_key(st.records[j].title) != key for j in heads)):
            out.add(i)
    return out


def _first_text(st: SplitState, paragraphs: list[str]) -> str:
    """A body's first paragraph that is not a bare dateline (a story printed twice, once under its "COSTA MESA,
    Calif., March 17 -" and once without it, is one story)."""
    return next((p for p in paragraphs if not bare_dateline(st, p)), "")


def _title_key(title: str | None) -> str:
    return fold_line(title) if title else ""
