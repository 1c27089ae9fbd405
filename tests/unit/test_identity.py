"""Source identity (corpus_etl/identity.py): URL, site and outlet as the page states them, never the folder."""

from __future__ import annotations

import json

import pytest

from corpus_etl.identity import (
    _COPY_MARK,
    _may_have_copy_mark,
    copyright_owner,
    find_outlet,
    find_site,
    site_of,
    wire_credit,
)
from corpus_etl.pipeline import extract_records, identify_articles, page_breaks
from corpus_etl.rules import load_rules
from corpus_etl.split import RawRecord, RemovedSpan
from tests.conftest import CORPORA, need_shared


@pytest.mark.parametrize(
    ("line", "owner"),
    [
        ("© 2012 The Associated Press", "The Associated Press"),
        ("Copyright 2008 Reuters", "Reuters"),
        (
            "(c) Copyright Thomson Reuters 2012. Check for restrictions at: http://about.reuters.com/x.asp",
            "Thomson Reuters",
        ),
        ("Copyright © 2012 CBS Interactive Inc. All rights reserved.", "CBS Interactive"),
        ("* © 2005-2012 Dow Jones & Company, Inc.", "Dow Jones & Company"),
        ("© The Associated Press, 2012", "The Associated Press"),
        ("BBC © 2012 The BBC is not responsible for the content of external sites.", "The BBC"),
        ("Content Copyright © 2002-2012, R. Albert Mohler, Jr. Contact", "R. Albert Mohler"),
        ("© 2012 NBCNews.com", "NBCNews.com"),
        ("© 2012 msnbc.com Reprints", "msnbc.com"),
        ("© 2005-2012 Center for American Progress Action Fund", "Center for American Progress Action Fund"),
        ("(Copyright: Getty Images)", None),  # a photo credit
        ("photo: (c) 2012 Jane Doe", None),
        ("Copyright © 2011", None),  # no owner
        ("* Copyright Information", None),
        ("Copyright & Terms of Use", None),
        ("EA sues Zynga, claims copyright infringement in The Ville", None),  # a sentence
        ("The Fifth Amendment provides an exception to sovereign immunity, allowing copyright owners to sue", None),
    ],
)
def test_copyright_owner(line, owner):
    assert copyright_owner(line) == owner


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("© 2012 X", True),
        ("Top\n(C) 2012 X", True),
        ("&COPY; 2012 X", True),
        ("Body.\nCopyRight 2012 X", True),
        ("COPYRİGHT 2012 X", True),  # the case-blind search takes a dotted or dotless i for an 'i'
        ("copyrıght X", True),
        ("Copy right (c", False),
        ("Body.\nC) 2012 copy", False),
    ],
)
def test_copy_mark_prefilter(text, mark):
    """The fast page test says 'no mark' exactly where the search finds none (on these texts)."""
    assert bool(_COPY_MARK.search(text)) == mark
    assert _may_have_copy_mark(text) == mark


@pytest.mark.parametrize(
    ("head", "wire"),
    [
        ("LONDON (Reuters) - Oil prices rose on Monday.", "Reuters"),
        ("WASHINGTON (AP) — The Senate voted.", "The Associated Press"),
        ("TORONTO, Ont. (CP) -- A man was charged.", "The Canadian Press"),
        ("(AFP) - Talks resumed.", "Agence France-Presse"),
        ("The AP said on Monday (AP) that it would.", None),
        ("Scientists (UCLA) - a report.", None),
    ],
)
def test_wire_credit(head, wire):
    assert wire_credit(head) == wire


def test_site_of():
    assert site_of("http://www.NYTimes.com:80/2012/07/a.html") == "nytimes.com"
    assert site_of("news.bbc.co.uk") == "news.bbc.co.uk"
    assert site_of("localhost") is None


def test_site_from_jsonl_field_first_then_labelled_and_top_url_lines():
    s = find_site("", "", "", {"url": "https://www.example.com/news/1"})
    assert (s.url, s.site, s.source) == ("https://www.example.com/news/1", "example.com", "jsonl_field")
    page = "Headline\n\nBody text of the story.\n\nRead more: http://www.dailymail.co.uk/news/article-1.html#ixzz2\n"
    s = find_site(page, "", page)
    assert (s.site, s.source) == ("dailymail.co.uk", "url_line")
    top = "http://www.site.com/2012/07/story.html\nHeadline of it\n"
    s = find_site("Headline of it\nBody.", top, "Headline of it\nBody.")
    assert (s.url, s.site) == ("http://www.site.com/2012/07/story.html", "site.com")


