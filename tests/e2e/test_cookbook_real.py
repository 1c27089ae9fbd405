"""Every cookbook query answers on a real corpus sample (issue 18, item 7), and wire copy is copy, not chrome.

One ingest (the real Prefect flow into a real DuckDB/Parquet warehouse) of a small sample built in a temporary
directory from ../shared, never copied into the repository: 30 BBC stories (15 business, 15 tech, one a
file), 20 dragnet pages (the first five pages of cbsnews.com, news.cnet.com, online.wsj.com and
guardian.co.uk: sites whose chrome repeats on their own pages), 10 Multi-News lines with their summaries, and
the five seeds (which share a Canadian Press paragraph). Each test checks that its query's answer is non-empty
and plausible for what went in.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from corpus_etl.settings import Settings
from tests.conftest import CORPORA, need_shared
from warehouse import cookbook

pytestmark = pytest.mark.e2e

DRAGNET_SITES = ("cbsnews.com", "news.cnet.com", "online.wsj.com", "guardian.co.uk")
FOLDERS = {"bbc", "business", "tech", "dragnet", "mn", "seeds", "src"}
# (first words of) the Canadian Press paragraph that seeds 001 and 003 share
CP_PARAGRAPH = "The company has built its reputation on security"
N_FILES = 30 + 20 + 2 + 5  # (Multi-News: dev.src and its summaries dev.tgt)


@pytest.fixture(scope="session")
def real_sample(prefect_api: str, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse of one ingest of the real sample (see the module docstring)."""
    from flows.ingest import ingest

    bbc = need_shared(CORPORA / "bbc_news" / "bbc")
    dragnet = need_shared(CORPORA / "dragnet")
    mn = need_shared(CORPORA / "multinews_dev")
    src = tmp_path_factory.mktemp("real")
    for cat in ("business", "tech"):
        (src / "bbc" / cat).mkdir(parents=True)
        for p in sorted((bbc / cat).glob("*.txt"))[:15]:
            shutil.copy(p, src / "bbc" / cat / p.name)
    sites = json.loads((dragnet / "sites.json").read_text(encoding="utf-8"))
    (src / "dragnet").mkdir()
    for site in DRAGNET_SITES:
        pages = sorted((k for k, v in sites.items() if v == site), key=lambda k: (len(k), k))[:5]
        for k in pages:
            shutil.copy(dragnet / "page_text" / f"{k}.txt", src / "dragnet" / f"{k}.txt")
    (src / "mn").mkdir()
    for name in ("dev.src", "dev.tgt"):
        with open(mn / name, encoding="utf-8") as fh:
            (src / "mn" / name).write_text("".join(next(fh) for _ in range(10)), encoding="utf-8")
    (src / "seeds").mkdir()
    for p in seeds_dir.glob("*.txt"):
        shutil.copy(p, src / "seeds" / p.name)
    wh = tmp_path_factory.mktemp("real_wh")
    summary = ingest([str(src)], Settings(warehouse=wh, validate_data=False, workers=1))
    assert summary["n_failed"] == 0 and summary["n_processed"] == N_FILES
    return wh


