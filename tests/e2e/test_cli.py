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
    # the quarantined record is a data-quality error: exit 4, named on stderr; everything else is loaded
    p = cli("ingest", str(SAMPLES / "*.txt"), "-w", wh, api=prefect_api, check=False)
    assert p.returncode == 4, p.stderr
    assert p.stderr.splitlines()[-1].startswith("corpus-etl: ") and "quarantined" in p.stderr.splitlines()[-1]
    assert "corpus-etl dq -w" in p.stdout and "corpus-etl quarantine list -w" in p.stdout
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
    cli("ingest", str(SAMPLES / "*.txt"), "-w", str(wh), "-q", "--fail-on", "files", api=prefect_api)
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
    p = cli("dq", "-w", str(wh), "--run", "no-such-run", api=prefect_api, check=False)
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.splitlines() == [
        "corpus-etl: error: no run 'no-such-run' in this warehouse (`corpus-etl status` lists the runs)"
    ]


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


def _flow_run(run_id: str) -> tuple[object, list[object], list[object], list[object]]:
    """The flow run of ``run_id`` as the Prefect API has it: the run, its logs, task runs and artifacts."""
    import asyncio
    import uuid

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )

    async def read() -> tuple[object, list[object], list[object], list[object]]:
        rid = uuid.UUID(run_id)
        async with get_client() as client:
            run = await client.read_flow_run(rid)
            logs = await client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[rid])))
            tasks = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[rid])))
            arts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[rid]))
            )
            return run, logs, tasks, arts

    return asyncio.run(read())


def _run_id(stdout: str) -> str:
    first = stdout.splitlines()[0]
    assert first.startswith("run "), stdout
    return first.split()[1]


def test_exit_codes_failed_flow_runs_and_what_the_ui_shows(prefect_api, seeds_dir, tmp_path):
    """A run with a failed file and a quarantined record loads the rest, exits 5 (3 files, 4 data quality),
    and its Prefect flow run ends Failed; --fail-on relaxes both. The flow run is named by what it ingests,
    its logs (INFO stage summaries, the failed file at WARNING) and a table artifact of the failed files are
    in the API, its batch task runs are numbered; the summary names the file, the dashboard and what next."""
    import shutil

    src = tmp_path / "inbox"
    shutil.copytree(seeds_dir, src)
    shutil.copy(SAMPLES / "site_f_brief.txt", src / "site_f_brief.txt")  # quarantined: an error-level failure
    (src / "broken.txt").write_bytes(b"\x00\x01binary\x00" * 50)  # fails: a binary file
    wh = tmp_path / "w"
    p = cli("ingest", str(src), "-w", str(wh), api=prefect_api, check=False)
    assert p.returncode == 5, p.stderr
    assert p.stderr.splitlines()[-1].startswith("corpus-etl: 1 file failed; ") and "exit 5" in p.stderr
    assert "Traceback" not in p.stderr and "ERROR" not in p.stderr  # the failed file is a WARNING, not a crash
    out = p.stdout
    assert "7 found: 7 processed, 0 unchanged, 1 failed" in out and "1 quarantined" in out
    failed_line = next(line for line in out.splitlines() if line.lstrip().startswith("failed "))
    assert str(src / "broken.txt") in failed_line and "binary" in failed_line
    assert f"dashboard    {wh / 'docs' / 'index.html'}" in out
    assert f"corpus-etl status -w {wh}" in out and "where status = 'failed'" in out
    run, logs, tasks, arts = _flow_run(_run_id(out))
    assert run.state.is_failed() and "1 file failed" in run.state.message
    assert run.name == "ingest-inbox-into-w"
    assert run.parameters["discovered"] == "<Discovered>"  # the CLI's file list, not stored in the API
    assert any(lg.level == 30 and "file failed:" in lg.message and "broken.txt" in lg.message for lg in logs)
    assert any(lg.level == 20 and lg.message.startswith("batch 1 of 1 loaded: 7 files (1 failed)") for lg in logs)
    assert {t.name for t in tasks} >= {"process-batch-1-of-1", "validate-batch-1", "load-batch-1"}
    table = next(a for a in arts if a.key == "corpus-etl-failed-files")
    assert table.type == "table" and "broken.txt" in str(table.data)
    # the good files are loaded whatever the exit code
    n = json.loads(
        cli("query", "select count(*) as n from articles", "-w", str(wh), "-f", "json", api=prefect_api).stdout
    )
    assert n == [{"n": 9}]

    p = cli("ingest", str(src), "-w", str(wh), "--reprocess", "--fail-on", "none", "-q", api=prefect_api, check=False)
    assert (p.returncode, p.stdout, p.stderr.count("corpus-etl:")) == (0, "", 0)
    runs = json.loads(
        cli(
            "query", "select run_id, status from runs order by started_at", "-w", str(wh), "-f", "json", api=prefect_api
        ).stdout
    )
    assert [r["status"] for r in runs] == ["completed"] * 2
    assert _flow_run(runs[-1]["run_id"])[0].state.is_completed()


def test_help_documents_the_exit_codes(prefect_api):
    out = cli("ingest", "--help", api=prefect_api).stdout
    assert "--fail-on" in out
    for code in ("0 ", "1 ", "3 ", "4 ", "5 "):
        assert any(line.strip().startswith(code) for line in out.splitlines()), code
