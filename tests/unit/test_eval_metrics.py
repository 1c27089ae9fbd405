"""Exact tests of the evaluation's metric functions (``eval.metrics``, ``eval.run``) on tiny inline strings."""

from __future__ import annotations

import hashlib

import pytest

from corpora.glue import build_concatenation
from corpora.reuters import parse_reuters, render_reuters_body
from eval.metrics import (
    benchmark_scores,
    benchmark_tp_fp_fn,
    best_overlap,
    bootstrap,
    bootstrap_mean,
    boundary_counts,
    boundary_errors,
    boundary_window,
    main_article,
    match_boundaries,
    titles_equal,
    token_prf,
    token_tp_fp_fn,
    tokenize,
)
from eval.run.corpus import language_texts, scrapinghub_half
from eval.run.measure import targets


def test_tokenize_lowercases_word_tokens() -> None:
    assert tokenize("Hello, World! hello_x 42 Été") == ["hello", "world", "hello_x", "42", "été"]
    assert tokenize(None) == []


def test_token_prf_subset() -> None:
    p, r, f = token_prf("The cat sat", "the cat sat on the mat")
    assert (p, r) == (1.0, 0.5)
    assert f == pytest.approx(2 / 3)


def test_token_prf_counts_multisets() -> None:
    # "the" x3 against "the" x1: only one of them overlaps.
    p, r, f = token_prf("the the the", "the cat")
    assert (p, r) == (pytest.approx(1 / 3), 0.5)
    assert f == pytest.approx(0.4)


def test_token_prf_empty_sides() -> None:
    assert token_prf("", "") == (1.0, 1.0, 1.0)
    assert token_prf("", "gold text") == (0.0, 0.0, 0.0)
    assert token_prf("noise", "gold text") == (0.0, 0.0, 0.0)


def test_benchmark_shingles_and_scores() -> None:
    # Pred 4-grams: (a b c d), (b c d e); gold: (a b c d). tp=1, fp=1, fn=0, normalised to sum 1.
    assert benchmark_tp_fp_fn("a b c d e", "a b c d") == (0.5, 0.5, 0.0)
    p, r, f = benchmark_scores([(0.5, 0.5, 0.0)])
    assert (p, r) == (0.5, 1.0)
    assert f == pytest.approx(2 / 3)
    # An empty prediction is left out of the mean precision, not counted as 0.
    p, r, _ = benchmark_scores([(0.5, 0.5, 0.0), (0.0, 0.0, 1.0)])
    assert (p, r) == (0.5, 0.5)


def test_token_marks_aggregate_as_the_benchmark() -> None:
    # "The cat sat" against "the cat": tokens are lower-cased; tp=2, fp=1, fn=0, normalised to sum 1.
    assert token_tp_fp_fn("The cat sat", "the cat") == (pytest.approx(2 / 3), pytest.approx(1 / 3), 0.0)
    assert token_tp_fp_fn("", "") == (0.0, 0.0, 0.0)
    # Two pages, one perfect, one with half its gold found: mean P 1, mean R 0.75, F1 6/7, while the mean of
    # the per-page F1 is (1 + 2/3) / 2 = 5/6: the benchmark's aggregation weighs a failed page less.
    marks = [token_tp_fp_fn("a b", "a b"), token_tp_fp_fn("a", "a b")]
    assert benchmark_scores(marks) == (1.0, 0.75, pytest.approx(6 / 7))
    assert (token_prf("a b", "a b")[2] + token_prf("a", "a b")[2]) / 2 == pytest.approx(5 / 6)


def test_targets_give_both_readings_of_the_body_f1() -> None:
    def half(mean_f1: float, bench: float) -> dict[str, float]:
        return {"n_docs": 90, "mean_f1": mean_f1, "benchmark_token_f1": bench}

    res = {
        "scrapinghub": {**half(0.92, 0.93), "halves": {"dev": half(0.95, 0.95), "held-out": half(0.89, 0.91)}},
        "bbc": {"no_separator": {"boundary_f1": 0.98, "title_exact": 0.97}},
        "reuters": {"no_separator": {"boundary_f1": 0.97, "title_exact": 0.96}},
        "language": {"min_supported_language": "ca", "min_supported_accuracy": 0.98},
        "seeds": {"checks": [{"pass": True}], "all_pass": True},
    }
    status = {t["target"]: (t["value"], t["met"]) for t in targets(res)}
    sh = [k for k in status if k.startswith("scrapinghub")]
    assert len(sh) == 4
    assert status[next(k for k in sh if "as the benchmark" in k and "held-out" in k)] == (0.91, True)
    assert status[next(k for k in sh if "per-page" in k and "held-out" in k)] == (0.89, False)
    assert status[next(k for k in sh if "per-page" in k and "all pages" in k)] == (0.92, True)


