"""Hostile text: markup stays text and is escaped in every report, SQL-looking text stays data, names and
metadata never become paths, and ``corpus-etl query`` cannot write anything.

The hostile files are part of the corpus ingested once by the ``hostile`` fixture (tests/reliability/corpus.py);
the warehouse directory's own name holds quotes and a semicolon.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.reliability import corpus
from tests.reliability.helpers import cli, rows, tree

pytestmark = pytest.mark.e2e

RAW_MARKUP = (corpus.SCRIPT, corpus.IMG, "<script", "<img")
TABLES = {
    "sources",
    "articles",
    "paragraphs",
    "removed_spans",
    "quarantine",
    "clusters",
    "runs",
    "dq_runs",
    "dq_results",
    "schema_version",
}


def test_markup_is_stored_as_text(hostile):
    (title, body) = rows(hostile.wh, "select title, body from articles where source_path like '%/html.txt'")[0]
    assert title == corpus.HTML_TITLE
    assert f"{corpus.SCRIPT} {corpus.IMG} The vote ended in a tie" in body
    (m_title,) = rows(hostile.wh, "select title from articles where source_path like '%markup_title.jsonl'")[0]
    assert m_title == corpus.JSONL_MARKUP_TITLE


def test_dashboard_escapes_every_value(hostile):
    page = (hostile.first_docs / "index.html").read_text(encoding="utf-8")
    for raw in RAW_MARKUP:
        assert raw not in page, raw
    # The hostile values are on the page, escaped: the file named like a tag and the markup titles.
    assert html.escape(corpus.IMG) in page
    assert html.escape(corpus.SCRIPT, quote=True) in page
    # The page allows no script at all, whatever slips through.
    assert "script-src" not in page and "default-src 'none'" in page


def test_data_docs_escape_every_value(hostile):
    pages = sorted((hostile.first_docs / "gx").rglob("*.html"))
    assert pages, "no Data Docs were built"
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    # The markup title is shown (an unexpected value of the boilerplate-title warning), as text.
    assert html.escape(corpus.IMG) in text
    for raw in RAW_MARKUP:
        assert raw not in text, raw
    # and no page may run a script, whatever the data holds
    for p in pages:
        assert "Content-Security-Policy\" content=\"default-src 'none'" in p.read_text(encoding="utf-8"), p


def test_sql_looking_text_is_data_and_the_tables_are_intact(hostile):
    assert rows(hostile.wh, "select title from articles where source_path like '%/sql.txt'") == [(corpus.SQL_TITLE,)]
    names = {r[0] for r in rows(hostile.wh, "select table_name from information_schema.tables")}
    assert names >= TABLES
    assert rows(hostile.wh, "select count(*) from sources where path like ?", [f"%{corpus.SQL_NAME}"]) == [(1,)]
    assert rows(hostile.wh, "select count(*) > 20 from sources") == [(True,)]
    # The warehouse path (quotes, a semicolon) went into COPY ... TO as a literal and came out whole.
    assert "'" in hostile.wh.name and (hostile.wh / "parquet" / "articles").is_dir()


def test_nothing_is_written_outside_the_warehouse(hostile):
    base = hostile.wh.parent
    new = tree(base) - hostile.before
    outside = sorted(p for p in new if not p.startswith(hostile.wh.name + "/") and p != hostile.wh.name)
    # The only change outside the warehouse is the file appended to between discovery and processing
    # (not a new path) and the one deleted (gone): nothing else.
    assert outside == []
    assert not (hostile.wh / "staging").exists() or not any((hostile.wh / "staging").iterdir())
    # Parquet partitions are languages from langdetect's codes; no partition value came from the data.
    parts = sorted(p.name for p in (hostile.wh / "parquet" / "articles").iterdir())
    assert parts and all(re.fullmatch(r"language=(?:[a-z]{2,3}(?:-[a-z]{2})?|und)", p) for p in parts), parts
    # Reports are the dashboard and the Data Docs site, under docs/.
    top = {p.split("/")[0] for p in tree(hostile.wh)}
    assert top <= {"corpus.duckdb", "corpus.duckdb.wal", ".ingest.lock", "parquet", "docs", "staging"}, top


def test_path_like_names_and_metadata_stay_text(hostile):
    (meta,) = rows(hostile.wh, "select meta_json from articles where source_path like '%meta.jsonl'")[0]
    assert json.loads(meta) == {
        "language": "../../../escape",
        "path": "../../x.txt",
        "source_path": "/etc/passwd",
        "tags": ["../..", "<b>x</b>"],
        "title": "Metadata That Looks Like Paths",
    }
    paths = {r[0] for r in rows(hostile.wh, "select path from sources")}
    assert str(hostile.src / corpus.TRAVERSAL_NAME) in paths
    assert not any("escape" in p and corpus.TRAVERSAL_NAME not in p for p in paths)
    assert rows(hostile.wh, "select distinct language from articles where source_path like '%meta.jsonl'") == [("en",)]


# Statements that must fail: they would change the warehouse or touch files. "{tmp}" is a scratch directory.
# (CHECKPOINT and VACUUM succeed on the read-only connection as no-ops; the file is unchanged after them.)
WRITES = [
    "delete from articles",
    "drop table sources",
    "update runs set status = 'x'",
    "insert into runs (run_id) values ('x')",
    "alter table articles rename to a2",
    "create table t as select 1",
    "create or replace view v as select 1",
    "create macro m(x) as x",
    "select 1; drop table articles",
    "attach '{tmp}/evil.duckdb' as evil",
    "copy articles to '{tmp}/x.csv'",
    "copy (select 1) to '{tmp}/y.parquet' (format parquet)",
    "export database '{tmp}/exported'",
    "install httpfs",
    "load httpfs",
    "set enable_external_access = true",
    "reset enable_external_access",
    "set lock_configuration = false",
    "set temp_directory = '{tmp}/spill'",
    "pragma memory_limit = '1GB'",
    "select * from read_text('/etc/passwd')",
    "select * from read_csv('/etc/hostname')",
    "select * from glob('/etc/*')",
    "create secret (type s3, key_id 'a', secret 'b')",
]


# Runs the real `corpus-etl query` command (typer's runner) once per statement, in one process other
# than the test's (a DuckDB file can be opened by one process at a time with one configuration).
_QUERIES = textwrap.dedent(
    """
    import json, sys
    from typer.testing import CliRunner
    from corpus_etl_cli.main import app
    runner = CliRunner()
    out = []
    for sql in json.loads(sys.argv[2]):
        r = runner.invoke(app, ["query", sql, "-w", sys.argv[1]])
        out.append([sql, r.exit_code, r.stderr, r.stdout])
    print(json.dumps(out))
    """
)


def _queries(wh: Path, stmts: list[str]) -> list[tuple[str, int, str, str]]:
    p = subprocess.run(
        [sys.executable, "-c", _QUERIES, str(wh), json.dumps(stmts)], capture_output=True, text=True, timeout=300
    )
    assert p.returncode == 0, p.stderr
    return [tuple(r) for r in json.loads(p.stdout.splitlines()[-1])]  # type: ignore[misc]


def _refused(results: list[tuple[str, int, str, str]]) -> list[str]:
    """The statements that succeeded; each refusal must be a one-line error."""
    allowed = []
    for sql, code, err, _ in results:
        lines = [ln for ln in err.splitlines() if not ln.startswith("corpus-etl: note: ")]
        if code == 0:
            allowed.append(sql)
        else:
            assert code == 1 and len(lines) == 1 and lines[0].startswith("corpus-etl: error:"), (sql, err)
    return allowed


def test_query_cannot_write_or_read_files(hostile, tmp_path):
    db = hostile.wh / "corpus.duckdb"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    counts = rows(hostile.wh, "select (select count(*) from articles), (select count(*) from sources)")
    # DuckDB lets a read-only connection write into its temporary directory, even with external access off
    spill = hostile.wh / "corpus.duckdb.tmp"
    spill.mkdir(exist_ok=True)
    into_spill = [f"copy (select 1) to '{spill}/x.csv'", f"copy articles to '{spill}/a.parquet' (format parquet)"]
    extra = ["checkpoint", "vacuum", "pragma enable_profiling", *into_spill]
    results = _queries(hostile.wh, [s.format(tmp=tmp_path) for s in WRITES] + extra)
    assert _refused(results) == []
    assert list(tmp_path.iterdir()) == [] and list(spill.iterdir()) == []
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert rows(hostile.wh, "select (select count(*) from articles), (select count(*) from sources)") == counts


def test_query_on_the_parquet_copy_during_an_ingest_cannot_escape(hostile, tmp_path):
    """While a writer holds the database, `query` reads the Parquet copy: only SELECT, only files under it."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.read()",
            str(hostile.wh / "corpus.duckdb"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        parquet = hostile.wh / "parquet"
        stmts = [s.format(tmp=tmp_path) for s in WRITES] + [
            f"select * from read_text('{parquet}/../corpus.duckdb')",
            f"select * from read_blob('{parquet}/articles/../../.ingest.lock')",
            f"select * from glob('{parquet}/../*')",
            "select count(*) from articles",
        ]
        results = _queries(hostile.wh, stmts)
    finally:
        holder.communicate("", timeout=60)
    assert _refused(results) == ["select count(*) from articles"]
    assert "reading the Parquet copy" in results[-1][2] and list(tmp_path.iterdir()) == []


def test_query_output_does_not_pass_terminal_escapes(hostile, prefect_api):
    out = cli("query", "select path from sources order by path", "-w", str(hostile.wh), api=prefect_api).stdout
    assert "terminal.txt" in out
    assert "\x1b" not in out and "\x07" not in out
