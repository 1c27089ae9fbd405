"""``split.passes.heads.claim_heads``: an article's removed head (headline, date, byline) starts its extent."""

from __future__ import annotations

from dataclasses import replace

from corpus_etl.rules import load_rules
from corpus_etl.split import SplitOptions
from corpus_etl.split.assemble import assemble
from corpus_etl.split.passes.heads import claim_heads
from corpus_etl.split.scan import scan
from corpus_etl.split.state import SplitState

RULES = load_rules()
OPTS = replace(SplitOptions(), line_model=False, title_model=False)
BODY = (
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring, after engineers "
    "found cracks in two of its steel supports during a routine inspection last month.\n\n"
    "The mayor said buses and bicycles would still be allowed across while the council looks for money to repair "
    "the bridge, and that the work could take three years to finish.\n"
)
DATE = "24 July 2012 Last updated at 11:00 ET"
HEADLINE = "Cracked Harbour Bridge Closed To Cars"
TEASER = "Mayor Opens New Library Wing"


def _page(head: str, skip: bool = True) -> str:
    return (
        "Skip to main content\n\n* Home\n* World\n\n" if skip else ""
    ) + f"{head}\n\n{BODY}\n\n© 2024 Example Daily. All rights reserved.\n\n"


def _removed_above_body(head: str, before: str = "", skip: bool = True) -> SplitState:
    """A page (after ``before``) scanned by the rules, then every line above its body removed as the line model
    removes one (its headline and date line too, as on a page where a caption won the title): the article keeps its
    body only."""
    text = before + _page(head, skip)
    st = SplitState(text, RULES, OPTS)
    scan(st)
    st.page = True
    body = text.index(BODY[:40])
    for p in st.pieces:
        if p.start < body and p.role != "removed":
            p.role, p.rule, p.record = "removed", "line_model_other", None
    for rec in st.records:
        if rec.paragraphs and rec.paragraph_spans[0][0] < body:
            keep = [k for k, (s, _) in enumerate(rec.paragraph_spans) if s >= body]
            rec.paragraphs = [rec.paragraphs[k] for k in keep]
            rec.paragraph_spans = [rec.paragraph_spans[k] for k in keep]
        rec.title = None
    return st


def _article_start(st: SplitState) -> int:
    claim_heads(st)
    assemble(st)
    assert st.result is not None
    [rec] = [r for r in st.result.records if r.kind == "article"]
    return rec.char_start


def test_a_removed_date_line_share_row_and_headline_start_the_article():
    st = _removed_above_body(f"{DATE}\n\nShare this page\n* Facebook\n* Twitter\n\n{HEADLINE}")
    assert _article_start(st) == st.text.index(DATE)
    # the removed lines of its head are the article's removed spans, not the page's
    assert st.result is not None
    head = [sp for sp in st.result.removed if st.text.index(DATE) <= sp.start < st.text.index(BODY[:40])]
    assert head and all(sp.record == 0 for sp in head)
    # the menu above the date line and the skip link stay the page's
    assert all(sp.record is None for sp in st.result.removed if sp.start < st.text.index(DATE))


def test_a_headline_of_another_story_above_is_no_head():
    st = _removed_above_body(f"{TEASER}\n\n{HEADLINE}")
    assert _article_start(st) == st.text.index(HEADLINE)


def test_a_headline_that_tells_another_story_alone_is_no_head():
    st = _removed_above_body(TEASER)
    assert _article_start(st) == st.text.index(BODY[:40])


def test_a_head_never_reaches_above_a_line_that_starts_a_page():
    # the page before ends with a date line, then a separator line (a page start, a line of no words) and this
    # page's headline: the walk up from the headline stops at the separator
    st = _removed_above_body(HEADLINE, before="Updated July 23, 2012, 8:38 a.m. ET\n\n----------\n\n", skip=False)
    assert _article_start(st) == st.text.index(HEADLINE)
