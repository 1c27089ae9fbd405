"""Peers in the same run (issue 21): the product and the pipelines it is compared with, on one corpus.

``python -m bench.run`` calls ``measure_peers`` once (``--peers-size`` MB, ``--peers-repeats`` repeats; ``--peers-only``
runs nothing else). The corpus is built here: Reuters + BBC stories from ``../shared``, 5-40 a file, each
``title``, a blank line and its paragraphs (one blank line between them), the stories of a file joined by two blank
lines (``JOIN``), so that a pipeline told the join can split every story out. Every peer reads the same files and
writes Parquet; one repeat runs them all in turn, and the repeats are interleaved so that the machine's noise falls
on every peer alike:

- ``product``: ``corpus-etl ingest`` into a fresh warehouse (as ``bench/run.py`` runs it);
- ``floor``: the split + language floor: per file ``decode_bytes`` + the product's ``split_document`` + the
  product's ``detect_languages`` (its default engine and sample) on the records, on ``WORKERS`` spawned processes
  started and warmed before the timing, one zstd Parquet file written in the main process;
- ``naive`` / ``naive_2p``: pandas + ``langdetect.detect``: read every file, split it on ``JOIN`` (its own split,
  not the product's), ``langdetect.detect`` on every story's full text (seeded; ``und`` when it raises),
  ``DataFrame.to_parquet``; on one process, and on ``WORKERS`` (a ``multiprocessing.Pool`` over the files);
- ``datatrove_langdetect`` / ``datatrove_fast`` / ``datatrove_nolang``: datatrove's ``LocalPipelineExecutor``
  (``tasks = workers = WORKERS``) running ``TextFileReader`` (one document a file) -> ``JoinSplitter`` (one document
  a story) -> ``LanguageLabel`` -> datatrove's ``ParquetWriter`` (zstd, metadata expanded into columns; its other
  options at their defaults). ``LanguageLabel`` is datatrove's ``LanguageFilter`` with ``label_only=True`` (the
  language and its score go into the metadata, nothing is dropped) on a ``datatrove.utils.lid.LID`` backend of
  langdetect's own code (the full text, as ``LanguageFilter`` hands its model), or of the product's numpy engine
  (``detect_languages`` on batches of 200 documents with the product's sample, as the product detects);
  ``datatrove_nolang`` has no language step. (``LanguageFilter`` itself needs fastText and a model downloaded from
  the Hub, neither of which is allowed here; its filter logic is copied, not its model.)

The subprocess peers (product, naive, datatrove) are timed from outside, like the product (wall, CPU and peak RSS of
the process tree, Python's start and imports included); each also reports its own inner time (``inner_s``). The
floor is timed in this process with warm workers (a best case). Every output is counted after the timing: documents,
and the files whose count equals the stories the file was built from (``files_exact``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import re
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.run import (
    MB,
    OUT,
    REPO,
    SEED,
    WORKERS,
    Clock,
    CorpusFile,
    Log,
    StoryPool,
    _Deck,
    _init_split,
    _spawn_pool,
    run_cli,
    run_measured,
    size_label,
    split_one,
    variant_paragraphs,
    write_corpus,
)

JOIN = "\n\n\n"  # two blank lines between the stories of a file: the join every peer splits on
MIN_STORIES, MAX_STORIES = 5, 40
PEERS_BUILDER_VERSION = 1
DEFAULT_PEERS_SIZE = 50.0
DEFAULT_REPEATS = 3
SUBPROCESS_PEERS = ("naive", "naive_2p", "datatrove_langdetect", "datatrove_fast", "datatrove_nolang")
PEERS = ("product", "floor", *SUBPROCESS_PEERS)
LABELS = {
    "product": "corpus-etl ingest",
    "floor": "split + language floor (product's splitter and engine, warm workers)",
    "naive": "naive pandas + langdetect, own split, 1 process",
    "naive_2p": f"naive pandas + langdetect, own split, {WORKERS} processes",
    "datatrove_langdetect": "datatrove, langdetect step",
    "datatrove_fast": "datatrove, the product's numpy engine as its step",
    "datatrove_nolang": "datatrove, no language step",
}
# product MB/s over the peer's MB/s, wanted (issue 21)
PEER_TARGETS = {"floor": 0.70, "datatrove_fast": 0.70, "datatrove_langdetect": 3.0, "naive": 3.0}

_BLANK_RUN = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


# ==================================================================================================
# The corpus: 5-40 stories a file joined by two blank lines


def render_story(title: str, paragraphs: Sequence[str]) -> str:
    """``title``, a blank line, the paragraphs one blank line apart: never two blank lines in a row (``JOIN``)."""
    parts = [" ".join(title.split())] + [_BLANK_RUN.sub("\n", p.strip()) for p in paragraphs if p.strip()]
    return "\n\n".join(parts)


def generate_story_files(pool: StoryPool, total_bytes: int, seed: int = SEED) -> Iterator[CorpusFile]:
    """Files of ``MIN_STORIES``-``MAX_STORIES`` stories (drawn uniformly) joined by ``JOIN`` until they hold
    ``total_bytes`` bytes (UTF-8). Stories are dealt from a shuffled deck (every story once before any repeats;
    from the second pass on a long story may lose a paragraph, as in ``generate_corpus``)."""
    if not pool.stories:
        raise ValueError("no stories to build a corpus from")
    import random

    rng = random.Random(seed)
    deck = _Deck(len(pool.stories), rng)
    produced = index = 0
    while produced < total_bytes:
        out = CorpusFile(f"p{index // 100:03d}/f{index:05d}.txt", b"", "stories", None)
        texts = []
        for _ in range(rng.randint(MIN_STORIES, MAX_STORIES)):
            k, pass_no = deck.draw()
            story = pool.stories[k]
            text = render_story(story.title, variant_paragraphs(story.paragraphs, pass_no, rng))
            texts.append(text)
            out.article_keys.append(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest())
            out.story_ids.append(story.sid)
        out.data = (JOIN.join(texts) + "\n").encode("utf-8")
        produced += len(out.data)
        index += 1
        yield out


def build_peer_corpus(dest: Path, size_mb: float, pool: StoryPool, seed: int = SEED, log: Log | None = None) -> dict:
    """Build (or reuse) the peers' corpus of ``size_mb`` MB in ``dest``; the manifest's ``files[].articles``
    is the gold number of stories of each file, ``n_articles`` their sum."""
    key = {
        "kind": "peers: stories joined by two blank lines",
        "builder_version": PEERS_BUILDER_VERSION,
        "seed": seed,
        "size_mb": size_mb,
        "target_bytes": int(size_mb * MB),
        "stories_per_file": [MIN_STORIES, MAX_STORIES],
        "sources_fingerprint": pool.fingerprint,
    }
    return write_corpus(dest, key, lambda: generate_story_files(pool, int(size_mb * MB), seed), len(pool.stories), log)


def corpus_files(corpus: Path) -> list[Path]:
    """The corpus's text files in name order (the hidden manifest is not one)."""
    return sorted(p for p in corpus.rglob("*.txt") if not p.name.startswith("."))


