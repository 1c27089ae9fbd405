"""The floors the product is compared with, on the same files: split + hash + Parquet alone, language detection
alone (1 and 2 processes), and the naive pandas + langdetect baseline."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.run.timing import Clock

LANG_CHUNK = 200  # texts per task of the 2-process language-detection floor


# ==================================================================================================
# Floors: the same work without the product around it (top-level functions, for the process pools)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _spawn_pool(processes: int, initializer: Callable[[], None]) -> ProcessPoolExecutor:
    """A started pool of spawned processes (as the product's), every worker initialised before timing."""
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"), initializer=initializer)
    list(pool.map(_pause, [0.5] * (2 * processes)))
    return pool


def _init_split() -> None:
    """Import the splitter and compile its rules (and its lazily compiled patterns) before timing."""
    from corpus_etl.decode import decode_bytes
    from corpus_etl.formats import split_document
    from corpus_etl.rules import load_rules
    from corpus_etl.split import SplitOptions

    warm = "A title for the warm-up\n\nSkip to main content\n\nBy Jane Doe, Example News\n\nA sentence of text.\n"
    split_document(decode_bytes(warm.encode()).text, "text", load_rules(), SplitOptions())


def split_one(path: str) -> tuple[str, str, list[str]]:
    """decode_bytes + split_document + sha256 of one file: (path, sha256, record bodies)."""
    from corpus_etl.decode import decode_bytes
    from corpus_etl.formats import split_document
    from corpus_etl.rules import load_rules
    from corpus_etl.split import SplitOptions

    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    result = split_document(decode_bytes(data).text, "text", load_rules(), SplitOptions())
    return path, digest, ["\n\n".join(r.paragraphs) for r in result.records]


def split_floor(paths: Sequence[str], processes: int, out_path: Path) -> dict[str, Any]:
    """Time split + hash + one zstd Parquet file of the record bodies on 1 or more processes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    order = sorted(paths, key=lambda p: -os.path.getsize(p))  # largest first: the processes end together
    schema = pa.schema([("path", pa.string()), ("sha256", pa.string()), ("ordinal", pa.int32()), ("body", pa.string())])
    pool = _spawn_pool(processes, _init_split) if processes > 1 else None
    if pool is None:
        _init_split()
    with pq.ParquetWriter(io.BytesIO(), schema, compression="zstd") as warm:  # pyarrow's first write takes ~1 s
        warm.write_table(pa.table({name: [] for name in schema.names}, schema=schema))
    n = 0
    try:
        with Clock(pool) as clock:
            results = pool.map(split_one, order) if pool else map(split_one, order)
            cols: dict[str, list[Any]] = {name: [] for name in schema.names}
            with pq.ParquetWriter(out_path, schema, compression="zstd") as writer:
                for path, digest, bodies in results:
                    for i, body in enumerate(bodies):
                        cols["path"].append(path)
                        cols["sha256"].append(digest)
                        cols["ordinal"].append(i)
                        cols["body"].append(body)
                    n += len(bodies)
                    if len(cols["body"]) >= 50_000:
                        writer.write_table(pa.table(cols, schema=schema))
                        cols = {name: [] for name in schema.names}
                if cols["body"]:
                    writer.write_table(pa.table(cols, schema=schema))
    finally:
        if pool is not None:
            pool.shutdown()
    return {"processes": processes, **clock.facts(), "records": n, "parquet_bytes": out_path.stat().st_size}


def _no_languages(texts: Sequence[str], **_kwargs: Any) -> Any:
    from corpus_etl.langid import UND, LangResult

    return [LangResult(UND, 0.0, "benchmark_stub") for _ in texts]


def _init_extract() -> None:
    """In this worker, ``extract_records`` skips language detection (the bodies do not depend on it)."""
    import corpus_etl.pipeline as pipeline

    pipeline.detect_languages = _no_languages


def extract_one(path: str) -> list[tuple[str | None, str]]:
    """(title, body) of every record ``extract_records`` makes of one file."""
    from corpus_etl.decode import decode_bytes
    from corpus_etl.pipeline import extract_records

    rows = extract_records(decode_bytes(Path(path).read_bytes()).text, source_path=path)
    return [(r["title"], r["body"]) for r in rows]  # type: ignore[misc]


def extract_bodies(paths: Sequence[str], processes: int) -> tuple[list[tuple[str | None, str]], float]:
    """The records' (title, body) of all files in file order (not a measurement: input of the floors)."""
    t0 = time.perf_counter()
    pool = _spawn_pool(processes, _init_extract)
    try:
        records = [rec for recs in pool.map(extract_one, paths) for rec in recs]
    finally:
        pool.shutdown()
    return records, time.perf_counter() - t0


def _init_langid() -> None:
    from corpus_etl.langid import detect_language

    for engine in ("fast", "langdetect"):  # load both engines' profiles before the timing
        detect_language("warm up the language detector with a sentence", min_letters=1, engine=engine)


def detect_chunk(args: tuple[list[str], int, str]) -> list[str]:
    """Languages of a chunk of texts, detected as the product detects a file's records (together)."""
    from corpus_etl.langid import detect_languages

    texts, sample_chars, engine = args
    return [r.language for r in detect_languages(texts, seed=0, sample_chars=sample_chars, engine=engine)]  # type: ignore[arg-type]


def lang_floor(texts: Sequence[str], processes: int, sample_chars: int, engine: str = "fast") -> dict[str, Any]:
    """Time ``detect_languages(texts, seed=0, sample_chars=..., engine=...)`` over ``texts`` in chunks of
    ``LANG_CHUNK`` (as the product detects a file's records together) on 1 or more processes (``engine``:
    the product's numpy engine ``fast``, or langdetect's own code ``langdetect``, one text at a time)."""
    pool = _spawn_pool(processes, _init_langid) if processes > 1 else None
    if pool is None:
        _init_langid()
    try:
        with Clock(pool) as clock:
            if pool is None:
                langs = [
                    x
                    for i in range(0, len(texts), LANG_CHUNK)
                    for x in detect_chunk((list(texts[i : i + LANG_CHUNK]), sample_chars, engine))
                ]
            else:
                chunks = [
                    (list(texts[i : i + LANG_CHUNK]), sample_chars, engine) for i in range(0, len(texts), LANG_CHUNK)
                ]
                langs = [x for part in pool.map(detect_chunk, chunks) for x in part]
    finally:
        if pool is not None:
            pool.shutdown()
    return {
        "processes": processes,
        "engine": engine,
        **clock.facts(),
        "texts": len(texts),
        "languages": dict(Counter(langs).most_common()),
    }


def naive_baseline(records: Sequence[tuple[str | None, str]], out_path: Path) -> dict[str, Any]:
    """A naive pipeline on the same records: ``langdetect.detect`` on the FULL body of every record in a
    pandas loop, on one process, then ``DataFrame.to_parquet``. The records (the product's split) are
    made outside the timing, so the baseline does no splitting at all."""
    import pandas as pd
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    df = pd.DataFrame(list(records), columns=["title", "body"])
    DetectorFactory.seed = 0
    detect("warm up the language profiles with an English sentence")

    def language(text: str) -> str:
        try:
            return str(detect(text))
        except LangDetectException:
            return "und"

    with Clock() as clock:
        df["language"] = df["body"].map(language)
        df.to_parquet(out_path, index=False)
    return {
        **clock.facts(),
        "records": len(df),
        "body_chars": int(df["body"].str.len().sum()),
        "parquet_bytes": out_path.stat().st_size,
    }
