"""The dashboard from a small hand-made warehouse (no Prefect, no GX): escaping, bounds, speed, offline."""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from corpus_etl import schema
from expectations.datadocs import make_offline, remote_references
from warehouse.db import ensure_schema
from warehouse.report import build_dashboard
from warehouse.report.dashboard import CHART_POINTS, MAX_QUARANTINE_ROWS, esc

XSS_TITLE = "<script>alert(1)</script> council approves the plan"
BAD_PATH = '/data/in/<img src=x onerror="alert(2)">.txt'
BAD_SAMPLE = '["<svg onload=alert(3)>", "a & b"]'
BAD_ERROR = "cannot decode: <b>bytes</b> & 'quotes'"
N_RUNS = 1000
T0 = datetime(2026, 1, 1, tzinfo=UTC)

_ZERO: dict[str, Any] = {"string": "", "int32": 0, "int64": 0, "double": 0.0, "bool": False}


def _insert(con: duckdb.DuckDBPyConnection, spec: schema.TableSpec, rows: list[dict[str, Any]]) -> None:
    """Insert rows by column name; NOT NULL columns a row leaves out get a zero value (the schema may grow)."""
    filled = []
    for r in rows:
        r = dict(r)
        for f in spec.schema:
            if f.name not in r and not f.nullable:
                if pa.types.is_list(f.type):
                    r[f.name] = []
                elif pa.types.is_timestamp(f.type):
                    r[f.name] = T0
                else:
                    r[f.name] = _ZERO.get(str(f.type))
        filled.append(r)
    con.register("_rows", schema.to_table(spec, filled))
    con.execute(f'INSERT INTO "{spec.name}" BY NAME SELECT * FROM _rows')
    con.unregister("_rows")


def _article(i: int, run_id: str, title: str | None, body: str, path: str, **kw: Any) -> dict[str, Any]:
    h = hashlib.sha256(body.encode()).hexdigest()
    row = {
        "article_id": f"a{i:015d}",
        "source_id": hashlib.sha256(path.encode()).hexdigest()[:16],
        "source_path": path,
        "ordinal": i % 7,
        "kind": "article",
        "title": title,
        "body": body,
        "language": "en",
        "language_prob": 0.99,
        "authors": [],
        "tags": [],
        "char_start": 0,
        "char_end": len(body),
        "n_words": len(body.split()),
        "n_paragraphs": 1,
        "content_hash": h,
        "run_id": run_id,
        "ingested_at": T0,
    }
    row.update(kw)
    return row


def _run_id(i: int) -> str:
    return f"run-{i:04d}-0000-0000-0000-000000000000"