def test_boundary_window_covers_title_line_or_tolerance() -> None:
    assert boundary_window(100, 180, 50) == (50, 180)
    assert boundary_window(100, 120, 50) == (50, 150)


def test_match_boundaries_matches_each_gold_once() -> None:
    assert match_boundaries([100, 148], [(50, 150)]) == [(0, 0)]
    assert match_boundaries([10, 200], [(50, 150)]) == []


def test_match_boundaries_is_maximal() -> None:
    # Taking 50 for the wide window first would leave the narrow one empty.
    assert match_boundaries([50, 90], [(0, 100), (40, 60)]) == [(0, 1), (1, 0)]


def test_boundary_errors_say_where_each_missed_page_and_extra_start_is() -> None:
    """Five pages of 1,000 characters, each page's content from 200 to 900 past its start. Page 1 is glued to the
    article before; page 2's article record starts late; page 3's content is in a related record; page 4's is in no
    record. Extra starts: in page 0's content (a split article), after it (a teaser that holds page 1), page 2's late
    start inside its content, a record after page 3's content. The counts add up to boundary_counts' misses and
    false boundaries."""
    from eval.metrics import (
        EXTRA_AFTER,
        EXTRA_BEFORE,
        EXTRA_INSIDE,
        MISSED_GLUED,
        MISSED_LATE,
        MISSED_RELATED,
        MISSED_REMOVED,
    )

    gold = [(k * 1000, k * 1000 + 200) for k in range(5)]  # (start, title end: the content's start)
    contents = [(k * 1000 + 200, k * 1000 + 900) for k in range(5)]

    def rec(kind: str, a: int, b: int) -> dict[str, object]:
        return {"kind": kind, "char_start": a, "char_end": b}

    records = [
        rec("article", 0, 500),
        rec("article", 500, 930),  # inside page 0's content: extra
        rec("article", 930, 1950),  # after page 0's content (a teaser) and holding page 1's: page 1 glued
        rec("article", 2600, 2950),  # page 2's record, starting late
        rec("related", 3150, 3950),  # page 3's content
        rec("article", 3905, 3930),  # after page 3's content: extra (and before page 4's window)
    ]
    errors = boundary_errors(records, gold, contents)
    assert errors == {
        EXTRA_INSIDE: 2,
        EXTRA_AFTER: 2,
        MISSED_GLUED: 1,
        MISSED_LATE: 1,
        MISSED_RELATED: 1,
        MISSED_REMOVED: 1,
    }
    hits, n_pred, n_gold = boundary_counts([r["char_start"] for r in records if r["kind"] == "article"], gold)
    assert sum(v for k, v in errors.items() if k.startswith("missed")) == n_gold - hits == 4
    assert sum(v for k, v in errors.items() if k.startswith("extra")) == n_pred - hits == 4
    # two records in page 1's window: the first matches it, the second is an extra start before its content
    two = [rec("article", 0, 900), rec("article", 1000, 1100), rec("article", 1100, 1900)]
    assert boundary_errors(two, gold[:2], contents[:2]) == {EXTRA_BEFORE: 1}
    assert boundary_errors(records, [], []) == {}


def test_boundary_counts_ignores_the_start_of_file() -> None:
    gold = [(0, 20), (500, 530)]  # (article start, end of its title line)
    assert boundary_counts([0, 520], gold, 50) == (1, 1, 1)
    # 560 is past both 500 + 50 and the title line: a false boundary.
    assert boundary_counts([0, 520, 560], gold, 50) == (1, 2, 1)
    # Two predictions near one gold boundary: one hit, one false boundary.
    assert boundary_counts([0, 490, 510], gold, 50) == (1, 2, 1)
    # A single article: no gold boundary; any later start is a false one.
    assert boundary_counts([0, 300], [(0, 20)], 50) == (0, 1, 0)


def test_titles_equal_collapses_whitespace_only() -> None:
    assert titles_equal("  Foo   bar\n", "Foo bar")
    assert not titles_equal("Foo bar.", "Foo bar")
    assert not titles_equal("foo bar", "Foo bar")
    assert not titles_equal(None, "Foo bar")


