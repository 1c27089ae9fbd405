"""The last pass (``assemble``): records and removed spans out of the pieces, accounting for every character of the
text; and ``check_coverage``, which checks a split's accounting."""

from __future__ import annotations

import bisect

from .options import Piece, RemovedSpan, SplitResult
from .state import SplitState


def assemble(st: SplitState) -> None:
    """The records and removed spans of the split, in ``st.result``: the records that hold a body (or, in a text of
    stories, an article's headline alone) in text order, each extent from its first to its last kept piece (from its
    removed head above, ``RawRecord.head_start``, when ``claim_heads`` found one) stretched over the whitespace up to
    the next span; every other piece a removed span. A record with no body
    is no record: its kept pieces are removed ('orphan_<role>'; its headline as 'title_without_body' for an article
    on a web page, 'related_link' for a teaser).

    Reads the records and pieces (and ``st.page``); changes the pieces (roles, rules, record indices renumbered to the
    records kept) and the records' extents (``char_start``, ``char_end``); writes ``st.result``.
    """
    text_len = len(st.text)
    # Records with nothing but metadata are not records: their lines become removed spans. So is, on a web
    # page, a headline left with no body ("Terms of service | Privacy | ...", "Powered by WordPress.com VIP" over
    # a footer the classifiers removed): a headline with no body is an article only in a text of stories.
    keep_idx: dict[int, int] = {}
    for idx, rec in enumerate(st.records):
        if rec.paragraphs or (rec.title and rec.kind == "article" and not st.page):
            keep_idx[idx] = len(keep_idx)
        elif rec.title:  # a teaser headline with nothing under it
            st.demote_title(idx, "title_without_body" if rec.kind == "article" else "related_link")
    records = [st.records[i] for i in sorted(keep_idx)]
    pieces = sorted(st.pieces, key=lambda p: p.start)
    for p in pieces:
        if p.record is not None and p.record not in keep_idx:
            if p.role != "removed":
                p.role, p.rule = "removed", f"orphan_{p.role}"
            p.record = None
        elif p.record is not None:
            p.record = keep_idx[p.record]
    # Extents: each record from its first to its last kept piece.
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for p in pieces:
        if p.role != "removed" and p.record is not None:
            first.setdefault(p.record, p.start)
            last[p.record] = p.end
    for r, start in first.items():  # (an article's removed head above its first kept line: ``claim_heads``)
        head = records[r].head_start
        if head is not None and head < start:
            first[r] = head
    # Removed pieces outside every extent belong to no record.
    bounds = sorted((first[r], last[r], r) for r in first)
    bound_starts = [b[0] for b in bounds]  # extents do not overlap: the last one starting before holds it
    for p in pieces:
        if p.role == "removed":
            j = bisect.bisect_right(bound_starts, p.start) - 1
            p.record = bounds[j][2] if j >= 0 and p.end <= bounds[j][1] else None
    # Stretch spans over the whitespace between them so that everything is covered.
    top: list[tuple[int, int, int | None, Piece | None]] = []  # top-level spans in order
    for s, e, r in bounds:
        top.append((s, e, r, None))
    for p in pieces:
        if p.role == "removed" and p.record is None:
            top.append((p.start, p.end, None, p))
    top.sort(key=lambda t: t[0])
    removed: list[RemovedSpan] = []
    prev_end = 0
    extents: dict[int, list[int]] = {}
    for k, (span_start, _, rec_idx, piece) in enumerate(top):
        s = prev_end if k == 0 else span_start
        e = top[k + 1][0] if k + 1 < len(top) else text_len  # absorb the whitespace up to the next span
        if rec_idx is not None:
            extents[rec_idx] = [s, e]
        else:
            assert piece is not None and piece.rule is not None
            removed.append(RemovedSpan(s, e, piece.rule, None))
        prev_end = e
    if not top and text_len:
        removed.append(RemovedSpan(0, text_len, "whitespace", None))
    for p in pieces:
        if p.role == "removed" and p.record is not None:
            assert p.rule is not None
            removed.append(RemovedSpan(p.start, p.end, p.rule, p.record))
    for r, (s, e) in extents.items():
        records[r].char_start, records[r].char_end = s, e
    removed.sort(key=lambda x: (x.start, x.end))
    st.result = SplitResult(records, _merge_adjacent(removed), text_len, st.lines)


def _merge_adjacent(spans: list[RemovedSpan]) -> list[RemovedSpan]:
    out: list[RemovedSpan] = []
    for sp in spans:
        if out and out[-1].end == sp.start and out[-1].rule == sp.rule and out[-1].record == sp.record:
            out[-1].end = sp.end
        else:
            out.append(sp)
    return out


def check_coverage(result: SplitResult) -> list[str]:
    """Problems with a split's accounting (empty when every character is covered exactly once)."""
    problems: list[str] = []
    top = sorted(
        [(r.char_start, r.char_end, f"record {i}") for i, r in enumerate(result.records)]
        + [(s.start, s.end, f"removed {s.rule}") for s in result.removed if s.record is None]
    )
    pos = 0
    for s, e, what in top:
        if s != pos:
            problems.append(f"{what} starts at {s}, expected {pos}")
        if e < s:
            problems.append(f"{what} ends before it starts ({s}, {e})")
        pos = max(pos, e)
    if pos != result.text_length:
        problems.append(f"spans end at {pos}, text has {result.text_length} characters")
    for sp in result.removed:
        if sp.record is not None:
            rec = result.records[sp.record]
            if not (rec.char_start <= sp.start <= sp.end <= rec.char_end):
                problems.append(f"removed {sp.rule} {sp.start}-{sp.end} outside record {sp.record}")
    return problems