def make_warehouse(path: Path, n_runs: int = N_RUNS) -> Path:
    """A warehouse with ``n_runs`` runs of history, each validated (25 results), and hostile strings."""
    db = path / "corpus.duckdb"
    con = duckdb.connect(str(db))
    try:
        ensure_schema(con)
        runs = []
        for i in range(n_runs):
            runs.append(
                {
                    "run_id": _run_id(i),
                    "flow_name": "corpus-etl-ingest",
                    "started_at": T0 + timedelta(hours=i),
                    "finished_at": T0 + timedelta(hours=i, seconds=30),
                    "status": "failed" if i % 97 == 5 else "completed",
                    "error": "RuntimeError: <disk> full" if i % 97 == 5 else None,
                    "sources_requested": "/data/in",
                    "n_discovered": 40,
                    "n_skipped": 40 - (i % 9),
                    "n_processed": i % 9,
                    "n_failed": 1 if i % 13 == 0 else 0,
                    "n_records": (i % 9) * 3,
                    "n_loaded": max((i % 9) * 3 - (i % 4), 0),
                    "n_quarantined": i % 4,
                    "n_removed_spans": i % 11,
                    "bytes_read": 1000 * i,
                    "seconds": 12.5,
                    "settings_json": "{}",
                }
            )
        _insert(con, schema.RUNS, runs)
        # 2 suites x 1 batch per run, 25 expectation results per run, generated in SQL (25,000 rows)
        con.execute(
            """
            INSERT INTO dq_runs BY NAME
            SELECT r.run_id, s.suite, 0 AS batch, NOT (s.suite = 'articles' AND i % 10 = 0) AS success,
                   CASE WHEN s.suite = 'articles' THEN 18 ELSE 7 END AS evaluated,
                   CASE WHEN s.suite = 'articles' THEN 18 - (i % 10 = 0)::INT ELSE 7 END AS successful,
                   r.started_at
            FROM (SELECT run_id, started_at, row_number() OVER (ORDER BY started_at) - 1 AS i FROM runs) r,
                 (VALUES ('articles'), ('sources')) s(suite)
            """
        )
        con.execute(
            """
            INSERT INTO dq_results BY NAME
            SELECT r.run_id, CASE WHEN e < 18 THEN 'articles' ELSE 'sources' END AS suite, 0 AS batch,
                   'expect_column_values_to_not_be_null:col' || e || ':abc' || e AS expectation_id,
                   'expect_column_values_to_not_be_null' AS expectation_type, 'col' || e AS "column",
                   CASE WHEN e % 5 = 0 THEN 'warning' ELSE 'error' END AS severity,
                   NOT (e = 3 AND i % 10 = 0) AS success, 100 AS element_count,
                   CASE WHEN e = 3 AND i % 10 = 0 THEN 2 ELSE 0 END AS unexpected_count,
                   CASE WHEN e = 3 AND i % 10 = 0 THEN 2.0 ELSE 0.0 END AS unexpected_percent,
                   NULL AS observed_value, '[]' AS unexpected_sample
            FROM (SELECT run_id, row_number() OVER (ORDER BY started_at) - 1 AS i FROM runs) r, range(25) t(e)
            """
        )
        last = _run_id(n_runs - 1)
        # the last run fails one expectation with a hostile sample
        con.execute(
            "UPDATE dq_results SET success = false, unexpected_count = 2, unexpected_percent = 40.0, "
            "unexpected_sample = ? WHERE run_id = ? AND expectation_id = ?",
            [BAD_SAMPLE, last, "expect_column_values_to_not_be_null:col1:abc1"],
        )
        con.execute(
            "UPDATE dq_runs SET success = false, successful = evaluated - 1 WHERE run_id = ? AND suite = 'articles'",
            [last],
        )
        body = "The council voted on Tuesday to approve the plan after a long public hearing. " * 3
        articles = [
            _article(1, last, XSS_TITLE, body, "/data/in/a.txt"),
            _article(2, last, XSS_TITLE, body, "/data/in/b.txt"),  # a duplicate body
            _article(
                3, last, "Ferries resume", "Le conseil a voté le plan mardi soir. " * 4, "/data/in/c.txt", language="fr"
            ),
            _article(4, last, "Nothing to detect", "12345 " * 30, "/data/in/d.txt", language="und", language_prob=0.0),
        ]
        _insert(con, schema.ARTICLES, articles)
        quarantined = [
            {
                **_article(
                    100 + k, last, None if k % 2 else '<b onmouseover="x()">Bold</b> "title"', "Ferries run.", BAD_PATH
                ),
                "failed_expectations": ["expect_column_values_to_not_be_null:title: article has no <title>"],
                "quarantined_at": T0,
            }
            for k in range(MAX_QUARANTINE_ROWS + 10)
        ]
        _insert(con, schema.QUARANTINE, quarantined)
        sources = [
            {
                "source_id": hashlib.sha256(p.encode()).hexdigest()[:16],
                "path": p,
                "size_bytes": 100,
                "n_articles": n,
                "n_quarantined": q,
                "n_removed_spans": 1,
                "status": status,
                "error": err,
                "first_run_id": last,
                "last_run_id": last,
                "loaded_run_id": last if status == "loaded" else None,
                "format": "text",
            }
            for p, n, q, status, err in [
                ("/data/in/a.txt", 1, 0, "loaded", None),
                ("/data/in/b.txt", 1, 0, "loaded", None),
                ("/data/in/c.txt", 1, 0, "loaded", None),
                ("/data/in/d.txt", 1, 0, "loaded", None),
                (BAD_PATH, 0, len(quarantined), "loaded", None),
                ("/data/in/broken.png", 0, 0, "failed", BAD_ERROR),
            ]
        ]
        _insert(con, schema.SOURCES, sources)
        _insert(
            con,
            schema.REMOVED_SPANS,
            [
                {
                    "source_id": sources[4]["source_id"],
                    "char_start": 0,
                    "char_end": 0,
                    "rule": "pre_title_chrome",
                    "text": "<iframe src=//evil.example>",
                    "run_id": last,
                }
            ],
        )
    finally:
        con.close()
    return db


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_warehouse(tmp_path_factory.mktemp("wh"))


