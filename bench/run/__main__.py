"""Benchmark the ingest at scale: reproducible corpora, the real CLI, and the floors it should approach.

Run from the repository root: ``python -m bench.run`` (50 MB and 200 MB corpora), ``--size 50`` for one
size, ``--with-1gb`` to add a 1 GB corpus, ``--quick`` for a 5 MB smoke test (results go to
``bench/out/quick/``). Writes ``bench/RESULTS.json`` and ``bench/RESULTS.md``; see ``bench/README.md``.

For every size: build (or reuse) the corpus under ``bench/out/corpus-<size>mb/``; run
``corpus-etl ingest <corpus> --warehouse bench/out/wh-<size> --quiet`` as a subprocess into a fresh
warehouse and again on the unchanged corpus, measuring wall time, peak RSS of the process tree and CPU;
read the run's counts from the warehouse and its per-task times from the Prefect API database; then
measure the floors on the same files: split + hash + Parquet alone, and language detection alone, on 1
and 2 processes. The fixed cost (the CLI on a one-file corpus, imports) and a naive pandas + langdetect
baseline are measured once. MB means 10**6 bytes throughout.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.run.common import (
    BENCH_DIR,
    DEFAULT_SIZES,
    NAIVE_SIZE,
    ONE_GB,
    OUT,
    PREFECT_HOME,
    QUICK_SIZE,
    REPO,
    code_version,
    log_stderr,
    machine_facts,
)
from bench.run.floors import naive_baseline
from bench.run.product import PrefectServer, cli_env
from bench.run.report import write_results
from bench.run.sections import _tiny_run, measure_fixed_cost, measure_size, tiny_corpus
from bench.run.timing import POLL_SECONDS, _gnu_time_works
from corpora.generated import SEED, Log, StoryPool, load_stories, size_label
from corpora.shared import shared_dir


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--size", type=float, action="append", help="corpus size in MB (repeatable; default 50 and 200)"
    )
    parser.add_argument("--with-1gb", action="store_true", help="add a 1 GB corpus")
    parser.add_argument(
        "--quick",
        type=float,
        nargs="?",
        const=QUICK_SIZE,
        metavar="MB",
        help=f"one small corpus only ({QUICK_SIZE:g} MB unless given), for iterating; writes bench/out/quick/",
    )
    parser.add_argument(
        "--floors",
        choices=("each", "first", "none"),
        default="each",
        help="measure the floors on each size (default), on the smallest only (its MB/s then stand for the "
        "larger sizes), or not at all",
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--naive-size", type=float, default=NAIVE_SIZE, help="corpus of the naive baseline (MB)")
    parser.add_argument("--no-fixed-cost", action="store_true", help="skip the one-file-corpus runs")
    parser.add_argument(
        "--peers-size",
        type=float,
        help="corpus of the peers (bench/peers/: the product, the split + language floor, naive pandas + "
        "langdetect, datatrove) in MB (default 50; with --quick the quick size)",
    )
    parser.add_argument("--peers-repeats", type=int, help="runs of every peer (default 3; with --quick 1)")
    parser.add_argument("--no-peers", action="store_true", help="skip the peers")
    parser.add_argument(
        "--peers-only",
        action="store_true",
        help="measure the peers only, and put them into the RESULTS.json already in --out (the other sections "
        "keep their earlier numbers)",
    )
    parser.add_argument("--keep-prefect-api-url", action="store_true", help="use $PREFECT_API_URL if set")
    parser.add_argument(
        "--prefect-api",
        choices=("server", "ephemeral"),
        default="server",
        help="server (default): start one Prefect server for the whole benchmark and point the runs at it "
        "(how scheduled users run the product; the reruns and the tiny run are also measured once with a "
        "temporary API each, for comparison); ephemeral: every run starts Prefect's temporary API",
    )
    parser.add_argument("--out", type=Path, help="where RESULTS.json and RESULTS.md go (default bench/)")
    parser.add_argument(
        "--rerender",
        action="store_true",
        help="only recompute the ratios and RESULTS.md from the RESULTS.json in --out",
    )
    args = parser.parse_args(argv)
    if args.rerender:
        out_dir = args.out or (OUT / "quick" if args.quick else BENCH_DIR)
        write_results(json.loads((out_dir / "RESULTS.json").read_text()), out_dir)
        return 0
    if args.quick:
        sizes = [args.quick]
    else:
        sizes = sorted(set(args.size or DEFAULT_SIZES) | ({ONE_GB} if args.with_1gb else set()))
    shared = shared_dir()
    if not (shared / "corpora").is_dir():
        raise SystemExit(f"corpora not found under {shared} (set CORPUS_ETL_SHARED)")
    log = log_stderr
    OUT.mkdir(parents=True, exist_ok=True)
    use_time = _gnu_time_works()
    env = cli_env(args.keep_prefect_api_url)
    env_ephemeral: dict[str, str] | None = None
    server: PrefectServer | None = None
    if args.prefect_api == "server" and not (args.keep_prefect_api_url and env.get("PREFECT_API_URL")):
        server = PrefectServer(env, OUT / "logs" / "prefect-server.log")
        log("starting a Prefect server for the benchmark's runs")
        env_ephemeral, env = env, {**env, "PREFECT_API_URL": server.start()}
        log(f"Prefect server up in {server.start_s:.1f} s at {server.url}")
    try:
        return _main(args, sizes, env, env_ephemeral, server, use_time, shared, log, argv)
    finally:
        if server is not None:
            server.stop()


def _main(
    args: argparse.Namespace,
    sizes: list[float],
    env: dict[str, str],
    env_ephemeral: dict[str, str] | None,
    server: PrefectServer | None,
    use_time: bool,
    shared: Path,
    log: Log,
    argv: list[str],
) -> int:
    out_dir = args.out or (OUT / "quick" if args.quick else BENCH_DIR)
    naive_size = args.naive_size if args.naive_size in sizes else sizes[0]
    # The harness itself resolves Settings from the same environment as the CLI.
    t_all = time.perf_counter()
    if args.peers_only:
        log(f"bench: peers only, shared {shared}")
    else:
        log(f"bench: sizes {[f'{s:g} MB' for s in sizes]}, floors {args.floors}, shared {shared}")
    pool = load_stories(shared)
    log(f"stories: {pool.facts['reuters_stories']} Reuters + {pool.facts['bbc_articles']} BBC")
    from corpus_etl.settings import Settings

    st = Settings()
    results: dict[str, Any] = {
        "argv": argv,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "partial": True,
        "seed": SEED,
        "machine": machine_facts(),
        "code": {"start": code_version()},
        "settings": {
            "workers": st.n_workers,
            "batch_files": st.batch_files,
            "batch_bytes": st.batch_bytes,
            "lang_sample_chars": st.language.sample_chars,
            "validate_data": st.validate_data,
        },
        "measurement": {
            "gnu_time": use_time,
            "rss_poll_seconds": POLL_SECONDS,
            "prefect_api": (
                f"a Prefect server started once by the benchmark (in {server.start_s} s, not counted in the runs)"
                if server is not None
                else env.get("PREFECT_API_URL")
                or f"temporary local API per run (PREFECT_HOME={PREFECT_HOME.relative_to(REPO)})"
            ),
            "mb": "10**6 bytes",
        },
        "stories": pool.facts,
        "sizes": {},
        "notes": [],
    }
    if args.peers_only:
        old = out_dir / "RESULTS.json"
        if old.is_file():
            results = json.loads(old.read_text())
        results["peers"] = _measure_peers(args, pool, env, use_time, log, argv)
        write_results(results, out_dir)
        log(f"peers done in {(time.perf_counter() - t_all) / 60:.1f} min: {out_dir / 'RESULTS.md'}")
        return 0
    if not args.no_fixed_cost:
        results["fixed_cost"] = measure_fixed_cost(pool, env, use_time, log)
        if env_ephemeral is not None:
            wh = OUT / "wh-tiny"
            shutil.rmtree(wh, ignore_errors=True)
            log("fixed cost: tiny run with Prefect's temporary API (no server)")
            results["fixed_cost"]["ephemeral_api_run"] = _tiny_run(
                tiny_corpus(pool), wh, env_ephemeral, "tiny-ephemeral-api", use_time
            )
        write_results(results, out_dir)
    for i, size in enumerate(sizes):
        floors = args.floors == "each" or (args.floors == "first" and i == 0)
        naive = not args.no_naive and size == naive_size
        res, records = measure_size(size, pool, env, use_time, floors, naive, log, env_ephemeral)
        results["sizes"][f"{size:g}"] = res
        write_results(results, out_dir)
        if naive and records is not None:
            log(f"{size:g} MB: naive baseline (pandas + langdetect on full bodies, 1 process)")
            nb = naive_baseline(records, OUT / f"naive-{size_label(size)}.parquet")
            nb["size_mb"] = size
            nb["mb_per_s"] = round(res["product"]["mb"] / nb["seconds"], 4)
            results["naive_baseline"] = nb
            log(f"{size:g} MB: naive baseline {nb['seconds']:.1f} s")
        del records
        write_results(results, out_dir)
    if not args.no_peers:
        results["peers"] = _measure_peers(args, pool, env, use_time, log, argv)
        write_results(results, out_dir)
    results["code"]["end"] = code_version()
    results["code"]["changed_during_run"] = (
        results["code"]["end"]["product_sha256"] != results["code"]["start"]["product_sha256"]
    )
    if results["code"]["changed_during_run"]:
        results["notes"].append(
            "The product's files changed while the benchmark ran: runs may have measured different code."
        )
    if args.floors == "first" and len(sizes) > 1:
        results["notes"].append(
            f"Floors were measured on the {sizes[0]:g} MB corpus only; the ratios of larger sizes use its MB/s."
        )
    results["total_seconds"] = round(time.perf_counter() - t_all, 1)
    results["partial"] = False
    write_results(results, out_dir)
    log(f"done in {results['total_seconds'] / 60:.1f} min: {out_dir / 'RESULTS.md'}")
    return 0


def _measure_peers(
    args: argparse.Namespace, pool: StoryPool, env: dict[str, str], use_time: bool, log: Log, argv: list[str]
) -> dict[str, Any]:
    from bench.peers.sections import DEFAULT_PEERS_SIZE, DEFAULT_REPEATS, measure_peers

    size = args.peers_size or (args.quick or DEFAULT_PEERS_SIZE)
    repeats = args.peers_repeats or (1 if args.quick else DEFAULT_REPEATS)
    start = code_version()
    date = datetime.now(UTC).isoformat(timespec="seconds")
    res = measure_peers(size, pool, env, use_time, repeats, log)
    end = code_version()
    res.update(argv=argv, date=date, code=start, changed_during_run=start["product_sha256"] != end["product_sha256"])
    return res


if __name__ == "__main__":
    sys.exit(main())
