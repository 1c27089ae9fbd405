"""The splitter's use of the title model on web pages (real dragnet pages from ../shared, no Prefect)."""

from __future__ import annotations

import json
import re

from corpus_etl.rules import load_rules
from corpus_etl.split import SplitOptions, check_coverage, split_text
from corpus_etl.titles import normalise_title
from tests.conftest import CORPORA, need_shared

RULES = load_rules()


def _main_title(text: str, opts: SplitOptions) -> tuple[str | None, list[str]]:
    res = split_text(text, RULES, opts)
    assert check_coverage(res) == []
    arts = [r for r in res.records if r.kind == "article"]
    main = max(arts, key=lambda r: r.body_words, default=None)
    return (main.title if main else None), [s.rule for s in res.removed]


def test_the_title_model_finds_headlines_the_first_headline_like_line_misses():
    """On 60 dragnet pages with a gold headline, the model's titles are right far more often than the first
    headline-like line before the body; a replaced title is kept as a removed span ('title_rejected')."""
    root = need_shared(CORPORA / "dragnet")
    gold = json.loads((root / "titles.json").read_text(encoding="utf-8"))
    right = {True: 0, False: 0}
    rejected = 0
    for key in sorted(gold)[-60:]:
        text = (root / "page_text" / f"{key}.txt").read_text(encoding="utf-8", errors="replace")
        want = normalise_title(gold[key]["title"])
        for on in (True, False):
            title, rules = _main_title(text, SplitOptions(title_model=on))
            right[on] += title is not None and normalise_title(title) == want
            rejected += on and "title_rejected" in rules
    assert right[True] >= right[False] + 15, right
    assert rejected > 0


def test_clean_stories_keep_their_headlines():
    """Text without web chrome is not re-titled: the headline line stays the title."""
    river = "The council met on Monday and agreed a plan for the river bank and its paths. " * 6
    chess = "Grandmasters from ninety nations opened the chess olympiad under bright lights in the capital. " * 6
    text = f"Council agrees river plan\n\n{river}\n\nChess olympiad opens in the capital\n\n{chess}\n"
    for on in (True, False):
        res = split_text(text, RULES, SplitOptions(title_model=on))
        assert [r.title for r in res.records] == ["Council agrees river plan", "Chess olympiad opens in the capital"]


def test_a_sure_model_may_title_a_list_item_or_a_line_only_a_removing_rule_takes():
    """A list item or a line a rule removes (and does nothing else) becomes a title only when the model is sure
    of it (``SURE_TITLE``); a line of a rule with another effect (a copyright line ends a page) and a byline
    never do."""
    from corpus_etl.split.options import Piece
    from corpus_etl.split.passes.titles import SURE_TITLE, _refused
    from corpus_etl.split.state import SplitState

    lines = [
        "+ Listen to Music With Your Friends",
        "53 bits ought to be enough for anybody",
        "Copyright 2012 Dow Jones & Company, Inc. All Rights Reserved",
        "+ By John Smith",
        "A Plain Headline Over Its Story",
    ]
    st = SplitState("\n\n".join(lines) + "\n", RULES, SplitOptions())
    idx = {t: next(i for i, ln in enumerate(st.lines) if ln.text == t) for t in lines}
    effects = {t: (r.effect if (r := st.rule_at(i)) else None) for t, i in idx.items()}
    assert effects[lines[1]] == "remove" and effects[lines[2]] not in (None, "remove")  # (what the case is about)

    def refused(text: str, role: str, prob: float) -> bool:
        i = idx[text]
        return _refused(st, i, Piece(st.lines[i].start, st.lines[i].end, role), text, prob)

    sure, unsure = max(SURE_TITLE, 0.99), SURE_TITLE - 0.01
    assert refused(lines[0], "body", unsure) and not refused(lines[0], "body", sure)
    assert refused(lines[1], "removed", unsure) and not refused(lines[1], "removed", sure)
    assert refused(lines[2], "removed", 1.0)
    assert refused(lines[3], "body", 1.0)
    assert not refused(lines[4], "body", 0.0) and not refused(lines[4], "removed", 0.0)


def test_no_headline_is_taken_from_below_a_dateline():
    """A wire brief's lede opens with its dateline; a line below it ("Proposed dividend ...") is body, and even a
    sure model answer does not make it the title (it would remove the lede as chrome). The same line under a few
    words of chrome that open with no dateline does become the title (what ``title_inside_body`` is for)."""
    from corpus_etl.split.options import Piece
    from corpus_etl.split.passes.titles import title_inside_body
    from corpus_etl.split.run import run
    from corpus_etl.split.state import SplitState

    figures = "Turnover 410 mln vs 395 mln\n\nCash flow 41.4 mln vs 36.1 mln\n\nProposed dividend 40 francs vs same\n\n"
    tail = "The company said it plans a rights issue of bearer shares later in the year, on terms not yet set.\n"
    for lede, taken in (("ZURICH, March 18 - Net profit 14.5 mln Swiss francs vs 12.2 mln", False), ("Home", True)):
        text = f"ACME WIDGETS AG 1986 YEAR RESULTS\n\n{lede}\n\n{figures}{tail}"
        st = SplitState(text, RULES, SplitOptions(title_model=False, line_model=False, page_model=False))
        run(st)
        idx = next(i for i, r in enumerate(st.records) if r.kind == "article")
        first_piece: dict[int, Piece] = {}
        for p in st.pieces:
            first_piece.setdefault(p.start, p)
        line = next(i for i, ln in enumerate(st.lines) if ln.text.startswith("Proposed dividend"))
        before = list(st.records[idx].paragraphs)
        title_inside_body(st, idx, line, st.lines[line].text, first_piece, 1.0)
        rec = st.records[idx]
        assert (rec.title == "Proposed dividend 40 francs vs same") is taken, (lede, rec.title)
        assert (rec.paragraphs == before) is not taken