def test_a_link_in_the_body_an_image_or_a_trackback_is_not_the_page_address():
    body = "\n".join(
        ["Headline", "Para one is running text.", "Para two.", "Para three.", "Para four.", "Five.", "Six."]
    )
    deep = body + "\nhttp://en.wikipedia.org/wiki/Something\nhttp://www.other.org/cited/page\n"
    assert find_site(deep, "", deep) is None
    for url in ("http://site.com/uploads/photo.jpg", "http://site.com/cgi-bin/mt-tb.cgi/51782", "http://bit.ly/x"):
        assert find_site(url + "\nHeadline", "", url + "\nHeadline") is None
        assert find_site("Headline", "", f"TrackBack URL: {url}") is None


def test_site_from_a_copyright_domain_or_a_masthead():
    s = find_site("Headline\nBody.", "", "Headline\nBody.\n© 2012 NBCNews.com\n")
    assert (s.url, s.site, s.source) == (None, "nbcnews.com", "copyright")
    head = "AlbertMohler.com\nSubmit\nFeed\n"
    s = find_site("Headline\nBody.", head, "Headline\nBody.", page_head=head)
    assert (s.site, s.source) == ("albertmohler.com", "masthead")
    assert find_site("Headline\nBody.", head, "Headline\nBody.") is None  # a later record: not its page's top
    assert find_site("www.djreprints.com\nBody.", "", "www.djreprints.com\nBody.") is None  # in a record


def test_outlet_order_and_none_when_the_page_names_none():
    page = "Headline\nBody.\n© 2012 The Associated Press. All rights reserved.\n"
    assert find_outlet("The Canadian Press", "Body.", page).source == "byline"
    assert find_outlet(None, "WASHINGTON (AP) — Body.", "Body.\nCopyright 2012 Yahoo") == (
        find_outlet(None, "(AP) - x", "")
    )
    o = find_outlet(None, "Body.", page)
    assert (o.name, o.source) == ("The Associated Press", "copyright")
    assert find_outlet(None, "Body.", page, meta={"publisher": "Le Monde"}).source == "jsonl_field"
    assert find_outlet("CNN Political Reporter", "Body.", "Body.").source == "none"  # a job title, not an outlet
    o = find_outlet(None, "Body of a page.", "Body of a page.\nAbout us\n")
    assert (o.name, o.source) == (None, "none")


def test_the_folder_is_never_the_outlet_and_rows_carry_identity(tmp_path):
    text = (
        "Oil climbs on supply worries\n\n"
        "LONDON (Reuters) - Oil prices rose on Monday as traders weighed supply worries against demand.\n\n"
        "Brent crude was up 1 percent by midday in London, its third gain in a row this month.\n"
    )
    rows = extract_records(text, source_path="/data/bbc_news/business/001.txt")
    assert rows and rows[0]["outlet"] == "Reuters" and rows[0]["outlet_source"] == "wire_credit"
    rows = extract_records(text.replace("(Reuters) ", ""), source_path="/data/bbc_news/business/001.txt")
    assert rows[0]["outlet"] is None and rows[0]["outlet_source"] == "none"
    assert rows[0]["site"] is None and rows[0]["site_source"] is None


def test_on_real_dragnet_pages_site_agrees_with_the_page_metadata_and_outlets_are_named():
    """On 60 dragnet pages: a site found is the host of the page's og:url/canonical link (sites.json) or a
    parent domain of it on >= 70 %; an outlet is found on >= 30 %; never the folder's name."""
    d = need_shared(CORPORA / "dragnet")
    sites = json.loads((d / "sites.json").read_text())
    pages = sorted((d / "page_text").glob("*.txt"))[:60]
    n = with_outlet = with_site = site_agrees = 0
    for p in pages:
        rows = [
            r
            for r in extract_records(p.read_text(encoding="utf-8", errors="replace"), source_path=str(p))
            if r["kind"] == "article"
        ]
        if not rows:
            continue
        n += 1
        for r in rows:
            assert r["outlet"] != "page_text" and r["site"] != "page_text"
            assert r["outlet_source"] in ("jsonl_field", "byline", "wire_credit", "copyright", "masthead", "none")
            assert (r["outlet"] is None) == (r["outlet_source"] == "none")
        r = rows[0]
        with_outlet += r["outlet"] is not None
        gold = sites.get(p.stem, "").removeprefix("www.")
        if r["site"] and gold:
            with_site += 1
            site_agrees += r["site"] == gold or gold.endswith("." + r["site"]) or r["site"].endswith("." + gold)
    assert n >= 50
    assert with_outlet >= 0.3 * n
    # (the rest name the owner's domain, e.g. nbcnews.com on msnbc.msn.com pages: as the page states it)
    assert with_site == 0 or site_agrees >= 0.7 * with_site


