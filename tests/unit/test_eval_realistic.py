"""The realistic-input evaluation's metric and build functions (``eval.realistic``, ``corpora``) on tiny inline data."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from corpora.glue import Built, GoldArticle
from corpora.multinews import build_multinews, multinews_segments
from corpora.pages import (
    Page,
    build_page_files,
    build_site_files,
    dev_page_folds,
    dragnet_pages,
    scrapinghub_pages,
    url_site,
)
from corpora.renderings import RENDERINGS, render
from corpora.stories import Story, build_story_files, render_stories
from corpus_etl.linemodel.corpora import site_fold, site_key
from eval.realistic.extractors import DEFAULT_EXTRACTOR, Extractor
from eval.realistic.measure import (
    align,
    align_blocks,
    baseline_of,
    best_record,
    comment_leak,
    content_span,
    error_rules,
    failed_rules,
    ledger_counts,
    ledger_place,
    lookup,
    micro_f1,
    normalise_title,
    recovered,
    spread,
    targets,
    title_match,
)
from eval.realistic.sections import _init_worker, score_file


def _rec(kind: str, start: int, end: int, body: str = "", title: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "char_start": start, "char_end": end, "body": body, "title": title}


def test_site_fold_is_deterministic_per_site_and_ignores_www_and_case() -> None:
    folds = {site_fold(f"site{i}.com") for i in range(200)}
    assert folds == set(range(5))  # 200 sites fill all five folds
    assert site_fold("WWW.Example.com") == site_fold("example.com") == site_fold("example.com:443")
    assert site_fold("example.com", 3) in (0, 1, 2)
    assert site_key("www.BBC.co.uk") == "bbc.co.uk"
    assert url_site("https://www.wsj.com/articles/x") == "wsj.com"


def test_title_match_exact_after_normalising_and_lenient() -> None:
    assert normalise_title("  It’s  A\u00a0Title ") == "it's a title"
    assert title_match("It’s a title", "It's A Title") == (True, True)
    assert title_match("It's a title | The Site", "It's a title") == (False, True)  # gold inside the prediction
    assert title_match("Something else entirely", "It's a title") == (False, False)
    assert title_match(None, "It's a title") == (False, False)


def test_align_places_gold_tokens_in_order_and_content_span_skips_stray_words() -> None:
    text = "Menu Home News\n\nThe quick brown fox jumps over the lazy dog today\n\nShare Home"
    located = align("The quick brown fox jumps over the lazy dog today", text, offset=100)
    assert all(loc is not None for loc in located)
    assert located[0] == (100 + text.index("The quick"), 100 + text.index("The quick") + 3)
    # a gold word found only in the chrome ("home") does not move the content start
    blocks = align_blocks("home the quick brown fox jumps over the lazy dog", text)
    assert [b[1] for b in blocks] == [1, 9]
    assert content_span(blocks) == (text.index("The quick"), text.index(" today"))
    assert content_span(align_blocks("home news", text)) == (text.index("Home"), text.index("Home") + 9)
    assert content_span([]) is None
    assert align("absent words", text) == [None, None]


def test_comment_leak_counts_only_comment_words_beyond_the_gold() -> None:
    gold = "the council approved the budget"
    comments = "the budget is a scam says bob"
    leaked, total = comment_leak("the council approved the budget a scam", gold, comments)
    assert total == 5  # is a scam says bob ("the", "budget" are explained by the gold)
    assert leaked == 2  # a, scam
    assert comment_leak(gold, gold, comments) == (0, 5)


def test_micro_f1_best_record_and_recovered() -> None:
    assert micro_f1([(1, 2, 2), (1, 2, 2)]) == pytest.approx(0.5)
    assert micro_f1([(0, 0, 0)]) == 1.0
    recs = [_rec("article", 0, 10, "a b c"), _rec("related", 5, 40), _rec("article", 10, 30, "d e f g")]
    assert best_record(recs, (8, 30)) is recs[2]
    assert best_record(recs, (50, 60)) is None
    assert recovered(recs, "d e f g")
    assert recovered(recs, "d e f g h") is True  # F1 0.89
    assert not recovered(recs, "d e f g h i j k")  # F1 0.67
    assert not recovered([_rec("related", 0, 9, "d e f g")], "d e f g")  # only article records count


def test_error_rules_from_a_suite_flag_the_rows_that_would_be_quarantined() -> None:
    suite = {
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "title", "row_condition": 'kind == "article"', "condition_parser": "pandas"},
                "meta": {"severity": "error", "reason": "article has no title"},
            },
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "n_words", "min_value": 20},
                "meta": {"severity": "error", "reason": "short"},
            },
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": "body", "regex": "[^\\W\\d_]"},
                "meta": {"severity": "warning", "reason": "warning only"},
            },
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}, "meta": {"severity": "error"}},
        ]
    }
    rules = error_rules(suite)
    assert [r.reason for r in rules] == ["article has no title", "short"]
    assert failed_rules({"kind": "article", "title": None, "n_words": 25}, rules) == ["article has no title"]
    assert failed_rules({"kind": "related", "title": None, "n_words": 25}, rules) == []
    assert failed_rules({"kind": "article", "title": "T", "n_words": 3, "body": "123"}, rules) == ["short"]
    assert failed_rules({"kind": "article", "n_words": 3}, rules) == ["short"]  # no title column: not checked


def test_error_rules_read_conditions_joined_by_and_with_null_tests() -> None:
    """A row condition of several terms (``==``, ``!=``, ``isnull()``, ``notnull()`` joined by ``and``) holds only
    when every term does, as pandas' query reads it; a term it cannot read leaves the rule out."""
    exp = {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "n_words", "min_value": 20, "row_condition": 'kind == "article" and dateline.isnull()'},
        "meta": {"severity": "error", "reason": "short"},
    }
    rules = error_rules({"expectations": [exp]})
    assert failed_rules({"kind": "article", "dateline": None, "n_words": 3}, rules) == ["short"]
    assert failed_rules({"kind": "article", "dateline": "PARIS", "n_words": 3}, rules) == []  # a brief
    assert failed_rules({"kind": "related", "dateline": None, "n_words": 3}, rules) == []
    exp["kwargs"]["row_condition"] = 'dateline.notnull() and kind != "related"'
    rules = error_rules({"expectations": [exp]})
    assert failed_rules({"kind": "article", "dateline": "PARIS", "n_words": 3}, rules) == ["short"]
    assert failed_rules({"kind": "article", "dateline": None, "n_words": 3}, rules) == []
    exp["kwargs"]["row_condition"] = "n_words > 3 or kind == 'x'"
    assert error_rules({"expectations": [exp]}) == []


