"""The article-boundary model (corpus_etl/boundary.py) and the splitter's use of it (no Prefect)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_etl import boundary
from corpus_etl.rules import load_rules
from corpus_etl.settings import Settings
from corpus_etl.split import SplitOptions, SplitResult, check_coverage, logical_lines, split_text
from tests.conftest import CORPORA, need_shared

RULES = load_rules(Settings().extraction.rules_path)
OPTS = SplitOptions()

FERRY = (
    "The harbour council approved a new timetable for the island ferries on Monday evening after a long debate. "
    "Boats will leave every thirty minutes during the summer season, and the fares for monthly passes will fall.\n\n"
    "Councillors who opposed the plan said the harbour could not handle the extra traffic without new moorings, "
    "and they asked the ferry operator to publish its passenger figures before the season begins.\n"
)
CHESS = (
    "The chess olympiad opened in the capital with teams from one hundred and eighty nations competing for medals. "
    "Grandmasters played the first round under bright lights while spectators followed the games on screens.\n\n"
    "Organisers expect record attendance this weekend, when the strongest teams meet in the decisive matches "
    "of the tournament and the youngest players face the champions of previous editions.\n"
)


def test_candidates_are_block_openings_and_gaps_count_blank_lines():
    text = "First line\nsecond line of the block\n\n\nNew block after two blank lines\n\nThird block\n"
    lines = logical_lines(text)
    cands = boundary.candidates(lines)
    assert [lines[i].text for i in cands] == ["First line", "New block after two blank lines", "Third block"]
    rows = boundary.boundary_features(text, lines, RULES, OPTS, cands)
    gap = boundary.FEATURES.index("gap")
    assert [r[gap] for r in rows] == [0.0, 2.0, 1.0]
    assert all(len(r) == len(boundary.FEATURES) for r in rows)


def test_packaged_model_matches_the_features_and_is_versioned():
    model = boundary.load_model()
    data = json.loads(boundary.MODEL_PATH.read_text(encoding="utf-8"))
    assert model.version == data["version"] and model.version.startswith("boundary-")
    assert model.features == boundary.FEATURES
    assert 0 < model.threshold < 1 and 0 < model.threshold_untitled < 1


def test_a_model_file_with_other_features_is_refused(tmp_path: Path):
    data = json.loads(boundary.MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = [*data["features"][:-1], "something_else"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="make train"):
        boundary.load_model(str(path))


@pytest.mark.parametrize("join", ["\n\n", "\n\n\n"])
def test_two_untitled_stories_are_two_articles(join: str):
    text = FERRY + join + CHESS
    res = split_text(text, RULES, OPTS)
    arts = [r for r in res.records if r.kind == "article"]
    assert len(arts) == 2 and all(r.title is None for r in arts)
    assert arts[1].paragraphs[0].startswith("The chess olympiad")
    assert check_coverage(res) == []


def test_an_explicit_segment_is_one_article():
    titled = "Ferry Timetable Approved\n\n" + FERRY + "\nChess Olympiad Opens\n\n" + CHESS
    for text in (FERRY + "\n\n\n" + CHESS, titled):
        res = split_text(text, RULES, SplitOptions(one_article=True))
        assert len([r for r in res.records if r.kind == "article"]) == 1


def test_without_the_model_the_topic_rule_decides():
    text = "Ferry Timetable Approved\n\n" + FERRY + "\nChess Olympiad Opens\n\n" + CHESS
    for opts in (OPTS, SplitOptions(boundary_model=False)):
        res = split_text(text, RULES, opts)
        assert [r.title for r in res.records] == ["Ferry Timetable Approved", "Chess Olympiad Opens"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([FERRY, CHESS, "Short Headline Here\n", "\n", "x\n", "2024\n"]), max_size=12))
def test_probabilities_are_probabilities_and_spans_cover_the_text(parts: list[str]):
    text = "\n".join(parts)
    lines = logical_lines(text)
    probs = boundary.boundary_probabilities(text, lines, RULES, OPTS)
    assert set(probs) == set(boundary.candidates(lines))
    assert all(0.0 <= p <= 1.0 for p in probs.values())
    assert check_coverage(split_text(text, RULES, OPTS)) == []


def _bbc_stories(n: int, seed: int) -> list[tuple[str, str]]:
    root = need_shared(CORPORA / "bbc_news" / "bbc")
    files = sorted(root.glob("*/*.txt"))
    out = []
    for path in random.Random(seed).sample(files, n):
        title, _, body = path.read_bytes().decode("utf-8", "replace").strip().partition("\n")
        out.append((title.strip(), "\n\n".join(p.strip() for p in body.splitlines() if p.strip())))
    return out


@pytest.mark.parametrize(("join", "heads"), [("\n\n", True), ("\n\n\n", True), ("\n\n\n", False)])
def test_real_stories_glued_in_one_file_come_apart(join: str, heads: bool):
    """20 BBC stories a file (../shared): each one found as an article of its own (its body words)."""
    stories = _bbc_stories(20, 7)
    text = join.join(f"{t}\n\n{b}" if heads else b for t, b in stories) + "\n"
    res = split_text(text, RULES, OPTS)
    bodies = [set(" ".join(r.paragraphs).lower().split()) for r in res.records if r.kind == "article"]
    found = 0
    for _, body in stories:
        gold = set(body.lower().split())
        found += max(len(gold & b) / len(gold | b) for b in bodies) >= 0.8
    assert found >= 18, found


@pytest.mark.parametrize("heads", [True, False])
def test_stories_saved_with_no_blank_line_come_apart_as_with_blank_lines(heads: bool):
    """20 BBC stories (../shared), every headline and paragraph on a line of its own and no blank line anywhere:
    the same article records as when a blank line separates the lines (before, the stories without headlines were
    one record: no line opened a block, so none was a candidate)."""
    stories = _bbc_stories(20, 7)

    def bodies(sep: str) -> list[list[str]]:
        text = sep.join((f"{t}{sep}" if heads else "") + sep.join(b.split("\n\n")) for t, b in stories) + "\n"
        return [r.paragraphs for r in split_text(text, RULES, OPTS).records if r.kind == "article"]

    spaced = bodies("\n\n")
    assert len(spaced) >= 15
    assert bodies("\n") == spaced


def test_an_explicit_segment_keeps_the_prose_after_a_related_heading():
    """In an explicit segment (a Multi-News article, a JSONL text), running text under a "Related stories"
    heading in the middle of the article is the article going on: it rejoins, and the segment is one record."""
    text = FERRY + "\nRelated stories\n\n" + CHESS
    res = split_text(text, RULES, SplitOptions(one_article=True))
    arts = [r for r in res.records if r.kind == "article"]
    assert len(arts) == 1 and not [r for r in res.records if r.kind == "related"]
    assert arts[0].paragraphs[-1] == CHESS.strip().splitlines()[-1]
    assert check_coverage(res) == []


def test_an_explicit_segment_of_one_line_ending_in_a_link_is_an_article():
    """A tweet (sentences ending in their link) is a segment's whole article: its body, not pre-title chrome nor
    a headline over no body."""
    tweet = (
        "Please read this quote from the city charter, friends. It guided me every day in office.pic.example.com/Ab12"
    )
    res = split_text(tweet, RULES, SplitOptions(one_article=True))
    assert [(r.title, r.paragraphs) for r in res.records] == [(None, [tweet])]
    assert check_coverage(res) == []
    longer = tweet + " More words follow here so that the line is too long for a headline of any page."
    res = split_text(longer, RULES, SplitOptions(one_article=True))
    assert [(r.title, r.paragraphs) for r in res.records] == [(None, [longer])]


def test_a_long_related_record_in_a_text_of_stories_is_a_story():
    """In a text of stories (no web page), a "Related stories" line at the end of one story opens a related zone;
    a record of 100 words or more under it is the next story, not a teaser; a short teaser stays related."""
    story = " ".join([CHESS.strip()] * 4)
    teaser = "Ferry fares to rise in spring\n\nThe council will set the new fares at its meeting in March."
    for text, kinds in (
        (FERRY + "\nRelated stories\n\n" + story + "\n", ["article", "article"]),
        (FERRY + "\nRelated stories\n\n" + teaser + "\n", ["article", "related"]),
    ):
        res = split_text(text, RULES, OPTS)
        assert [r.kind for r in res.records] == kinds
        assert check_coverage(res) == []


def test_lines_learned_as_the_folders_repeats_do_not_make_stories_a_web_page():
    """A folder of earnings stories repeats table lines ("Year", "Nine mths") in many files: learned as the
    folder's boilerplate they are removed, but they are no web chrome, so the stories split as without them
    (read as a web page, every split of theirs would be weak and they would glue together)."""
    from corpus_etl.learned import outlet_line_hash

    table = "Year\n\nNine mths\n\nSix mths\n\nYear\n\nNine mths\n"
    text = "Ferry Timetable Approved\n\n" + FERRY + "\n" + table + "\nChess Olympiad Opens\n\n" + CHESS + "\n" + table
    learned = frozenset(outlet_line_hash(t) for t in ("Year", "Nine mths", "Six mths"))
    plain = split_text(text, RULES, OPTS)
    res = split_text(text, RULES, OPTS, learned)
    assert (
        [r.title for r in res.records]
        == [r.title for r in plain.records]
        == [
            "Ferry Timetable Approved",
            "Chess Olympiad Opens",
        ]
    )
    assert sum(1 for s in res.removed if s.rule == "learned_repeat") >= 2
    assert check_coverage(res) == []


def _split_covered(text: str) -> SplitResult:
    """``split_text`` with the default options, its accounting checked (every character in a record or a span)."""
    res = split_text(text, RULES, OPTS)
    assert check_coverage(res) == []
    return res


def test_a_wire_story_of_figures_under_its_headline_is_its_own_story():
    """A headline over a table of figures (an earnings story) or over a dateline the rules do not read
    ("Oklahoma City, March 3 -") has no running text under it: the boundary model, sure of a new story,
    opens one after a few words of body instead of gluing the story to the one before."""
    text = (
        "LOCAL BANK NAMES NEW CHAIRMAN\n\nHARRISBURG, Pa., April 7 - Keystone Savings Bank said its board named "
        "Mary Hollis chairman, succeeding John Reed, who retires at the end of the month after twenty years.\n\n\n"
        "ACME TOOLS INC <ACT> 4TH QTR NET\n\nOklahoma City, March 3 -\n\nShr profit five cts vs loss 2.11 dlrs\n\n"
        "Net profit 375,061 vs loss 10.4 mln\n\nRevs 39.9 mln vs 37.1 mln\n\n\n"
        "BETA FOODS <BTF> SETS QUARTERLY PAYOUT\n\nNEW YORK, June 18 -\n\nQtly div 95 cts vs 95 cts prior\n\n"
        "Pay Aug 3\n\nRecord June 30\n"
    )
    res = _split_covered(text)
    assert [r.title for r in res.records] == [
        "LOCAL BANK NAMES NEW CHAIRMAN",
        "ACME TOOLS INC <ACT> 4TH QTR NET",
        "BETA FOODS <BTF> SETS QUARTERLY PAYOUT",
    ]
    assert "Revs 39.9 mln vs 37.1 mln" in res.records[1].paragraphs


# Two wire stories with headlines and datelines, to put other stories between (a headline, a story, two blank lines)
PORT = (
    "PORT AUTHORITY APPROVES NEW TERMINAL\n\nNEW YORK, March 9 - The Port Authority approved a new container "
    "terminal on the east side of the harbour, to open in two years, its chairman said on Monday after the vote."
    "\n\n\n"
)
STEEL = (
    "STEEL MAKER RAISES PRICES\n\nPITTSBURGH, March 9 - A steel maker said it would raise the price of its "
    "sheet products by three pct from April, citing higher costs of coal and of ore.\n\n"
    "Analysts said other makers were likely to follow within weeks, as demand had picked up this year.\n"
)


def test_a_tables_rule_lines_do_not_make_a_file_of_stories_a_web_page():
    """A wire's news summary separates its items with "- - - -" lines, which the rules read as a bullet list
    (menu chrome). Lines with no letter are evidence of nothing: the file stays a text of stories, and its three
    stories keep their headlines (read as a web page, the first headline was lost and the stories glued)."""
    items = [
        "BEIRUT - Syrian troops moved to the edge of a refugee camp in a bid to end five months of fighting, "
        "witnesses said.",
        "WASHINGTON - The President said neither country would occupy its new embassy until the building was "
        "certain to be secure.",
        "BAHRAIN - Iran reported a new offensive east of the southern city, saying troops backed by planes had "
        "crossed the border.",
        "TOKYO - The finance minister said the government would present a supplementary budget to parliament "
        "next month.",
        "GENEVA - Talks on a chemical weapons ban resumed after a two-week recess, with delegates hopeful of "
        "progress this year.",
    ]
    text = (
        "PORT AUTHORITY APPROVES NEW TERMINAL\n\nNEW YORK, March 9 - The Port Authority approved a new container "
        "terminal on the east side of the harbour, to open in two years, its chairman said on Monday after the "
        "vote.\n\nThe terminal will handle twice the cargo of the old one, which will close once the new one is "
        "open.\n\n\nWORLD NEWS HIGHLIGHTS\n\n" + "\n\n- - - -\n\n".join(items) + "\n\n\n" + STEEL
    )
    res = _split_covered(text)
    assert [r.title for r in res.records] == [
        "PORT AUTHORITY APPROVES NEW TERMINAL",
        "WORLD NEWS HIGHLIGHTS",
        "STEEL MAKER RAISES PRICES",
    ]
    assert len(res.records[1].paragraphs) == len(items)


def test_a_tables_last_row_stays_with_its_story_and_a_capitals_slash_headline_opens_one():
    """An earnings table's last row ("Avg shrs 27.4 mln vs 25.8 mln", under other rows, over the table's note)
    reads as a headline over running text; it opens no story unless the boundary model is sure of it. A wire
    headline in capitals with a slash ("TALKING POINT/COPPER STOCKS") is no photo credit ("Jason Reed/Reuters")."""
    text = PORT + (
        "ACME RETAIL CORP <ACR> 3RD QTR NET\n\nCOLUMBUS, Ohio, Oct 20 -\n\nShr 31 cts vs 42 cts\n\n"
        "Net 8,512,000 vs 11.2 mln\n\nSales 401.2 mln vs 377.9 mln\n\nAvg shrs 27.5 mln vs 26.6 mln\n\nNine mths\n\n"
        "Shr 1.40 dlrs vs 1.76 dlrs\n\nNet 38.9 mln vs 46.9 mln\n\nSales 1.21 billion vs 1.10 billion\n\n"
        "Avg shrs 27.4 mln vs 25.8 mln\n\nNOTE: Share adjusted for July 1987 10 pct stock dividend.\n\n"
        "Results restated for pooled acquisitions.\n\n\nTALKING POINT/COPPER STOCKS\n\nNEW YORK, March 17 - Copper "
        "shares, which have lagged behind the market, should pick up steam this year on stronger demand and "
        "improved prices, analysts said on Tuesday.\n\nMost analysts expect the price of copper to rise by ten "
        "cents a pound before the end of the year.\n"
    )
    res = _split_covered(text)
    assert [r.title for r in res.records] == [
        "PORT AUTHORITY APPROVES NEW TERMINAL",
        "ACME RETAIL CORP <ACR> 3RD QTR NET",
        "TALKING POINT/COPPER STOCKS",
    ]
    assert res.records[1].paragraphs[-1] == "Results restated for pooled acquisitions."
    credit = RULES.match_line("Jason Reed/Reuters")
    assert credit is not None and credit.name == "photo_credit"


def test_a_wire_tables_footnote_and_repeated_rows_do_not_make_a_web_page():
    """A wire table repeats its short rows ("1986/87 1987/88") and ends with a footnote "(C) - Sales made on
    exporters' own account.", which is no copyright line. Repeats and one line a rule reads as chrome are no web
    page: the three stories keep their headlines (read as a page, two of them were lost and all three glued)."""
    table = "ALL WHEAT\n\n1986/87   1987/88\n\nPrev Wk   Prev Wk\n\nO.O.P.-D   nil   nil\n\n"
    text = (
        PORT + "U.S. EXPORT SALES OF WHEAT RISE IN WEEK\n\nWASHINGTON, April 9 - Net export sales of wheat rose in the "
        "week ended April 2, the Agriculture Department said in its weekly report, with buyers in Asia most active."
        "\n\n" + table * 3 + "(C) - Sales made on exporters' own account.\n\n\n" + STEEL
    )
    res = _split_covered(text)
    assert [r.title for r in res.records] == [
        "PORT AUTHORITY APPROVES NEW TERMINAL",
        "U.S. EXPORT SALES OF WHEAT RISE IN WEEK",
        "STEEL MAKER RAISES PRICES",
    ]
    assert RULES.match_line("(C) - Sales made on exporters' own account.") is None
    footer = RULES.match_line("(c) 2012 Example Media Ltd")
    assert footer is not None and footer.name == "copyright"


def test_the_training_report_scores_the_evals_same_story_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``scripts.train_boundary.same_story_examples``: one candidate row per block opening of each ``dev.src``
    line's articles joined by a blank line, labelled at the starts of its second and later articles."""
    from scripts import train_boundary

    ferry = FERRY.strip().replace("\n\n", " NEWLINE_CHAR NEWLINE_CHAR ")
    chess = CHESS.strip().replace("\n\n", " NEWLINE_CHAR NEWLINE_CHAR ")
    src = tmp_path / "corpora" / "multinews_dev" / "dev.src"
    src.parent.mkdir(parents=True)
    # (an article found under two lines would be the collection's chrome, no article: line 2 is another text)
    src.write_text(f"{ferry} ||||| {chess}\n{ferry.replace(' NEWLINE_CHAR NEWLINE_CHAR ', ' ')}\n", encoding="utf-8")
    monkeypatch.setattr(train_boundary, "SHARED", tmp_path)
    x, y, heads, variants = train_boundary.same_story_examples()
    # line 1: four paragraphs, three candidates after the first, the second of them the second article's start;
    # line 2: one paragraph, no candidate after the first
    assert x.shape == (3, len(boundary.FEATURES)) and y.tolist() == [0.0, 1.0, 0.0]
    assert not heads.any() and set(variants) == {train_boundary.SAME_STORY}
