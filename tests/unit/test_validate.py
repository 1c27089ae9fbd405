"""The GX suites on crafted rows (real Great Expectations, no Prefect)."""

from __future__ import annotations

from datetime import UTC, datetime

from corpus_etl import schema
from corpus_etl.pipeline import article_id_for, sha256_hex
from expectations.validate import with_check_columns
from warehouse.loader import split_quarantine

GOOD_BODY = "The council approved the plan on Monday after a long debate. " * 5


def row(ordinal: int, title: str | None, body: str, **kw):
    h = sha256_hex(body)
    base = {
        "article_id": article_id_for("src", ordinal, h),
        "source_id": "src",
        "source_path": "/x",
        "ordinal": ordinal,
        "kind": "article",
        "title": title,
        "title_source": "headline" if title else "none",
        "body": body,
        "language": "en",
        "language_prob": 0.99,
        "authors": [],
        "tags": [],
        "char_start": ordinal * 1000,
        "char_end": ordinal * 1000 + 500,
        "n_words": len(body.split()),
        "n_paragraphs": 1,
        "content_hash": h,
        "run_id": "r",
        "ingested_at": datetime.now(UTC),
    }
    base.update(kw)
    return base


def test_bad_rows_are_flagged_with_reasons(validator):
    rows = [
        row(0, "Council approves the plan", GOOD_BODY),
        row(1, "Skip to main content", GOOD_BODY),  # boilerplate title: a warning, the article is loaded
        row(2, "A one-line article here", "Ferries run hourly."),  # too short
        row(3, "Numbers only in this one", "12345 67890 " * 12, language="und", language_prob=0.0),  # no letters
        row(4, None, GOOD_BODY),  # no title: an untitled article is an article
        row(5, "Hash does not match body", GOOD_BODY, content_hash="0" * 64),
        row(6, "Span beyond the source end", GOOD_BODY, char_end=10**9),
        row(7, None, "Short teaser.", kind="related"),  # title and length rules apply to main articles only
        row(8, "Odd title source", GOOD_BODY, title_source="guessed"),
    ]
    table = with_check_columns(schema.to_table(schema.ARTICLES, rows), {"src": 10_000})
    v = validator.validate("articles", table, "r", 0)
    reasons = {i: " ".join(r) for i, r in v.failed.items()}
    assert set(reasons) == {2, 3, 5, 6, 8}
    assert "fewer than 5 words" in reasons[2]
    assert "no letters" in reasons[3]
    assert "content_hash" in reasons[5]
    assert "after the source" in reasons[6]
    assert "title source" in reasons[8]
    # the title rules are warnings: recorded in the DQ history, nothing quarantined for them
    warned = {r["expectation_type"] + ":" + str(r["column"]) for r in v.dq_results if r["severity"] == "warning"}
    assert {"expect_column_values_to_not_match_regex_list:title"} <= warned
    # dq history: one dq_runs row, one dq_results row per expectation, warnings recorded but not quarantining
    assert len(v.dq_runs) == 1 and v.dq_runs[0]["success"] is False
    # GX's own copy of the result (unexpected rows included) is not kept: memory stays flat over batches
    assert validator.context.validation_results_store.list_keys() == []
    assert {r["severity"] for r in v.dq_results} == {"error", "warning"}
    ok, q = split_quarantine(schema.to_table(schema.ARTICLES, rows), v.failed, datetime.now(UTC))
    assert ok.num_rows == 4 and q.num_rows == 5 and q.schema == schema.QUARANTINE.schema


def test_a_news_brief_under_its_dateline_or_headline_is_an_article(validator):
    """A short body under a dateline (a Reuters dividend notice: 'OKLAHOMA CITY, March 31 -' and three lines of
    figures) or under a headline is a news brief and is loaded; the same body under neither is a fragment, and a
    handful of words under a headline is no article: both are quarantined. The warning on the share of short
    articles records the loaded ones."""
    brief = "Qtly div 10 cts vs 10 cts prior. Pay April 30. Record March 31."
    rows = [
        row(0, "EATERIES INC SETS DIVIDEND", brief, dateline="OKLAHOMA CITY, March 31"),
        row(1, "EATERIES INC SETS DIVIDEND", brief),
        row(2, None, brief),
        row(3, "EATERIES INC SETS DIVIDEND", "Pay April 30."),
        row(4, "EATERIES INC SETS DIVIDEND", "Pay April 30.", dateline="OKLAHOMA CITY, March 31"),
        *(row(i, f"Council approves the plan {i}", GOOD_BODY + str(i)) for i in range(5, 9)),
    ]
    v = validator.validate(
        "articles", with_check_columns(schema.to_table(schema.ARTICLES, rows), {"src": 10_000}), "r", 0
    )
    assert set(v.failed) == {2, 3}
    assert v.failed[2] == [
        "expect_column_values_to_be_between:n_words: article body has fewer than 20 words under no headline or dateline"
    ]
    assert v.failed[3] == ["expect_column_values_to_be_between:n_words: article body has fewer than 5 words"]
    short = [r for r in v.dq_results if r["severity"] == "warning" and r["column"] == "n_words"]
    assert len(short) == 1 and short[0]["success"] is False  # short articles are more than 5 % of the batch