@pytest.fixture(scope="module")
def page(big: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, float]:
    out = tmp_path_factory.mktemp("out")
    t0 = time.perf_counter()
    path = build_dashboard(big, out)
    return path, path.read_text(encoding="utf-8"), time.perf_counter() - t0


def test_thousand_runs_fast_and_small(page: tuple[Path, str, float]) -> None:
    path, text, seconds = page
    assert path.name == "index.html"
    assert seconds < 10, f"build_dashboard took {seconds:.1f}s on {N_RUNS} runs"
    assert path.stat().st_size < 2_000_000
    # per-run charts are capped
    assert text.count('class="bar-loaded"') <= CHART_POINTS
    for chart, lines in (("chart-passrate", 1), ("chart-gaps", 2)):  # the shares chart: outlet and title
        svg = text.split(f'class="chart {chart}"', 1)[1].split("</svg>", 1)[0]
        assert 0 < svg.count("<circle ") <= lines * CHART_POINTS, chart
    # no leftover temporary file beside it
    assert sorted(p.name for p in path.parent.iterdir()) == ["index.html"]


def test_every_value_from_the_data_is_escaped(page: tuple[Path, str, float]) -> None:
    _, text, _ = page
    low = text.lower()
    # the page has no script, image, frame or remote reference at all: anything of that kind came from the data
    for tag in ("<script", "<img", "<iframe", "<svg onload", "<b onmouseover", "<title>bold", "<link", "@import"):
        assert tag not in low, tag
    assert "&lt;script&gt;alert(1)&lt;/script&gt; council approves the plan" in text
    assert esc(BAD_PATH.rpartition("/")[2]) in text
    assert "&lt;svg onload=alert(3)&gt;" in text
    assert esc(BAD_ERROR) in text
    assert "&lt;iframe src=//evil.example&gt;" in text  # the removed span before an untitled quarantined row
    assert "article has no &lt;title&gt;" in text
    assert "RuntimeError: &lt;disk&gt; full" in text
    assert not re.search(r"https?://", text)


def test_sections_and_numbers(page: tuple[Path, str, float]) -> None:
    _, text, _ = page
    for anchor in (
        "volume",
        "expectations",
        "gaps",
        "quarantine",
        "languages",
        "rules",
        "duplicates",
        "sources",
        "failures",
    ):
        assert f'id="{anchor}"' in text
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert f">{N_RUNS:,}<" in text  # runs in the summary band
    assert f"the first {MAX_QUARANTINE_ROWS} of {MAX_QUARANTINE_ROWS + 10}" in text
    assert "2 distinct bodies" not in text and "<b>1</b> distinct bodies" in text
    assert "col3" in text and 'class="strip"' in text
    assert "No GX Data Docs beside this page" in text


def test_connection_is_closed_and_database_untouched(big: Path, tmp_path: Path) -> None:
    before = big.read_bytes()
    build_dashboard(big, tmp_path)
    assert big.read_bytes() == before
    con = duckdb.connect(str(big))  # a read-write connection in this process fails if the read-only one is open
    con.close()


