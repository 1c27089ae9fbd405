"""Replay a first run's ``update-analytics`` on a copy of a benchmark warehouse, timed, with its peak RSS.

``python -m bench.analytics_replay WAREHOUSE_DIR [--work DIR]`` copies ``WAREHOUSE_DIR/corpus.duckdb`` to
``--work`` (default /tmp/analytics-replay), moves the index rows the batch workers had staged
(``minhash_signatures``, ``lsh_buckets``, ``search_docs``, ``search_terms``, and the shingle sets of the
signed texts) back out to staging Parquet, empties the analytics tables (the event stories' among them) and
runs ``warehouse.analytics.update_analytics`` as the first run over every file did: the same rows in, every
article new. The source warehouse is only read. Prints one JSON line:
seconds, peak RSS of the updating process (MiB, VmHWM), the summary's counts.

``--end-phase`` replays the whole end of a first run as ``flows/ingest.py`` runs it, in one process with the
flow's allocators (``corpus_etl.memory.use_returning_allocators``): the record tables' Parquet export in a
thread beside the update, then the other tables' export and the reports (Data Docs, dashboard, DQ summary);
it adds the peak RSS of each step (sampled every 0.2 s) and the seconds of each.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from bench.procfs import status_kb
from corpus_etl.analytics import minhash as mh
from corpus_etl.analytics.index import STAGED, shingles_table
from warehouse.analytics import update_analytics
from warehouse.db import quote_ident, quote_literal


def prepare(src: Path, work: Path) -> tuple[Path, list[str], Path]:
    shutil.rmtree(work, ignore_errors=True)
    (work / "staging").mkdir(parents=True)
    db = work / "corpus.duckdb"
    shutil.copy(src / "corpus.duckdb", db)
    con = duckdb.connect(str(db))
    try:
        n_batches = max(1, con.execute("SELECT count(*) FROM sources").fetchall()[0][0] // 18)
        # the shingle sets the workers stage beside the index rows (computed here from the bodies, untimed)
        signed = con.execute(
            "SELECT s.content_hash, any_value(a.body), min(hash(s.article_id) % ?) AS k "
            "FROM minhash_signatures AS s JOIN articles AS a USING (article_id) GROUP BY s.content_hash",
            [n_batches],
        ).fetchall()
        for k in range(n_batches):
            sets = {h: mh.shingle_hashes(body) for h, body, b in signed if b == k}
            pq.write_table(shingles_table(sets), work / "staging" / f"batch-{k:06d}.index.shingles.parquet")
        del signed
        for name in STAGED:  # one staging file per batch, as a run writes them (a batch: ~18 files at 200 MB)
            for k in range(n_batches):
                out = work / "staging" / f"batch-{k:06d}.index.{name}.parquet"
                con.execute(
                    f"COPY (SELECT * FROM {quote_ident(name)} WHERE hash(article_id) % {n_batches} = {k}) "
                    f"TO {quote_literal(str(out))} (FORMAT parquet)"
                )
            con.execute(f"DELETE FROM {quote_ident(name)}")
        # every article unplaced too: the event stories (``warehouse.stories``) are placed anew, as in a first run
        for name in ("story_clusters", "story_members", "story_terms", "story_centroids"):
            con.execute(f"DELETE FROM {quote_ident(name)}")
        ids = [r[0] for r in con.execute("SELECT source_id FROM sources WHERE status = 'loaded'").fetchall()]
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db, ids, work / "staging"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--work", type=Path, default=Path("/tmp/analytics-replay"))
    ap.add_argument("--profile", type=Path, help="write a cProfile of the update here")
    ap.add_argument("--end-phase", action="store_true", help="the flow's whole end phase (see the module docstring)")
    args = ap.parse_args(argv)
    _, ids, _ = prepare(args.warehouse, args.work)
    (args.work / "ids.json").write_text(json.dumps(ids))
    # the update runs in a fresh process, so that its peak RSS is its own (not the copy's above)
    profile = str(args.profile) if args.profile else None
    call = f"end_phase({str(args.work)!r})" if args.end_phase else f"replay({str(args.work)!r}, {profile!r})"
    cmd = [sys.executable, "-c", f"from bench.analytics_replay import replay, end_phase; {call}"]
    return subprocess.run(cmd, check=False).returncode


def _hwm_mib() -> float:
    """This process's peak RSS (VmHWM: ru_maxrss would include the parent's size at the fork)."""
    kb = status_kb("self", "status", b"VmHWM:")
    return (kb or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def replay(work: str, profile: str | None = None) -> None:
    """Run the update on a prepared copy and print its seconds, peak RSS (MiB) and counts as JSON."""
    db, staged = Path(work) / "corpus.duckdb", Path(work) / "staging"
    ids = json.loads((Path(work) / "ids.json").read_text())
    rss0 = _hwm_mib()
    t0 = time.perf_counter()
    if profile:
        import cProfile

        with cProfile.Profile() as prof:
            s = update_analytics(db, "replay", ids, staged)
        prof.dump_stats(profile)
    else:
        s = update_analytics(db, "replay", ids, staged)
    out = {
        "seconds": round(time.perf_counter() - t0, 2),
        "peak_rss_mib": round(_hwm_mib()),
        "rss_before_mib": round(rss0),
        **s.as_dict(),
    }
    print(json.dumps(out))


def _rss_mib() -> float:
    return status_kb("self", "status", b"VmRSS:") / 1024


def end_phase(work: str) -> None:
    """Run the flow's end phase on a prepared copy (``--end-phase``) and print its peaks and seconds as JSON."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from corpus_etl.memory import trim, use_returning_allocators
    from expectations.datadocs import build_data_docs
    from warehouse.db import connect_report
    from warehouse.loader import (
        EXPORT_AFTER_ANALYTICS_MEMORY_LIMIT,
        EXPORT_BESIDE_ANALYTICS_MEMORY_LIMIT,
        PARQUET_TABLES,
        RECORD_TABLES,
        export_parquet,
    )
    from warehouse.report import build_dashboard
    from warehouse.report.summary import dq_summary

    use_returning_allocators()
    db, staged = Path(work) / "corpus.duckdb", Path(work) / "staging"
    parquet, docs = Path(work) / "parquet", Path(work) / "docs"
    ids = json.loads((Path(work) / "ids.json").read_text())
    step = ["start"]
    peaks: dict[str, float] = {}
    seconds: dict[str, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peaks[step[0]] = max(peaks.get(step[0], 0.0), round(_rss_mib()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    step[0] = "analytics+records_export"
    with ThreadPoolExecutor(1) as pool:
        records = pool.submit(
            lambda: (
                export_parquet(db, parquet, "replay", RECORD_TABLES, EXPORT_BESIDE_ANALYTICS_MEMORY_LIMIT),
                time.perf_counter() - t0,
            )
        )
        s = update_analytics(db, "replay", ids, staged)
        seconds["analytics"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        seconds["records_export"] = records.result()[1]
    trim()
    step[0] = "rest_export"
    rest = tuple(x for x in PARQUET_TABLES if x not in RECORD_TABLES)
    export_parquet(db, parquet, "replay", rest, EXPORT_AFTER_ANALYTICS_MEMORY_LIMIT)
    trim()
    seconds["export_after_analytics"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    step[0] = "reports"
    build_data_docs(db, docs)
    build_dashboard(db, docs)
    con = connect_report(db)
    try:
        dq_summary(con, None)
    finally:
        con.close()
    seconds["reports"] = time.perf_counter() - t2
    seconds["total"] = time.perf_counter() - t0
    done.set()
    sampler.join()
    out = {
        "peak_rss_mib": round(_hwm_mib()),
        "peak_rss_by_step_mib": peaks,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "analytics": s.as_dict(),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
