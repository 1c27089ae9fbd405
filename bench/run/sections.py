"""TODO"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.run.common import MIB, OUT, PREFECT_HOME, REPO, WORKERS, BenchError
from bench.run.floors import extract_bodies, lang_floor, split_floor
from bench.run.ledger import story_ledger
from bench.run.product import prefect_stages, run_cli, warehouse_content_hashes, warehouse_facts, warehouse_records
from corpora.generated import MB, Log, StoryPool, build_corpus, corpus_paths, size_label

# ==================================================================================================
# Fixed cost


def tiny_corpus(pool: StoryPool) -> Path:
    """A one-file corpus: the first BBC article, as plain text."""
    dest = OUT / "corpus-tiny"
    story = next((s for s in pool.stories if s.sid.startswith("bbc/")), pool.stories[0])
    text = story.title + "\n\n" + "\n\n".join(story.paragraphs) + "\n"
    path = dest / "article.txt"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    return dest


IMPORTS = {
    "python_start": "pass",
    "import_cli": "import corpus_etl_cli.main",
    "import_prefect": "import prefect",
    "import_flow": "import flows.ingest",
    "import_great_expectations": "import great_expectations",
    "langdetect_profiles": (
        "from corpus_etl.langid import detect_language; "
        "detect_language('load the language profiles with a sentence', min_letters=1)"
    ),
}


def measure_fixed_cost(pool: StoryPool, env: dict[str, str], use_time: bool, log: Log) -> dict[str, Any]:
    """The CLI on a one-file corpus (with and without validation) and the import times behind it."""
    tiny = tiny_corpus(pool)
    out: dict[str, Any] = {"corpus": "1 file, 1 BBC article"}
    if not (PREFECT_HOME / "prefect.db").is_file():
        wh = OUT / "wh-tiny-first"
        shutil.rmtree(wh, ignore_errors=True)
        log("fixed cost: first run in a fresh PREFECT_HOME (creates the Prefect database)")
        out["fresh_prefect_home_run"] = _tiny_run(tiny, wh, env, "tiny-fresh-prefect-home", use_time)
    runs = []
    for i in range(2):
        wh = OUT / "wh-tiny"
        shutil.rmtree(wh, ignore_errors=True)
        log(f"fixed cost: tiny run {i + 1}/2")
        runs.append(_tiny_run(tiny, wh, env, f"tiny-{i + 1}", use_time))
    out["runs"] = runs
    out["wall_s"] = min(r["wall_s"] for r in runs)
    wh = OUT / "wh-tiny"
    shutil.rmtree(wh, ignore_errors=True)
    log("fixed cost: tiny run with --no-validate")
    out["no_validate"] = _tiny_run(tiny, wh, env, "tiny-no-validate", use_time, ["--no-validate"])
    python = Path(sys.executable)
    imports: dict[str, float] = {}
    for name, stmt in IMPORTS.items():
        t0 = time.perf_counter()
        subprocess.run([str(python), "-c", stmt], cwd=REPO, env=env, check=True, capture_output=True)
        imports[name] = round(time.perf_counter() - t0, 2)
    out["imports_s"] = imports
    log(f"fixed cost: tiny run {out['wall_s']:.1f} s; imports {imports}")
    return out


def _tiny_run(
    tiny: Path, wh: Path, env: dict[str, str], name: str, use_time: bool, extra: Sequence[str] = ()
) -> dict[str, Any]:
    res = run_cli([tiny], wh, env, name, use_time, extra)
    facts = warehouse_facts(wh)
    run = facts["runs"][-1]
    res["flow_seconds_in_runs_table"] = run["seconds"]
    res["stages"] = prefect_stages(run["run_id"], res)
    res.pop("rss_timeline", None)
    return res


# ==================================================================================================
# One corpus size


def measure_size(
    size_mb: float,
    pool: StoryPool,
    env: dict[str, str],
    use_time: bool,
    floors: bool,
    naive: bool,
    log: Log,
    env_ephemeral: dict[str, str] | None = None,
) -> tuple[dict[str, Any], list[tuple[str | None, str]] | None]:
    """Build the corpus, run the product twice (the rerun, on the unchanged corpus, is what a user's
    rerun is: recorded without starting Prefect), a third time with ``--always-flow`` (the same rerun
    through the Prefect flow, with Prefect's temporary API when ``env_ephemeral`` is given, else against
    the server), and (``floors``) the floors; return results and records."""
    label = size_label(size_mb)
    corpus_dir = OUT / f"corpus-{label}"
    manifest = build_corpus(corpus_dir, size_mb, pool, log=log)
    paths = corpus_paths(corpus_dir, manifest)
    mb = manifest["total_bytes"] / MB
    res: dict[str, Any] = {
        "size_mb": size_mb,
        "corpus": {k: v for k, v in manifest.items() if k != "files"} | {"dir": str(corpus_dir.relative_to(REPO))},
    }
    wh = OUT / f"wh-{label.removesuffix('mb')}"
    shutil.rmtree(wh, ignore_errors=True)
    log(f"{label}: first run (fresh warehouse {wh.relative_to(REPO)})")
    first = run_cli([corpus_dir], wh, env, f"ingest-{label}-first", use_time)
    log(f"{label}: first run {first['wall_s']:.1f} s, peak RSS {first['peak_rss_tree_bytes'] / MIB:.0f} MiB")
    log(f"{label}: second run (unchanged corpus, same warehouse)")
    second = run_cli([corpus_dir], wh, env, f"ingest-{label}-rerun", use_time)
    log(f"{label}: rerun {second['wall_s']:.1f} s")
    api = "Prefect's temporary API" if env_ephemeral is not None else "the server"
    log(f"{label}: third run (unchanged corpus) through the Prefect flow (--always-flow), {api}")
    third = run_cli(
        [corpus_dir], wh, env_ephemeral or env, f"ingest-{label}-rerun-flow", use_time, extra=["--always-flow"]
    )
    third["prefect_api"] = "temporary" if env_ephemeral is not None else "server"
    log(f"{label}: rerun through the flow {third['wall_s']:.1f} s")
    facts = warehouse_facts(wh)
    runs = facts["runs"]
    if len(runs) != 3:
        raise BenchError(f"expected 3 runs in {wh}, found {len(runs)}")
    first["run"], second["run"] = runs[:2]
    first["stages"] = prefect_stages(runs[0]["run_id"], first)
    second["stages"] = prefect_stages(runs[1]["run_id"], second)
    res["first_run"] = first
    res["rerun"] = second
    third["run"] = runs[2]
    third["stages"] = prefect_stages(runs[2]["run_id"], third)
    third.pop("rss_timeline", None)
    res["rerun_flow"] = third
    res["warehouse"] = {k: v for k, v in facts.items() if k != "runs"}
    t0 = time.perf_counter()
    res["story_ledger"] = story_ledger(pool, manifest, corpus_dir, wh / "corpus.duckdb")
    log(f"{label}: story ledger in {time.perf_counter() - t0:.1f} s (outside the timing)")
    n_records = runs[0]["n_records"]
    res["product"] = {
        "mb": round(mb, 3),
        "records": n_records,
        "wall_s": first["wall_s"],
        "mb_per_s": round(mb / first["wall_s"], 4),
        "articles_per_s": round(n_records / first["wall_s"], 1),
        "s_per_mb": round(first["wall_s"] / mb, 3),
    }
    records: list[tuple[str | None, str]] | None = None
    if floors or naive:
        log(f"{label}: extracting record bodies for the floors (outside the timing, {WORKERS} processes)")
        records, secs = extract_bodies(paths, WORKERS)
        mine = Counter(hashlib.sha256(b.encode("utf-8")).hexdigest() for _, b in records)
        theirs = warehouse_content_hashes(wh)
        res["floor_inputs"] = {
            "records": len(records),
            "extract_seconds_untimed": round(secs, 1),
            "bodies_match_warehouse": mine == theirs,
            "warehouse_records": sum(theirs.values()),
            "body_chars": sum(len(b) for _, b in records),
        }
        log(f"{label}: {len(records)} records (bodies match the warehouse: {mine == theirs})")
        if mine != theirs:
            # The product removes more than the splitter alone (the learned-boilerplate pre-pass sees the
            # whole corpus): the floors then detect on the warehouse's own records, what the product detected.
            records = warehouse_records(wh)
            res["floor_inputs"]["taken_from"] = "warehouse (articles + quarantine): the splitter alone differs"
            log(f"{label}: floors use the warehouse's {len(records)} records")
    if floors:
        assert records is not None
        res["floors"] = run_floors(label, paths, records, mb, log)
        res["floors"]["languages_match_warehouse"] = (
            res["floors"]["lang_1p"]["languages"] == res["warehouse"]["languages"]
        )
    return res, records


def run_floors(
    label: str, paths: Sequence[str], records: Sequence[tuple[str | None, str]], mb: float, log: Log
) -> dict[str, Any]:
    from corpus_etl.settings import Settings

    sample_chars = Settings().language.sample_chars
    engine = Settings().language.engine
    out: dict[str, Any] = {"lang_sample_chars": sample_chars, "lang_engine": engine}
    for n in (1, WORKERS):
        log(f"{label}: floor split + hash + Parquet on {n} process(es)")
        r = split_floor(paths, n, OUT / f"floor-split-{label}-{n}p.parquet")
        r["mb_per_s"] = round(mb / r["seconds"], 4)
        out[f"split_{n}p"] = r
        log(f"{label}: split floor {n}p {r['seconds']:.1f} s")
    texts = [body or (title or "") for title, body in records]  # what the product detects on
    for n in (1, WORKERS):
        log(f"{label}: floor language detection on {n} process(es)")
        r = lang_floor(texts, n, sample_chars, engine)
        r["mb_per_s"] = round(mb / r["seconds"], 4)
        r["texts_per_s"] = round(len(texts) / r["seconds"], 1)
        out[f"lang_{n}p"] = r
        log(f"{label}: language floor {n}p {r['seconds']:.1f} s")
    if engine != "langdetect":
        # the floor with langdetect's own (pure-Python) code, which the product's engine replaces with
        # identical answers: the limit a product calling langdetect directly would have
        log(f"{label}: floor language detection with langdetect's own code on {WORKERS} processes")
        r = lang_floor(texts, WORKERS, sample_chars, "langdetect")
        r["mb_per_s"] = round(mb / r["seconds"], 4)
        r["texts_per_s"] = round(len(texts) / r["seconds"], 1)
        out[f"lang_{WORKERS}p_langdetect"] = r
        log(f"{label}: langdetect floor {WORKERS}p {r['seconds']:.1f} s")
    out["lang_2p_over_1p_speedup"] = round(out["lang_1p"]["seconds"] / out[f"lang_{WORKERS}p"]["seconds"], 2)
    out["split_2p_over_1p_speedup"] = round(out["split_1p"]["seconds"] / out[f"split_{WORKERS}p"]["seconds"], 2)
    return out
