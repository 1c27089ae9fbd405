"""The product under test: the ``corpus-etl`` command line run as a subprocess (with its own or a shared Prefect
server), and what its run left in the warehouse and in the Prefect API database."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.run.common import OUT, PREFECT_HOME, REPO, BenchError
from bench.run.timing import run_measured
from corpus_etl.schema import RUN_COUNTERS

# ==================================================================================================
# The product: the CLI, the warehouse it wrote, the Prefect task runs of the flow


def cli_path() -> Path:
    """The ``corpus-etl`` script of the interpreter running the benchmark."""
    here = Path(sys.executable).with_name("corpus-etl")
    if here.is_file():
        return here
    found = shutil.which("corpus-etl")
    if not found:
        raise SystemExit("corpus-etl not found next to the Python interpreter or on PATH")
    return Path(found)


def cli_env(keep_api_url: bool) -> dict[str, str]:
    """The environment of the measured CLI runs: quiet Prefect with its own home under bench/out."""
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(PREFECT_HOME)
    env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    # A loaded machine can take longer than Prefect's default 20 s to start the temporary API.
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    if not keep_api_url:
        env.pop("PREFECT_API_URL", None)
    return env


class PrefectServer:
    """A Prefect API server started once for the benchmark (``prefect server start``, own PREFECT_HOME), as
    scheduled users run the product: the CLI runs then do not start a temporary API each."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.start_s = 0.0

    def start(self, timeout: float = 240.0) -> str:
        import socket
        import urllib.request

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/api"
        exe = Path(sys.executable).with_name("prefect")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                [str(exe), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise BenchError(f"prefect server exited {self.proc.returncode}: see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as resp:
                    if resp.status == 200:
                        self.start_s = round(time.perf_counter() - t0, 2)
                        return self.url
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise BenchError(f"prefect server did not answer within {timeout:.0f} s: see {self.log_path}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def run_cli(
    sources: Sequence[Path],
    warehouse: Path,
    env: dict[str, str],
    log_name: str,
    use_time: bool,
    extra: Sequence[str] = (),
) -> dict[str, Any]:
    """Run ``corpus-etl ingest SOURCES --warehouse WAREHOUSE --quiet`` and measure it."""
    cmd = [
        str(cli_path()),
        "ingest",
        *map(str, sources),
        "--warehouse",
        str(warehouse),
        "--quiet",
        "--fail-on",
        "none",
        *extra,
    ]
    res = run_measured(cmd, env, OUT / "logs" / f"{log_name}.log", use_time)
    res["command"] = " ".join(["corpus-etl", *cmd[1:]]).replace(str(REPO) + "/", "")
    if res["rc"] != 0:
        raise BenchError(f"{res['command']} exited {res['rc']}:\n{res.get('output_tail', '')}")
    return res


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


def warehouse_facts(wh: Path) -> dict[str, Any]:
    """Runs, row counts, languages and sizes of a warehouse (read-only)."""
    import duckdb

    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        have = {
            r[0] for r in con.execute("select column_name from duckdb_columns() where table_name = 'runs'").fetchall()
        }
        wanted = [
            "run_id",
            "status",
            "started_at",
            "finished_at",
            "seconds",
            "stage_seconds",  # per-stage seconds, recorded by the flow since it has the column
            *RUN_COUNTERS,
        ]
        cols = [c for c in wanted if c in have]
        cur = con.execute(f"select {', '.join(cols)} from runs order by started_at")
        runs = [{c: _iso(v) for c, v in zip(cols, row, strict=True)} for row in cur.fetchall()]
        for run in runs:
            if isinstance(run.get("stage_seconds"), str):
                try:
                    run["stage_seconds"] = json.loads(run["stage_seconds"])
                except ValueError:
                    pass

        def one(q: str) -> int:
            row = con.execute(q).fetchone()
            return int(row[0]) if row else 0

        langs = con.execute(
            "select language, count(*) from (select language from articles union all select language from quarantine) "
            "group by 1 order by 2 desc, 1"
        ).fetchall()
        batches = con.execute("select run_id, batch, min(started_at) from dq_runs group by 1, 2 order by 3").fetchall()
        facts = {
            "runs": runs,
            "articles": one("select count(*) from articles"),
            "quarantine": one("select count(*) from quarantine"),
            "paragraphs": one("select count(*) from paragraphs"),
            "removed_spans": one("select count(*) from removed_spans"),
            "records_with_paragraph_languages": one(
                "select count(distinct article_id) from paragraphs where language is not null"
            ),
            "languages": {str(k): int(n) for k, n in langs},
            "validated_batches": [{"run_id": r, "batch": b, "started_at": _iso(t)} for r, b, t in batches],
        }
    finally:
        con.close()
    facts["duckdb_bytes"] = (wh / "corpus.duckdb").stat().st_size
    facts["parquet_bytes"] = sum(p.stat().st_size for p in (wh / "parquet").rglob("*.parquet"))
    return facts


def warehouse_records(wh: Path) -> list[tuple[str | None, str]]:
    """(title, body) of every record in the warehouse (articles and quarantine), in file order."""
    import duckdb

    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select title, body from (select source_path, ordinal, title, body from articles union all "
            "select source_path, ordinal, title, body from quarantine) order by source_path, ordinal"
        ).fetchall()
    finally:
        con.close()
    return [(t, b) for t, b in rows]


def warehouse_content_hashes(wh: Path) -> Counter[str]:
    import duckdb

    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        rows = con.execute("select content_hash from articles union all select content_hash from quarantine").fetchall()
    finally:
        con.close()
    return Counter(r[0] for r in rows)


def _epoch(value: str | None) -> float | None:
    if not value:
        return None
    dt = datetime.fromisoformat(value)
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


def task_base(name: str) -> str:
    """A task run's name without its run suffix: "process-batch-6-of-13", "load-batch-6" (the run plan's names)
    and "process-batch-4c1" (Prefect's) all count as their task."""
    return re.sub(r"-(?:\d+(?:-of-\d+)?|[0-9a-f]{3})$", "", name)


def prefect_stages(run_id: str, proc: dict[str, Any]) -> dict[str, Any] | None:
    """Per-stage times of a flow run from the Prefect API database (task runs), and the time the process
    spent before the flow started (imports, the temporary API server) and after it ended."""
    db = PREFECT_HOME / "prefect.db"
    if not db.is_file():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        fr = con.execute("select start_time, end_time from flow_run where id = ?", (run_id,)).fetchone()
        tasks = con.execute(
            "select name, start_time, end_time, state_type from task_run where flow_run_id = ? order by start_time",
            (run_id,),
        ).fetchall()
    except sqlite3.Error as exc:
        return {"error": str(exc)}
    finally:
        con.close()
    if not fr or not fr[0] or not fr[1]:
        return None
    f0, f1 = _epoch(fr[0]), _epoch(fr[1])
    assert f0 is not None and f1 is not None
    by: dict[str, dict[str, Any]] = {}
    for name, start, end, state in tasks:
        base = task_base(name)
        s, e = _epoch(start), _epoch(end)
        if s is None or e is None:
            continue
        d = by.setdefault(base, {"n": 0, "sum_s": 0.0, "max_s": 0.0, "first_start_s": s - f0, "last_end_s": e - f0})
        d["n"] += 1
        d["sum_s"] += e - s
        d["max_s"] = max(d["max_s"], e - s)
        d["first_start_s"] = min(d["first_start_s"], s - f0)
        d["last_end_s"] = max(d["last_end_s"], e - f0)
        if state != "COMPLETED":
            d["not_completed"] = d.get("not_completed", 0) + 1
    for d in by.values():
        for k in ("sum_s", "max_s", "first_start_s", "last_end_s"):
            d[k] = round(d[k], 3)
    out: dict[str, Any] = {
        "startup_s": round(f0 - proc["started_epoch"], 3),
        "flow_s": round(f1 - f0, 3),
        "shutdown_s": round(proc["ended_epoch"] - f1, 3),
        "tasks": by,
    }
    pb = by.get("process-batch")
    if pb:
        out["processing_span_s"] = round(pb["last_end_s"] - pb["first_start_s"], 3)
        out["after_last_batch_s"] = round((f1 - f0) - pb["last_end_s"], 3)
    return out
