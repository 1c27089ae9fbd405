"""The exit code of a finished run and the problems behind it (``corpus_etl.outcome``), and run names."""

from __future__ import annotations

import pytest

from corpus_etl import outcome
from tasks.naming import batch_run_name, ingest_run_name


@pytest.mark.parametrize(
    ("n_failed", "dq_errors", "fail_on", "code"),
    [
        (0, 0, "any", 0),
        (2, 0, "any", 3),
        (0, 1, "any", 4),
        (2, 1, "any", 5),
        (2, 1, "files", 3),
        (2, 1, "dq", 4),
        (2, 1, "none", 0),
        (0, 1, "files", 0),
        (2, 0, "dq", 0),
    ],
)
def test_exit_code(n_failed: int, dq_errors: int, fail_on: str, code: int) -> None:
    summary = {"n_failed": n_failed, "dq_errors": dq_errors, "n_quarantined": dq_errors}
    assert outcome.exit_code(summary, fail_on) == code
    assert bool(outcome.problems(summary, fail_on)) == bool(code)


def test_problems_say_what_failed() -> None:
    assert outcome.problems({"n_failed": 1, "dq_errors": 2, "n_quarantined": 1}) == [
        "1 file failed",
        "2 error-level expectation results failed (1 record quarantined)",
    ]
    with pytest.raises(ValueError, match="fail_on must be one of"):
        outcome.problems({}, "sometimes")


def test_dq_error_count_counts_failed_error_level_results_only() -> None:
    results = [
        {"severity": "error", "success": False},
        {"severity": "error", "success": True},
        {"severity": "warning", "success": False},
    ]
    assert outcome.dq_error_count(results) == 1


def test_run_names() -> None:
    assert batch_run_name({"batch": 2, "n_batches": 46}) == "process-batch-3-of-46"
    assert ingest_run_name(["/data/news/"], "/srv/corpus") == "ingest-news-into-corpus"
    assert ingest_run_name(["a", "b", "c"], "data") == "ingest-a-and-2-more-into-data"
    assert ingest_run_name(["s3://bucket/prefix"], None) == "ingest-s3-bucket-prefix"
    assert ingest_run_name(["samples/*.txt"], "my warehouse") == "ingest-txt-into-my-warehouse"