def run(wh: Path, name: str, **params: str) -> tuple[list[str], list[dict[str, object]]]:
    """Run cookbook query ``name`` on the warehouse, read-only, with ``params`` over its defaults."""
    q = cookbook.get(name)
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        cur = con.execute(q.sql, q.bind(params))
        names = [d[0] for d in cur.description]
        return names, [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def one(wh: Path, sql: str) -> object:
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_every_query_has_a_test_here():
    tested = set(re.findall(r'run\(real_sample, "(\w+)"', Path(__file__).read_text(encoding="utf-8")))
    assert {q.name for q in cookbook.load()} <= tested


def test_articles_per_outlet_names_outlets_the_pages_name_and_never_a_folder(real_sample):
    _, rows = run(real_sample, "articles_per_outlet")
    n = one(real_sample, "SELECT count(*) FROM v_articles")
    assert rows and sum(r["n_articles"] for r in rows) == n
    outlets = {r["outlet"] for r in rows}
    assert not outlets & FOLDERS
    assert "The Canadian Press" in outlets and "CBS Interactive" in outlets  # a byline, a copyright line
    assert all(r["n_words"] > 0 and r["languages"] for r in rows)


def test_biggest_story_clusters(real_sample):
    _, rows = run(real_sample, "biggest_story_clusters")
    assert rows, "Multi-News lines carry syndicated copies of one article"
    for r in rows:
        assert r["n_members"] >= 2 and r["n_exact"] + r["n_near"] == r["n_members"] - 1
        assert r["min_similarity"] >= 0.5


def test_boilerplate_rules(real_sample):
    _, rows = run(real_sample, "boilerplate_rules")
    rules = {r["rule"] for r in rows}
    assert {"copyright", "link_list"} <= rules  # web pages' footers and menus
    assert all(r["n_spans"] > 0 and r["n_sources"] >= 1 for r in rows)


def test_related_reasons(real_sample):
    from corpus_etl.kinds import KIND_REASONS

    _, rows = run(real_sample, "related_reasons")
    assert rows and {r["kind_reason"] for r in rows} <= set(KIND_REASONS)  # every related row of this run says why
    assert "related_section" in {r["kind_reason"] for r in rows}  # the seeds' "Editors' Recommendations" teasers
    n = one(real_sample, "SELECT count(*) FROM articles WHERE kind = 'related'")
    assert sum(r["n_records"] for r in rows) == n
    assert all(0 < r["share_of_words"] < 0.5 for r in rows)
    for r in rows:  # only the record model gives a probability, at or over its threshold
        prob = r["min_model_prob"]
        assert (prob is None) == (r["kind_reason"] != "record_model_junk") and (prob is None or 0.5 <= prob <= 1)


def test_duplicates_per_outlet(real_sample):
    _, rows = run(real_sample, "duplicates_per_outlet")
    assert rows
    assert sum(r["n_clustered"] for r in rows) == one(real_sample, "SELECT count(*) FROM story_clusters")
    assert all(r["n_canonical"] + r["n_exact_copies"] + r["n_near_copies"] == r["n_clustered"] for r in rows)
    assert not {r["outlet"] for r in rows} & FOLDERS


def test_language_mix(real_sample):
    _, rows = run(real_sample, "language_mix")
    top = rows[0]
    assert top["language"] == "en" and top["pct_articles"] >= 90
    assert abs(sum(r["pct_articles"] for r in rows) - 100) < 1


def test_longest_wire_paragraphs_are_copy_not_chrome(real_sample):
    _, rows = run(real_sample, "longest_wire_paragraphs", limit="200")
    assert rows
    assert any(r["text"].startswith(CP_PARAGRAPH) for r in rows)  # seeds 001 and 003
    for r in rows:
        assert r["n_sources"] >= 2 and len(r["source_paths"]) == r["n_sources"]
        assert re.search(r"[.!?][\"”’')]*$", r["text"]) and not re.match(r"\s*[*+•]", r["text"])
        assert not re.search(r"(?i)©|all rights reserved|terms of use|privacy policy", r["text"])
    # no paragraph a site repeats on its own pages: the dragnet sites' chrome is not wire copy
    dragnet = [r for r in rows if all("/dragnet/" in p for p in r["source_paths"])]
    assert dragnet == [], [(r["text"], r["source_paths"]) for r in dragnet]


def test_related_blocks_are_never_wire_copy(real_sample):
    n = one(
        real_sample,
        "SELECT count(*) FROM v_wire_paragraphs w JOIN paragraphs p USING (paragraph_hash) "
        "JOIN articles a ON a.article_id = p.article_id AND a.kind = 'related' "
        "WHERE NOT EXISTS (SELECT 1 FROM paragraphs q JOIN articles b ON b.article_id = q.article_id "
        "AND b.kind = 'article' WHERE q.paragraph_hash = w.paragraph_hash)",
    )
    assert n == 0


def test_outlets_sharing_wire_copy(real_sample):
    _, rows = run(real_sample, "outlets_sharing_wire_copy")
    assert rows and all(r["source_a"] < r["source_b"] and r["n_shared_paragraphs"] >= 1 for r in rows)
    pairs = {(Path(r["source_a"]).name[:3], Path(r["source_b"]).name[:3]) for r in rows}
    assert ("001", "003") in pairs


def test_outlet_coverage_per_collection(real_sample):
    _, rows = run(real_sample, "outlet_coverage")
    assert [r["collection"] for r in rows] == [one(real_sample, "SELECT any_value(collection) FROM sources")]
    (r,) = rows
    assert r["n_sources"] == N_FILES
    assert r["n_articles"] == one(real_sample, "SELECT count(*) FROM v_articles WHERE is_current")
    assert r["n_outlet_none"] == one(
        real_sample, "SELECT count(*) FROM v_articles WHERE is_current AND outlet_source = 'none'"
    )
    # the seeds and most CBS pages name their outlet; the BBC stories name none
    assert 0 < r["outlet_none_share"] < 1
    bbc = one(
        real_sample,
        "SELECT sum(n_outlet_none) / sum(n_article_records) FROM v_source_quality WHERE path LIKE '%/bbc/%'",
    )
    assert bbc > r["outlet_none_share"]


def test_runs_volume(real_sample):
    _, rows = run(real_sample, "runs_volume")
    assert len(rows) == 1
    (r,) = rows
    assert r["status"] == "completed" and r["n_processed"] == N_FILES and r["n_loaded"] > N_FILES


def test_search_bm25_finds_a_bbc_story_by_its_title_words(real_sample):
    title = one(real_sample, "SELECT title FROM v_articles WHERE source_path LIKE '%/bbc/business/001.txt'")
    assert title
    _, rows = run(real_sample, "search_bm25", query=f"'{title.replace(chr(39), ' ')}'", limit="5")
    assert rows and rows[0]["source_path"].endswith("/bbc/business/001.txt")
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_search_phrase_returns_the_phrase_in_context(real_sample):
    body = one(real_sample, "SELECT body FROM v_articles WHERE source_path LIKE '%/bbc/tech/%' ORDER BY source_path")
    phrase = " ".join(body.split()[5:9])
    _, rows = run(real_sample, "search_phrase", phrase=f"'{phrase.replace(chr(39), chr(39) * 2)}'")
    assert rows and any("/bbc/tech/" in r["source_path"] for r in rows)
    assert all(phrase.lower() in " ".join(r["context"].split()).lower() for r in rows)


def test_source_quality(real_sample):
    _, rows = run(real_sample, "source_quality", limit="100")
    assert len(rows) == N_FILES
    # the weakest first: the dragnet web pages lose more of their text than the clean BBC stories
    worst = [r["path"] for r in rows[:10]]
    assert sum("/dragnet/" in p for p in worst) >= 5


def test_story_timeline_plots_event_stories_over_their_stated_dates(real_sample):
    _, rows = run(real_sample, "story_timeline", pattern="'%blackberry%'")
    # the seeds form one event story; they state no date: their articles are counted apart, on day NULL
    seed_rows = [r for r in rows if any("/seeds/" in p for p in r["source_paths"])]
    stories = {r["story_id"] for r in seed_rows}
    assert len(stories) == 1 and all(r["day"] is None for r in seed_rows)
    assert sum("/seeds/" in p for r in seed_rows for p in r["source_paths"]) >= 5
    _, rows = run(real_sample, "story_timeline", pattern="'%'")
    # every current article once; the undated ones apart (day NULL), never on the ingest day
    assert sum(r["n_articles"] for r in rows) == one(real_sample, "SELECT count(*) FROM v_story_members")
    undated = one(real_sample, "SELECT count(*) FROM v_story_members WHERE published_date IS NULL")
    assert undated and sum(r["n_articles"] for r in rows if r["day"] is None) == undated
    dated = [r for r in rows if r["day"] is not None]
    assert dated and max(r["day"] for r in dated) <= datetime.now(UTC).date()
    # a story's rows are together, its stated days in order and its undated row last; stories by first date
    order: list[str] = []
    for r in rows:
        if not order or order[-1] != r["story_id"]:
            assert r["story_id"] not in order
            order.append(r["story_id"])
    for sid in order:
        days = [r["day"] for r in rows if r["story_id"] == sid]
        stated = [d for d in days if d is not None]
        assert stated == sorted(stated) and days[: len(stated)] == stated and len(days) - len(stated) <= 1
        first = next(r["story_first_date"] for r in rows if r["story_id"] == sid)
        assert first == (stated[0] if stated else None)
    firsts = [next(r["story_first_date"] for r in rows if r["story_id"] == s) for s in order]
    stated_firsts = [d for d in firsts if d is not None]
    assert firsts[: len(stated_firsts)] == stated_firsts == sorted(stated_firsts)  # undated stories last
    # the near-duplicate clusters under their own name: the Multi-News copies are counted as copies
    copies = [r for r in rows if r["n_copies"]]
    assert copies and all(r["near_duplicate_clusters"] and r["n_copies"] <= r["n_articles"] for r in copies)
    assert sum(r["n_copies"] for r in rows) == one(
        real_sample,
        "SELECT count(*) FROM v_story_members JOIN v_articles USING (article_id) "
        "WHERE cluster_id IS NOT NULL AND NOT is_canonical",
    )


def test_top_bylines_are_people(real_sample):
    _, rows = run(real_sample, "top_bylines")
    assert rows
    assert all(re.fullmatch(r"[A-Z][\w.'’-]*(?: [\w.'’-]+){1,3}", r["author"]) for r in rows[:10]), rows[:10]
    assert all(r["n_articles"] >= 1 for r in rows)


def test_volume_by_day(real_sample):
    _, rows = run(real_sample, "volume_by_day")
    assert {r["ingest_date"] for r in rows} == {datetime.now(UTC).date()}
    assert sum(r["n_articles"] for r in rows) == one(real_sample, "SELECT count(*) FROM v_articles")
