"""The line model's pass (corpus_etl/split/passes/bodies.py): the story's text under a "story continues" line."""

from __future__ import annotations

from corpus_etl.rules import load_rules
from corpus_etl.split import SplitOptions, check_coverage, split_text

RULES = load_rules()

_PAGE = """Skip to main content

{head}

PORTSMOUTH, May 4 - The harbour board approved plans for a new
{thing} on Tuesday, a spokesman said, after two years of
talks with local residents and the city council.

{marker}

The work is expected to start in the spring of next year,
the spokesman added.

Tag: business

Copyright © 2024 Example News

"""


def _pages(marker: str) -> str:
    return _PAGE.format(head="HARBOUR BOARD APPROVES NEW FERRY TERMINAL", thing="ferry terminal", marker=marker) + (
        _PAGE.format(head="CITY COUNCIL DELAYS VOTE ON BUDGET", thing="budget plan", marker=marker)
    )


def test_the_paragraph_under_a_story_continues_line_is_the_story_s():
    """Under "Story continues below advertisement" right after the story's text, the last paragraph before the
    page's footer is the story's body: the line model, which never saw that line on the dev pages, read it as
    chrome. A bare "Advertisement" line says nothing of what follows: the model decides."""
    text = _pages("Story continues below advertisement")
    res = split_text(text, RULES, SplitOptions())
    assert check_coverage(res) == []
    articles = [r for r in res.records if r.kind == "article"]
    titles = ["HARBOUR BOARD APPROVES NEW FERRY TERMINAL", "CITY COUNCIL DELAYS VOTE ON BUDGET"]
    assert [r.title for r in articles] == titles
    for rec in articles:
        assert rec.paragraphs[-1] == "The work is expected to start in the spring of next year, the spokesman added."
    rules = {text[s.start : s.end].strip(): s.rule for s in res.removed}
    assert rules["Story continues below advertisement"] == "advertisement"
    assert rules["Copyright © 2024 Example News"] == "copyright"
    assert not any(s.rule.startswith("line_model") for s in res.removed)


def test_a_story_continues_line_under_no_body_restores_nothing():
    """The line must follow text the model calls body: at a page's top, under its headline, it restores nothing
    the model did not choose (here the headline stays the title, the text its body, as without the line)."""
    plain = _PAGE.format(head="HARBOUR BOARD APPROVES NEW FERRY TERMINAL", thing="ferry terminal", marker="")
    moved = plain.replace("Skip to main content\n\n", "Skip to main content\n\nStory continues below advertisement\n\n")
    a, b = (split_text(t, RULES, SplitOptions()) for t in (plain, moved))
    assert [(r.kind, r.title, r.paragraphs) for r in a.records] == [(r.kind, r.title, r.paragraphs) for r in b.records]


def test_a_second_story_continues_line_under_restored_text_goes_on():
    """Two such lines on one page: the text under the second is the story's too (the first's text is body now)."""
    marker = "Story continues below advertisement"
    one = _PAGE.format(head="HARBOUR BOARD APPROVES NEW FERRY TERMINAL", thing="ferry terminal", marker=marker)
    last = "The work is expected to start in the spring of next year,\nthe spokesman added.\n\n"
    extra = "Residents will be asked for their views at a meeting next\nmonth, the board said.\n\n"
    text = one.replace(last, f"{last}{marker}\n\n{extra}")
    text += _PAGE.format(head="CITY COUNCIL DELAYS VOTE ON BUDGET", thing="budget plan", marker=marker)
    res = split_text(text, RULES, SplitOptions())
    assert check_coverage(res) == []
    first = next(r for r in res.records if r.title == "HARBOUR BOARD APPROVES NEW FERRY TERMINAL")
    assert first.paragraphs[-2:] == [
        "The work is expected to start in the spring of next year, the spokesman added.",
        "Residents will be asked for their views at a meeting next month, the board said.",
    ]


_TABLE = """Skip to main content

{head}

DAYTON, OHIO, April 13 -

Shr 12 cts vs 9 cts

Net 403,211 vs 301,876

Sales {k}1.2 mln vs 9.8 mln

Story continues below advertisement

NOTE: Per share figures adjusted for a five pct stock dividend
paid in May.

Tag: markets

Copyright © 2024 Example News

"""


def test_a_wire_table_over_a_note_under_a_story_continues_line_keeps_its_rows():
    """A wire earnings table over its "NOTE: ..." line, the note under "Story continues below advertisement", in a
    file whose tables repeat rows (removed as 'repeated_line'): the override makes the note body, and the brief
    passes still read the table by what the classifiers kept (rows of figures, some removed), so its removed rows
    come back, as without the override (the 50 MB bench's web-page files lost 315 words of such rows to it)."""
    heads = [f"ACME WIDGETS {k} INC <AW{k}> 1ST QTR NET" for k in range(5)]
    text = "".join(_TABLE.format(head=h, k=k + 1) for k, h in enumerate(heads))
    res = split_text(text, RULES, SplitOptions())
    assert check_coverage(res) == []
    articles = [r for r in res.records if r.kind == "article"]
    assert [r.title for r in articles] == heads
    for k, rec in enumerate(articles):
        rows = ["Shr 12 cts vs 9 cts", "Net 403,211 vs 301,876", f"Sales {k + 1}1.2 mln vs 9.8 mln"]
        assert [p for p in rec.paragraphs if p in rows] == rows
        assert rec.paragraphs[-1] == "NOTE: Per share figures adjusted for a five pct stock dividend paid in May."
