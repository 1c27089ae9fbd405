"""Size: one 50 MB line (every character accounted for, memory bounded).

Many tiny files are in the bad-input corpus (conftest.N_TINY, test_bad_inputs); 100,000 of them are
``make bench-tiny`` (bench/tiny_files.py). Speed is measured there and in ``make bench``, not asserted here.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

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
    big = tmp_path / "50mb.txt"
    _one_line(big, 50_000_000)
    b = _measure(big)
    print(f"\n50 MB line: {b['seconds']:.1f} s, {b['max_rss_mb']:.0f} MB peak")
    assert b["status"] == "loaded" and b["n_chars"] == 50_000_000
    # every character accounted for: records and removed spans tile the text
    spans = sorted([tuple(x[:2]) for x in b["records"]] + [tuple(x) for x in b["removed"]])
    assert spans[0][0] == 0 and spans[-1][1] == 50_000_000
    assert all(a[1] == c[0] for a, c in itertools.pairwise(spans))
    assert b["records"][0][2] > 9_000_000  # the whole line is the body
    assert b["max_rss_mb"] < 3000  # a generous bound: a copy per stage would pass it, a leak per line would not
