"""The peers that run as subprocesses (``python -m bench.peers run NAME``: naive pandas + langdetect, datatrove) and the
split + language floor, each reading the corpus and writing Parquet."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.run.common import WORKERS
from bench.run.floors import _init_split, _spawn_pool, split_one
from bench.run.timing import Clock
from corpora.generated import (
    JOIN,
    corpus_files,
)

SUBPROCESS_PEERS = ("naive", "naive_2p", "datatrove_langdetect", "datatrove_fast", "datatrove_nolang")


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
        *([LanguageLabel(engine, Settings().language.sample_chars)] if engine else []),
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
    """The product's split of one file (``bench.run.floors.split_one``) and the product's languages of its records."""
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
    jobs = [(p, st.language.sample_chars, st.language.engine) for p in order]
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
    return {"processes": processes, "engine": st.language.engine, **clock.facts(), "documents": n}


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