def split_on_join(text: str) -> list[str]:
    """A peer's own split: the stories of a file, cut at ``JOIN``, stripped, empty pieces dropped."""
    return [s for s in (piece.strip() for piece in text.split(JOIN)) if s]


# ==================================================================================================
# The naive pipeline (pandas + langdetect)


def _langdetect_or_und(text: str) -> str:
    from langdetect import detect
    from langdetect.lang_detect_exception import LangDetectException

    try:
        return str(detect(text))
    except LangDetectException:
        return "und"


def _naive_file(path: str) -> list[tuple[str, int, str, str]]:
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0
    with open(path, encoding="utf-8") as fh:
        stories = split_on_join(fh.read())
    return [(path, i, s, _langdetect_or_und(s)) for i, s in enumerate(stories)]


def run_naive(corpus: Path, out_dir: Path, processes: int = 1) -> dict[str, Any]:
    """pandas + langdetect on ``processes`` processes (a plain ``multiprocessing.Pool`` over the files when
    more than one); writes ``out_dir/naive.parquet`` (path, ordinal, text, language)."""
    import pandas as pd
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0
    t0 = time.perf_counter()
    paths = [str(p) for p in corpus_files(corpus)]
    if processes > 1:
        with multiprocessing.Pool(processes) as mp:
            rows = [row for part in mp.map(_naive_file, paths, chunksize=4) for row in part]
        df = pd.DataFrame(rows, columns=["path", "ordinal", "text", "language"])
    else:
        rows3 = []
        for path in paths:
            with open(path, encoding="utf-8") as fh:
                rows3.extend((path, i, s) for i, s in enumerate(split_on_join(fh.read())))
        df = pd.DataFrame(rows3, columns=["path", "ordinal", "text"])
        df["language"] = df["text"].map(_langdetect_or_und)
    out_dir.mkdir(parents=True, exist_ok=True)
    df.to_parquet(out_dir / "naive.parquet", index=False, compression="zstd")
    return {"inner_s": round(time.perf_counter() - t0, 3), "documents": len(df)}


# ==================================================================================================
# datatrove: reader -> splitter on the join -> language step -> Parquet writer


