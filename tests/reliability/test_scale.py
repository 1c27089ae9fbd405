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
from pathlib import Path

N_TINY = 600
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