def test_best_overlap() -> None:
    assert best_overlap((10, 20), [(0, 12), (12, 30), (30, 40)]) == 1
    assert best_overlap((10, 20), [(0, 15), (15, 30)]) == 0  # tie: the first
    assert best_overlap((50, 60), [(0, 10)]) is None


def test_build_concatenation_spans() -> None:
    text, spans = build_concatenation(["ab", "cde"], "\n\n-----\n\n")
    assert text == "ab\n\n-----\n\ncde\n"
    assert spans == [(0, 2), (11, 14)]
    assert [text[s:e] for s, e in spans] == ["ab", "cde"]


def test_language_texts_joins_until_min_chars() -> None:
    sentences = ["a" * 150, "b" * 149, "", "c" * 200, "d" * 99, "e" * 10]
    # 150 + 1 + 149 = 300; 200 + 1 + 99 = 300; "e" x 10 is too short and dropped.
    assert language_texts(sentences, 300, 10) == ["a" * 150 + " " + "b" * 149, "c" * 200 + " " + "d" * 99]
    assert len(language_texts(sentences, 300, 1)) == 1


def test_render_reuters_body_paragraphs_and_wraps() -> None:
    raw = "    LONDON, March 2 - Foo bar\nbaz qux.\n    Second para\nline two.\n\tTabbed."
    assert render_reuters_body(raw) == "LONDON, March 2 - Foo bar\nbaz qux.\n\nSecond para\nline two.\n\nTabbed."


def test_parse_reuters_record() -> None:
    sgml = (
        '<REUTERS TOPICS="NO" NEWID="7">\n<TEXT>&#2;\n<TITLE>A &amp; B &lt;AB> UP</TITLE>\n'
        "<DATELINE>    NEW YORK, March 2 - </DATELINE><BODY>Shares of &lt;AB> rose\n"
        "sharply.\n    More text here.\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n"
        '<REUTERS NEWID="8"><TEXT TYPE="BRIEF"><TITLE>NO BODY</TITLE></TEXT></REUTERS>'
    )
    assert parse_reuters(sgml) == [
        ("7", "A & B <AB> UP", "NEW YORK, March 2 - Shares of <AB> rose\nsharply.\n\nMore text here.")
    ]


def test_main_article_is_the_longest_article_record() -> None:
    records = [
        {"kind": "article", "n_words": 5, "body": "a"},
        {"kind": "related", "n_words": 50, "body": "b"},
        {"kind": "article", "n_words": 9, "body": "c"},
        {"kind": "article", "n_words": 9, "body": "d"},
    ]
    main = main_article(records)
    assert main is not None and main["body"] == "c"
    assert main_article([{"kind": "related", "n_words": 3, "body": "x"}]) is None


def test_scrapinghub_half_is_a_fixed_roughly_even_split() -> None:
    keys = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(400)]
    halves = [scrapinghub_half(k) for k in keys]
    assert set(halves) == {"dev", "held-out"}
    assert 150 < halves.count("dev") < 250
    assert halves == [scrapinghub_half(k) for k in keys]  # deterministic


def test_bootstrap_mean_spread() -> None:
    std, lo, hi = bootstrap_mean([0.7] * 50)  # no spread without variation
    assert std == pytest.approx(0.0, abs=1e-12) and lo == pytest.approx(0.7) and hi == pytest.approx(0.7)
    assert bootstrap_mean([0.4]) == (0.0, 0.4, 0.4)
    values = [0.0, 1.0] * 50  # mean 0.5; std of a mean of 100 such draws is 0.5 / sqrt(100) = 0.05
    std, lo, hi = bootstrap_mean(values, n=2000)
    assert 0.04 < std < 0.06
    assert lo < 0.5 < hi
    assert lo > 0.38 and hi < 0.62  # about +-1.96 std
    assert bootstrap_mean(values) == bootstrap_mean(values)  # seeded
    assert bootstrap_mean(values, seed=1) != bootstrap_mean(values, seed=2)


def test_bootstrap_takes_any_statistic() -> None:
    values = [0.0, 1.0] * 50
    assert bootstrap(values, lambda xs: sum(xs) / len(xs)) == bootstrap_mean(values)  # same draws
    assert bootstrap(values, max)[1:] == (1.0, 1.0)  # a resample of 100 holds a 1 (all but surely)
    marks = [(1.0, 0.0, 0.0)] * 10 + [(0.0, 0.5, 0.5)] * 10  # the benchmark's scorer over documents
    std, lo, hi = bootstrap(marks, lambda xs: benchmark_scores(xs)[2])
    assert std > 0 and lo < benchmark_scores(marks)[2] < hi