def test_page_files_hold_one_fold_and_their_spans_are_the_pages() -> None:
    pages = [
        Page(f"p/{i}", f"site{i % 7}.com", f"Page {i} menu\n\nbody {i} words", f"body {i} words") for i in range(40)
    ]
    files = build_page_files(pages, 12, random.Random(1))
    assert [len(b.golds) for b in files] == [1, 2, 3, 4] * 3
    by_id = {p.id: p for p in pages}
    for b in files:
        assert {by_id[g.id].fold for g in b.golds} == {b.fold}
        assert all(b.text[g.start : g.end] == by_id[g.id].text for g in b.golds)
        assert b.text.endswith("\n") and "\n\n\n" not in b.text
    assert build_page_files(pages, 12, random.Random(1))[5].text == files[5].text  # seeded


def test_site_files_hold_2_to_4_pages_of_one_site() -> None:
    pages = [Page(f"p/{i}", f"site{i % 5}.com", f"Page {i}\n\nbody {i}", f"body {i}") for i in range(15)]
    pages.append(Page("p/lone", "lone.com", "Alone\n\nbody", "body"))  # (a site of one page is never drawn)
    files = build_site_files(pages, 9, random.Random(3))
    by_id = {p.id: p for p in pages}
    assert [len(b.golds) for b in files] == [2, 3, 3] * 3  # (2-4 a file, at most the site's three pages)
    for b in files:
        assert {by_id[g.id].site for g in b.golds} == {b.group["site"]} and b.group["site"] != "lone.com"
        assert all(b.text[g.start : g.end] == by_id[g.id].text for g in b.golds)
    assert build_site_files(pages[-1:], 3, random.Random(3)) == []


