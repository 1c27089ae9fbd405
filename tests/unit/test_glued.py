"""may_hold_two_pages (corpus_etl/glued.py): page cues left inside a record, with body on both sides."""

from __future__ import annotations

from corpus_etl.glued import two_page_cues
from corpus_etl.pipeline import extract_records
from corpus_etl.rules import load_rules
from corpus_etl.settings import Settings
from corpus_etl.split import logical_lines

PROSE = (
    "The council voted on Tuesday to approve the new budget for the coming year, after a long debate about "
    "the cost of repairs to the old bridge and the schools that the town has promised to rebuild."
)
PROSE2 = (
    "Farmers in the valley said the late frost had cut their harvest by a third, and that prices at the "
    "market would rise before the end of the month unless the weather turned warmer soon enough."
)


def _cues(text: str) -> list[str]:
    """The cues of a record spanning the whole text whose paragraphs are its lines of 10+ words."""
    rules = load_rules(Settings().rules_path)
    lines = logical_lines(text)
    paras = [(ln.start, ln.end, len(ln.text.split())) for ln in lines if len(ln.text.split()) >= 10]
    return two_page_cues(lines, (0, len(text)), paras, rules)


def test_one_page_has_no_cue_and_a_footer_at_its_end_is_its_own():
    assert _cues(f"{PROSE}\n\n{PROSE2}\n\n{PROSE}\n") == []
    assert _cues(f"{PROSE}\n\n{PROSE2}\n\n© 2012 The Daily Planet. All rights reserved.\n") == []


def test_a_footer_or_separator_with_body_on_both_sides_is_a_page_cue():
    assert _cues(f"{PROSE}\n\n{PROSE2}\n\n© 2012 The Daily Planet. All rights reserved.\n\n{PROSE}\n\n{PROSE2}\n") == [
        "page_cue"
    ]
    assert _cues(f"{PROSE}\n\n{PROSE2}\n\n----------\n\n{PROSE}\n\n{PROSE2}\n") == ["page_cue"]
    # too little body before it: the cue is the page's own top
    assert _cues(f"Short intro line here.\n\n----------\n\n{PROSE}\n\n{PROSE2}\n") == []


def test_a_second_headline_and_byline_is_a_cue():
    text = f"{PROSE}\n\n{PROSE2}\n\nFrost cuts the valley harvest\nBy Jane Doe\n\n{PROSE2}\n\n{PROSE}\n"
    assert _cues(text) == ["byline"]
    # a byline under a sentence is not a headline and byline pair
    assert _cues(f"{PROSE}\n\n{PROSE2}\nBy Jane Doe\n\n{PROSE2}\n\n{PROSE}\n") == []


def test_a_menu_header_before_a_headline_and_prose_is_a_cue():
    menu = "\n".join(f"* {w}" for w in ("Home", "World", "Business", "Sport", "Science", "Health"))
    text = f"{PROSE}\n\n{PROSE2}\n\n{menu}\n\nFrost cuts the valley harvest\n{PROSE2}\n\n{PROSE}\n"
    assert _cues(text) == ["menu_run"]


def test_rows_carry_the_flag_and_a_clean_story_is_not_flagged():
    one = extract_records(f"Budget approved\n\n{PROSE}\n\n{PROSE2}\n")
    assert [r["may_hold_two_pages"] for r in one] == [False]
    jsonl = extract_records('{"title": "T", "text": "' + PROSE + '"}\n', fmt="jsonl")
    assert [r["may_hold_two_pages"] for r in jsonl] == [False]


def test_on_real_dragnet_pages_single_pages_are_rarely_flagged_and_glued_ones_often():
    """30 dragnet pages alone and 60 pairs glued by a blank line: at most 5 % of single pages' articles flagged;
    of the records holding 40+ body words of each page of a pair, at least half flagged."""
    import random

    from corpus_etl.formats import split_document
    from tests.conftest import CORPORA, need_shared

    d = need_shared(CORPORA / "dragnet" / "page_text")
    files = sorted(d.glob("*.txt"))
    rnd = random.Random(18)
    rules, opts = load_rules(Settings().rules_path), Settings().split_options()

    def records(text: str) -> list[tuple[list[tuple[int, int, int]], bool]]:
        sp = split_document(text, "text", rules, opts, "text", frozenset())
        out = []
        for raw in sp.records:
            if raw.kind == "article":
                paras = [(a, b, len(p.split())) for p, (a, b) in zip(raw.paragraphs, raw.paragraph_spans, strict=True)]
                out.append((paras, bool(two_page_cues(sp.lines or [], (raw.char_start, raw.char_end), paras, rules))))
        return out

    read = lambda p: p.read_text(encoding="utf-8", errors="replace")  # noqa: E731
    single = [flag for p in rnd.sample(files, 30) for _, flag in records(read(p))]
    assert len(single) >= 30 and sum(single) <= 0.05 * len(single)
    two = flagged = 0
    for _ in range(60):
        a, b = rnd.sample(files, 2)
        first = read(a).rstrip("\n")
        cut = len(first) + 2
        for paras, flag in records(first + "\n\n" + read(b)):
            if sum(w for _, e, w in paras if e <= cut) >= 40 and sum(w for s, _, w in paras if s >= cut) >= 40:
                two += 1
                flagged += flag
    assert two >= 4 and flagged >= 0.5 * two, (flagged, two)
