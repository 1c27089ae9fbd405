"""Measure publication dates (``corpus_etl.dates``) on the dragnet pages whose gold content opens with a date.

Run from the repository root: ``python -m eval.dates`` (part of ``make eval``; ``--out DIR`` for where
``DATES.md`` and ``dates.json`` go). Reads ``../shared/corpora/dragnet`` (``CORPUS_ETL_SHARED``); writes numbers
and page ids only.

The gold set is chosen without the product's date code: pages whose gold main content's first non-empty line
has at most 12 words, a year (19xx/20xx) and a date that ``dateparser.search.search_dates`` finds in it with
day, month and year. Each page goes through the product's extractor (``extract_records``); its main article
is the article record sharing the most words with the gold. Reported: the share of those pages whose main
article's ``published_date`` equals the gold date (and whose time, where the gold line states one, is the
same), the share given another date, and the same share for the splitter's own date line alone (the date
before ``corpus_etl.dates``), with the bootstrap spread over pages.
"""

from __future__ import annotations

import json
import random
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from corpora.shared import page_files, read_text
from corpus_etl.decode import DecodeError
from eval.stories import run_measurement

SEED = 20261205
BOOTSTRAP = 1000
_WORD = re.compile(r"\w+")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def gold_date(gold_text: str) -> tuple[Any, str | None] | None:
    """The (date, "HH:MM" or None) the gold content opens with, or None when its first line is not a date line."""
    from dateparser.search import search_dates

    first = next((ln.strip() for ln in gold_text.splitlines() if ln.strip()), "")
    if not first or len(_WORD.findall(first)) > 12 or not _YEAR.search(first):
        return None
    found = search_dates(first, languages=["en", "de"], settings={"REQUIRE_PARTS": ["day", "month", "year"]})
    found = [(text, dt) for text, dt in found or [] if _YEAR.search(text)]  # not "now", "today"
    if not found:
        return None
    text, dt = found[0]
    stated = re.search(r"\d:[0-5]\d", first)
    return dt.date(), (f"{dt.hour:02d}:{dt.minute:02d}" if stated and ":" in text else None)


def main_article(rows: list[dict[str, Any]], gold_text: str) -> dict[str, Any] | None:
    gold = Counter(w.casefold() for w in _WORD.findall(gold_text))
    best, score = None, 0
    for r in rows:
        if r["kind"] != "article":
            continue
        got = Counter(w.casefold() for w in _WORD.findall((r["title"] or "") + " " + r["body"]))
        s = sum((got & gold).values())
        if s > score:
            best, score = r, s
    return best


def splitter_dates(text: str) -> list[tuple[str, str | None]]:
    """(kind, ISO date) of each record as the splitter alone gives it (its date line under the headline)."""
    from corpus_etl.formats import split_document
    from corpus_etl.rules import load_rules
    from corpus_etl.settings import Settings

    s = Settings()
    split = split_document(text, "text", load_rules(s.extraction.rules_path), s.split_options(), s.reading.text_field)
    return [(r.kind, r.published) for r in split.records]


def share(hits: list[bool]) -> dict[str, Any]:
    rng = random.Random(SEED)
    n = len(hits)
    boots = sorted(sum(rng.choice(hits) for _ in range(n)) / n for _ in range(BOOTSTRAP)) if n else [0.0]
    return {
        "share": round(sum(hits) / n, 4) if n else 0.0,
        "n": n,
        "hits": sum(hits),
        "sd": round(statistics.pstdev(boots), 4),
        "ci95": [round(boots[int(0.025 * len(boots))], 4), round(boots[int(0.975 * len(boots)) - 1], 4)],
    }