def test_empty_warehouse_and_bad_arguments(tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    con = duckdb.connect(str(db))
    ensure_schema(con)
    con.close()
    text = build_dashboard(db, tmp_path / "out").read_text(encoding="utf-8")
    assert "No runs yet." in text and "No run has validated data yet." in text
    with pytest.raises(ValueError):
        build_dashboard(db, tmp_path / "out", max_runs=0)
    with pytest.raises(FileNotFoundError):
        build_dashboard(tmp_path / "missing.duckdb", tmp_path / "out")


def test_links_into_data_docs_when_present(big: Path, tmp_path: Path) -> None:
    gx = tmp_path / "gx"
    (gx / "validations" / "articles" / "r" / "t").mkdir(parents=True)
    (gx / "index.html").write_text("<html></html>")
    (gx / "validations" / "articles" / "r" / "t" / "x.html").write_text("<html></html>")
    manifest = {
        "run_id": _run_id(N_RUNS - 1),
        "validations": {"articles": "validations/articles/r/t/x.html", "sources": "../../etc"},
    }
    (gx / "manifest.json").write_text(json.dumps(manifest))
    text = build_dashboard(big, tmp_path).read_text(encoding="utf-8")
    assert 'href="gx/index.html"' in text
    assert 'href="gx/validations/articles/r/t/x.html"' in text
    assert "../../etc" not in text


def test_data_docs_pages_are_made_offline() -> None:
    gx_page = (
        "<html><head><title>t</title>"
        '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>'
        '<link rel="shortcut icon" href="../static/images/favicon.ico"/>'
        "<style>.a{background:url('https://great-expectations-web-assets.s3.amazonaws.com/x.png')}</style>"
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
        "<script>\n$(function(){ $('.x').modal(); });\n</script>"
        '</head><body><img class="NO-CACHE" src="https://great-expectations-web-assets.s3.amazonaws.com/logo.png"'
        ' alt="Great Expectations"/><i class="fas fa-check-circle text-success"></i>ok</body></html>'
    )
    assert len(remote_references(gx_page)) == 3
    out = make_offline(gx_page)
    assert remote_references(out) == []
    assert "<script" not in out and "https://" not in out and "favicon" not in out
    assert 'id="corpus-etl-offline"' in out and ".fa-check-circle::before" in out
    assert out.index('id="corpus-etl-offline"') < out.index("</head>")


def test_no_data_docs_without_a_validated_run(tmp_path: Path) -> None:
    from expectations.datadocs import build_data_docs

    db = tmp_path / "corpus.duckdb"
    con = duckdb.connect(str(db))
    ensure_schema(con)
    con.close()
    assert build_data_docs(db, tmp_path / "out") is None  # returns before importing GX
    assert not (tmp_path / "out" / "gx").exists()
    with pytest.raises(FileNotFoundError):
        build_data_docs(tmp_path / "missing.duckdb", tmp_path / "out")


# The duplicates list as first written: every group's title and body read (the query reads only the groups
# that can make the list; it must give the same rows).
_DUPLICATES_TOP_ALL_GROUPS = """
SELECT content_hash, count(*) AS copies, count(DISTINCT source_id) AS files,
       arg_min(title, source_path || lpad(ordinal::VARCHAR, 10, '0')) AS title,
       arg_min(kind, source_path || lpad(ordinal::VARCHAR, 10, '0')) AS kind,
       arg_min(left(body, 160), source_path || lpad(ordinal::VARCHAR, 10, '0')) AS preview,
       min(source_path) AS first_path
FROM articles GROUP BY content_hash HAVING count(*) > 1
ORDER BY copies DESC, title NULLS LAST, content_hash LIMIT ?
"""


def test_duplicates_list_reads_only_the_groups_that_can_make_it_and_gives_the_same_rows() -> None:
    from warehouse.report.dashboard import _query

    con = duckdb.connect()
    ensure_schema(con)
    articles, i = [], 0
    # groups of 2..6 copies, several per size (ties on copies ordered by title, NULL titles last), singletons
    for copies, groups in ((6, 1), (5, 2), (4, 3), (3, 4), (2, 5), (1, 9)):
        for g in range(groups):
            body = f"Story {copies}-{g}: the council met again on Tuesday. " * 3
            for c in range(copies):
                title = None if (g + c) % 3 == 0 else f"Title {(g * 7 + c) % 5}"
                articles.append(_article(i, "r", title, body, f"/in/{(i * 37) % 11}.txt"))
                i += 1
    _insert(con, schema.ARTICLES, articles)
    for n in range(1, 20):
        got = _query(con, "duplicates_top", [n])
        want = _query_text(con, _DUPLICATES_TOP_ALL_GROUPS, n)
        assert got == want, n
    assert len(_query(con, "duplicates_top", [100])) == 15  # every group of two or more
    con.close()


def _query_text(con: duckdb.DuckDBPyConnection, text: str, n: int) -> list[dict[str, Any]]:
    cur = con.execute(text, [n])
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