def test_untitled_articles_are_loaded_and_their_share_is_watched(validator):
    """A batch of untitled articles (Multi-News, JSONL without a title, headline-less files) quarantines
    nothing; the warning-level expectation on the share of untitled articles fails when most are untitled."""
    few = [row(i, f"Council approves plan number {i}", GOOD_BODY + str(i)) for i in range(3)] + [
        row(3, None, GOOD_BODY)
    ]
    most = [row(i, None, GOOD_BODY + str(i)) for i in range(3)] + [row(3, "Council approves plan", GOOD_BODY)]
    results = {}
    for name, rows in (("few", few), ("most", most)):
        v = validator.validate(
            "articles", with_check_columns(schema.to_table(schema.ARTICLES, rows), {"src": 10_000}), "r", 0
        )
        assert v.failed == {}
        (untitled,) = [r for r in v.dq_results if r["column"] == "title" and "not_be_null" in r["expectation_type"]]
        assert untitled["severity"] == "warning"
        results[name] = untitled["success"]
    assert results == {"few": True, "most": False}


def test_the_share_of_articles_naming_no_outlet_is_watched(validator):
    """A batch whose pages name no outlet (BBC files: title and body only) quarantines nothing and fails the
    warning-level expectation on the outlet-none share; a batch of web pages of which most name their outlet
    passes it. `related` teasers are not counted."""
    named = {"outlet": "The Canadian Press", "outlet_source": "byline"}
    none = {"outlet": None, "outlet_source": "none"}
    batches = {
        "no outlets": [row(i, f"Council approves plan number {i}", GOOD_BODY + str(i), **none) for i in range(5)],
        "outlets": [row(i, f"Council approves plan number {i}", GOOD_BODY + str(i), **named) for i in range(3)]
        + [row(3, "Council approves plan", GOOD_BODY, **none)]
        # teasers without an outlet do not count: 4 of 9 rows but 1 of 4 articles name none
        + [row(i, None, f"Short teaser {i}.", kind="related", **none) for i in range(4, 9)],
    }
    results = {}
    for name, rows in batches.items():
        v = validator.validate(
            "articles", with_check_columns(schema.to_table(schema.ARTICLES, rows), {"src": 10_000}), "r", 0
        )
        assert v.failed == {}  # a warning: every row is loaded
        (check,) = [r for r in v.dq_results if r["column"] == "outlet"]
        assert check["severity"] == "warning" and check["expectation_type"] == "expect_column_values_to_not_be_null"
        assert check["element_count"] == sum(r["kind"] == "article" for r in rows)
        results[name] = (check["success"], check["unexpected_count"])
    assert results == {"no outlets": (False, 5), "outlets": (True, 1)}


def test_clean_batch_passes(validator):
    rows = [row(i, f"Council approves plan number {i}", GOOD_BODY + str(i)) for i in range(3)]
    v = validator.validate(
        "articles", with_check_columns(schema.to_table(schema.ARTICLES, rows), {"src": 10_000}), "r", 0
    )
    assert v.failed == {} and all(r["success"] for r in v.dq_results if r["severity"] == "error")


def test_only_the_columns_a_suite_reads_go_to_pandas():
    """``suite_columns`` finds every column an expectation or a row condition reads (the validator passes
    only those to pandas); a condition's column missing from the list would make GX fail the check."""
    from expectations.validate import load_suite_json, suite_columns

    cols = suite_columns(load_suite_json("articles"))
    assert {"kind", "language", "title", "body", "_body_sha256", "_source_chars", "char_end"} <= cols
    assert "authors" not in cols and "meta_json" not in cols
    assert suite_columns({"expectations": [{"kwargs": {"column": "a", "row_condition": 'b == "x" and c>1'}}]}) == {
        "a",
        "b",
        "c",
    }
