"""The plain-text splitter: seeds and samples, rules, and property tests of its span accounting."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_etl.rules import line_key, load_rules
from corpus_etl.split import (
    SplitOptions,
    check_coverage,
    is_headline,
    is_navigation_list,
    logical_lines,
    parse_byline,
    split_text,
)
from tests.conftest import CORPORA, SAMPLES, need_shared

RULES = load_rules()

# The headline of every article in ../shared/seeds, as printed in the files (read by a person).
SEED_TITLES = {
    "000": [
        "BlackBerry will remain in Pakistan after gov withdraws demands",
        "BlackBerry sticks to its mobile security and privacy stand, despite pressure in Pakistan",
    ],
    "001": ["BlackBerry to exit Pakistan rather than comply with demand for server access"],
    "002": ["BlackBerry to exit Pakistan to avoid Data Monitoring demands"],
    "003": ["BlackBerry to stay in Pakistan after government drops surveillance request"],
    "004": ["BlackBerry refuses to back down, leaves Pakistan instead of handing over private data"],
}
CHROME = (
    "Skip to main content",
    "Canadian Manufacturing",
    "Tag:",
    " - image",
    "Read more",
    "Sponsored content",
    "Story continues below",
    "Editors' Recommendations",
    "About Web Staff",
    "Copyright",
)


def _split_file(path: Path):
    text = path.read_text(encoding="utf-8")
    return text, split_text(text, RULES)


def seed_files(seeds_dir: Path) -> dict[str, Path]:
    return {p.name[:3]: p for p in sorted(seeds_dir.glob("*.txt"))}


def test_seeds_give_six_articles_with_exact_titles(seeds_dir):
    for key, path in seed_files(seeds_dir).items():
        _, res = _split_file(path)
        titles = [r.title for r in res.records if r.kind == "article"]
        assert titles == SEED_TITLES[key], path.name


def test_seed_metadata(seeds_dir):
    files = seed_files(seeds_dir)
    _, r000 = _split_file(files["000"])
    assert r000.records[0].tags == ["security", "blackberry"]
    _, r001 = _split_file(files["001"])
    assert r001.records[0].authors == ["Peter Henderson"]
    assert r001.records[0].outlet == "The Canadian Press"
    assert r001.records[0].dateline == "WATERLOO, Ont."
    _, r004 = _split_file(files["004"])
    assert r004.records[0].authors == ["David Curry"]
    assert [r.kind for r in r004.records][1:] and all(r.kind == "related" for r in r004.records[1:])


def test_no_chrome_in_titles_or_bodies(seeds_dir):
    for path in seed_files(seeds_dir).values():
        _, res = _split_file(path)
        for rec in res.records:
            for phrase in CHROME:
                assert phrase not in (rec.title or ""), (path.name, rec.title)
            if rec.kind == "article":
                body = "\n".join(rec.paragraphs)
                for phrase in (
                    "Skip to main content",
                    "Story continues below advertisement",
                    "READ MORE:",
                    "Sponsored content",
                    "About Web Staff",
                    "Copyright",
                    "blackberry-priv",
                    "Ted Kritsonis/Digital Trends",
                    "Blackberry - Pakistan",
                    "Editors' Recommendations",
                ):
                    assert phrase not in body, (path.name, phrase)


def test_glued_alt_text_is_cut_but_sentence_kept(seeds_dir):
    text, res = _split_file(seed_files(seeds_dir)["000"])
    body = "\n".join(res.records[0].paragraphs)
    assert "Among the information that the company" in body
    assert any(text[s.start : s.end] == "Blackberry - Pakistan" and s.rule == "glued_alt_text" for s in res.removed)


def test_every_seed_and_sample_is_fully_accounted_for(seeds_dir):
    for path in [*seeds_dir.glob("*.txt"), *SAMPLES.glob("*.txt")]:
        _, res = _split_file(path)
        assert check_coverage(res) == [], path.name


def test_samples_titles():
    expected = {
        "site_a_transit.txt": [
            "Riverton Blue Line light-rail service opens to riders after six-year build",
            "What the new Blue Line means for Riverton\u2019s daily bus commuters",
        ],
        "site_b_transit.txt": ["Riverton light-rail ridership beats forecasts in first week of service"],
        "site_c_library.txt": ["Riverton Public Library launches seed lending program for home gardeners"],
        "site_d_fr.txt": ["Le tramway de Riverton accueille ses premiers voyageurs apr\u00e8s six ans de chantier"],
        "site_e_de.txt": ["Hunderte Freiwillige befreien die Ufer des Mirbachs von M\u00fcll und Altmetall"],
    }
    for name, titles in expected.items():
        _, res = _split_file(SAMPLES / name)
        assert [r.title for r in res.records if r.kind == "article"] == titles, name


PARA = "The council met on Monday and agreed a plan. " * 8


def test_explicit_separator_splits():
    text = f"First headline here today\n\n{PARA}\n\n-----\n\nSecond headline here today\n\n{PARA}\n"  # same topic
    res = split_text(text, RULES)
    assert [r.title for r in res.records] == ["First headline here today", "Second headline here today"]
    assert any(s.rule == "separator" for s in res.removed)


OTHER = "Rainfall flooded several farms in the valley, and growers worried about their harvest. " * 6


def test_headline_after_body_starts_new_article_but_not_before_body():
    text = (
        f"A first story headline\n\nA deck line that reads like a headline too and runs on for a while\n\n{PARA}\n\n"
        f"Another story headline\n\n{OTHER}"
    )
    res = split_text(text, RULES)
    assert [r.title for r in res.records] == ["A first story headline", "Another story headline"]
    assert res.records[0].paragraphs[0] == "A deck line that reads like a headline too and runs on for a while"


def test_a_headline_like_line_over_a_line_going_on_its_sentence_opens_no_article():
    # scraped text whose links were dropped: a list of clubs left on a line of its own, the sentence's rest under it
    text = (
        f"Another story headline\n\n{OTHER}\n\nBarcelona, Bayern Munich, Porto, Real Madrid, Werder Bremen\n\n"
        ", who had already qualified, lost 2-1 to Porto as their coach made an unhappy return to his former club.\n"
    )
    res = split_text(text, RULES)
    assert [r.title for r in res.records] == ["Another story headline"]
    assert res.records[0].paragraphs[-1].startswith(", who had already qualified")


def test_subheading_on_the_same_topic_stays_in_the_body():
    text = f"Council agrees river plan\n\n{PARA}\n\nWhat the council plan means\n\n{PARA}"
    res = split_text(text, RULES)
    assert [r.title for r in res.records] == ["Council agrees river plan"]
    assert "What the council plan means" in res.records[0].paragraphs


def test_a_subheading_of_an_article_given_without_its_headline_stays_in_the_body():
    """An article alone in a file, its headline not given (a Multi-News article, a JSONL text, a news agency's story
    without its headline line), with a subheading halfway down: the subheading opened a second, titled article,
    because a headline-like line needs only a low boundary probability to open one. In a text whose first line is
    no headline, it needs what running text needs (the model's ``threshold_untitled``): Multi-
    News articles one a file kept whole 226 -> 234 of 260, recovered 0.931 -> 0.954; files of stories with
    headlines split as before."""
    first = [
        "Rebels in northern Mali have seized the ancient city of Timbuktu, completing a rapid advance that has put a "
        "third of the country under their control, residents said on Sunday.",
        "The capture followed the fall of Gao and Kidal over the weekend, as soldiers abandoned their positions in the "
        "wake of a coup in the capital last month.",
        "Residents said fighters had raised their flag over the main military camp and were patrolling the streets in "
        "pick-up trucks mounted with machine guns.",
    ]
    second = [
        "West African leaders are responding quickly to try and avoid an outright collapse of the Malian state, and "
        "they have reacted with commendable promptness.",
        "At a summit on Thursday the regional bloc threatened sanctions against the junta unless it handed power back "
        "to a civilian government within days.",
        "Diplomats said the bloc had also put a standby force of some two thousand soldiers on alert, although it was "
        "not clear who would pay for it.",
    ]
    text = "\n\n".join([*first, "Quick response, deep concerns", *second]) + "\n"
    res = split_text(text, RULES)
    assert check_coverage(res) == []
    assert [(r.title, len(r.paragraphs)) for r in res.records] == [(None, 7)]
    # a file of stories under their headlines splits at each headline, as before
    story = "\n\n".join([*first, *second])
    text = f"Rebels seize Timbuktu\n\n{story}\n\nCouncil agrees river plan\n\n{PARA}\n\n{PARA}\n"
    res = split_text(text, RULES)
    assert [r.title for r in res.records] == ["Rebels seize Timbuktu", "Council agrees river plan"]


def test_byline_after_a_headline_starts_an_article_even_on_the_same_topic():
    text = f"Council agrees river plan\n\n{PARA}\n\nCouncil plan draws praise\n\nBy Jane Doe, The Planet\n\n{PARA}"
    res = split_text(text, RULES)
    assert [r.title for r in res.records] == ["Council agrees river plan", "Council plan draws praise"]
    assert res.records[1].authors == ["Jane Doe"]


def test_hard_wrapped_paragraph_is_one_line():
    wrapped = (
        "Shares of the company rose sharply on Tuesday after the board\n"
        "announced a plan to buy back stock over the next two years and\n"
        "raise its dividend.\n"
    )
    lines = logical_lines(wrapped)
    assert len(lines) == 1 and lines[0].text.startswith("Shares") and lines[0].end == len(wrapped)


def test_a_copyright_footer_under_a_list_is_never_joined_into_it():
    """html-to-text prints a site's footer right under its teaser links: the footer starts its own logical line,
    so the copyright rule sees it and the page ends there (the next page's articles are not teasers)."""
    block = (
        "* One teaser headline that is rather long here\n"
        "* Another teaser headline that is long enough\n"
        "©2012 Sugar Inc. · Insanely Addictive · PopSugar Home\n"
        "About · Advertising · Site Map · Contact · Terms · Privacy\n"
    )
    lines = logical_lines(block)
    assert [ln.text[:12] for ln in lines] == ["* One teaser", "©2012 Sugar "]
    assert lines[0].end == lines[1].start and lines[1].end == len(block) and lines[0].block == lines[1].block
    assert RULES.match_line(lines[1].text).effect == "page_end"
    wrapped = "The court said the copyright holders had agreed to the terms\ncopyright 2012 filings show.\n"
    assert len(logical_lines(wrapped)) == 1  # (a wrapped sentence: only a footer's opening cuts)


def test_a_wrapped_line_ending_a_sentence_still_wraps_in_a_wrapped_text():
    """A wire story wrapped at about 64 columns: "L.M." ends a line only because "Ericsson" would not fit."""
    story = (
        "The company said it won a major order from the second largest\n"
        "telephone company in the country, for its digital dialing system\n"
        "and a network of exchanges.\n"
        "\n"
        "A statement gave no financial details. But it said the order,\n"
        "together with an order received in 1985 from the largest firm,\n"
        "brought its order volume to around 100 mln marks over ten years.\n"
        "\n"
        "The company said the order meant that it, like Sweden's L.M.\n"
        "Ericsson <ERIC.ST>, now supply both of the largest telephone\n"
        "companies.\n"
    )
    lines = logical_lines(story)
    assert len(lines) == 3 and lines[2].text.startswith("The company said the order meant")
    assert lines[2].text.endswith("telephone companies.")
    # the same paragraph alone (no width to go by) stays three lines: one of its two wrapped lines ends a sentence
    alone = story.split("\n\n")[-1]
    assert len(logical_lines(alone)) == 3
    # a line that ends a sentence where the next word would have fitted is a real line break: it ends a paragraph
    # of its own, and the two lines under it are the next paragraph, wrapped
    short = story.replace("like Sweden's L.M.\nEricsson", "like Sweden's L.M.\nSo")
    lines = logical_lines(short)
    assert len(lines) == 2 + 2 and lines[2].text.endswith("like Sweden's L.M.")
    assert lines[3].text == "So <ERIC.ST>, now supply both of the largest telephone companies."


def test_a_list_flattened_onto_one_line_is_navigation():
    """A renderer that ignores list items prints a menu as one line: three bullets or more inside it, capitalised
    entries (a nested list's "o" bullets are no words), or a blog's archive list. Prose with a plus sign or the
    Portuguese article "o" is not, nor is a line that ends a sentence."""
    menu = (
        "* Contact Us * Reader Services * Advertising Services * Subscribe Now * Select a Publication or Site "
        "+ Daily Publications o Chicago Sun-Times o The Beacon News o The Courier News"
    )
    assert is_navigation_list(menu)
    assert is_navigation_list("Home * News * Sport * Weather * Travel")
    assert not is_navigation_list("The score went from 2 + 2 to 4 + 4 and then + 1 for the home side")
    assert not is_navigation_list("Ontem o presidente disse que o governo e o povo querem o acordo")
    assert not is_navigation_list("* One item * and another * and the last one, which ends a sentence.")
    # a blog's archive list on one line, by count or by year; months in running text are not
    assert is_navigation_list("Archives November (5) October (18) September (20) August (13) July (10) June (25)")
    assert is_navigation_list("* Archives by Month... November 2012 October 2012 September 2012 August 2012")
    assert not is_navigation_list("In May 2012, June 2012, July 2012 and August 2012 the council met on the plan.")
    assert not is_navigation_list("Sales rose in May 2012 June 2012 and later in the year, the report said on Monday")
    # entries with a count in any language; six short items or more whatever their case; counts in prose are not
    assert is_navigation_list("* 2019 + Novembro (113) + Outubro (217) + Setembro (193) + Agosto (183)")
    assert is_navigation_list("* Home * About * Top Posts * Giving Back * back to school * Contact * Advertise")
    assert not is_navigation_list("The vote was 4 (2) in favour and the rest (3) against, with Smith (1) abstaining")
    page = f"{menu}\n\nCouncil agrees river plan\n\n{PARA}\n\n{PARA}\n"
    res = split_text(page, RULES)
    arts = [r for r in res.records if r.kind == "article"]
    assert len(arts) == 1 and all("Reader Services" not in p for p in arts[0].paragraphs)
    assert any(s.rule == "navigation_list" and page[s.start : s.end].startswith("* Contact Us") for s in res.removed)


def test_a_text_with_no_blank_line_has_a_block_a_line():
    """A text saved with no blank line at all (a scraper's ``get_text("\\n")``) is read as the same text with a
    blank line between its lines: each line opens a block of its own. A hard-wrapped text with no blank line keeps
    its one block (its lines are pieces of paragraphs)."""
    head = "Home\nNews\nSport\nCouncil agrees river plan\nBy Jane Doe\n"
    page = head + PARA + "\n" + PARA + "\n(c) 2024 The Planet\n"
    lines = logical_lines(page)
    assert [ln.block for ln in lines] == list(range(len(lines))) == list(range(8))
    spaced = logical_lines(page.replace("\n", "\n\n"))
    assert [(ln.text, ln.block) for ln in lines] == [(ln.text, ln.block) for ln in spaced]
    wrapped = (
        "Shares of the company rose sharply on Tuesday after the board\n"
        "announced a plan to buy back stock over the next two years and\n"
        "raise its dividend, the chairman told shareholders at the\n"
        "annual meeting.\n"
    )
    assert len({ln.block for ln in logical_lines(wrapped)}) == 1
    # one blank line anywhere and the text's own blocks stand, unless a block is a web page saved so: two
    # paragraphs in a row and eight short lines or more (pages saved with no blank line, then joined by one)
    assert len({ln.block for ln in logical_lines(page.replace("\nBy Jane", "\n\nBy Jane"))}) == 2
    menu = "".join(f"Section {k}\n" for k in range(8))
    two_pages = logical_lines(menu + page + "\n" + menu + page)
    assert [ln.block for ln in two_pages] == list(range(len(two_pages))) == list(range(32))
    stories = f"Council agrees river plan\n{PARA}\n{PARA}\n\nMayor opens new bridge\n{PARA}\n{PARA}\n"
    assert [ln.block for ln in logical_lines(stories)] == [0, 0, 0, 1, 1, 1]


@pytest.mark.parametrize("name", ["R680.txt", "R242.txt", "455.txt", "134.txt"])
def test_a_real_page_saved_without_blank_lines_gives_the_same_article(name: str):
    """A dragnet page (../shared) with its blank lines removed: the same main article (token F1 >= 0.9) as the page
    as given (before, the line model read its paragraphs as one block of other text and dropped most of them)."""
    text = (need_shared(CORPORA / "dragnet" / "page_text") / name).read_text(encoding="utf-8")

    def main_body(t: str) -> list[str]:
        arts = [r for r in split_text(t, RULES).records if r.kind == "article"]
        return max(arts, key=lambda r: r.body_words).paragraphs if arts else []

    given = " ".join(main_body(text)).lower().split()
    flat = " ".join(main_body(re.sub(r"\n\s*\n", "\n", text))).lower().split()
    assert len(given) > 150
    same = sum((Counter(given) & Counter(flat)).values())
    assert 2 * same / (len(given) + len(flat)) >= 0.9  # token F1 of the two bodies


def test_wrapped_paragraphs_with_no_blank_line_between_them_are_one_line_each():
    """A wire story wrapped at about 64 columns prints some paragraphs with no blank line between them: each
    paragraph is one logical line (the block as a whole is not one paragraph: a line ends a sentence early)."""
    story = (
        "The group said the offer would enable the company to become\n"
        "fully independent once the bid succeeded, and that all of its\n"
        "directors would then join the board, a spokesman said.\n"
        "\n"
        "Undertakings to accept the offer have been given by holders of\n"
        "88.9 pct of the shares, the statement from the group said, and\n"
        "more were expected before the offer closes.\n"
        "\n"
        "The offer will be of 345p cash for every Wickes share.\n"
        "Wickes was last quoted at 345p compared with 275p at Friday's\n"
        "close.\n"
    )
    lines = logical_lines(story)
    assert [ln.text for ln in lines][2:] == [
        "The offer will be of 345p cash for every Wickes share.",
        "Wickes was last quoted at 345p compared with 275p at Friday's close.",
    ]
    assert lines[3].end == len(story) and lines[2].block == lines[3].block
    # a list's items (or a menu's lines) in the same wrapped text are never joined, though each is as long as a
    # wrapped line: a block is cut into paragraphs only when each of them ends a sentence
    items = [
        "+ 37 of the Hottest Pictures of the Summer Season",
        "Fashion",
        "+ A Star Wears a Tiny Bikini to the Beach Again",
        "+ Another Star Shows Off a New Look in the City",
    ]
    listed = logical_lines(story + "\n" + "\n".join(items) + "\n")
    assert [ln.text for ln in listed][4:] == items


def test_a_wrapped_last_paragraph_over_a_sign_off_line_is_one_line():
    """A wire story's last paragraph wrapped onto a short line ("... Standard and Poor's" over "Corp.") and closed by
    its sign-off ("REUTER") in the same block: the paragraph is one logical line. The sign-off, which ends no
    sentence, made the block read as a list; the paragraph's first line was then taken for the headline of a new
    record holding "Corp." (quarantined as fewer than 5 words) or the next story's body."""
    story = (
        "An inverse floater tranche has an average life of 11.27\n"
        "years and matures 2016. Its rate will be reset by subtracting\n"
        "the product of 1.8 times LIBOR from 21.975 on each date.\n"
        "\n"
        "Yields on these securities, to be fully paid by dates from\n"
        "2011 to 2017, range from 7.21 to 8.70 pct. Spreads over\n"
        "comparable Treasury securities run from 90 to 115 basis points.\n"
        "\n"
        "The issue is rated a top-flight AAA by Standard and Poor's\n"
        "Corp.\n"
        "REUTER\n"
    )
    lines = logical_lines(story)
    joined = "The issue is rated a top-flight AAA by Standard and Poor's Corp."
    assert [ln.text for ln in lines][2:] == [joined, "REUTER"]


def test_duplicate_title_and_image_alt_removed():
    head = "Library opens new branch downtown"
    text = f"{head}\n\n{head}\n\n{head} - image\n\n{PARA}"
    res = split_text(text, RULES)
    assert len(res.records) == 1 and res.records[0].title == "Library opens new branch downtown"
    assert {s.rule for s in res.removed} >= {"duplicate_title", "image_alt"}


def test_headline_rules():
    opts = SplitOptions()
    assert is_headline("Riverton light-rail ridership beats forecasts", opts)
    assert not is_headline("The council met on Monday.", opts)
    assert not is_headline("Updates", opts)
    assert not is_headline("lower case line here", opts)
    # a wrapped line ends in a function word; an all-capitals wire headline may
    assert not is_headline("The minister said the talks would go on over", opts)
    assert is_headline("CHINA'S PREMIER ZHAO SAYS POLITICAL CRISIS OVER", opts)
    # rows of figures are no headlines; names holding digits are no figures
    assert not is_headline("Shr 22 cts vs 13 cts", opts)
    assert is_headline("U.S. SELLING 17 BILLION DLRS OF 9-, 20-DAY BILLS", opts)
    assert is_headline("3COM CORP <COMS> 3RD QTR FEB 28 NET", opts)
    # a match result between two names is a sports headline, not a row of figures
    assert is_headline("Clyde 0-5 Celtic", opts) and is_headline("Ireland 17-12 South Africa", opts)
    assert not is_headline("Revs 12.3 mln", opts) and not is_headline("Net 1-2 mln", opts)
    # a headline may ask one question; a reader's comment asks two, or asks twice (BBC text with readers' views)
    assert is_headline("Is the U.S. Economy Heading for a Recession?", opts)
    assert not is_headline("Has everyone forgot about the Breville pie maker??", opts)
    assert not is_headline("How did a laptop beat off the telephone (mobile or otherwise)? What about radios?", opts)


def test_readers_views_under_a_story_stay_in_it():
    """A BBC story printed with its readers' views under it, with no marker: a view that asks two questions, or asks
    twice, is no headline of a new article (it was: one story came out as three, titled by readers' questions)."""
    text = (
        "Old radio voted greatest gadget\n\n"
        + PARA
        + "\n\nWhat about the pocket calculator?? It changed every classroom in the country for good.\n\n"
        + "A kettle is not a gadget, it is a tool that every household in the country relies on each day.\n\n"
        + "Why pick a radio over the telephone (mobile or otherwise)? What about the television and the fridge?\n\n"
        + "The telephone changed the way families kept in touch with each other across the whole country.\n"
    )
    res = split_text(text, RULES)
    assert [r.title for r in res.records] == ["Old radio voted greatest gadget"]
    assert check_coverage(res) == []


def test_stories_under_match_result_headlines_come_apart():
    first = "Clyde 0-5 Celtic\n\n" + "Celtic brushed aside Clyde to reach the semi-final of the cup on Sunday. " * 5
    second = (
        "Ireland 17-12 South Africa\n\n" + "Ireland held on for a famous win in Dublin in front of a full house. " * 5
    )
    res = split_text(first + "\n\n" + second, RULES, SplitOptions())
    assert [r.title for r in res.records] == ["Clyde 0-5 Celtic", "Ireland 17-12 South Africa"]


def test_wire_stories_with_capital_headlines_come_apart():
    """Two Reuters-style stories (capitals headline, dateline lede, hard-wrapped text) joined by two blank lines."""
    first = (
        "TDK SALES RISE ON ELECTRONIC PARTS SALES\n\nTOKYO, Oct 19 - TDK Corp said its sales rose 3.6\n"
        "pct in the three months ended August 31 due to better sales of\nelectronic materials and components, "
        "the company said in a\nstatement, adding that tape sales to North America fell.\n\n"
        "The proportion of overseas sales to total sales fell to 45.2\npct from 45.6 pct a year earlier.\n"
    )
    second = (
        "\n\nU.S. SELLING 17 BILLION DLRS OF 9-, 20-DAY BILLS\n\nWASHINGTON, March 31 - The U.S. Treasury said"
        " it will\nauction 17 billion dlrs of 9-day and 20-day cash management\nbills on April 2.\n\n"
        "The auction will consist of 11 billion dlrs in 9-day bills\nand six billion dlrs in 20-day bills.\n"
    )
    arts = [r for r in split_text(first + second, RULES).records if r.kind == "article"]
    assert [r.title for r in arts] == [
        "TDK SALES RISE ON ELECTRONIC PARTS SALES",
        "U.S. SELLING 17 BILLION DLRS OF 9-, 20-DAY BILLS",
    ]


def test_empty_and_whitespace_only():
    assert split_text("", RULES).records == []
    res = split_text(" \n\n\t\n", RULES)
    assert res.records == [] and check_coverage(res) == []


# --- property tests ---------------------------------------------------------------------------------

_line = st.one_of(
    st.sampled_from(
        [
            "Skip to main content",
            "Read more",
            "Tag: city council",
            "By Jane Doe, The Daily Planet",
            "Editors' Recommendations",
            "-----",
            "|||||",
            "Story continues below advertisement",
            "Council approves new budget after long debate",
            "jane-doe-photo",
            "Copyright \u00a9 2024 Planet",
            "Jane Doe",
            "Former Planet Contributor",
            "Photo - image",
            PARA.strip(),
            "WATERLOO, Ont.\u2014The council met on Monday and agreed a plan.",
        ]
    ),
    st.text(min_size=0, max_size=120),
)
_sep = st.sampled_from(["\n", "\n\n", "\r\n", "\n \n", "\f", "\n\n\n"])


@st.composite
def documents(draw) -> str:
    parts = draw(st.lists(st.tuples(_line, _sep), max_size=40))
    return "".join(a + b for a, b in parts)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_split_never_raises_and_spans_cover_the_input(text):
    res = split_text(text, RULES)
    assert check_coverage(res) == []
    for rec in res.records:
        assert 0 <= rec.char_start < rec.char_end <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_split_arbitrary_text(text):
    res = split_text(text, RULES)
    assert check_coverage(res) == []


@pytest.mark.parametrize("min_words", [1, 40, 1000])
def test_options_change_split_but_not_accounting(min_words, seeds_dir):
    text = (seeds_dir / sorted(p.name for p in seeds_dir.glob("000*"))[0]).read_text(encoding="utf-8")
    res = split_text(text, RULES, SplitOptions(min_body_words_before_split=min_words))
    assert check_coverage(res) == []


def test_short_lines_at_the_edges_of_a_body_are_chrome():
    text = (
        f"Council agrees river plan\n\nShare on Facebook now\n\n{PARA}\n\n"
        "Contact the team today\n\nTerms and privacy notes\n"
    )
    res = split_text(text, RULES)
    assert res.records[0].paragraphs == [PARA.strip()]
    cut = sorted(
        line for s in res.removed if s.rule == "edge_chrome" for line in text[s.start : s.end].split("\n") if line
    )
    assert cut == ["Contact the team today", "Share on Facebook now", "Terms and privacy notes"]
    assert check_coverage(res) == []


def test_a_menu_with_a_headline_is_not_an_article():
    menu = "\n\n".join(f"Section number {w}" for w in ("one", "two", "three", "four", "five", "six", "seven"))
    text = f"Main menu of the site\n\n{menu}\n\nClosing words of the menu.\n"
    res = split_text(text, RULES)
    assert [r for r in res.records if r.kind == "article"] == []
    assert any(s.rule == "navigation_block" for s in res.removed) and check_coverage(res) == []


def test_a_post_under_many_repeated_caption_lines_is_not_a_menu():
    # a photo blog prints "Mouseover photo to load notes or add comment" under each of its 90 photos: most of the
    # record's words are such lines, but its 160 words of sentences are a post, not a menu (dragnet/R901)
    post = (
        "It is half past one in the morning in Singapore and I need to get up in a few hours to be on stage. "
        "None of our team have slept, to bring you the biggest booth we have ever built for the festival. "
        "These photos were all taken today at the expo while I ran back and forth to rehearsals all day long. "
    )
    post = f"{post}\n\n{post.replace('Singapore', 'the hall')}\n\n{post.replace('festival', 'show')}"
    captions = "\n\n".join(["Mouseover photo to load notes or add comment"] * 90)
    text = f"Festival Preview Night\n\n{post}\n\n{captions}\n"
    res = split_text(text, RULES)
    (art,) = [r for r in res.records if r.kind == "article"]
    assert art.body_words >= 150 and "It is half past one" in art.paragraphs[0]
    assert not any(s.rule == "navigation_block" for s in res.removed) and check_coverage(res) == []


def test_a_run_of_short_lines_inside_a_body_is_chrome_but_a_lone_subheading_stays():
    text = (
        f"Council agrees river plan\n\n{PARA}\n\nWhat happens next\n\n{PARA}\n\n"
        f"Live TV Videos\n\nPhoto Gallery Highlights\n\nWeather Tonight Tomorrow\n\n{PARA}\n\n"
        f"Updated: Nov 19, 2019 6:55 AM\n\n{PARA}\n"
    )
    res = split_text(text, RULES)
    (rec,) = res.records
    assert "What happens next" in rec.paragraphs
    assert not {"Live TV Videos", "Photo Gallery Highlights", "Weather Tonight Tomorrow"} & set(rec.paragraphs)
    assert {s.rule for s in res.removed} >= {"inner_chrome", "date_line"} and check_coverage(res) == []


def test_relative_timestamps_and_cookie_banners_are_chrome():
    for line in ("1H ago", "updated 16M ago", "2 days ago", "about an hour ago", "5 minutes ago"):
        assert RULES.match_line(line).name == "relative_time", line
    for line in ("He left 2 days ago to visit his mother.", "Ago"):
        assert RULES.match_line(line) is None, line
    banner = "We use cookies and similar tools to improve your experience on this site and to show you ads."
    assert RULES.match_line(banner).name == "cookie_notice"
    assert RULES.match_line("I Accept").name == "cookie_notice"
    assert RULES.match_line("The bakery uses flour from the mill down the road.") is None


def test_a_line_asking_to_follow_someone_on_a_social_site_is_chrome():
    """A line "Follow NBC News Investigations on Twitter and Facebook" closed a Multi-News article and was taken for
    the headline of a record of the site's promotion under it; a line that only asks the reader to follow someone on
    a social site is removed (``share_row``), a sentence that mentions following something there is not."""
    asks = ("Follow NBC News Investigations on Twitter and Facebook", "Follow us on Instagram!", "Like us on Facebook")
    asks += ("Read or Share this story: https://usat.ly/2Bwhqz3",)  # (USA Today, under each story of Multi-News)
    # a follow bar of two ways or more (a Letters of Note page's was its glued file's title)
    asks += ("Follow Letters of Note: RSS|Email|Twitter|Facebook", "Subscribe to Slate: RSS | Email")
    for line in asks:
        assert RULES.match_line(line).name == "share_row", line
    not_asks = ("He said he would follow the money on Twitter and elsewhere.", "Follow the story on our live blog")
    for line in (*not_asks, "Follow the money: it went to Twitter and Facebook"):
        assert RULES.match_line(line) is None, line


def test_video_list_timestamps_are_chrome():
    # a relative time with a video's duration after it, a month-day-clock stamp with no year
    for line in ("7H ago 08:51", "3 days ago | 1:02:15", "Nov 7 23:05", "Sept. 12 9:45 am"):
        assert RULES.match_line(line).name == "relative_time", line
    for line in ("Maybe 3 10:00", "Nov 7 was the day it rained at 23:05.", "November 19, 2019"):
        rule = RULES.match_line(line)
        assert rule is None or rule.name != "relative_time", line


def test_byline_with_a_handle_or_a_weekday_date_after_the_names():
    assert parse_byline("By Jane Fielding @janefielding Nov 18, 2019, 11:47am EST", RULES) == (["Jane Fielding"], None)
    got = parse_byline("By Ann Lee , Tom Ward on Monday, November 18th, 2019 at 11:08 a.m.", RULES)
    assert got == (["Ann Lee", "Tom Ward"], None)
    assert parse_byline("By Ann Lee PUBLISHED: November 19, 2019 at 8:53 pm", RULES) == (["Ann Lee"], None)
    assert parse_byline("By the way, it rained on Monday and nobody came.", RULES) is None
    assert parse_byline("by Paulo Coelho on June 25, 2012", RULES) == (["Paulo Coelho"], None)  # a blog's byline
    assert parse_byline("by Jane Doe on 12 March 2012", RULES) == (["Jane Doe"], None)
    assert parse_byline("by the river on June 5, 2012", RULES) is None


def _rule_takes(name: str, lines: tuple[str, ...], not_lines: tuple[str, ...]) -> None:
    """Every line of ``lines`` is matched by the rule ``name``, no line of ``not_lines`` is."""
    for line in lines:
        rule = RULES.match_line(line)
        assert rule is not None and rule.name == name, line
    for line in not_lines:
        rule = RULES.match_line(line)
        assert rule is None or rule.name != name, line


def test_a_video_title_with_its_running_time_is_a_link():
    _rule_takes(
        "video_link",
        ("Why Nobody Smiled in Old Photographs? (1:12)", "The Harvest Festival in Five Minutes (4:05)"),
        ("Doors open (10:30)", "The mayor spoke first. Then questions (3:04)"),
    )


def test_legal_notices_are_boilerplate():
    for line in (
        "Orchard Phone and Orchard Watch are registered trademarks of Orchard Inc.",
        "*These statements have not been evaluated by the Food and Drug Administration. Not medical advice.",
        "The information provided on this website is for general information only and is not advice.",
    ):
        assert RULES.match_line(line).name == "legal_notice", line
    assert RULES.match_line("The court said the company had copied the design of the orchard phone.") is None


def test_contact_details_are_boilerplate():
    contact = (
        "Fax: +44 20 7946 0000",
        "Tel.: +49 (0)30 1234 5678",
        "E-mail: desk@example.org",
        "Our reader service can be reached on weekdays: Telephone: 020 7946 0001, e-mail help@example.org",
    )
    prose = (
        "The phone rang twice before the mayor picked it up and agreed to speak.",
        "She sent an e-mail to the council at 9 a.m. asking for the minutes of the meeting.",
    )
    _rule_takes("contact_line", contact, prose)


def test_a_footer_naming_its_site_before_the_copyright_sign_ends_the_page():
    footers = (
        "Facebook © 2012 · English (US)",
        "BBC © 2012 The BBC is not responsible for the content of external sites. Read more.",
        "All content © 2008-2012 ChrisGuillebeau.com.",
        "Content Copyright © 2002-2012, R. Albert Mohler, Jr. Contact Reprint Permission Privacy Policy Terms",
        # a row of links or a longer name before the sign, its owner after it with no year
        "Contact / Advertising / Terms of Use / About Us © 2012 Android Community. Part of R3 Media",
        "Hearst Newspapers © Copyright Hearst Communications, Inc.",
        "The Blog Herald Copyright © Splashpress Media",
    )
    not_footers = (
        "Photo © 2012 Jane Doe",  # a picture's credit may sit inside an article: it ends no page
        "Image © 2012 AP",
        "The company said its sales fell by a fifth in 2012.",
        "Prices rose in the third quarter © analysts said",
        "The council said the logo © was registered in 2011 by the firm.",
        "The mayor opens the new bridge on Tuesday, photo © Jane Doe",
    )
    _rule_takes("copyright", footers, not_footers)
    assert all(RULES.match_line(t).effect == "page_end" for t in footers)


def test_a_publishers_reuse_notice_with_no_sign_or_year_ends_the_page():
    notices = (
        "The material on this site may not be reproduced, distributed, transmitted, cached or otherwise used, except "
        "with the prior written permission of Condé Nast.",
        "This material may not be published, broadcast, rewritten or redistributed.",
        "All content on this website must not be copied without permission.",
    )
    prose = (
        "The report may not be reproduced in full, the court said on Monday.",
        "Officials said this material may not be enough to convict him.",
    )
    _rule_takes("copyright", notices, prose)
    assert all(RULES.match_line(t).effect == "page_end" for t in notices)


def test_a_caption_ending_with_its_photo_credit_is_removed():
    captions = (
        "The mayor (left) opens the new bridge over the river on Tuesday, Nov. 5, 2019. (AP Photo/Jane Roe, File)",
        "Do cats really dislike water? Not all of them do. (Photo: Getty Images)",
        "Rescue boats wait at the harbour entrance in Dover, England. (AP)",
        "A crowd gathers outside the station (Photo Credit : Staff Photo )",
    )
    prose = (
        "The agency (AP) said on Monday that the talks (the third this year) had failed.",
        "Officials said the new photo rules (introduced in 2018) were working well.",
    )
    _rule_takes("photo_credit", captions, prose)


def test_the_bbc_picture_and_video_captions_are_removed():
    # as the BBC's pages render to text: on lines of their own, or run together on one (Multi-News)
    captions = (
        "Image copyright Getty Images",
        "Image copyright AFP/Getty",
        "Image caption The council leader said the plan was fair to every ward",
        "Image copyright PA Image caption The new bridge opened on Tuesday after three years of work",
        "Media playback is unsupported on your device",
        "Media playback is unsupported on your device Media caption Our reporter: three reasons for the vote",
    )
    prose = (
        "Image copyright rules tightened by EU",
        "Image copyright law is changing, publishers said on Monday.",
        "The image caption was wrong, the paper said.",
    )
    _rule_takes("photo_credit", captions, prose)


def test_a_wordpress_comment_count_heading_starts_the_comments():
    headings = ("6 thoughts on “How to Plant Tulips in Autumn”", 'One response to "Ten Years of the Town Fair"')
    _rule_takes("comments_heading", headings, ("Six thoughts on gardening",))


def _logical_lines_by_regex(text: str) -> list[tuple[int, int, str, int]]:
    """The first implementation of ``logical_lines`` (a regex match per physical line), kept as the
    reference the faster one must equal."""
    import re

    from corpus_etl.normalize import normalize_inline
    from corpus_etl.split import _hard_wrapped, _wrap_width
    from corpus_etl.split.lines import _unspaced

    line_re = re.compile(r"[^\n\f]*(?:\r?\n|\f|$)")
    raw, pos = [], 0
    while pos < len(text):
        m = line_re.match(text, pos)
        assert m is not None
        if m.end() == pos:
            break
        raw.append((pos, m.end(), text[pos : m.end()]))
        pos = m.end()
    blocks: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []

    def flush() -> None:
        if current:
            blocks.append(list(current))
            current.clear()

    for start, end, chunk in raw:
        clean = normalize_inline(chunk)
        if clean:
            current.append((start, end, clean))
            if chunk.endswith("\f"):
                flush()
        else:
            flush()
    flush()
    blocks = [piece for whole in blocks for piece in _unspaced(whole, len(blocks) == 1)]
    width = _wrap_width(blocks)
    out: list[tuple[int, int, str, int]] = []
    for block, phys in enumerate(blocks):
        if len(phys) > 1 and _hard_wrapped([c[2] for c in phys], width):
            out.append((phys[0][0], phys[-1][1], " ".join(c[2] for c in phys), block))
        else:
            out.extend((s, e, t, block) for s, e, t in phys)
    return out


_LINE_PIECES = st.sampled_from(
    [
        *("\n", "\r\n", "\f", "\n\n", " ", "\u00a0", "\u200b", "\x07", "e\u0301", "A", "word ", "Ende. ", "é", "\r"),
        *("x" * 40 + " ", "Wrapped line of text that runs on and on without ending here "),
    ]
)


@given(st.lists(_LINE_PIECES, max_size=60).map("".join))
@settings(max_examples=400, deadline=None)
def test_logical_lines_equal_the_regex_reference(text: str) -> None:
    got = [(ln.start, ln.end, ln.text, ln.block) for ln in logical_lines(text)]
    assert got == _logical_lines_by_regex(text)


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.is_file()))
def test_logical_lines_equal_the_regex_reference_on_the_samples(name: str) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8", errors="replace")
    got = [(ln.start, ln.end, ln.text, ln.block) for ln in logical_lines(text)]
    assert got == _logical_lines_by_regex(text)


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.is_file()))
def test_match_line_is_the_first_rule_that_matches(name: str) -> None:
    """``Rules.match_line`` (the line casefolded once for all rules) answers as ``LineRule.matches`` rule by
    rule does, on every line of the samples and on every exact pattern in upper case."""
    rules = load_rules()
    text = (SAMPLES / name).read_text(encoding="utf-8", errors="replace")
    lines = [ln.text for ln in logical_lines(text)] + [p.upper() for r in rules.lines for p in r.exact]
    hits = 0
    for line in lines:
        want = next((r for r in rules.lines if r.matches(line)), None)
        assert rules.match_line(line) is want
        hits += want is not None
    assert hits > 0