def test_a_line_of_the_sites_navigation_is_never_a_title():
    """Links to the previous or next post and breadcrumb trails are navigation, never a headline, whichever pass
    chose them: the record keeps its body with a NULL title, the line is removed as 'title_rejected'. A title
    with one separator ("Watch | Portrait of ...", a real dragnet headline) stays."""
    from corpus_etl.split.lines import is_navigation_title

    assert is_navigation_title("« What a life | Main | Emotional experience through a gameplay world »")
    assert is_navigation_title("BLOG > Weight Loss > Weight Loss Tips")
    assert is_navigation_title("Next post: Roasting turkey necks for stock »")
    assert not is_navigation_title("Watch | Portrait of An American Craftsman – Frank Clegg")
    assert not is_navigation_title("Obama wins second term as voters reject Romney")
    body = (
        "The city council voted on Tuesday to extend the opening hours of the public library on weekends, after a "
        "year in which the number of visitors rose by a third and the waiting lists for study rooms grew longer."
    )
    heads = (
        ("« Older post | Main | Newer post: the budget vote »", False),  # (a rule takes "Home > News > City Hall")
        ("News / Local / Library hours extended after record year", False),
        ("Library hours extended after record year", True),
    )
    for head, kept in heads:
        text = f"{head}\n\n{body}\n\n{body.replace('Tuesday', 'Monday')}\n"
        for opts in (SplitOptions(), SplitOptions(title_model=False, line_model=False, page_model=False)):
            res = split_text(text, RULES, opts)
            assert check_coverage(res) == []
            (art,) = [r for r in res.records if r.kind == "article"]
            assert (art.title == head) is kept and (art.title is None) is not kept, (head, art.title)
            assert body in "\n".join(art.paragraphs)
            removed = {text[s.start : s.end].strip(): s.rule for s in res.removed}
            assert kept or removed.get(head) == "title_rejected"


def test_a_line_of_a_sites_footer_is_never_a_title():
    """The next glued page's first line under the page before's copyright line, "Powered by WordPress.com VIP", was
    the title of its article (a real dragnet page glued after another): a line that opens as a footer is never a
    title, the article keeps its body. A headline about copyright stays one."""
    from corpus_etl.split.lines import is_footer_title

    for line in ("Powered by WordPress.com VIP", "© 2012 PMC. All rights reserved.", "Copyright 2012 Example Media"):
        assert is_footer_title(line), line
    for line in ("Copyright ruling hits Google", "Solar-powered boat crosses the Atlantic", "Privacy policy changes"):
        assert not is_footer_title(line), line
    body = (
        "The official trailer for the film shows the two siblings fifteen years after their escape from the "
        "gingerbread house, now hunting witches for a living in a town that has lost a dozen of its children."
    )
    menu = "PMC\n+ About Movieline\n+ Privacy Policy\n+ Terms of Service\n+ Advertise\n+\n+\n\n"
    page_before = f"Earlier story\n\n{body.replace('film', 'series')}\n\n{body.replace('film', 'show')}\n\n{menu}"
    footer = "Copyright © 2012 PMC. All rights reserved.\nPowered by WordPress.com VIP\n\n"
    text = page_before + footer + body + "\n\n" + body.replace("two", "three") + "\n"
    for opts in (SplitOptions(), SplitOptions(title_model=False, line_model=False, page_model=False)):
        res = split_text(text, RULES, opts)
        assert check_coverage(res) == []
        # (the record keeps its body; whether it is an article or 'related' is the record model's call, not a title's)
        (art,) = [r for r in res.records if body in "\n".join(r.paragraphs)]
        assert art.title is None
        removed = {text[s.start : s.end].strip(): s.rule for s in res.removed}
        assert removed.get("Powered by WordPress.com VIP") == "title_rejected"


