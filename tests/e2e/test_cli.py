"""The corpus-etl command as a user runs it (subprocesses against the session's Prefect server)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_etl.rules import load_rules
from tests.conftest import SAMPLES
from tests.unit.test_split import SEED_TITLES

pytestmark = [pytest.mark.e2e, pytest.mark.cli]
EXE = str(Path(sys.executable).with_name("corpus-etl"))


def cli(*args: str, api: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_API_URL": api}
    proc = subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"corpus-etl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_ingest_query_status_as_a_user(prefect_api, seeds_dir, tmp_path):
    wh = str(tmp_path / "w")

    def articles() -> list[dict[str, object]]:
        """The articles as `corpus-etl query -f json` prints them, run-specific columns left out."""
        sql = "select * exclude (run_id, ingested_at) from articles order by article_id"
        return json.loads(cli("query", sql, "-w", wh, "-f", "json", api=prefect_api).stdout)

    out = cli("ingest", str(seeds_dir), "--warehouse", wh, api=prefect_api).stdout
    assert "5 found: 5 processed" in out and "languages    en 9" in out
    q = "select title from articles where kind = 'article' order by source_path, ordinal"
    table = cli("query", q, "--warehouse", wh, api=prefect_api).stdout
    expected = [t for k in sorted(SEED_TITLES) for t in SEED_TITLES[k]]
    assert [line.strip() for line in table.splitlines()[2:-1]] == expected
    before = articles()
    again = cli("ingest", str(seeds_dir), "--warehouse", wh, api=prefect_api).stdout
    assert "0 processed, 5 unchanged" in again
    after = articles()
    assert after == before and len(after) == 9
    rows = list(csv.reader(io.StringIO(cli("status", "-w", wh, "-f", "csv", api=prefect_api).stdout)))
    assert rows[0][:2] == ["run_id", "status"] and [r[1] for r in rows[1:]] == ["completed", "completed"]
    # --reprocess re-extracts the unchanged files (same rows); status says which runs did, with which rules
    redo = cli("ingest", str(seeds_dir), "--warehouse", wh, "--reprocess", api=prefect_api).stdout
    assert "5 found: 5 processed, 0 unchanged" in redo
    reprocessed = articles()
    assert reprocessed == before
    runs = list(csv.DictReader(io.StringIO(cli("status", "-w", wh, "-f", "csv", api=prefect_api).stdout)))
    assert [r["reprocess"] for r in runs] == ["True", "False", "False"]
    assert {r["rules"] for r in runs} == {load_rules().version}


def test_samples_demo_has_non_english_and_quarantine(prefect_api, tmp_path):
    wh = str(tmp_path / "w")
    cli("ingest", str(SAMPLES / "*.txt"), "-w", wh, api=prefect_api)
    langs = json.loads(
        cli(
            "query",
            "select language, count(*) n from articles where kind = 'article' group by 1 order by 1",
            "-w",
            wh,
            "-f",
            "json",
            api=prefect_api,
        ).stdout
    )
    assert {r["language"] for r in langs} == {"de", "en", "fr"}
    q = json.loads(cli("query", "select source_path from quarantine", "-w", wh, "-f", "json", api=prefect_api).stdout)
    assert [Path(r["source_path"]).name for r in q] == ["site_f_brief.txt"]


def test_query_is_read_only_and_errors_are_one_line(prefect_api, seeds_dir, tmp_path):
    wh = str(tmp_path / "w")
    cli("ingest", str(seeds_dir / "*.txt"), "-w", wh, "-q", api=prefect_api)
    for sql in (
        "delete from articles",
        "drop table articles",
        f"copy articles to '{tmp_path}/x.csv'",
        "attach 'other.duckdb' as o",
    ):
        p = cli("query", sql, "-w", wh, api=prefect_api, check=False)
        assert p.returncode == 1 and p.stderr.startswith("corpus-etl: error:") and len(p.stderr.splitlines()) == 1
    assert not (tmp_path / "x.csv").exists()
    p = cli("ingest", str(tmp_path / "nothing-here"), "-w", wh, api=prefect_api, check=False)
    assert p.returncode == 1 and "no such file" in p.stderr and len(p.stderr.splitlines()) == 1
    p = cli("query", "select 1", "-w", str(tmp_path / "none"), api=prefect_api, check=False)
    assert p.returncode == 1 and "no warehouse" in p.stderr


def test_help_is_useful(prefect_api):
    for cmd in ("ingest", "query", "status"):
        out = cli(cmd, "--help", api=prefect_api).stdout
        assert "--warehouse" in out and len(out.splitlines()) > 8


def test_dq_quarantine_list_and_replay(prefect_api, tmp_path):
    import hashlib

    import duckdb

    wh = tmp_path / "w"
    cli("ingest", str(SAMPLES / "*.txt"), "-w", str(wh), "-q", api=prefect_api)
    assert (wh / "docs" / "index.html").is_file() and (wh / "docs" / "gx" / "index.html").is_file()
    out = cli("dq", "-w", str(wh), api=prefect_api).stdout
    assert "records quarantined: **1**" in out and "error" in out
    p = cli("dq", "-w", str(wh), "--fail-on", "error", api=prefect_api, check=False)
    assert p.returncode == 2 and "failed" in p.stderr
    listed = cli("quarantine", "list", "-w", str(wh), "-f", "json", api=prefect_api).stdout
    assert json.loads(listed)[0]["file"] == "site_f_brief.txt"
    assert "0 released, 1 kept" in cli("quarantine", "replay", "-w", str(wh), api=prefect_api).stdout
    # As if the record had been repaired (or the suite relaxed): the replay releases it into articles.
    body = "The ferry service now runs every hour between the two harbours, the operator said on Monday. " * 3
    con = duckdb.connect(str(wh / "corpus.duckdb"))
    con.execute(
        "update quarantine set title = 'Ferry timetable changes', body = ?, n_words = ?, content_hash = ?",
        [body.strip(), len(body.split()), hashlib.sha256(body.strip().encode()).hexdigest()],
    )
    con.close()
    assert "1 released, 0 kept" in cli("quarantine", "replay", "-w", str(wh), api=prefect_api).stdout
    n = json.loads(
        cli(
            "query",
            "select count(*) as n from articles where title = 'Ferry timetable changes'",
            "-w",
            str(wh),
            "-f",
            "json",
            api=prefect_api,
        ).stdout
    )
    assert n == [{"n": 1}]
    assert json.loads(
        cli("query", "select count(*) as n from quarantine", "-w", str(wh), "-f", "json", api=prefect_api).stdout
    ) == [{"n": 0}]
    assert cli("dq", "-w", str(wh), "--fail-on", "never", api=prefect_api).returncode == 0


def test_unchanged_rerun_is_recorded_without_prefect(prefect_api, seeds_dir, tmp_path):
    """A rerun that finds every file unchanged is recorded at once, without a Prefect flow run, and
    writes what the flow would: a completed run, the files skipped (a touched file's new mtime
    remembered), the records untouched. Any change, or --always-flow, goes through the flow."""
    import shutil

    import duckdb
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    src = tmp_path / "src"
    shutil.copytree(seeds_dir, src)
    wh = tmp_path / "w"
    first = cli("ingest", str(src), "-w", str(wh), api=prefect_api).stdout
    assert "5 processed" in first and "flow " in first
    query = "select * exclude (run_id, ingested_at) from articles order by article_id"
    before = cli("query", query, "-w", str(wh), "-f", "json", api=prefect_api).stdout

    one = sorted(src.iterdir())[0]
    os.utime(one, (one.stat().st_atime, one.stat().st_mtime + 100))  # touched, same bytes
    again = cli("ingest", str(src), "-w", str(wh), api=prefect_api).stdout
    assert "nothing changed: recorded without a Prefect flow run" in again and "0 processed, 5 unchanged" in again
    assert cli("query", query, "-w", str(wh), "-f", "json", api=prefect_api).stdout == before

    forced = cli("ingest", str(src), "-w", str(wh), "--always-flow", api=prefect_api).stdout
    assert "0 processed, 5 unchanged" in forced and "nothing changed" not in forced
    (src / "new.txt").write_text("A brand new story about the lake\n\n" + "The water rose again today. " * 20)
    changed = cli("ingest", str(src), "-w", str(wh), api=prefect_api).stdout
    assert "1 processed, 5 unchanged" in changed and "nothing changed" not in changed

    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        runs = con.execute(
            "select run_id, status, n_discovered, n_skipped, n_processed, stage_seconds from runs order by started_at"
        ).fetchall()
        mtime = con.execute("select mtime from sources where path = ?", [str(one.resolve())]).fetchall()[0][0]
    finally:
        con.close()
    assert [r[1:5] for r in runs] == [
        ("completed", 5, 0, 5),
        ("completed", 5, 5, 0),
        ("completed", 5, 5, 0),
        ("completed", 6, 5, 1),
    ]
    assert "unchanged_check" in json.loads(runs[1][5]) and "unchanged_check" not in json.loads(runs[2][5])
    assert abs(mtime.timestamp() - one.stat().st_mtime) < 1e-3  # the touched file's mtime is remembered

    async def flow_run_exists(run_id: str) -> bool:
        async with get_client() as client:
            try:
                await client.read_flow_run(run_id)
            except ObjectNotFound:
                return False
            return True

    import asyncio

    assert [asyncio.run(flow_run_exists(r[0])) for r in runs] == [True, False, True, True]
