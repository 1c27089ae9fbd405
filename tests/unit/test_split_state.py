"""The splitter's state (``split.state.SplitState``): the pieces of one record are read through an index
(``pieces_of``, ``title_piece``) that must follow every change of a piece's record, as a scan of all pieces would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_etl.rules import load_rules
from corpus_etl.split import SplitOptions
from corpus_etl.split.state import SplitState

RULES = load_rules()


def _state(n: int) -> SplitState:
    text = "".join(f"Line number {k} of the text.\n" for k in range(n))
    state = SplitState(text, RULES, SplitOptions())
    for k, ln in enumerate(state.lines):
        state.cur = k % 3
        if k % 4 == 0:
            state.remove(ln.start, ln.end, "menu")
        else:
            state.keep(ln.start, ln.end, "title" if k % 5 == 1 else "body")
    return state


def _scan(state: SplitState, record: int) -> list[int]:
    return [id(p) for p in state.pieces if p.record == record]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 19), st.one_of(st.none(), st.integers(0, 4))), max_size=30), st.integers(0, 4))
def test_the_pieces_of_a_record_are_those_a_scan_finds_after_any_moves(moves, shift_at) -> None:
    state = _state(20)
    for k, record in moves:
        state.pieces[k].record = record
    state.shift_records(shift_at)
    for record in range(6):
        assert [id(p) for p in state.pieces_of(record)] == _scan(state, record)
        want = next((p for p in state.pieces if p.record == record and p.role == "title"), None)
        assert state.title_piece(record) is want