def test_line_key_holds_every_letter_a_case_insensitive_pattern_can_match() -> None:
    """``LineRule.requires`` is looked up in ``line_key(line)``: a character that ``re.IGNORECASE`` matches
    to an ASCII letter or a space must become exactly that letter, or a required string could be missed."""
    letter = re.compile("[a-z ]", re.IGNORECASE)
    checked = 0
    for cp in range(0x110000):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or not letter.fullmatch(ch):
            continue
        wanted = [a for a in "abcdefghijklmnopqrstuvwxyz " if re.fullmatch(re.escape(a), ch, re.IGNORECASE)]
        assert [line_key(ch)] == wanted, (hex(cp), line_key(ch), wanted)
        checked += 1
    assert checked > 2 * 26 + 1  # the cases, plus the characters casefold alone would miss


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.is_file()))
def test_requires_only_skips_lines_the_patterns_cannot_match(name: str) -> None:
    """A rule's ``requires`` strings are necessary: on the samples' lines and on lines made to match, the
    patterns never match a line the prefilter would skip."""
    rules = load_rules()
    with_requires = [r for r in rules.lines if r.requires]
    assert {r.name for r in with_requires} >= {"cookie_notice", "legal_notice", "affiliate_notice"}
    text = (SAMPLES / name).read_text(encoding="utf-8", errors="replace")
    made = [
        "We use cookies to give you the best experience.",
        "By continuing you consent to the use of COOKIES on this site.",
        "Accept all cookies",
        "Cookie Policy",
        "Apple and iPhone are trademarks of Apple Inc.",
        "The information provided on this Website is for general information only.",
        "These statements have not been evaluated by the Food and Drug Administration.",
        "If you buy something we may earn an affiliate commission.",
        "The Site is supported by its audience.",
        "This ſite uses cookies.",
        "THE INFORMATİON ON THİS SİTE İS NOT ADVİCE.",
    ]
    matched: set[str] = set()
    for line in [ln.text for ln in logical_lines(text)] + made:
        for rule in with_requires:
            combined = rule._combined  # type: ignore[attr-defined]
            if combined.fullmatch(line):
                assert rule.may_match(line_key(line)), (rule.name, line)
                matched.add(line)
    # every made line matches one of the rules, so each is a real check (the ſ and İ lines test the folding)
    assert set(made) <= matched, set(made) - matched