def measure(root: Path) -> dict[str, Any]:
    from corpus_etl.pipeline import extract_records

    base = root / "corpora" / "dragnet"
    right: list[bool] = []
    wrong: list[bool] = []
    before: list[bool] = []
    time_right: list[bool] = []
    sources: Counter[str] = Counter()
    misses: list[str] = []
    for page in page_files(root, "dragnet"):
        gold_path = base / "gold" / page.name
        if not gold_path.exists():
            continue
        try:
            gold_text = read_text(gold_path)
        except DecodeError:  # (5 gold files are truncated UTF-16: no gold, as in the other evaluations)
            continue
        g = gold_date(gold_text)
        if g is None:
            continue
        text = read_text(page)
        rows = extract_records(text, source_path=str(page))
        main = main_article(rows, gold_text)
        got = main["published_date"] if main else None
        right.append(got == g[0])
        wrong.append(got is not None and got != g[0])
        if got == g[0] and g[1] is not None:
            time_right.append(main is not None and main["published_time"] == g[1])
        if main is not None and main["published_date_source"]:
            sources[main["published_date_source"]] += 1
        if got != g[0]:
            misses.append(gold_path.stem)
        k = rows.index(main) if main is not None else -1
        old = splitter_dates(text)
        before.append(0 <= k < len(old) and old[k][1] == g[0].isoformat())
    return {
        "scrapinghub_url_dated": measure_url_dated(root),
        "pages": len(right),
        "right": share(right),
        "wrong": share(wrong),
        "splitter_alone": share(before),
        "time_right_where_stated": share(time_right),
        "sources": dict(sources.most_common()),
        "misses": misses,
    }


def measure_url_dated(root: Path) -> dict[str, Any]:
    """A second check, on pages none of the date rules was written from: the scrapinghub pages whose URL (kept in
    the ground truth, not in the page text) holds a date; the share whose main article gets that date from the
    page text (a page updated the day after its URL's date counts as another date)."""
    from corpus_etl.dates import date_in_url
    from corpus_etl.pipeline import extract_records

    base = root / "corpora" / "scrapinghub"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    same: list[bool] = []
    other: list[bool] = []
    for page in page_files(root, "scrapinghub"):
        gold = truth.get(page.stem)
        day = date_in_url(gold["url"]) if gold else None
        if day is None:
            continue
        rows = extract_records(read_text(page))
        main = main_article(rows, gold["articleBody"])
        got = main["published_date"] if main else None
        same.append(got == day)
        other.append(got is not None and got != day)
    return {"right": share(same), "wrong": share(other)}


def report(res: dict[str, Any]) -> str:
    def fmt(s: dict[str, Any]) -> str:
        return (
            f"**{s['share']:.3f}** ({s['hits']}/{s['n']}) ± {s['sd']:.3f}, 95 % {s['ci95'][0]:.3f}-{s['ci95'][1]:.3f}"
        )

    return "\n".join(
        [
            "# Publication dates: measured",
            "",
            "Written by `python -m eval.dates` (part of `make eval`); method in `corpus_etl/dates.py`.",
            f"Dragnet pages whose gold content opens with a date line: {res['pages']}.",
            "",
            "| | share of those pages |",
            "|---|---|",
            f"| main article given the gold date | {fmt(res['right'])} |",
            f"| given another date | {fmt(res['wrong'])} |",
            f"| the splitter's date line alone (before) | {fmt(res['splitter_alone'])} |",
            f"| the time too, where the gold line states one | {fmt(res['time_right_where_stated'])} |",
            "",
            f"Where the main article's date came from: {res['sources']}.",
            "",
            "A second check on pages the date rules were not written from: scrapinghub pages whose URL holds a date "
            f"(the URL is not in the page text): given that date {fmt(res['scrapinghub_url_dated']['right'])}, "
            f"another date {fmt(res['scrapinghub_url_dated']['wrong'])} "
            "(one day off the URL's: an update, a time zone).",
            "",
            f"Pages missed (ids): {' '.join(res['misses'])}",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    run_measurement(argv, __doc__ or "", "dragnet", measure, report, "dates")


if __name__ == "__main__":
    main()
