"""Benchmark many tiny files: the per-file cost of an ingest (issue #8, "100,000 tiny files").

``python -m bench.tiny_files`` (or ``make bench-tiny``) writes ``--files`` tiny files (default 100,000),
each one real Reuters-21578 story (title, dateline and body, 100 bytes to a few KB) from ../shared, 1,000
files a folder, then runs ``corpus-etl ingest`` on them into a fresh warehouse and once more unchanged,
and checks that nothing was lost: every file has a ``sources`` row, every decoded character is in a
record or a removed span, and the second run skips every file. Results go to ``bench/out/tiny-files/``
and ``bench/TINY_FILES.md`` (``--out`` to change). The corpus has 19,037 distinct stories; past that, a
story comes back with "(repeat N)" after its title, so a file never has the same bytes as another.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from corpora.generated import Story, reuters_stories
from corpora.shared import shared_dir

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "tiny-files"
FILES_PER_DIR = 1000


def tiny_text(story: Story, repeat: int) -> str:
    """The text of one tiny file: a story's title, a blank line, its paragraphs (blank-line separated)."""
    title = story.title if repeat == 0 else f"{story.title} (repeat {repeat})"
    return title + "\n\n" + "\n\n".join(story.paragraphs) + "\n"


def write_tiny_files(root: Path, n: int, stories: Sequence[Story]) -> int:
    """Write ``n`` tiny files under ``root`` (``dNNN/fNNNNNN.txt``); return their total size in bytes."""
    total = 0
    for i in range(n):
        d = root / f"d{i // FILES_PER_DIR:03d}"
        if i % FILES_PER_DIR == 0:
            d.mkdir(parents=True, exist_ok=True)
        data = tiny_text(stories[i % len(stories)], i // len(stories)).encode("utf-8")
        (d / f"f{i:06d}.txt").write_bytes(data)
        total += len(data)
    return total


def _ingest(src: Path, wh: Path, env: dict[str, str], log: Path) -> float:
    exe = Path(sys.executable).with_name("corpus-etl")
    t = time.perf_counter()
    with open(log, "w") as fh:
        rc = subprocess.call(
            [str(exe), "ingest", str(src), "-w", str(wh), "--quiet", "--fail-on", "none"], stdout=fh, stderr=fh, env=env
        )
    if rc != 0:
        raise SystemExit(f"corpus-etl ingest exited {rc}; see {log}")
    return time.perf_counter() - t


def _facts(wh: Path) -> dict[str, object]:
    import duckdb

    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        runs = con.execute(
            "select run_id, status, n_discovered, n_skipped, n_processed, n_failed, n_loaded, n_quarantined, "
            "seconds, stage_seconds from runs order by started_at"
        ).fetchall()
        chars = con.execute(
            "select sum(n_chars), (select sum(char_end - char_start) from articles) "
            "+ (select coalesce(sum(char_end - char_start), 0) from quarantine) "
            "+ (select coalesce(sum(char_end - char_start), 0) from removed_spans where article_id is null) "
            "from sources"
        ).fetchone()
        statuses = dict(con.execute("select status, count(*) from sources group by 1").fetchall())
    finally:
        con.close()
    keys = ("run_id", "status", "discovered", "skipped", "processed", "failed", "loaded", "quarantined", "seconds")
    return {
        "runs": [{**dict(zip(keys, r[:9], strict=True)), "stage_seconds": json.loads(r[9] or "{}")} for r in runs],
        "source_chars": chars[0] if chars else None,
        "span_chars": chars[1] if chars else None,
        "statuses": statuses,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tiny_files", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100_000, help="how many tiny files (default 100000)")
    parser.add_argument("--out", type=Path, default=REPO / "bench", help="where TINY_FILES.md goes")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    src, wh = OUT / f"src-{args.files}", OUT / f"wh-{args.files}"
    stories = reuters_stories(shared_dir())
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(wh, ignore_errors=True)
    t = time.perf_counter()
    size = write_tiny_files(src, args.files, stories)
    print(f"wrote {args.files} files ({size / 1e6:.1f} MB) in {time.perf_counter() - t:.0f} s", flush=True)
    env = {**os.environ, "PREFECT_HOME": str(OUT / "prefect-home"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    first = _ingest(src, wh, env, OUT / "first.log")
    print(f"first run: {first:.0f} s ({args.files / first:.0f} files/s)", flush=True)
    second = _ingest(src, wh, env, OUT / "second.log")
    print(f"unchanged rerun: {second:.0f} s", flush=True)
    facts = _facts(wh)
    runs = facts["runs"]
    assert isinstance(runs, list)
    ok = (
        runs[0]["discovered"] == runs[0]["processed"] == args.files
        and runs[0]["failed"] == 0
        and facts["source_chars"] == facts["span_chars"]
        and (runs[1]["skipped"], runs[1]["processed"]) == (args.files, 0)
    )
    result = {
        "files": args.files,
        "bytes": size,
        "first_seconds": round(first, 1),
        "rerun_seconds": round(second, 1),
        "files_per_second": round(args.files / first, 1),
        "nothing_lost": ok,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end",
        **facts,
    }
    (OUT / "result.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    stages = runs[0]["stage_seconds"]
    md = [
        "# Many tiny files (`python -m bench.tiny_files`, `make bench-tiny`)",
        "",
        f"Measured {result['measured_at']} on {result['machine']} (a shared machine: contended numbers).",
        "",
        "| files | MB | first run | files/s | unchanged rerun | nothing lost |",
        "|---|---|---|---|---|---|",
        f"| {args.files:,} | {size / 1e6:.1f} | {first:.0f} s | {args.files / first:.0f} | {second:.0f} s | "
        f"{'yes' if ok else 'NO'} |",
        "",
        "Seconds per stage of the first run (`runs.stage_seconds`; `process` is summed over the batches, which run "
        "in parallel): " + ", ".join(f"{k} {v:.0f}" for k, v in stages.items()),
        "",
    ]
    (args.out / "TINY_FILES.md").write_text("\n".join(md))
    print("\n".join(md))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