def test_requires_must_be_lower_case_strings_of_a_regex_rule(tmp_path: Path) -> None:
    from corpus_etl.rules import DEFAULT_RULES, RulesError

    text = DEFAULT_RULES.read_text(encoding="utf-8")
    bad = tmp_path / "rules.toml"
    bad.write_text(text.replace('requires = ["cookie", "accept"]', 'requires = ["Cookie"]'), encoding="utf-8")
    with pytest.raises(RulesError, match=r"cookie_notice.*lower-case"):
        load_rules(str(bad))


def test_rules_read_a_list_items_text_and_skip_links_in_their_forms():
    """A footer item "* © 2012 The Times" is a copyright line (a line no rule matches is tried without its
    bullet; a bulleted menu entry is still a link list); skip links come in more words than a fixed list."""
    assert RULES.match_line("* © 2012 The New York Times Company").name == "copyright"
    assert RULES.match_line("+ Copyright 2012 The New York Times Company").name == "copyright"
    assert RULES.match_line("* Privacy").name == "link_list"
    # a short item the list rule would take keeps the page's end its text marks (a glued page's footer links)
    assert RULES.match_line("* © Copyright 2006-2011 Bike Hugger™").effect == "page_end"
    assert RULES.match_line("* All rights reserved.").effect == "page_end"
    assert RULES.match_line("* Comments").name == "link_list"  # a menu entry steers nothing
    for line in ("Skip to search.", "Skip to primary content", "Skip to Main Content", "Jump to navigation"):
        assert RULES.match_line(line).name == "skip_link", line
    assert RULES.match_line("Skip to the end of the story, he said, and you miss the point.") is None
    assert RULES.match_line("* The council voted to skip to the next item on the agenda.") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By NICOLE PERLROTH", (["NICOLE PERLROTH"], None)),
        ("By J.D. BIERSDORFER", (["J.D. BIERSDORFER"], None)),
        ("By JUNG-AH LEE", (["JUNG-AH LEE"], None)),
        ("By Jean-Pierre Dupont", (["Jean-Pierre Dupont"], None)),
        ("By Ian McDonald - Reuters", (["Ian McDonald"], "Reuters")),
        ("By NICOLE PERLROTH and JOHN MARKOFF", (["NICOLE PERLROTH", "JOHN MARKOFF"], None)),
        ("BY THE ASSOCIATED PRESS", None),
        ("BY STAFF REPORTS", None),
    ],
)
def test_bylines_in_capitals_and_hyphenated_names(line: str, expected: object) -> None:
    """Bylines some papers print in capitals, and names with a hyphen (a hyphen without a space before it is
    part of a name, not the separator before an outlet); an outlet in capitals is no author."""
    assert parse_byline(line, RULES) == expected


