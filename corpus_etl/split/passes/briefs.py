"""The dated briefs' pass (``restore_dated_briefs``): on a web page, a wire brief of figures that the classifiers
removed as chrome gets its body back."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from ..lines import (
    NUMBERED_ITEM,
    has_figure,
    is_date_line,
    is_figures_line,
    is_headline,
    words,
)
from ..options import Piece, RawRecord
from ..rule_groups import PAGE_CHROME, REPEATS, soft_removal
from ..state import SplitState

# A wire dateline that states the day ("EAST RUTHERFORD, N.J., March 17", "LONDON, March 25 (Reuters)"); a page's
# "RSS —", "TWO-DAY SALE!" or "LONDON —" match the dateline pattern too.
_DATED = re.compile(r"[A-Za-z.]\s+\d{1,2}(?:\s*\([^)]*\))?$")
# The edge trim's rules (``trim_edges``): short lines with no sentence at a body's edges or in a run inside it.
_TRIMMED = frozenset(["edge_chrome", "inner_chrome"])
# A wire table's row ("Corn 17,979", "Net loss 1,300,000", "NOTE: Company incorporated in June 1985.") is short.
_ROW_MAX_WORDS = 8
# Rules whose lines a story runs across (they stay removed): an advertisement slot inside the story.
INSIDE_STORY = frozenset(["advertisement"])
# Rules whose lines end a story: page chrome but an advertisement slot and the repeats (a table's header line may
# repeat).
_STOP = PAGE_CHROME - INSIDE_STORY - REPEATS


def restore_dated_briefs(st: SplitState) -> None:
    """On a web page, a wire story whose body the classifiers read as chrome gets it back: a brief of
    figures (an earnings or a commodity table: "Shr one cent vs nine cts", "Net 51,057 vs 554,878") is
    short lines with few stopwords, which the paragraph classifier and the line model remove.

    A story is a line that opens with a dateline stating the day ("EAST RUTHERFORD, N.J., March 17 -"), kept
    or removed by a content judgement (``soft_removal``), and the lines after it up to the first line of page
    chrome (a copyright, a skip link, "Read more") or another record. Its article is the record holding the
    dateline's line or, for a dateline removed, the first article record met after it; with none (every line of the
    story removed), a new article record. When that article keeps fewer body words than
    ``SplitOptions.brief_min_words`` and than half the story's words, or keeps rows of figures and nothing else
    under its dateline (a table some rows of which were removed), the story's lines removed by a content
    judgement (not 'line_model_comment') or rows of figures the file repeats ('repeated_line': "Pay April 30" under
    many dividend notices) and a title below the dateline (a row of figures the title model took) become its body; a
    line a rule removes for what it is (an advertisement) stays removed. With no
    title above the dateline, a headline-like line removed right before it becomes the title (a story no record
    holds is restored only under such a headline: a teaser "ZURICH, Oct 31 (Reuters) - ..." is not); the title is
    then chosen again above the body (``choose_titles``, the pass after this one), or stays NULL.

    A story given its body back is marked ``RawRecord.wire_brief``: a real article (a wire story under its dateline),
    which the record model must not take for page chrome (``demote_junk_records``).

    Reads the lines, pieces and records; changes the pieces and the records' bodies, titles, datelines and
    ``wire_brief``, and may insert an article record (renumbering the records after it with their ``open_reason``,
    ``record_page`` and ``titles_asked``).
    """
    stop = _STOP
    starts = [ln.start for ln in st.lines]
    pieces = sorted(st.pieces, key=lambda p: p.start)
    stories: list[tuple[int, list[Piece], int | None]] = []  # (dateline piece, the story's pieces, article)
    k = 0
    while k < len(pieces):
        p = pieces[k]
        m = _dateline_at(st, p, starts)
        if (
            m is None
            or not states_the_day(m.group("dateline"))
            or (p.role == "removed" and not soft_removal(p.rule or ""))
        ):
            k += 1
            continue
        owner = p.record if p.role != "removed" else None
        if owner is not None and st.records[owner].kind != "article":
            k += 1
            continue
        j = k
        while j < len(pieces):
            q = pieces[j]
            if q.role == "removed" and q.rule in stop:
                break
            if q.role != "removed" and q.record is not None and q.record != owner:
                if owner is None and st.records[q.record].kind == "article":
                    owner = q.record
                else:
                    break
            j += 1
        stories.append((k, pieces[k:j], owner))
        k = max(j, k + 1)
    for k, story, owner in reversed(stories):  # (a record inserted renumbers only the records after it)
        soft = [q for q in story if q.role == "removed" and given_back(st, q)]
        body = st.records[owner].body_words if owner is not None else 0
        kept, continued = classifiers_kept(st, owner, starts) if owner is not None else (0, set())
        story_words = body + sum(words(st.text[q.start : q.end]) for q in soft)
        if not soft or (
            kept >= max(st.opts.brief_min_words, story_words / 2) and not _figures_kept(st, owner, continued)
        ):
            continue
        if owner is None:  # a story no record holds: a brief only under its headline, as a wire prints it
            if not (k and _headline_removed(st, pieces[k - 1], stop, starts)):
                continue
            owner = insert_record(st, story[0].start, "dated_brief")
        rec = st.records[owner]
        rec.wire_brief = True
        titled = [q for q in story if q.role == "title" and q.record == owner]
        for q in titled:
            q.role = "body"
            rec.title = None
        give_back(st, owner, soft + titled, starts)
        m = _dateline_at(st, pieces[k], starts)
        if rec.dateline is None and m is not None:
            rec.dateline = m.group("dateline").strip(" ,")
        if st.title_piece(owner) is None and k > 0:
            prev = pieces[k - 1]
            if _headline_removed(st, prev, stop, starts):
                prev.role, prev.rule, prev.record = "title", None, owner
                rec.title = paragraph_of(st, prev, starts)[2]


def restore_headline_briefs(st: SplitState) -> None:
    """A record under its headline that kept almost nothing of its story gets the story back: a wire brief ("FIRST
    MISSISSIPPI CORP <FRM> SETS QUARTERLY / Qtly div five cts vs five cts prior / Pay July 28 / Record June 30") whose
    rows a file of wire stories repeats under many notices (``repeated_line``; ``learned_repeat`` when its folder holds
    the story in ``learned_min_files`` files) and whose spelt-out figures the edge trim reads as menu lines: left a
    headline over three words or none, a real article was quarantined as "fewer than 5 words".

    A record qualifies when its title is a headline line of the text (not a JSONL field) and it keeps fewer than
    ``SplitOptions.brief_min_words`` body words. On a web page, one keeping fewer words than an article holds
    (``SplitOptions.page_brief_floor_words``) is read first as a wire table of one figure a row
    (``_page_floor_brief``). Its story is the lines after its title up to another record's line or
    a removed line neither given back (``given_back``) nor removed as a repeat ("Qtly div five cts vs five cts prior"
    spells its figures out; an advertisement slot is run across): a separator line or a rule's chrome ends it. On a
    web page (``restore_dated_briefs`` reads a page's dated briefs) only an earnings or results table under its
    headline qualifies: a body of rows of figures or none ("Net 4,346,000 vs 4,202,000"), its story's lines rows of
    figures too ("Shr 37 cts vs 35 cts", which the line model removed); a heading over a numbered list the classifiers
    removed ("Search More Recipes" over "* recipes 1 Toast to Hemingway ...") is no brief. When the record keeps less
    than half of its story's words, or keeps rows of figures and nothing else (a table some rows of which were
    removed), the story's lines join its body and the record is marked ``RawRecord.wire_brief`` (a real article, which
    the record model never makes 'related').

    Reads the pieces and records; changes the pieces given back and the records' bodies and ``wire_brief``.
    """
    pieces = sorted(st.pieces, key=lambda p: p.start)
    starts = [ln.start for ln in st.lines]
    title_at = {p.record: k for k, p in enumerate(pieces) if p.role == "title" and p.record is not None}
    for idx, rec in enumerate(st.records):
        if rec.kind != "article" or idx not in title_at or rec.title_source is not None:
            continue
        kept, continued = classifiers_kept(st, idx, starts)
        if kept >= st.opts.brief_min_words:
            continue
        floor = st.page and kept < st.opts.page_brief_floor_words
        if floor and _page_floor_brief(st, idx, pieces, title_at[idx], starts):
            continue

        def verdict(q: Piece) -> str:
            if q.rule in INSIDE_STORY:
                return "skip"
            if not (given_back(st, q) or q.rule in REPEATS):
                return "stop"
            return "stop" if st.page and not is_figures_line(paragraph_of(st, q, starts)[2]) else "take"

        soft = _story_removed(pieces, title_at[idx], idx, verdict)
        # rows of figures or nothing under the headline (and its bare dateline, "NEW BRITAIN, Conn., March 4 -")
        table = all(
            is_figures_line(p) for i, p in enumerate(rec.paragraphs) if i not in continued and not bare_dateline(st, p)
        )
        if st.page and not table:
            continue
        story_words = rec.body_words + sum(words(st.text[q.start : q.end]) for q in soft)
        if not soft or (kept >= story_words / 2 and not table):
            continue
        give_back(st, idx, soft, starts)
        rec.wire_brief = True


def _page_floor_brief(st: SplitState, idx: int, pieces: list[Piece], at: int, starts: list[int]) -> bool:
    """On a web page, record ``idx`` under its headline (piece ``at``) keeps fewer words than an article holds
    (``SplitOptions.page_brief_floor_words``, the quarantine's floor): its story, the lines after the headline up to
    another record's line or a rule's chrome (an advertisement slot is run across, a repeat with no figure, "Tag:
    sport", passed over), gets back the lines a content judgement or the edge trim removed when half of them or more
    hold a figure (a wire table with one figure a row, "Wheat 73,684" / "Corn 17,979", or "Shr loss not given" over
    "Net loss 1,300,000" after an advertisement slot: the line model reads such rows as chrome). Whether it did."""

    def verdict(q: Piece) -> str:
        back = given_back(st, q)
        if q.rule in INSIDE_STORY or (q.rule in REPEATS and not back):
            return "skip"
        return "take" if back else "stop"

    soft = _story_removed(pieces, at, idx, verdict)
    rec, title = st.records[idx], pieces[at]
    # a row taken for the title ("Qtly div 34 cts vs 27 cts prior"; a wire headline is in capitals, "HONG KONG EXCHS")
    head = rec.title or ""
    headed = _wire_row(st, head) and not head.isupper()
    story = ([head] if headed else []) + list(rec.paragraphs)
    story += [ln for q in soft for ln in st.text[q.start : q.end].splitlines() if ln.strip()]
    rows = sum(_wire_row(st, ln) for ln in story)
    if not soft or rows < 2 or 2 * rows < len(story):
        return False
    if headed:  # the row is body, under the headline-like line removed right above it, if any
        title.role, rec.title = "body", None
    give_back(st, idx, soft + ([title] if headed else []), starts)
    rec.wire_brief = True
    if headed and at and _headline_removed(st, pieces[at - 1], _STOP, starts):
        prev = pieces[at - 1]
        prev.role, prev.rule, prev.record = "title", None, idx
        rec.title = paragraph_of(st, prev, starts)[2]
    return True


def _story_removed(pieces: list[Piece], at: int, idx: int, verdict: Callable[[Piece], str]) -> list[Piece]:
    """The removed pieces of record ``idx``'s story under its headline (``pieces[at]``; ``pieces`` by start) that
    ``verdict`` takes: it reads each removed piece in turn as 'take', 'skip' (run across) or 'stop'; a kept piece of
    another record ends the story too."""
    out: list[Piece] = []
    for q in pieces[at + 1 :]:
        if q.role != "removed":
            if q.record != idx:
                break
            continue
        v = verdict(q)
        if v == "stop":
            break
        if v == "take":
            out.append(q)
    return out


def _wire_row(st: SplitState, text: str) -> bool:
    """Whether ``text`` reads as a row of a wire table: at most ``_ROW_MAX_WORDS`` words holding a figure that is not a
    list item's number ("1. Apple's best deals") and not a date and nothing else ("April 09, 2019")."""
    body = NUMBERED_ITEM.sub("", text)
    return words(text) <= _ROW_MAX_WORDS and has_figure(body) and not is_date_line(text.strip(), st.rules)


def _figures_kept(st: SplitState, owner: int | None, continued: set[int] | frozenset[int] = frozenset()) -> bool:
    """Whether the article ``owner`` keeps a table of figures and nothing else under its dateline (an earnings brief
    some of whose rows the classifiers removed: "Nine mths", a row the line model took for chrome): its story's
    removed lines are given back though it kept most of its words. Its paragraphs ``continued`` (the 'story
    continues' override's) are not what the classifiers kept, and are passed over."""
    if owner is None:
        return False
    paragraphs = st.records[owner].paragraphs
    rows = [p for i, p in enumerate(paragraphs) if i not in continued and not dated_dateline(st, p)]
    return len(rows) >= 2 and all(is_figures_line(p) for p in rows)


def classifiers_kept(st: SplitState, owner: int, starts: list[int]) -> tuple[int, set[int]]:
    """The body words of record ``owner`` that the classifiers kept, and the indices of its paragraphs they did not
    keep: those on lines the 'story continues' override made body though the line model removed them
    (``SplitState.continued``, ``bodies.continued_story``). The brief passes judge a story by what the classifiers
    kept: a wire table over a "NOTE: ..." line under "Story continues below advertisement" is still a table some
    rows of which were removed, whose rows come back."""
    rec = st.records[owner]
    if not st.continued:
        return rec.body_words, set()
    at = {i for i, (a, _) in enumerate(rec.paragraph_spans) if bisect.bisect_right(starts, a) - 1 in st.continued}
    return rec.body_words - sum(words(rec.paragraphs[i]) for i in at), at


def given_back(st: SplitState, q: Piece) -> bool:
    """Whether a removed line ``q`` of a story is given back to it (a brief's, an empty page's): removed by a
    content judgement (not as a reader comment; the edge trim's short lines too: "Pay Oct One", "Qtly div five cts vs
    five cts prior" spell their figures out), or a row of figures removed as a line the file or its folder repeats (a
    file of wire briefs prints "Pay April 30" under many notices, and a folder may hold a story several times; a
    repeated "Tag: markets" stays removed)."""
    rule = q.rule or ""
    if rule in REPEATS:
        return has_figure(st.text[q.start : q.end])
    return (soft_removal(rule) and rule != "line_model_comment") or rule in _TRIMMED


def give_back(st: SplitState, owner: int, lines: list[Piece], starts: list[int]) -> None:
    """Make the removed (or title) pieces ``lines`` body paragraphs of record ``owner``, in text order among the
    paragraphs it keeps (``SplitState.take_block``); ``starts`` are the lines' starts."""
    rec = st.records[owner]
    chosen = {a: (a, b, t) for (a, b), t in zip(rec.paragraph_spans, rec.paragraphs, strict=True)}
    for q in lines:
        a, b, t = paragraph_of(st, q, starts)
        if t:
            chosen.setdefault(a, (a, b, t))
    st.take_block(owner, [(a, b, t, owner) for a, b, t in sorted(chosen.values())])


def bare_dateline(st: SplitState, text: str) -> re.Match[str] | None:
    """The dateline ``text`` is, when it is a dateline and nothing else ("CINCINNATI, March 17 -", "LONDON -")."""
    return st.rules.dateline.fullmatch(text + " ")


def dated_dateline(st: SplitState, text: str) -> bool:
    """Whether ``text`` opens with a wire dateline that states the day ("BASLE, March 18 - ..."): a story's lede."""
    m = st.rules.dateline.match(text)
    return m is not None and states_the_day(m.group("dateline"))


def states_the_day(dateline: str | None) -> bool:
    """Whether a wire dateline ("BASLE, March 18", "LONDON, March 25 (Reuters)") states the day."""
    return dateline is not None and _DATED.search(dateline) is not None


def _headline_removed(st: SplitState, p: Piece, stop: frozenset[str], starts: list[int]) -> bool:
    """Whether piece ``p`` is a headline-like line removed by no rule of page chrome."""
    return p.role == "removed" and p.rule not in stop and is_headline(paragraph_of(st, p, starts)[2], st.opts)


def _dateline_at(st: SplitState, p: Piece, starts: list[int]) -> re.Match[str] | None:
    """The dateline opening the line that piece ``p`` starts (None when it does not start a line)."""
    ln = st.lines[bisect.bisect_right(starts, p.start) - 1]
    return st.rules.dateline.match(ln.text) if ln.start == p.start else None


def paragraph_of(st: SplitState, p: Piece, starts: list[int]) -> tuple[int, int, str]:
    """Piece ``p`` as a body paragraph: (start, end, text) as ``step`` keeps a line."""
    ln = st.lines[bisect.bisect_right(starts, p.start) - 1]
    raw = st.text[p.start : p.end]
    lead = len(raw) - len(raw.lstrip())
    text = ln.text if (ln.start, ln.end) == (p.start, p.end) else " ".join(raw.split())
    return p.start + lead, p.start + len(raw.rstrip()), text


def insert_record(st: SplitState, start: int, reason: str) -> int:
    """A new article record in text order: right after the last record holding a kept piece before ``start``
    (on that record's page), opened for ``reason`` (``open_reason``); the records after it are renumbered. Its
    index."""
    pos = 1 + max(
        (p.record for p in st.pieces if p.role != "removed" and p.record is not None and p.start < start),
        default=-1,
    )
    st.shift_records(pos)
    st.records.insert(pos, RawRecord(kind="article"))
    st.open_reason.insert(pos, reason)
    st.record_page.insert(pos, st.record_page[pos - 1] if pos else 0)
    st.titles_asked = {(i + 1 if i >= pos else i): v for i, v in st.titles_asked.items()}
    if st.main is not None and st.main >= pos:
        st.main += 1
    return pos
