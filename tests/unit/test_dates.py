"""Publication dates: the formats, the kinds of line, what is never taken, and the pipeline's columns."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest

from corpus_etl.dates import _DATE, _may_hold_date, date_in_url, find_published
from corpus_etl.pipeline import extract_records, latest_date, process_source
from corpus_etl.settings import Settings


@pytest.mark.parametrize(
    ("line", "day", "clock", "source"),
    [
        ("July 24, 2012 12:11 AM", date(2012, 7, 24), "00:11", "date_line"),
        ("Updated July 23, 2012, 7:10 p.m. ET", date(2012, 7, 23), "19:10", "updated"),
        ("24 July 2012 Last updated at 06:50 ET", date(2012, 7, 24), None, "updated"),
        ("In Depth | 24 July 2012", date(2012, 7, 24), None, "date_line"),
        ("Wednesday, October 17th, 2012", date(2012, 10, 17), None, "date_line"),
        ("Monday, December 31, 2007", date(2007, 12, 31), None, "date_line"),
        ("24. Juli 2012, 10:32 Uhr", date(2012, 7, 24), "10:32", "date_line"),
        ("Aktualisiert am 3. März 2021", date(2021, 3, 3), None, "updated"),
        ("Stand: 05.12.2025 14:03 Uhr", date(2025, 12, 5), "14:03", "updated"),
        ("2019-11-18T22:05:36Z", date(2019, 11, 18), "22:05", "date_line"),
        ("By Jane Doe | July 24, 2012", date(2012, 7, 24), None, "byline"),
        ("Von Max Muster, 12. Februar 2020", date(2020, 2, 12), None, "byline"),
        ("WASHINGTON, July 24, 2012 —", date(2012, 7, 24), None, "dateline"),
    ],
)
def test_a_date_line_gives_its_date_time_and_kind(line, day, clock, source):
    got = find_published(f"A headline\n\n{line}\n\nThe story begins here and goes on.\n")
    assert got is not None and (got.date, got.time, got.source) == (day, clock, source)
    m = _DATE.search(line)
    assert m is not None and _may_hold_date(m.group())  # (the substring test before the search keeps the date)


def test_a_line_without_a_year_is_not_searched_for_a_date():
    assert not _may_hold_date("Monday, July 24 at 10:32") and _DATE.search("Monday, July 24 at 10:32") is None


@pytest.mark.parametrize(
    "text",
    [
        "A headline\n\nThe company said on July 4, 2012, that it would open three new plants in Ohio and hire staff.\n",
        "A headline\n\nSunday, September 9\n\nNo year: no date.\n",
        "A headline\n\nThe 2012 season starts in May.\n",
    ],
)
def test_a_date_in_running_text_or_without_a_year_is_not_taken(text):
    assert find_published(text) is None


def test_never_a_date_after_the_files_modification():
    head = "A headline\n\nJuly 24, 2012\n\nBody.\n"
    assert find_published(head, not_after=date(2012, 7, 23)) is None
    assert find_published(head, not_after=date(2012, 7, 24)) is not None
    assert latest_date(datetime(2012, 7, 23, 23, 0, tzinfo=UTC)) == date(2012, 7, 24)  # a day's slack for zones
    assert latest_date(datetime(1970, 1, 1, tzinfo=UTC)) is None  # the epoch of a failed stat is no limit


def test_the_head_wins_over_the_lines_above_and_urls_come_last():
    got = find_published("Title\n\nMarch 2, 2020\n\nBody.", above="January 5, 2020\n")
    assert got is not None and (got.date, got.source) == (date(2020, 3, 2), "date_line")
    got = find_published("Title\n\nBody.", above="March 3, 2020\n* Share\n* Tweet\n")
    assert got is not None and got.date == date(2020, 3, 3)
    got = find_published("Title\n\nBody.", meta={"url": "https://example.com/news/2012/07/24/story.html"})
    assert got is not None and (got.date, got.source) == (date(2012, 7, 24), "url")
    got = find_published("Title\n\nBody.", meta={"published": "2021-05-06"})
    assert got is not None and (got.date, got.source) == (date(2021, 5, 6), "jsonl_field")
    assert date_in_url("/archive/20120724/story") == date(2012, 7, 24)
    assert date_in_url("/2012/13/40/x") is None


def test_articles_get_dates_from_their_pages_and_never_the_ingest_date(tmp_path):
    page = (
        "Skip to main content\n\nJuly 24, 2012 12:11 AM\n\nLatest search falls short\n\n"
        + "The expedition returned without finding the plane, the group said on Monday. " * 5
        + "\n\nUntitled page without any date\n\n"
        + "Another article body that states no date at all and goes on for a while. " * 5
        + "\n"
    )
    rows = [r for r in extract_records(page) if r["kind"] == "article"]
    assert (rows[0]["published_date"], rows[0]["published_time"], rows[0]["published_date_source"]) == (
        date(2012, 7, 24),
        "00:11",
        "date_line",
    )
    undated = tmp_path / "undated.txt"
    undated.write_text("A headline\n\n" + "Words of a story with no date in it at all. " * 10 + "\n", encoding="utf-8")
    old = tmp_path / "old.txt"
    old.write_text(page, encoding="utf-8")
    os.utime(old, (datetime(2012, 7, 1, tzinfo=UTC).timestamp(),) * 2)  # saved before the date it states
    from corpus_etl.discover import stat_file

    at = datetime(2026, 12, 5, tzinfo=UTC)
    for path, want in ((undated, None), (old, None)):
        res = process_source(stat_file(str(path)), Settings(), "r1", at)
        arts = [a for a in res.rows["articles"] if a["kind"] == "article"]
        assert arts and all(a["published_date"] == want and a["published_date_source"] is None for a in arts)