def test_skip_links_and_ad_labels():
    _rule_takes(
        "skip_link",
        ("Skip to secondary content", "Skip to main content", "Jump to navigation"),
        ("Skip to the end of the story",),
    )
    _rule_takes(
        "advertisement",
        ("Remove this ad", "Close this ad", "Hide these ads"),
        ("Remove this advertisement now please",),
    )


def _splitter_without_models(text: str):
    from corpus_etl.split import SplitState, run

    sp = SplitState(text, RULES, replace(SplitOptions(), title_model=False, line_model=False))
    run(sp)
    first_piece: dict = {}
    for p in sp.pieces:
        first_piece.setdefault(p.start, p)
    return sp, first_piece


_FERRY_BODY = (
    "The harbour council approved a new timetable for the island ferries on Monday evening after a long "
    "debate, and boats will leave every thirty minutes during the summer season, the council said.\n\n"
    "Councillors who opposed the ferry timetable said the harbour could not handle the extra traffic without "
    "new moorings, and they asked the operator to publish its passenger figures before the vote.\n"
)


@pytest.mark.parametrize(
    ("lead", "moved"),
    [
        ("Sign in to read the rest of the gazette today, it is free.", True),
        (" ".join(["A long opening paragraph of the article itself."] * 6), False),
    ],
)
def test_a_headline_the_title_model_finds_in_the_body_takes_the_few_words_before_it_as_chrome(lead, moved):
    """``title_inside_body`` (``corpus_etl.split.passes.titles``): the body's first lines before the chosen headline
    go as 'pre_title_chrome' only when they are a few words (at most ``title_inside_body_max_words``); otherwise
    nothing changes."""
    text = (
        f"Old Title Of The Page Here\n\n{lead}\n\nCouncil approves new island ferry timetable, and more.\n\n"
        + _FERRY_BODY
    )
    sp, first_piece = _splitter_without_models(text)
    rec = sp.records[0]
    before = (rec.title, list(rec.paragraphs), rec.body_words)
    line = next(i for i, ln in enumerate(sp.lines) if ln.text.startswith("Council approves"))
    from corpus_etl.split.passes.titles import title_inside_body

    title_inside_body(sp, 0, line, sp.lines[line].text, first_piece)
    if moved:
        assert rec.title == "Council approves new island ferry timetable, and more."
        assert rec.paragraphs == _FERRY_BODY.strip().split("\n\n")
        assert rec.body_words == sum(len(p.split()) for p in rec.paragraphs)
        roles = {text[p.start : p.end].strip()[:20]: (p.role, p.rule) for p in sp.pieces}
        assert roles["Sign in to read the "] == ("removed", "pre_title_chrome")
        assert roles["Old Title Of The Pag"] == ("removed", "title_rejected")
    else:
        assert (rec.title, rec.paragraphs, rec.body_words) == before


