"""Issue: data quality you can see. The real flow on the seeds plus crafted bad articles."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from corpus_etl.settings import Settings
from expectations.validate import DEFAULT_PARAMS, learned_params

pytestmark = pytest.mark.e2e

BOILERPLATE_PAGE = "Skip to main content\n\nRead more\n\nSponsored content\n\nCopyright \u00a9 2024 Example News\n"
ONE_LINE = "Council meets today.\n"
NO_LETTERS = "1234 5678 9012 3456.\n\n7890 1234 5678 9012.\n"


def rows(wh, sql, params=None):
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_bad_articles_go_to_quarantine_with_reasons_and_nothing_is_lost(prefect_api, seeds_dir, tmp_path):
    from flows.ingest import ingest

    src = tmp_path / "src"
    src.mkdir()
    for p in seeds_dir.glob("*.txt"):
        shutil.copy(p, src / p.name)
    (src / "boilerplate_only.txt").write_text(BOILERPLATE_PAGE, encoding="utf-8")
    (src / "one_line.txt").write_text(ONE_LINE, encoding="utf-8")
    (src / "no_letters.txt").write_text(NO_LETTERS, encoding="utf-8")
    wh = tmp_path / "wh"
    s = ingest([str(src)], Settings(warehouse=wh))

    q = dict(rows(wh, "select regexp_extract(source_path, '[^/]*$'), failed_expectations from quarantine"))
    assert set(q) == {"one_line.txt", "no_letters.txt"}
    # the one-liner is quarantined for being no article (a handful of words), not for its missing title
    assert any("fewer than 5 words" in r for r in q["one_line.txt"])
    assert not any("title" in r for rs in q.values() for r in rs)
    assert any("no letters" in r for r in q["no_letters.txt"])
    # the boilerplate-only page yields no record: every character of it is a removed span with its rule
    bp = rows(
        wh,
        "select rule, text from removed_spans r join sources s using (source_id) where s.path like ?",
        ["%boilerplate_only.txt"],
    )
    assert {r for r, _ in bp} == {"skip_link", "read_more", "advertisement", "copyright"}
    assert "".join(t for _, t in sorted(bp, key=lambda x: x[1])) and sum(len(t) for _, t in bp) == len(BOILERPLATE_PAGE)
    # loaded + quarantined account for every record split; counts per source agree
    assert s["n_records"] == s["n_loaded"] + s["n_quarantined"] == 6 + 3 + 2
    assert rows(wh, "select sum(n_articles), sum(n_quarantined) from sources") == [(s["n_loaded"], 2)]
    # every result of every expectation is kept, per suite and batch, with its severity
    suites = dict(rows(wh, "select suite, count(*) from dq_runs where run_id = ? group by suite", [s["run_id"]]))
    assert set(suites) == {"articles", "sources", "batches"}
    failed = rows(
        wh,
        'select suite, severity, expectation_type, "column" from dq_results '
        "where run_id = ? and not success order by 1, 3, 4",
        [s["run_id"]],
    )
    assert not any(f[0] == "articles" and f[3] == "title" and f[1] == "error" for f in failed)
    assert ("articles", "error", "expect_column_values_to_match_regex", "body") in failed
    # 2 of 11 records quarantined: the batch-level warning on the quarantined share stays quiet (< 20 %)
    assert not any(f[0] == "batches" and f[3] == "quarantined_share" for f in failed)
    assert rows(wh, "select count(*) from dq_results where run_id = ? and suite = 'batches'", [s["run_id"]]) == [(4,)]


def test_a_batch_of_mostly_bad_records_raises_the_batch_warnings(prefect_api, tmp_path):
    from flows.ingest import ingest

    src = tmp_path / "src"
    src.mkdir()
    for i in range(4):
        (src / f"brief{i}.txt").write_text(ONE_LINE, encoding="utf-8")
    wh = tmp_path / "wh"
    s = ingest([str(src)], Settings(warehouse=wh))
    warned = {
        c
        for (c,) in rows(
            wh,
            "select \"column\" from dq_results where run_id = ? and suite = 'batches' "
            "and not success and severity = 'warning'",
            [s["run_id"]],
        )
    }
    assert {"quarantined_share", "duplicate_share", "mean_words"} <= warned
    assert rows(wh, "select count(*) from articles") == [(0,)] and s["n_quarantined"] == 4


def test_learned_bounds():
    assert learned_params([]) == DEFAULT_PARAMS and learned_params([300.0, 310.0]) == DEFAULT_PARAMS
    p = learned_params([300.0, 310.0, 290.0, 305.0])
    assert 200 < p["$LEARNED_MEAN_WORDS_MIN"] < 290 and 310 < p["$LEARNED_MEAN_WORDS_MAX"] < 400
    wide = learned_params([100.0, 500.0, 900.0])
    assert wide["$LEARNED_MEAN_WORDS_MIN"] == 0.0 and wide["$LEARNED_MEAN_WORDS_MAX"] > 1400


def test_begin_run_reads_the_learned_history(tmp_path):
    from datetime import UTC, datetime, timedelta

    from warehouse.db import connect, ensure_schema
    from warehouse.loader import begin_run

    db = tmp_path / "corpus.duckdb"
    con = connect(db)
    ensure_schema(con)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for i, (status, mean) in enumerate([("completed", 300.0), ("completed", 320.0), ("failed", 9999.0)]):
        con.execute(
            "insert into runs (run_id, flow_name, started_at, status, sources_requested, n_discovered, n_skipped, "
            "n_processed, n_failed, n_records, n_loaded, n_quarantined, n_removed_spans, bytes_read, settings_json) "
            "values (?, 'f', ?, ?, '', 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}')",
            [f"r{i}", t0 + timedelta(hours=i), status],
        )
        con.execute(
            'insert into dq_results (run_id, suite, batch, expectation_id, expectation_type, "column", severity, '
            "success, observed_value) values (?, 'batches', 0, 'x', 'expect_column_max_to_be_between', "
            "'mean_words', 'warning', true, ?)",
            [f"r{i}", str(mean)],
        )
    con.close()
    start = begin_run(db, "new", "f", t0 + timedelta(days=1), [], "{}")
    assert sorted(start.mean_words_history) == [300.0, 320.0]  # the failed run's batches are not learned from