def test_a_comment_forms_field_label_is_never_a_title():
    """ "Mail (will not be published) (required)" titled three dragnet pages (site-disjoint): a form's field label is
    never a title; a headline that speaks of publishing stays one."""
    from corpus_etl.split.lines import is_form_field, is_rejected_title

    for line in ("Mail (will not be published) (required)", "Name (required)", "Website (optional)"):
        assert is_form_field(line) and is_rejected_title(line), line
    for line in ("Report will not be published, minister says", "Publishers required to pay for news"):
        assert not is_form_field(line), line
    head = "Mail (will not be published) (required)"
    body = (
        "The zombie logos redraw twenty famous brands as if the world had ended, with every mark cracked, "
        "stained and overgrown, and the designer says the series took a whole winter to finish."
    )
    text = f"{head}\n\n{body}\n\n{body.replace('winter', 'summer')}\n"
    res = split_text(text, RULES, SplitOptions())
    (art,) = [r for r in res.records if r.kind == "article"]
    assert art.title is None and body in "\n".join(art.paragraphs)


def test_a_title_given_by_the_input_stays_even_if_it_reads_as_navigation():
    """``untitle_navigation`` leaves a title the input gave (a JSONL field): that is the data, not a guess."""
    from corpus_etl.split.options import RawRecord
    from corpus_etl.split.passes.titles import untitle_navigation
    from corpus_etl.split.state import SplitState

    st = SplitState("body text\n", RULES, SplitOptions())
    st.records = [RawRecord(kind="article", title="A | B | C", title_source="jsonl_field")]
    untitle_navigation(st)
    assert st.records[0].title == "A | B | C"


def test_no_title_lies_above_its_page_start_on_the_bench_corpus_chrome_pages():
    """A page start rule's line ("Skip to main content") ends the page before; the title model picks a page's
    headline among the lines since the record before, which reach into the page before when an edge trim dropped
    that page's record (a dividend notice of a few words). It took that notice's headline as the next story's title
    and glued the two: on a slice of the 50 MB bench corpus's chrome file f00012 (built from ../shared). Now no
    record spans a page start."""
    from corpora.generated import MB, generate_corpus, load_stories

    need_shared(CORPORA / "reuters21578")
    pool = load_stories(CORPORA.parent)
    data = next(f.data for f in generate_corpus(pool.stories, 50 * MB) if f.name.endswith("f00012.txt"))
    text = data.decode("utf-8")
    lo = text.rfind("\nSkip to", 0, 40_000) + 1
    hi = text.find("\nSkip to", 50_000) + 1
    part = text[lo:hi]
    res = split_text(part, RULES)
    assert check_coverage(res) == []
    titled = [r for r in res.records if r.kind == "article" and r.title]
    assert len(titled) >= 10
    for r in titled:  # (a page start line closes the record before it: no record spans one)
        inside = part[r.char_start : r.char_end]
        assert not re.search(r"^Skip to (?:main )?content$", inside, re.M), (r.title, inside[:300])


def test_no_title_lies_above_the_site_footer_its_page_begins_under():
    """Two real dragnet pages glued (R233, The Atlantic, then T158, a blog): R233's sidebar heading "I want to receive
    updates from our partners and sponsors" opened a record in a teaser zone; a run of menu lines guessed a page there
    (where the next page's header began was not known); T158's article filled that record, under R233's copyright
    line, and kept the heading as its title, so the article began 1,000 characters early. A site footer line
    ("Copyright © 2012 ... All Rights Reserved.") before the page's article has begun marks where the page begins
    (``SplitState.title_floor``): no title of its article lies above it, and the title model picks T158's headline."""
    root = need_shared(CORPORA / "dragnet") / "page_text"
    first = (root / "R233.txt").read_text(encoding="utf-8").strip("\n") + "\n"
    second = (root / "T158.txt").read_text(encoding="utf-8").strip("\n") + "\n"
    text = first + "\n" + second
    res = split_text(text, RULES, SplitOptions())
    assert check_coverage(res) == []
    (art,) = [r for r in res.records if r.kind == "article" and "Can you spot a trend?" in "\n".join(r.paragraphs)]
    assert art.title == "Toasty Enough, Already?"
    assert art.char_start >= len(first)
    assert not any(r.title == "I want to receive updates from our partners and sponsors" for r in res.records)


def test_a_photo_credit_with_a_year_sets_no_page_begin():
    """A caption's credit is a copyright line too ("... the debut of 2001: A Space Odyssey. (Copyright: The
    Hospitality Industry Archives ...)", dragnet 35): it holds a year but does not open as a site's footer, so no page
    begins under it and the headline above it stays the title."""
    from corpus_etl.split.scan import opens_as_site_footer

    assert opens_as_site_footer("© 2012 New Jersey On-Line LLC. All rights reserved (About Us).")
    assert opens_as_site_footer("Copyright © 2012 by The Atlantic Monthly Group. All Rights Reserved.")
    assert not opens_as_site_footer(
        "* Open access This marketing prop likely coincided with the debut of 2001: A Space Odyssey. (Copyright: The "
        "Hospitality Industry Archives)"
    )
    assert not opens_as_site_footer("© Getty Images")
    root = need_shared(CORPORA / "dragnet") / "page_text"
    res = split_text((root / "35.txt").read_text(encoding="utf-8"), RULES, SplitOptions())
    assert "What happened to Hilton’s ‘hotel on the Moon’?" in {r.title for r in res.records}