def test_a_headline_over_a_dateline_opens_a_story_after_a_brief():
    """Wire briefs of a few words each (a dividend notice) are stories of their own: after a dated brief, a
    headline whose next line opens with a dateline starts a new article."""
    text = (
        "ECHLIN INC DIVIDEND INCREASED 12 PCT\n\nBRANFORD, Conn., March 12 - Echlin raised its quarterly dividend "
        "to 14 cts a share from 12.5 cts, payable April 18.\n\n"
        "COASTAL BANCORP SETS QUARTERLY\n\nPORTLAND, Maine, March 12 -\n\nQtly div five cts vs five cts prior\n\n"
        "Record March 30\n\n"
        "UAE GOVERNMENT PAPER YIELDS UNCHANGED\n\nABU DHABI, March 12 - Yields on government paper were unchanged "
        "at this week's tender, the central bank said, with demand steady across maturities.\n"
    )
    res = split_text(text, RULES)
    titles = [r.title for r in res.records if r.kind == "article"]
    assert titles == [
        "ECHLIN INC DIVIDEND INCREASED 12 PCT",
        "COASTAL BANCORP SETS QUARTERLY",
        "UAE GOVERNMENT PAPER YIELDS UNCHANGED",
    ]
    assert [r.dateline for r in res.records] == [
        "BRANFORD, Conn., March 12",
        "PORTLAND, Maine, March 12",
        "ABU DHABI, March 12",
    ]
    # a subheading over a dateline'd paragraph of the same story, with no body before it, opens nothing
    one = split_text("SHARES FALL\n\nLONDON, March 3 - Shares fell sharply on Tuesday in heavy trading.\n", RULES)
    assert len(one.records) == 1


