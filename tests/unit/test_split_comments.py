"""Reader comments under an article on a web page are removed, not records (``split.scan``: the comments zone)."""

from __future__ import annotations

from dataclasses import replace

from corpus_etl.rules import load_rules
from corpus_etl.split import SplitOptions
from corpus_etl.split.scan import scan
from corpus_etl.split.state import SplitState

RULES = load_rules()
OPTS = replace(SplitOptions(), line_model=False, title_model=False)
ARTICLE = (
    "Skip to main content\n\nCouncil Closes The Harbour Bridge\n\n"
    "The council voted on Tuesday to close the old harbour bridge to cars from next spring, after engineers found "
    "cracks in two of its steel supports.\n\n"
    "The mayor said buses and bicycles would still be allowed across while the council looks for money to repair the "
    "bridge over the next year.\n\n"
    "Engineers expect the repairs to take three years, and the council will ask the national government to pay for "
    "most of the work, officials said.\n\n"
)
# a related list under a run of footer menus: the menus end its zone as a next page's header would (a guessed page),
# and the list's first headline opens a record of a few words
TEASERS = (
    "More from the Opinion section\n\n"
    + "\n".join(
        f"* {w}"
        for w in ["World", "Europe", "Politics", "Labour", "Conservatives", "Business", "Economics", "Sport", "Culture"]
    )
    + "\n\nRelated\n\n* 27 Oct 2012\n\nBridge repairs in other towns ran over budget and took years longer\n\n"
    "* 11 Oct 2012\n\nFerries to carry cars while the harbour bridge is closed\n\n"
)
THREAD_PAGES = "\n".join(f"* {w}" for w in ["Latest", "1", "2", "3", "4", "5", "Next", "All"])
COMMENTS = [
    "The bridge has needed work for years and the council ignored every warning it was given.",
    "Closing it to cars is the right call, but the ferries will never cope with the traffic.",
    "Why not charge a toll on the new ferries and put the money towards the repairs instead?",
]


def _thread(pages: bool = True) -> str:
    out = "Comments\n\n3 comments, displaying first\n\n" + (THREAD_PAGES + "\n\n" if pages else "")
    for k, body in enumerate(COMMENTS):
        out += f"* reader{k}\n\n1 November 2012 11:0{k}PM\n\n{body}\n\n+ Recommend? ( 3 )\n+ Report\n\n"
        out += "Link to this comment:\n\nShare\n"
    return out


def _scanned(text: str) -> SplitState:
    st = SplitState(text, RULES, OPTS)
    scan(st)
    return st


def _in_records(st: SplitState, sentence: str) -> bool:
    return any(sentence in p for rec in st.records for p in rec.paragraphs)


def test_a_threads_page_links_do_not_end_its_comments():
    # "* Latest * 1 ... * Next * All": eight menu-like lines in a row, which under comments would read as the next
    # page's header and make the comments below it articles
    st = _scanned(ARTICLE + _thread())
    assert [rec.kind for rec in st.records] == ["article"]
    assert not any(_in_records(st, c) for c in COMMENTS)
    removed = {st.text[p.start : p.end].strip(): p.rule for p in st.pieces if p.role == "removed"}
    assert all(removed[c] == "comments" for c in COMMENTS)


def test_a_comments_link_over_running_text_is_no_thread():
    # a comments heading under a teaser record, over an article's paragraphs: the next page's "Comments" link (a
    # real glued page's 1,948-word article under its headline's "Comments" link was lost when the heading was read as
    # the comments of the page before's article), its article kept
    story = (
        "Ferry operators said on Monday that they would add three evening crossings from next month to carry the cars "
        "the bridge will no longer take, and that tickets would cost the same as on the day boats.\n\n"
        "The harbour master said the extra crossings would need two more crews, which the operators are hiring now."
    )
    st = _scanned(ARTICLE + TEASERS + "Comments\n\n" + story + "\n")
    assert _in_records(st, story.split("\n\n")[1])


def test_a_next_pages_menu_flattened_onto_one_line_ends_the_comments():
    # a renderer that ignores list items prints the next page's menu as one line: it counts as its items, a run of
    # menu lines as long as the printed list's, and the page's article under it is no comment
    menu = " ".join(
        f"* {w}"
        for w in ["World", "Europe", "Politics", "Labour", "Conservatives", "Business", "Economics", "Sport", "Culture"]
    )
    story = (
        "Ferry operators said on Monday that they would add three evening crossings from next month to carry the cars "
        "the bridge will no longer take, and that tickets would cost the same as on the day boats.\n\n"
        "The harbour master said the extra crossings would need two more crews, which the operators are hiring now."
    )
    text = ARTICLE + _thread(pages=False) + menu + "\n\nFerry Operators Add Evening Crossings\n\n" + story + "\n"
    st = _scanned(text)
    assert all(_in_records(st, para) for para in story.split("\n\n"))
    assert not any(_in_records(st, c) for c in COMMENTS)
    # the same menu with fewer items than a page's header run (zone_end_menu_lines) is no header
    short = " ".join(f"* {w}" for w in ["World", "Europe", "Politics"])
    st = _scanned(text.replace(menu, short))
    assert not _in_records(st, story.split("\n\n")[1])