def test_renderings_keep_the_words_and_change_only_the_layout() -> None:
    body = "The council agreed a plan. " * 8
    page = "Home\n* News\n* Sport\n\nCouncil agrees river plan\n\n" + body + "\n\n(c) 2024\n"
    for how in RENDERINGS:
        out = render(page, how)
        assert out.split() == page.split(), how
    assert "\n\n" not in render(page, "no_blank_lines")
    assert all(len(line) <= 76 for line in render(page, "wrapped_76").split("\n"))
    assert render(page, "blocks_on_one_line").split("\n\n")[0] == "Home * News * Sport"
    assert "\n" not in render(page, "blank_between_lines").replace("\n\n", "")
    with pytest.raises(ValueError, match="unknown rendering"):
        render(page, "pdf")


def test_render_stories_with_and_without_headlines() -> None:
    stories = [Story("a", "Title A", "Body of A.", "bbc", "tech"), Story("b", "Title B", "Body of B.", "bbc", "tech")]
    text, golds = render_stories(stories, "\n\n\n", True)
    assert text == "Title A\n\nBody of A.\n\n\nTitle B\n\nBody of B.\n"
    assert [text[g.start : g.title_end] for g in golds] == ["Title A", "Title B"]
    assert golds[1].title == "Title B" and golds[1].body == "Body of B."
    text, golds = render_stories(stories, "\n\n", False)
    assert text == "Body of A.\n\nBody of B.\n"
    assert [(g.title, g.title_end == g.start) for g in golds] == [(None, True), (None, True)]


def test_story_files_are_four_variants_of_one_draw_of_5_to_40() -> None:
    bbc = [Story(f"{t}/{i}", f"T{i}", f"b {i}", "bbc", t) for t in ("tech", "sport") for i in range(50)]
    reuters = [Story(f"r#{i}", f"R{i}", f"r {i}", "reuters", "reuters") for i in range(60)]
    briefs = [Story(f"rb#{i}", f"RB{i}", "brief", "reuters", "reuters") for i in range(20)]
    files = build_story_files({"bbc": bbc, "reuters": reuters, "reuters_every": reuters + briefs}, 2, random.Random(3))
    assert len(files) == 4 * 2 * 4
    # the kind with the briefs comes last: the draws of the other kinds are those of before it existed
    before = build_story_files({"bbc": bbc, "reuters": reuters, "reuters_every": reuters}, 2, random.Random(3))
    assert [b.text for b in before[: 3 * 2 * 4]] == [b.text for b in files[: 3 * 2 * 4]]
    assert {b.group["kind"] for b in files[3 * 2 * 4 :]} == {"reuters_every"}
    for i in range(0, len(files), 4):
        draws = {tuple(g.id for g in b.golds) for b in files[i : i + 4]}
        assert len(draws) == 1 and 5 <= len(next(iter(draws))) <= 40
        assert {b.group["variant"] for b in files[i : i + 4]} == {
            "with_one_blank_line",
            "without_one_blank_line",
            "with_two_blank_lines",
            "without_two_blank_lines",
        }
    for b in files:
        if b.group["kind"] == "bbc_same_topic":
            assert len({g.id.split("/")[0] for g in b.golds}) == 1