def test_the_passes_run_in_the_order_of_PASSES_each_stating_its_contract():
    """``corpus_etl.split.run.PASSES`` is the one list of the splitter's steps: the scan first, the assembly last,
    names unique, and each pass's docstring says what it reads (its contract with the passes around it). A split
    run pass by pass, as ``run`` does, is the split ``split_text`` makes."""
    from corpus_etl.split import PASSES, SplitState

    names = [p.name for p in PASSES]
    assert names[0] == "scan" and names[-1] == "assemble"
    assert len(set(names)) == len(names)
    for p in PASSES:
        assert p.run.__doc__ and "Reads" in p.run.__doc__, p.name
    text = (SAMPLES / "site_b_transit.txt").read_text(encoding="utf-8")
    opts = replace(SplitOptions(), page_model=False)
    st = SplitState(text, RULES, opts)
    ran = []
    for p in PASSES:
        if p.when(st):
            p.run(st)
            ran.append(p.name)
    assert st.page and "line_model_bodies" in ran  # a web page: the page's passes ran
    assert ran == [p.name for p in PASSES if p.name in ran]
    assert st.result is not None and not check_coverage(st.result)
    again = split_text(text, RULES, opts)
    assert [(r.title, r.char_start, r.char_end) for r in again.records] == [
        (r.title, r.char_start, r.char_end) for r in st.result.records
    ]


