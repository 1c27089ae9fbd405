"""A page the classifiers emptied (``split.passes.empty_pages.restore_empty_pages``): in a file of glued web pages, a
page on which no record keeps any text gets back the story a content judgement removed; never a menu, never a line a
rule removed for what it is."""

from __future__ import annotations

from dataclasses import replace

from corpus_etl.rules import load_rules
from corpus_etl.split import SplitOptions
from corpus_etl.split.passes.empty_pages import restore_empty_pages
from corpus_etl.split.scan import scan
from corpus_etl.split.state import SplitState

RULES = load_rules()
OPTS = replace(SplitOptions(), line_model=False, title_model=False)
LONG = (
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring, after engineers "
    "found cracks in two of its steel supports during a routine inspection last month.\n\n"
    "The mayor said buses and bicycles would still be allowed across while the council looks for money to repair "
    "it, and that the work could take three years to finish.\n"
)
STORY = (
    "Harbour Ferry Adds Evening Crossing",
    "The harbour ferry will add an evening crossing from next month, the operator said on Monday.\n\n"
    "Advertisement\n\nTickets for the new crossing will cost the same as those for the day boats, it said.",
)
NOTICE = ("ACME TOOLS CORP <ACMT> SETS PAYOUT", "Qtly div 12 cts vs 10 cts prior\n\nPay May 15\n\nRecord April 30")
MENU = ("Sections", "* Home\n\n* World\n\n* Business\n\n* Sport")
ABOUT = (
    "About The Example Daily",
    "The Example Daily covers the city's council, its schools and its harbour, and the businesses and people who "
    "make the town what it is, with reporters in every district and a newsroom open to readers every weekday.",
)


def _page(head: str, body: str) -> str:
    return f"Skip to main content\n\n{head}\n\n{body}\n\nRead more\n\n© 2024 Example Daily. All rights reserved.\n\n"


def _emptied(middle: tuple[str, str]) -> tuple[SplitState, int, int]:
    """Three glued pages, scanned by the rules; then every kept line of the middle page removed as the line model
    removes a line ('line_model_other'), its records emptied. The state and the middle page's span."""
    text = _page("Council Closes The Harbour Bridge", LONG) + _page(*middle) + _page("Council Reopens It", LONG)
    st = SplitState(text, RULES, OPTS)
    scan(st)
    lo = text.index("Skip to main content", 1)
    hi = text.index("Skip to main content", lo + 1)
    emptied = {p.record for p in st.pieces if lo <= p.start < hi and p.record is not None}
    for p in st.pieces:
        if lo <= p.start < hi and p.role != "removed":
            p.role, p.rule = "removed", "line_model_other"
    for idx in emptied:
        rec = st.records[idx]
        rec.title, rec.paragraphs, rec.paragraph_spans, rec.body_words = None, [], [], 0
    return st, lo, hi


def test_a_short_story_the_classifiers_removed_whole_comes_back_with_its_headline():
    st, lo, hi = _emptied(STORY)
    restore_empty_pages(st)
    [rec] = [r for r in st.records if r.paragraphs and lo <= r.paragraph_spans[0][0] < hi]
    assert rec.kind == "article" and rec.page_article
    assert rec.title == STORY[0]
    assert rec.paragraphs == [
        "The harbour ferry will add an evening crossing from next month, the operator said on Monday.",
        "Tickets for the new crossing will cost the same as those for the day boats, it said.",
    ]
    # the advertisement slot inside the story stays removed, as do the page's chrome lines
    rules = {st.text[p.start : p.end].strip(): p.rule for p in st.pieces if lo <= p.start < hi and p.role == "removed"}
    assert rules["Advertisement"] == "advertisement" and rules["Read more"] == "read_more"


def test_a_wire_notice_of_figures_comes_back_under_its_headline():
    st, lo, hi = _emptied(NOTICE)
    restore_empty_pages(st)
    [rec] = [r for r in st.records if r.paragraphs and lo <= r.paragraph_spans[0][0] < hi]
    assert rec.title == NOTICE[0] and rec.paragraphs == NOTICE[1].split("\n\n")


def test_a_menu_a_blurb_or_a_page_that_keeps_a_record_is_left_alone():
    for middle in (MENU, ABOUT):
        st, _, _ = _emptied(middle)
        n = len(st.records)
        restore_empty_pages(st)
        # a menu is no story (no running text, no figures), nor a footer's one-paragraph blurb under its heading
        assert len(st.records) == n, middle[0]
    text = _page("Council Closes The Harbour Bridge", LONG) + _page(*STORY) + _page("Council Reopens It", LONG)
    st = SplitState(text, RULES, OPTS)
    scan(st)
    before = [(r.title, list(r.paragraphs)) for r in st.records]
    restore_empty_pages(st)
    assert [(r.title, r.paragraphs) for r in st.records] == before  # every page keeps its record: nothing to do