def test_multinews_segments_and_files() -> None:
    line = "First art NEWLINE_CHAR NEWLINE_CHAR second para ||||| ||||| Other article here "
    segs = multinews_segments(line, 10)
    assert [t for _, _, t in segs] == ["First art\n\nsecond para", "Other article here"]
    assert line[segs[1][0] - 10 : segs[1][1] - 10] == "Other article here"
    src = line + "\n" + "x " * 30 + "||||| y\n"
    raw, texts = build_multinews(src, None)
    assert raw.fmt == "multinews" and len(texts) == 2
    assert texts[0].text == "First art\n\nsecond para\n\nOther article here\n"
    assert [g.scored for g in raw.golds] == [False, False, True, False]  # 20+ words are scored
    assert raw.golds[2].start == len(line) + 1


def test_ledger_places_tokens_removed_first_then_by_row() -> None:
    rows = [(0, 20, "article"), (20, 40, "quarantine")]
    removed = [(5, 10, "edge_chrome")]
    assert ledger_place((6, 8), removed, rows) == ("removed", "edge_chrome")
    assert ledger_place((2, 4), removed, rows) == ("article", None)
    assert ledger_place((25, 27), removed, rows) == ("quarantine", None)
    assert ledger_place((45, 47), removed, rows) == ("elsewhere", None)
    text = "aaa bbb ccc ddd eee fff ggg"
    gold = GoldArticle("g", 0, len(text), 0, None, "aaa bbb ccc zzz eee")
    places, rules, missing = ledger_counts([gold], text, [(4, 8, "menu")], [(0, 12, "article"), (12, 27, "related")])
    assert places == Counter({"article": 2, "removed": 1, "related": 1}) and rules == Counter({"menu": 1})
    assert missing == 1  # zzz is not in the text


def test_spread_lookup_and_targets() -> None:
    s = spread([0.0, 1.0] * 20)
    assert s["value"] == 0.5 and 0 < s["std"] < 0.2 and s["ci95"][0] < 0.5 < s["ci95"][1] and s["n"] == 40
    assert spread([])["value"] is None
    res: dict[str, Any] = {"single": {"all": {"body_f1": 0.91, "body_f1_spread": s}, "titles": {"exact": 0.5}}}
    assert lookup(res, "single.all.body_f1") == 0.91 and lookup(res, "single.nope.x") is None
    by_key = {t["key"]: t for t in targets(res)}
    assert by_key["single.all.body_f1"]["met"] is True and by_key["single.all.body_f1"]["spread"] is s
    assert by_key["single.titles.exact"]["met"] is False
    assert by_key["ledger.all.quarantine"]["met"] is None


def fake_factory(fold: int | None) -> Extractor:
    """A stand-in extractor for ``score_file``: one untitled article record per blank-line block."""

    def extract(text: str, fmt: str) -> list[dict[str, Any]]:
        out, pos = [], 0
        for block in text.split("\n\n"):
            if block.strip():
                out.append(_rec("article", pos, pos + len(block), block, None) | {"n_words": len(block.split())})
            pos += len(block) + 2
        return out

    return extract


def test_score_file_scores_boundaries_recovery_and_what_would_be_quarantined() -> None:
    _init_worker("tests.unit.test_eval_realistic:fake_factory")
    try:
        long_body = " ".join(f"w{i}" for i in range(30))
        short_body = " ".join(f"s{i}" for i in range(12))  # untitled, under the suite's 20 words: an error-level rule
        stories = [Story("a", "A", long_body, "bbc", "t"), Story("b", "B", short_body, "bbc", "t")]
        text, golds = render_stories(stories, "\n\n", False)
        res = score_file(Built("f", text, "text", None, golds, {"kind": "bbc", "variant": "v"}))
    finally:
        _init_worker(DEFAULT_EXTRACTOR)
    assert res["counts"] == (1, 1, 1)  # the second story's start is found, the first is the file's start
    assert [a["recovered"] for a in res["articles"]] == [True, True]
    assert [a["recovered_in_articles"] for a in res["articles"]] == [True, False]  # the short one is quarantined
    assert res["n_failing_articles"] == 1
    assert res["failed_reasons"] == Counter({"article body has fewer than 20 words under no headline or dateline": 1})