def test_a_headline_over_running_text_after_a_short_story_opens_the_next_story():
    """A story of two sentences (32 words), then the next story's headline over running text, one blank line
    between them: the boundary model (0.78 here) opens a story at ``model_short_body`` though the body is short
    of ``min_body_words_before_split``; with the threshold out of reach the headline stays a subheading. On the
    50 MB bench corpus's files of stories joined by one blank line, stories lost in merges went 454 -> 392 of
    11,875."""
    text = (
        "Hogan gets Amsterdam contract\n\n"
        "Hogan Systems said it had signed a software contract with a Dutch bank on Friday.\n\n"
        "The contract is valued at about two mln dlrs over the next two years, the company said.\n\n"
        "Lib Dems target first-time buyers\n\n"
        "The Liberal Democrats have unveiled plans to build 100,000 new affordable homes on publicly owned land, "
        "with first-time buyers able to rent the homes before buying a share of them over the years.\n\n"
        "The party said the plan would be paid for by selling the land to housing associations at a discount, and "
        "that councils would choose the sites. Ministers said the figures did not add up.\n"
    )
    res = split_text(text, RULES)
    assert check_coverage(res) == []
    assert [r.title for r in res.records] == ["Hogan gets Amsterdam contract", "Lib Dems target first-time buyers"]
    assert res.records[0].body_words < SplitOptions().min_body_words_before_split
    glued = split_text(text, RULES, replace(SplitOptions(), model_short_body=1.0))
    assert [r.title for r in glued.records] == ["Hogan gets Amsterdam contract"]