def test_jsonl_records_take_their_url_and_outlet_fields():
    line = (
        '{"title": "Oil climbs", "url": "https://www.reuters.com/markets/oil-1", "publisher": "Reuters", '
        '"text": "LONDON (Reuters) - Oil prices rose on Monday as traders weighed supply worries against demand."}\n'
    )
    (r,) = extract_records(line, fmt="jsonl")
    assert (r["url"], r["site"], r["site_source"]) == (
        "https://www.reuters.com/markets/oil-1",
        "reuters.com",
        "jsonl_field",
    )
    assert (r["outlet"], r["outlet_source"]) == ("Reuters", "jsonl_field")
    (r,) = extract_records(
        line.replace('"publisher": "Reuters", ', "").replace('"url": "https://www.reuters.com/markets/oil-1", ', ""),
        fmt="jsonl",
    )
    assert (r["url"], r["site"], r["outlet"], r["outlet_source"]) == (None, None, "Reuters", "wire_credit")


def _glued() -> tuple[str, list[RawRecord]]:
    """Two pages: page 1 holds two article records and a copyright line below both, a separator line, then
    page 2 with one record of its own wire credit and one naming nothing."""
    parts = [
        ("a", "Mayor opens the new bridge\nThe mayor opened the bridge on Monday before a crowd of hundreds.\n"),
        ("b", "Council debates the budget\nThe council met late into the night to debate next year's budget.\n"),
        (None, "© 2012 The Daily Planet. All rights reserved.\n"),
        (None, "----------\n"),
        ("c", "Storm hits the coast\nLONDON (Reuters) - A storm hit the coast on Tuesday, cutting power.\n"),
        ("d", "Schools close early\nSchools across the region closed early as the storm moved inland.\n"),
    ]
    text, raws = "", []
    for key, part in parts:
        if key:
            title, body = part.rstrip("\n").split("\n")
            raws.append(
                RawRecord(
                    "article", title=title, paragraphs=[body], char_start=len(text), char_end=len(text) + len(part)
                )
            )
        text += part
    return text, raws


def test_every_record_of_a_page_takes_the_page_copyright_line_and_no_record_of_another_page_does():
    text, raws = _glued()
    rules = load_rules()
    removed = []
    for line in text.splitlines(keepends=True):
        rule = rules.match_line(line.strip())
        if rule is not None:
            start = text.index(line)
            removed.append(RemovedSpan(start, start + len(line), rule.name))
    breaks = page_breaks(removed, rules)
    assert breaks == [text.index("-----")]  # the end of the footer line, the start of the separator line
    rows: list[dict[str, object]] = [{} for _ in raws]
    identify_articles(rows, raws, text, "text", breaks)
    assert [(r["outlet"], r["outlet_source"]) for r in rows] == [
        ("The Daily Planet", "copyright"),  # (the copyright line is below the next record: the page's line)
        ("The Daily Planet", "copyright"),
        ("Reuters", "wire_credit"),  # a record's own naming comes first
        (None, "none"),  # page 2 names no outlet: never page 1's
    ]
    # a file of one page (no breaks): its copyright line is every record's, a record's own naming first
    rows = [{} for _ in raws]
    identify_articles(rows, raws, text, "text")
    assert [r["outlet"] for r in rows] == ["The Daily Planet", "The Daily Planet", "Reuters", "The Daily Planet"]
    # ... unless a full article lies between: perhaps two pages glued without a break
    raws[2].body_words = 60
    rows = [{} for _ in raws]
    identify_articles(rows, raws, text, "text")
    assert [r["outlet"] for r in rows] == ["The Daily Planet", "The Daily Planet", "Reuters", None]
    # other formats: records are documents of their own, nothing is carried
    rows = [{} for _ in raws]
    identify_articles(rows, raws, text, "multinews", breaks)
    assert [r["outlet_source"] for r in rows] == ["none", "none", "wire_credit", "none"]
