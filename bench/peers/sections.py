"""The peers' section of ``python -m bench.run``: every peer timed on the peers' corpus (``corpora.generated``), the
repeats interleaved, and what each wrote counted."""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.peers.measure import LABELS, _spread, peer_ratios
from bench.peers.runners import SUBPROCESS_PEERS, _relative, count_documents, run_floor
from bench.run.common import OUT, REPO
from bench.run.product import run_cli
from bench.run.timing import run_measured
from corpora.generated import (
    MB,
    Log,
    StoryPool,
    build_peer_corpus,
    size_label,
)

DEFAULT_PEERS_SIZE = 50.0
DEFAULT_REPEATS = 3
PEERS = ("product", "floor", *SUBPROCESS_PEERS)


# ==================================================================================================
# Counting what every peer found


def product_counts(wh: Path, corpus: Path) -> tuple[dict[str, int], Counter[str]]:
    """Articles and quarantined records of the warehouse, and their count per source file."""
    import duckdb

    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select source_path, count(*) from (select source_path from articles union all "
            "select source_path from quarantine) group by 1"
        ).fetchall()
        (articles,) = con.execute("select count(*) from articles").fetchone() or (0,)
        (quarantine,) = con.execute("select count(*) from quarantine").fetchone() or (0,)
    finally:
        con.close()
    per: Counter[str] = Counter()
    for path, n in rows:
        per[_relative(path, corpus)] += int(n)
    return {"articles": int(articles), "quarantine": int(quarantine)}, per


def found_facts(per_file: Counter[str], manifest: dict[str, Any]) -> dict[str, Any]:
    """How a peer's documents per file compare with the stories each file was built from."""
    gold = {f["name"]: f["articles"] for f in manifest["files"]}
    return {
        "documents": sum(per_file.values()),
        "gold_stories": sum(gold.values()),
        "files_exact": sum(1 for name, n in gold.items() if per_file.get(name, 0) == n),
        "files": len(gold),
        "stories_found_by_count": sum(min(per_file.get(name, 0), n) for name, n in gold.items()),
        "unknown_files": sorted(set(per_file) - set(gold))[:5],
    }


def _run_subprocess_peer(name: str, corpus: Path, out_dir: Path, env: dict[str, str], use_time: bool) -> dict:
    cmd = [sys.executable, "-m", "bench.peers", "run", name, "--corpus", str(corpus), "--out", str(out_dir)]
    res = run_measured(cmd, env, OUT / "logs" / f"peer-{out_dir.name}.log", use_time)
    if res["rc"] != 0:
        from bench.run.common import BenchError

        raise BenchError(f"peer {name} exited {res['rc']}:\n{res.get('output_tail', '')}")
    res.update(json.loads((out_dir / "result.json").read_text()))
    return res


def measure_peers(
    size_mb: float,
    pool: StoryPool,
    env: dict[str, str],
    use_time: bool,
    repeats: int,
    log: Log,
    peers: Sequence[str] = PEERS,
) -> dict[str, Any]:
    """Build the peers' corpus and run every peer ``repeats`` times (interleaved); return their runs, their
    MB/s and articles/s (min/median/max) and what they found."""
    corpus = OUT / f"corpus-peers-{size_label(size_mb)}"
    manifest = build_peer_corpus(corpus, size_mb, pool, log=log)
    mb = manifest["total_bytes"] / MB
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in peers}
    for r in range(repeats):
        for name in peers:
            out_dir = OUT / "peers" / f"{name}-{r + 1}"
            shutil.rmtree(out_dir, ignore_errors=True)
            log(f"peers {size_mb:g} MB: {name}, repeat {r + 1}/{repeats}")
            if name == "product":
                res = run_cli([corpus], out_dir, env, f"peer-product-{r + 1}", use_time)
                counts, per = product_counts(out_dir, corpus)
                res.update(counts)
            elif name == "floor":
                res = run_floor(corpus, out_dir)
                res["wall_s"] = res.pop("seconds")
                _, per = count_documents(out_dir / "floor.parquet", "path", corpus)
            else:
                res = _run_subprocess_peer(name, corpus, out_dir, env, use_time)
                if name.startswith("datatrove"):
                    _, per = count_documents(out_dir / "parquet", "file_path", corpus)
                else:
                    _, per = count_documents(out_dir / "naive.parquet", "path", corpus)
            res.pop("rss_timeline", None)
            if "cpu_s_polled" in res:
                res["cpu_s"] = max(res["cpu_s"], res["cpu_s_polled"])
            res.update(found_facts(per, manifest))
            res["mb_per_s"] = round(mb / res["wall_s"], 4)
            res["articles_per_s"] = round(res["documents"] / res["wall_s"], 1)
            runs[name].append(res)
            log(f"peers: {name} {res['wall_s']:.1f} s, {res['mb_per_s']:.2f} MB/s, {res['documents']} documents")
            if name == "product":
                shutil.rmtree(out_dir, ignore_errors=True)  # warehouses are large; the counts are kept
    summary = {
        name: {
            "label": LABELS[name],
            "mb_per_s": _spread([x["mb_per_s"] for x in rs]),
            "articles_per_s": _spread([x["articles_per_s"] for x in rs]),
            "wall_s": _spread([x["wall_s"] for x in rs]),
            "cpu_s": _spread([x["cpu_s"] for x in rs if x.get("cpu_s") is not None] or [0.0]),
            "other_cpu_cores": _spread([x.get("other_cpu_cores") or 0.0 for x in rs]),
            "documents": rs[-1]["documents"],
            "files_exact": rs[-1]["files_exact"],
        }
        for name, rs in runs.items()
        if rs
    }
    for name, s in summary.items():
        if "peak_rss_tree_bytes" in runs[name][0]:
            s["peak_rss_tree_bytes"] = max(x["peak_rss_tree_bytes"] for x in runs[name])
    return {
        "size_mb": size_mb,
        "repeats": repeats,
        "corpus": {k: v for k, v in manifest.items() if k != "files"} | {"dir": str(corpus.relative_to(REPO))},
        "gold_stories": manifest["n_articles"],
        "runs": runs,
        "summary": summary,
        "ratios": peer_ratios(summary),
    }