def test_a_story_the_file_holds_twice_opens_a_record_each_time():
    """A headline-like line printed twice or more is a subheading (a recurring interview question, a section
    label), never a new story's headline; but when the same line follows it every time, it is one story held twice
    (a syndicated copy, a wire story filed again) and its headline opens each copy. Before, the second copy was
    glued to the story before it (50 MB bench corpus, stories joined by one blank line: stories lost in merges
    354 -> 328 of 11,875)."""
    a = (
        "County council to publish its long-awaited transport report\n\n"
        "The transport committee said on Monday that it would publish its report next month, after hearing from "
        "more than forty witnesses over the past year and visiting several towns in the region.\n\n"
        "Members said the findings would be discussed by the full council in the spring, and that the public would "
        "be invited to comment before any decision on new bus routes was taken."
    )
    b = (
        "County schools plan a longer summer term from next year\n\n"
        "Head teachers in the county have agreed a plan to add two weeks to the summer term from next year, saying "
        "pupils lost too much learning during the long break.\n\n"
        "Parents' groups were divided, with some welcoming the change and others warning that families had already "
        "booked holidays for the weeks affected."
    )
    res = split_text("\n\n".join([a, b, a]) + "\n", RULES)
    assert check_coverage(res) == []
    head_a, head_b = a.split("\n")[0], b.split("\n")[0]
    assert [r.title for r in res.records] == [head_a, head_b, head_a]
    # a recurring label followed by different text each time stays a subheading
    label = "What the council said about the plan"
    text = "\n\n".join([a, label, "It said the plan was sound.", label, "It said the plan would be costly."])
    assert [r.title for r in split_text(text + "\n", RULES).records] == [head_a]


def test_a_large_file_of_wire_stories_with_learned_repeats_is_no_web_page():
    """A 50 MB bench file of 1,857 wire stories joined by separator lines was read as one web page: its folder's
    learned repeats ("Pay April 30" under many notices) made its chrome dense, and two lines a rule read as a link
    list passed the "two lines read by rules" test; on a page the line model then gave later stories' lines to the
    story above. Lines a rule reads as chrome must be dense on their own (a tenth of a page's density); a web page
    with its menus, and glued pages, stay pages."""
    import importlib

    from corpus_etl.learned import line_hash
    from corpus_etl.split.state import SplitState

    passes = importlib.import_module("corpus_etl.split.run").PASSES
    detect = [p for p in passes if p.name in ("scan", "detect_page")]

    def is_page(text: str, learned: frozenset[str] = frozenset()) -> bool:
        st = SplitState(text, RULES, SplitOptions(), learned)
        for p in detect:
            p.run(st)
        return bool(st.page)

    stories = [
        f"ACME HOLDINGS {k} SETS QUARTERLY\n\nNEW YORK, March {k % 28 + 1} - Acme Holdings unit {k} said its board "
        f"declared a quarterly dividend of {k % 40 + 5} cts a share, unchanged from the prior quarter, and it "
        f"expects to keep paying it through the year, the company said in a statement.\n\nPay April 30\n\n"
        f"Record April {k % 20 + 1}"
        for k in range(600)
    ]
    menu = "* Markets\n* Companies"  # (two lines a rule reads as a link list, among 32,000 words)
    text = "\n\n-----\n\n".join([*stories[:300], menu, *stories[300:]]) + "\n"
    learned = frozenset({line_hash("Pay April 30")})
    assert not is_page(text) and not is_page(text, learned)
    # a web page, and a few of them glued, are pages as before
    page = "Skip to main content\n" + menu + "\n\n" + stories[0] + "\n\nShare this article\n\n© 2024 Example News\n"
    assert is_page(page) and is_page(page + page + page)


def test_a_page_the_page_model_found_under_a_site_header_owns_its_comment_link():
    """The page model's page start (``page_starts``) under which a site's header menu runs is the next site's page: its
    "Comment" link over its own article opens no comments thread of the page before's article (TechCrunch glued
    under FilmDrunk lost its article as comments). Without the page start, the text reads as one page and it does."""

    before = [
        "Budget approved after long debate",
        "",
        "The city council approved the budget on Tuesday evening after a debate that lasted more than four hours "
        "and drew dozens of residents to the chamber to speak for and against the plan.",
        "",
        "Councillors who opposed it said the spending on roads was too low, while supporters said the plan kept "
        "taxes flat for the third year in a row and protected the library service.",
        "",
    ]
    header = [f"* {w}" for w in ("Home", "Startups", "Mobile", "Gadgets", "Europe", "Video", "Events", "Hot")]
    after = [
        "Comment",
        "Ten Million Views For A Video About Piracy",
        "Gregory Ferenstein",
        "posted 16 mins ago",
        "",
        "A professionally produced video about online piracy has drawn ten million views in two days, and its "
        "makers say they will release a second part next month with interviews of musicians and film makers.",
        "",
        "The video argues that advertising networks pay the sites that host copied films, and it asks viewers "
        "to write to the companies that buy the advertising space on those sites.",
        "",
    ]
    bodies = _article_words_with_a_model_page_at("\n".join([*before, *header, *after]) + "\n", "* Home")
    assert "ten million views in two days" in bodies[True]
    assert "ten million views in two days" not in bodies[False]  # read as the budget article's comments


def test_a_site_footer_ends_the_page_under_a_teaser_with_no_body_yet():
    """A copyright line ends the page when the page's article has its body, though the last article opened is a
    footer teaser with none yet ("What Mattered in 2011" under "Featured Articles", over the site's copyright): the
    next page's article no longer runs on in the teaser's record. No article with a body on the page: no end."""
    from corpus_etl.split import SplitState
    from corpus_etl.split.scan import page_end

    footer = "Copyright © 2011 Demandforce - All Rights Reserved"
    st = SplitState("x\n", RULES, SplitOptions())
    article = st.open_record()
    article.body_words = st.opts.min_body_words_before_split
    st.open_record()  # the teaser: its title only
    assert page_end(st, footer)
    article.body_words = st.opts.min_body_words_before_split - 1
    assert not page_end(st, footer)
    st.new_page()  # an article of the page before does not count
    article.body_words = st.opts.min_body_words_before_split
    st.open_record()
    assert not page_end(st, footer)


def test_a_comments_link_that_opens_a_page_the_page_model_found_is_not_the_page_befores_comments():
    """EcoGeek glued under a photo blog: the page model found the next page at its header's "View all Comments"
    link, over "Share" (a comment marker) and its article; the link opens no comments thread of the blog's article
    (which lost the whole EcoGeek article), though no site header menu ran between them."""

    before = [
        "Showcase Challenge: Power",
        "",
        "The theme for this week's showcase challenge is power, and we want to see how each of you reads the word "
        "in a photograph taken this month, in the city or in the country, by day or by night.",
        "",
        "Submit your images to our community portfolio before the deadline, and we will publish a selection of "
        "them in a showcase post soon after, with a few words about each photographer.",
        "",
    ]
    after = [
        "View all Comments",
        "Share",
        "Battery Maker Enters Bankruptcy",
        "Written by Philip Proefrock on 17/10/12",
        "",
        "Further bad news for the electric vehicle market comes with word that the battery maker has filed for "
        "bankruptcy protection, after months of talks with a buyer that collapsed last week.",
        "",
        "The company's two manufacturing plants, which have been making batteries for several car makers, will keep "
        "running while a court decides on the sale of its assets to a rival.",
        "",
    ]
    bodies = _article_words_with_a_model_page_at("\n".join([*before, *after]) + "\n", "View all Comments")
    assert "filed for bankruptcy protection" in bodies[True]
    assert "filed for bankruptcy protection" not in bodies[False]  # read as the blog post's comments


def _article_words_with_a_model_page_at(text: str, line: str) -> dict[bool, str]:
    """The article records' paragraphs of ``text`` split by the rules alone, without (False) and with (True) a page
    start of the page model's (``page_starts``) at the line ``line``; every character accounted for either way."""
    from corpus_etl.split import SplitState, run

    opts = replace(SplitOptions(), line_model=False)
    at = next(k for k, ln in enumerate(logical_lines(text)) if ln.text == line)
    out = {}
    for starts in (frozenset(), frozenset({at})):
        res = run(SplitState(text, RULES, opts, page_starts=starts))
        assert check_coverage(res) == []
        out[bool(starts)] = " ".join(p for r in res.records if r.kind == "article" for p in r.paragraphs)
    return out