def run_datatrove(corpus: Path, out_dir: Path, engine: str | None, workers: int = WORKERS) -> dict[str, Any]:
    """datatrove's local executor (``tasks = workers``) on the corpus: reader -> ``JoinSplitter`` ->
    ``LanguageLabel(engine)`` (none when ``engine`` is None) -> ``ParquetWriter`` into ``out_dir/parquet``."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.writers import ParquetWriter

    from bench.datatrove_steps import JoinSplitter, LanguageLabel, TextFileReader
    from corpus_etl.settings import Settings

    t0 = time.perf_counter()
    pipeline = [
        TextFileReader(str(corpus), glob_pattern="**/*.txt"),
        JoinSplitter(JOIN),
        *([LanguageLabel(engine, Settings().lang_sample_chars)] if engine else []),
        ParquetWriter(str(out_dir / "parquet"), compression="zstd", expand_metadata=True),
    ]
    executor = LocalPipelineExecutor(
        pipeline, tasks=workers, workers=workers, logging_dir=str(out_dir / "logs"), skip_completed=False
    )
    executor.run()
    inner = time.perf_counter() - t0
    return {"inner_s": round(inner, 3), "documents": count_documents(out_dir / "parquet", "file_path", corpus)[0]}


# ==================================================================================================
# The split + language floor (in this process, warm workers)


def _init_floor() -> None:
    from corpus_etl.langid import detect_language

    _init_split()
    detect_language("warm up the language detector with a sentence", min_letters=1, engine="fast")


def split_lang_one(args: tuple[str, int, str]) -> tuple[str, list[str], list[str]]:
    """The product's split of one file (``bench.run.split_one``) and the product's languages of its records."""
    from corpus_etl.langid import detect_languages

    path, sample_chars, engine = args
    _, _, bodies = split_one(path)
    langs = detect_languages(bodies, seed=0, sample_chars=sample_chars, engine=engine)  # type: ignore[arg-type]
    return path, bodies, [r.language for r in langs]


def run_floor(corpus: Path, out_dir: Path, processes: int = WORKERS) -> dict[str, Any]:
    """Time the split + language floor on ``processes`` warm spawned processes (largest files first); write
    ``out_dir/floor.parquet`` (path, ordinal, body, language)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from corpus_etl.settings import Settings

    st = Settings()
    order = sorted((str(p) for p in corpus_files(corpus)), key=lambda p: -Path(p).stat().st_size)
    jobs = [(p, st.lang_sample_chars, st.lang_engine) for p in order]
    schema = pa.schema(
        [("path", pa.string()), ("ordinal", pa.int32()), ("body", pa.string()), ("language", pa.string())]
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    pool = _spawn_pool(processes, _init_floor) if processes > 1 else None
    if pool is None:
        _init_floor()
    n = 0
    try:
        with Clock(pool) as clock:
            results = pool.map(split_lang_one, jobs) if pool else map(split_lang_one, jobs)
            cols: dict[str, list[Any]] = {name: [] for name in schema.names}
            with pq.ParquetWriter(out_dir / "floor.parquet", schema, compression="zstd") as writer:
                for path, bodies, langs in results:
                    cols["path"] += [path] * len(bodies)
                    cols["ordinal"] += range(len(bodies))
                    cols["body"] += bodies
                    cols["language"] += langs
                    n += len(bodies)
                    if len(cols["body"]) >= 50_000:
                        writer.write_table(pa.table(cols, schema=schema))
                        cols = {name: [] for name in schema.names}
                writer.write_table(pa.table(cols, schema=schema))
    finally:
        if pool is not None:
            pool.shutdown()
    return {"processes": processes, "engine": st.lang_engine, **clock.facts(), "documents": n}


# ==================================================================================================
# Counting what every peer found


def _relative(path: str, corpus: Path) -> str:
    """``pNNN/fNNNNN.txt`` of a path as a peer recorded it (absolute, or relative to the corpus)."""
    parts = Path(path).parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else path


def count_documents(parquet: Path, column: str, corpus: Path) -> tuple[int, Counter[str]]:
    """Rows of the Parquet file(s) at ``parquet`` (a file or a folder), and their count per source file."""
    import pyarrow.parquet as pq

    files = sorted(parquet.rglob("*.parquet")) if parquet.is_dir() else [parquet]
    per: Counter[str] = Counter()
    total = 0
    for f in files:
        table = pq.read_table(f, columns=[column])
        total += table.num_rows
        per.update(_relative(p, corpus) for p in table.column(column).to_pylist())
    return total, per


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


# ==================================================================================================
# One run of every peer, repeated; the summary and the report


def _spread(values: Sequence[float]) -> dict[str, float]:
    return {
        "min": round(min(values), 4),
        "median": round(statistics.median(values), 4),
        "max": round(max(values), 4),
    }


def _run_subprocess_peer(name: str, corpus: Path, out_dir: Path, env: dict[str, str], use_time: bool) -> dict:
    cmd = [sys.executable, "-m", "bench.peers", "run", name, "--corpus", str(corpus), "--out", str(out_dir)]
    res = run_measured(cmd, env, OUT / "logs" / f"peer-{out_dir.name}.log", use_time)
    if res["rc"] != 0:
        from bench.run import BenchError

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


def peer_ratios(summary: dict[str, Any]) -> dict[str, float]:
    """The product's median MB/s over each peer's median MB/s."""
    if "product" not in summary:
        return {}
    p = summary["product"]["mb_per_s"]["median"]
    return {name: round(p / s["mb_per_s"]["median"], 3) for name, s in summary.items() if name != "product"}


def peer_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 21's targets on the peers (rows for ``bench.run.targets``)."""
    peers = results.get("peers")
    if not peers or "product" not in peers["summary"]:
        return []
    size = f"peers {peers['size_mb']:g} MB"
    out = []
    for name, want in PEER_TARGETS.items():
        if name in peers["ratios"]:
            v = peers["ratios"][name]
            out.append(
                {"name": f"{size}: product MB/s / {LABELS[name]} (medians)", "value": v, "target": f">= {want:g}",
                 "met": v >= want}
            )  # fmt: skip
    p = peers["summary"]["product"]
    gold, files = peers["gold_stories"], peers["corpus"]["n_files"]
    out.append(
        {"name": f"{size}: every story found (product records / gold stories; files with the gold count)",
         "value": f"{p['documents']:,} / {gold:,}; {p['files_exact']:,} / {files:,}",
         "target": "all", "met": p["documents"] == gold and p["files_exact"] == files}
    )  # fmt: skip
    return out


def render_peers(results: dict[str, Any]) -> list[str]:
    """The *Peers in the same run* section of RESULTS.md."""
    from bench.run import _mib, _table

    peers = results.get("peers")
    lines = ["", "## Peers in the same run", ""]
    if not peers:
        return [*lines, "Not measured in this run."]
    c = peers["corpus"]
    lines += [
        f"One corpus of {c['total_bytes'] / MB:.1f} MB: {c['n_files']:,} files of {c['n_articles']:,} Reuters + BBC "
        f"stories ({c['n_distinct_article_texts']:,} distinct texts), 5-40 a file joined by two blank lines; every "
        f"peer run {peers['repeats']} time(s), the repeats interleaved. MB/s and articles/s: min / median / max; "
        "*ratio* = the product's median MB/s over the peer's. Every peer but the product splits on the known join. "
        "See bench/peers.py.",
        "",
    ]
    if peers.get("date"):
        code = peers.get("code") or {}
        lines[-1:] = [
            "",
            f"Measured {peers['date']} (`python -m bench.run {' '.join(peers.get('argv') or [])}`), commit "
            f"{code.get('git_commit')}"
            + (" plus uncommitted changes" if code.get("uncommitted_changes") else "")
            + (" (**the product's code changed during the run**)" if peers.get("changed_during_run") else "")
            + ". The machine is shared: *other CPU* is the cores that other processes kept busy meanwhile.",
            "",
        ]

    def mmm(d: dict[str, float], nd: int = 2) -> str:
        return " / ".join(f"{d[k]:,.{nd}f}" for k in ("min", "median", "max"))

    rows = []
    for name, s in peers["summary"].items():
        rows.append(
            [
                s["label"],
                mmm(s["mb_per_s"]),
                mmm(s["articles_per_s"], 0),
                s["wall_s"]["median"],
                s["cpu_s"]["median"],
                s["other_cpu_cores"]["median"],
                _mib(s.get("peak_rss_tree_bytes")),
                f"{s['documents']:,} / {peers['gold_stories']:,}",
                f"{s['files_exact']:,} / {c['n_files']:,}",
                "—" if name == "product" else peers["ratios"].get(name),
            ]
        )
    lines.append(
        _table(
            [
                "peer",
                "MB/s",
                "articles/s",
                "median wall s",
                "median CPU s",
                "other CPU (median)",
                "peak RSS tree MiB",
                "documents / gold stories",
                "files with the gold count",
                "ratio",
            ],
            rows,
        )
    )
    return lines


# ==================================================================================================
# The subprocess peers' entry point


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description="Run one peer (used by bench.run).")
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run one subprocess peer on a corpus; writes OUT/result.json")
    run.add_argument("peer", choices=SUBPROCESS_PEERS)
    run.add_argument("--corpus", type=Path, required=True)
    run.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.peer in ("naive", "naive_2p"):
        res = run_naive(args.corpus, args.out, 1 if args.peer == "naive" else WORKERS)
    else:
        engine = {"datatrove_langdetect": "langdetect", "datatrove_fast": "fast"}.get(args.peer)
        res = run_datatrove(args.corpus, args.out, engine)
    (args.out / "result.json").write_text(json.dumps(res) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
