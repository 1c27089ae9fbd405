"""Replay a first run's ``update-analytics`` on a copy of a benchmark warehouse, timed, with its peak RSS.

``python -m bench.analytics_replay WAREHOUSE_DIR [--work DIR]`` copies ``WAREHOUSE_DIR/corpus.duckdb`` to
``--work`` (default /tmp/analytics-replay), moves the index rows the batch workers had staged
(``minhash_signatures``, ``lsh_buckets``, ``search_docs``, ``search_terms``) back out to staging Parquet,
empties the analytics tables and runs ``warehouse.analytics.update_analytics`` as the first run over every
file did: the same rows in, every article new. The source warehouse is only read. Prints one JSON line:
seconds, peak RSS of this process (MiB, ``ru_maxrss``), the summary's counts.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path

import duckdb

from corpus_etl.analytics.index import STAGED
from warehouse.analytics import update_analytics
from warehouse.db import quote_ident, quote_literal


def prepare(src: Path, work: Path) -> tuple[Path, list[str], Path]:
    shutil.rmtree(work, ignore_errors=True)
    (work / "staging").mkdir(parents=True)
    db = work / "corpus.duckdb"
    shutil.copy(src / "corpus.duckdb", db)
    con = duckdb.connect(str(db))
    try:
        for name in STAGED:
            out = work / "staging" / f"batch-000000.index.{name}.parquet"
            con.execute(f"COPY {quote_ident(name)} TO {quote_literal(str(out))} (FORMAT parquet)")
            con.execute(f"DELETE FROM {quote_ident(name)}")
        con.execute("DELETE FROM story_clusters")
        ids = [r[0] for r in con.execute("SELECT source_id FROM sources WHERE status = 'loaded'").fetchall()]
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db, ids, work / "staging"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--work", type=Path, default=Path("/tmp/analytics-replay"))
    args = ap.parse_args(argv)
    db, ids, staged = prepare(args.warehouse, args.work)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    s = update_analytics(db, "replay", ids, staged)
    out = {
        "seconds": round(time.perf_counter() - t0, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_before_mib": round(rss0),
        **s.as_dict(),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
