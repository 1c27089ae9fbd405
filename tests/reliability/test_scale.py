"""Size: one 50 MB line (time and memory stay linear and bounded), and many tiny files (none lost).

Measured on the 2-core test machine (issue #8 report): the 50 MB line splits in about 30 s with a peak
of about 1 GB; the whole flow (split, GX, DuckDB, Parquet, reports) takes about 65 s. 100,000 tiny files
take about 46 minutes with the default batches of 64 files (the fixed cost of a batch dominates), so
this suite ingests N_TINY of them.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.reliability.helpers import rows, run_flow, warehouse_problems

N_TINY = 1000
_MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from datetime import UTC, datetime
    from corpus_etl.discover import stat_file
    from corpus_etl.pipeline import process_source
    from corpus_etl.settings import Settings
    t = time.perf_counter()
    r = process_source(stat_file(sys.argv[1]), Settings(), "r", datetime.now(UTC))
    print(json.dumps({
        "seconds": time.perf_counter() - t,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "status": r.source["status"], "error": r.source["error"], "n_chars": r.source["n_chars"],
        "records": [(a["char_start"], a["char_end"], a["n_words"]) for a in r.rows["articles"]],
        "removed": [(s["char_start"], s["char_end"]) for s in r.rows["removed_spans"] if s["article_id"] is None],
    }))
    """
)
SENTENCE = b"The quick brown fox jumps over the lazy dog near the river bank. "


def _measure(path: Path) -> dict:  # type: ignore[type-arg]
    p = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.splitlines()[-1])


def _one_line(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.write((SENTENCE * (size // len(SENTENCE) + 1))[:size])


def test_a_50mb_file_without_a_newline(tmp_path):
    small, big = tmp_path / "5mb.txt", tmp_path / "50mb.txt"
    _one_line(small, 5_000_000)
    _one_line(big, 50_000_000)
    s, b = _measure(small), _measure(big)
    print(f"\n5 MB line: {s['seconds']:.1f} s, {s['max_rss_mb']:.0f} MB peak")
    print(f"50 MB line: {b['seconds']:.1f} s, {b['max_rss_mb']:.0f} MB peak")
    assert b["status"] == "loaded" and b["n_chars"] == 50_000_000
    # every character accounted for: records and removed spans tile the text
    spans = sorted([tuple(x[:2]) for x in b["records"]] + [tuple(x) for x in b["removed"]])
    assert spans[0][0] == 0 and spans[-1][1] == 50_000_000
    assert all(a[1] == c[0] for a, c in itertools.pairwise(spans))
    assert b["records"][0][2] > 9_000_000  # the whole line is the body
    # Linear, not quadratic: 10 times the text costs about 10 times the time (quadratic would be 100).
    assert b["seconds"] < 25 * max(s["seconds"], 0.5), (s["seconds"], b["seconds"])
    assert b["seconds"] < 180 and b["max_rss_mb"] < 3000


@pytest.mark.e2e
def test_many_tiny_files_none_lost(prefect_api, tmp_path):
    src = tmp_path / "src"
    for i in range(N_TINY):
        d = src / f"d{i // 250:02d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i:05d}.txt").write_text(
            f"Council Approves Budget Number {i}\n\nThe council approved budget number {i} on Monday after a "
            "long debate about the river, the ferry and the new bridge over the old harbour.\n"
        )
    wh = tmp_path / "wh"
    t = time.perf_counter()
    s = run_flow([src], wh)
    first = time.perf_counter() - t
    t = time.perf_counter()
    again = run_flow([src], wh)
    second = time.perf_counter() - t
    print(f"\n{N_TINY} tiny files: {first:.1f} s ({N_TINY / first:.0f} files/s); unchanged rerun {second:.1f} s")
    assert (s["n_discovered"], s["n_processed"], s["n_failed"]) == (N_TINY, N_TINY, 0)
    assert s["n_loaded"] + s["n_quarantined"] == N_TINY
    assert rows(wh, "select count(*), count(distinct path) from sources where status = 'loaded'") == [(N_TINY, N_TINY)]
    assert rows(wh, "select count(*) from articles") == [(s["n_loaded"],)]
    assert warehouse_problems(wh) == []
    assert (again["n_skipped"], again["n_processed"]) == (N_TINY, 0)