def test_baseline_of_a_previous_run_keeps_its_commit_and_target_values() -> None:
    prev = {"meta": {"code": {"git_commit": "abc1234"}}, "targets": [{"key": "single.all.body_f1", "value": 0.8}]}
    base = baseline_of(prev)
    assert base["commit"] == "abc1234" and base["values"] == {"single.all.body_f1": 0.8}
    assert baseline_of({})["values"] == {}


def test_pages_and_dev_folds_from_a_tiny_corpus(tmp_path: Any) -> None:
    import json

    sh = tmp_path / "corpora" / "scrapinghub"
    (sh / "page_text").mkdir(parents=True)
    truth = {
        "aa" * 32: {"url": "https://www.one.com/a", "articleBody": "body one"},
        "bb" * 32: {"url": "http://two.org/b", "articleBody": "b2"},
    }
    (sh / "ground-truth.json").write_text(json.dumps(truth))
    for key in truth:
        (sh / "page_text" / f"{key}.txt").write_text(f"  menu\n\npage {key[:2]}\n")
    dn = tmp_path / "corpora" / "dragnet"
    for sub in ("page_text", "gold", "comments"):
        (dn / sub).mkdir(parents=True)
    (dn / "sites.json").write_text(json.dumps({"1": "www.one.com", "2": "three.net"}))
    (dn / "titles.json").write_text(json.dumps({"1": {"from": "h1", "title": "Title one"}}))
    for n in ("1", "2", "3"):
        (dn / "page_text" / f"{n}.txt").write_text(f"page {n}")
        (dn / "gold" / f"{n}.txt").write_bytes(b"g\x00o\x00l\x00d" if n == "3" else f"gold {n}".encode())
    (dn / "comments" / "1.txt").write_text("a comment")

    sh_pages = scrapinghub_pages(tmp_path)
    assert [(p.site, p.gold, p.text) for p in sh_pages] == [
        ("one.com", "body one", "menu\n\npage aa"),
        ("two.org", "b2", "menu\n\npage bb"),
    ]
    dn_pages, skipped = dragnet_pages(tmp_path)
    assert skipped == ["dragnet/3"]  # its gold is not text
    assert [(p.id, p.site, p.title, p.comments) for p in dn_pages] == [
        ("dragnet/1", "one.com", "Title one", "a comment"),
        ("dragnet/2", "three.net", None, None),
    ]
    folds = {f["id"]: f for f in dev_page_folds(tmp_path)}
    assert len(folds) == 5  # every page, the one with an unreadable gold too
    for p in sh_pages + dn_pages:
        assert folds[p.id]["fold"] == p.fold == site_fold(p.site)
    assert folds["dragnet/3"]["site"] == "dragnet-3"
    assert folds["scrapinghub/" + "aa" * 6]["fold"] == folds["dragnet/1"]["fold"]  # one site, one fold


def test_a_multinews_text_under_two_lines_is_no_gold_article() -> None:
    notice = "This page was saved by a crawler and the story it linked to could not be shown here at all today."
    story = "The ferry to the island will run twice a day from May while the old pier is being rebuilt. " * 3
    src = f"{story} ||||| {notice}\nA different story about a museum that reopened after a long repair. {notice}\n"
    src += f"{notice} ||||| A third story on a bakery that won a prize for its rye bread this week.\n"
    raw, texts = build_multinews(src, None)
    # (the article of line 1 that ends with the notice is an article)
    assert [g.id for g in raw.golds] == ["0.0", "1.0", "2.1"] and all(g.body != notice for g in raw.golds)
    assert [[g.id for g in t.golds] for t in texts] == [["0.0"], ["1.0"], ["2.1"]]
    # a text repeated under one line only stays an article
    raw, _ = build_multinews(f"{story} ||||| {notice} ||||| {notice}\n", None)
    assert [g.body for g in raw.golds] == [story.strip(), notice, notice]
