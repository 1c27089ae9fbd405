"""The sections of ``python -m eval.run``: the extractor run on each input in a process pool (top-level workers), and
``evaluate``, which runs every section and scores it with ``eval.metrics`` and ``measure``."""

from __future__ import annotations

import functools
import json
import platform
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from corpora.bbc import bbc_articles, bbc_files
from corpora.glue import build_concatenation
from corpora.reuters import reuters_articles
from corpora.shared import read_text, seed_files, shared_dir
from eval.common import code_version, fold_model_path
from eval.metrics import (
    SEED,
    benchmark_scores,
    benchmark_tp_fp_fn,
    best_overlap,
    boundary_counts,
    main_article,
    multiset_overlap,
    prf,
    titles_equal,
    token_counts,
    token_prf,
    token_tp_fp_fn,
    tokenize,
)
from eval.run.corpus import (
    LANG_TEXT_CHARS,
    SEED_BOILERPLATE,
    SEED_TITLES,
    SEPARATORS,
    Gold,
    language_texts,
    scrapinghub_half,
    script_filter,
)
from eval.run.measure import RECOVERED_F1, TARGETS, _aggregates, targets

WORKERS = 2


# ==================================================================================================
# Workers (top-level so that a process pool can run them)


def _extract(
    text: str, what: str, learned: frozenset[str] = frozenset(), line_model: str | None = None
) -> list[dict[str, Any]]:
    from corpus_etl.pipeline import extract_records
    from corpus_etl.settings import Settings

    try:
        return extract_records(text, settings=Settings(extraction={"line_model_path": line_model}), learned=learned)
    except Exception as exc:  # say which document broke the product, then stop: a crash is not a score
        raise RuntimeError(f"extract_records failed on {what}: {type(exc).__name__}: {exc}") from exc


@functools.lru_cache(maxsize=4)
def _scrapinghub_urls(truth_path: Path) -> dict[str, str]:
    return {k: v.get("url", k) for k, v in json.loads(truth_path.read_text(encoding="utf-8")).items()}


def _fold_line_model(page_path: Path, key: str) -> str:
    """The line model trained without the site of scrapinghub page ``key`` (eval/models; ``make train-lines``):
    the packaged one saw every page."""
    from corpus_etl.linemodel.corpora import site_fold, site_key

    url = _scrapinghub_urls(page_path.parent.parent / "ground-truth.json").get(key, key)
    fold = site_fold(site_key(urlparse(url).netloc or url))
    return str(fold_model_path(fold))


def _score_page(item: tuple[str, str, str] | tuple[str, str, str, frozenset[str]]) -> dict[str, Any]:
    from corpus_etl.decode import decode_bytes

    key, path, gold = item[:3]
    learned: frozenset[str] = item[3] if len(item) > 3 else frozenset()  # type: ignore[misc]
    text = decode_bytes(Path(path).read_bytes()).text
    records = _extract(text, f"scrapinghub {key}", learned, _fold_line_model(Path(path), key))
    main = main_article(records)
    pred = main["body"] if main else ""
    overlap, n_pred, n_gold = token_counts(pred, gold)
    p, r, f = prf(overlap, n_pred, n_gold)
    oracle = max((token_prf(x["body"], gold)[2] for x in records if x["kind"] == "article"), default=0.0)
    return {
        "key": key,
        "half": scrapinghub_half(key),
        "precision": p,
        "recall": r,
        "f1": f,
        "overlap": overlap,
        "n_pred_tokens": n_pred,
        "n_gold_tokens": n_gold,
        "oracle_f1": oracle,
        "n_records": len(records),
        "n_articles": sum(1 for x in records if x["kind"] == "article"),
        "benchmark": benchmark_tp_fp_fn(pred, gold),
        "token_marks": token_tp_fp_fn(pred, gold),
    }


def _score_concatenation(item: tuple[str, list[Gold]]) -> dict[str, Any]:
    text, golds = item
    records = _extract(text, "synthetic file " + "+".join(g.id for g in golds))
    articles = [r for r in records if r["kind"] == "article"]
    hits, n_pred, n_gold = boundary_counts([r["char_start"] for r in articles], [(g.start, g.title_end) for g in golds])
    art_tokens = [Counter(tokenize(r["body"])) for r in articles]
    spans = [(r["char_start"], r["char_end"]) for r in records]
    recovered: list[bool] = []
    title_ok: list[bool] = []
    for g in golds:
        gt = Counter(tokenize(g.body))
        n_g = sum(gt.values())
        recovered.append(any(prf(multiset_overlap(t, gt), sum(t.values()), n_g)[2] >= RECOVERED_F1 for t in art_tokens))
        k = best_overlap((g.start, g.end), spans)
        title_ok.append(k is not None and titles_equal(records[k]["title"], g.title))
    return {
        "ids": [g.id for g in golds],
        "hits": hits,
        "n_pred": n_pred,
        "n_gold": n_gold,
        "n_pred_articles": len(articles),
        "recovered": recovered,
        "title_ok": title_ok,
        "pred": [(r["kind"], r["char_start"], r["char_end"], r["title"], r["n_words"]) for r in records],
    }


def _detect_language(item: tuple[str, str, int]) -> tuple[str, list[str], int]:
    from corpus_etl.langid import detect_language

    iso, path, limit = item
    with open(path, encoding="utf-8") as fh:
        sentences, dropped = script_filter(iso, fh)
    texts = language_texts(sentences, LANG_TEXT_CHARS, limit)
    return iso, [detect_language(t).language for t in texts], dropped


# ==================================================================================================
# Sections


def section_scrapinghub(root: Path, pool: Executor, quick: bool) -> dict[str, Any]:
    base = root / "corpora" / "scrapinghub"
    gold = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    items = []
    skipped = []
    for path in sorted((base / "page_text").glob("*.txt")):
        body = gold.get(path.stem, {}).get("articleBody") or ""
        if not body.strip():
            skipped.append(path.stem)
            continue
        items.append((path.stem, str(path), body))
    if quick:
        items = sorted(random.Random(SEED).sample(items, min(30, len(items))))
    docs = list(pool.map(_score_page, items, chunksize=4))
    n = len(docs)
    mean = {k: statistics.mean(d[k] for d in docs) if docs else 0.0 for k in ("precision", "recall", "f1", "oracle_f1")}
    micro = prf(
        sum(d["overlap"] for d in docs), sum(d["n_pred_tokens"] for d in docs), sum(d["n_gold_tokens"] for d in docs)
    )
    bench = benchmark_scores([tuple(d["benchmark"]) for d in docs])
    worst = sorted(docs, key=lambda d: d["f1"])[:15]
    halves = {}
    for half in ("dev", "held-out"):
        sub = [d for d in docs if d["half"] == half]
        halves[half] = {
            "n_docs": len(sub),
            **{f"mean_{k}": statistics.mean(d[k] for d in sub) if sub else 0.0 for k in ("precision", "recall", "f1")},
            **_aggregates(sub),
        }
    return {
        "halves": halves,
        "n_docs": n,
        "n_skipped_empty_gold": len(skipped),
        "mean_precision": mean["precision"],
        "mean_recall": mean["recall"],
        "mean_f1": mean["f1"],
        "micro_precision": micro[0],
        "micro_recall": micro[1],
        "micro_f1": micro[2],
        "oracle_mean_f1": mean["oracle_f1"],
        "share_f1_ge_0_9": sum(1 for d in docs if d["f1"] >= 0.9) / n if n else 0.0,
        "share_empty_prediction": sum(1 for d in docs if d["n_pred_tokens"] == 0) / n if n else 0.0,
        "benchmark_shingle_precision": bench[0],
        "benchmark_shingle_recall": bench[1],
        **_aggregates(docs),
        "worst": [
            {k: d[k] for k in ("key", "half", "precision", "recall", "f1", "oracle_f1", "n_articles")} for d in worst
        ],
        "_docs": docs,
    }


def _scan(path: str) -> list[str]:
    from corpus_etl.learned import scan_file

    return scan_file(path, "text")


def _bbc_body_f1(item: tuple[str, str, frozenset[str]]) -> tuple[float, float, int]:
    """(F1 without, F1 with the learned lines, learned lines removed) of one BBC file's split body."""
    from corpus_etl.decode import decode_bytes
    from corpus_etl.rules import load_rules
    from corpus_etl.split import split_text

    path, body, learned = item
    text = decode_bytes(Path(path).read_bytes()).text
    out = []
    for lines in (frozenset(), learned):
        res = split_text(text, load_rules(), learned=lines)
        arts = [r for r in res.records if r.kind == "article"]
        pred = max(arts, key=lambda r: r.body_words).paragraphs if arts else []
        out.append(token_prf("\n".join(pred), body)[2])
    n = sum(1 for sp in split_text(text, load_rules(), learned=learned).removed if sp.rule == "learned_repeat")
    return out[0], out[1], n


def section_learned(root: Path, pool: Executor, quick: bool) -> dict[str, Any]:
    """Learned boilerplate (``corpus_etl.learned``) as an ingest of each corpus folder would learn it."""
    from corpus_etl.learned import learn, outlet_key
    from corpus_etl.settings import Settings

    min_files = Settings().extraction.learned_min_files
    base = root / "corpora" / "scrapinghub"
    gold = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pages = sorted((base / "page_text").glob("*.txt"))
    hashes = list(pool.map(_scan, [str(p) for p in pages], chunksize=8))
    current = {str(p): (outlet_key(str(p)), h) for p, h in zip(pages, hashes, strict=True)}
    learned = learn(current, (), min_files).get(outlet_key(str(pages[0])), frozenset()) if pages else frozenset()
    items = [
        (p.stem, str(p), gold[p.stem]["articleBody"], learned) for p in pages if gold.get(p.stem, {}).get("articleBody")
    ]
    if quick:
        items = sorted(random.Random(SEED).sample(items, min(30, len(items))))
    docs = list(pool.map(_score_page, items, chunksize=4))
    sh: dict[str, Any] = {"n_learned_lines": len(learned), "n_docs": len(docs)}
    for half in ("dev", "held-out", "all"):
        sub = [d for d in docs if half in ("all", d["half"])]
        sh[half] = statistics.mean(d["f1"] for d in sub) if sub else 0.0
    # BBC: one folder per category, learned over all its files; is any article text lost?
    arts, _ = bbc_articles(root)
    bbc_dir = root / "corpora" / "bbc_news" / "bbc"
    if quick:
        arts = sorted(random.Random(SEED).sample(arts, min(200, len(arts))))
    paths = [str(bbc_dir / f"{a[0]}.txt") for a in arts]
    every = [str(x) for x in bbc_files(root)]  # an ingest sees the duplicates too
    bhashes = list(pool.map(_scan, every, chunksize=32))
    bcur = {p: (outlet_key(p), h) for p, h in zip(every, bhashes, strict=True)}
    blearned = learn(bcur, (), min_files)
    scored = list(
        pool.map(
            _bbc_body_f1,
            [(p, a[3], blearned.get(outlet_key(p), frozenset())) for p, a in zip(paths, arts, strict=True)],
            chunksize=32,
        )
    )
    return {
        "min_files": min_files,
        "scrapinghub": sh,
        "bbc": {
            "n_files": len(paths),
            "n_folders": len({outlet_key(p) for p in paths}),
            "n_learned_lines": sum(len(v) for v in blearned.values()),
            "n_files_with_removals": sum(1 for s in scored if s[2]),
            "mean_f1_without": statistics.mean(s[0] for s in scored) if scored else 0.0,
            "mean_f1_with": statistics.mean(s[1] for s in scored) if scored else 0.0,
        },
    }


def section_concatenations(
    pool: Executor, pool_items: list[tuple[str, str, str, str]], n_files: int, rng: random.Random
) -> dict[str, Any]:
    """Build ``n_files`` files of 1-5 random articles, in both separator variants, and score them."""
    draws = [rng.sample(range(len(pool_items)), rng.randint(1, 5)) for _ in range(n_files)]
    out: dict[str, Any] = {"n_files": n_files, "n_articles": sum(len(d) for d in draws), "n_pool": len(pool_items)}
    for variant, sep in SEPARATORS.items():
        items = []
        for draw in draws:
            arts = [pool_items[i] for i in draw]
            text, spans = build_concatenation([a[1] for a in arts], sep)
            golds = [
                Gold(a[0], s, e, s + len(a[1].split("\n", 1)[0]), a[2], a[3])
                for a, (s, e) in zip(arts, spans, strict=True)
            ]
            items.append((text, golds))
        files = list(pool.map(_score_concatenation, items, chunksize=4))
        hits = sum(f["hits"] for f in files)
        p, r, f1 = prf(hits, sum(f["n_pred"] for f in files), sum(f["n_gold"] for f in files))
        n_art = sum(len(f["ids"]) for f in files)
        out[variant] = {
            "boundary_precision": p,
            "boundary_recall": r,
            "boundary_f1": f1,
            "n_gold_boundaries": sum(f["n_gold"] for f in files),
            "n_pred_boundaries": sum(f["n_pred"] for f in files),
            "articles_recovered": sum(sum(f["recovered"]) for f in files) / n_art,
            "title_exact": sum(sum(f["title_ok"]) for f in files) / n_art,
            "files_with_right_count": sum(1 for f in files if f["n_pred_articles"] == len(f["ids"])) / len(files),
            "mean_pred_articles_per_file": statistics.mean(f["n_pred_articles"] for f in files),
            "mean_gold_articles_per_file": statistics.mean(len(f["ids"]) for f in files),
            "_files": files,
            "_items": items,
        }
    return out


def section_language(root: Path, pool: Executor, quick: bool) -> dict[str, Any]:
    from corpus_etl.langid import supported_languages

    supported = set(supported_languages())
    limit = 10 if quick else 100
    paths = sorted((root / "corpora" / "lingua_sentences" / "sentences").glob("*.txt"))
    mapped = list(pool.map(_detect_language, [(p.stem, str(p), limit) for p in paths]))
    results = {iso: preds for iso, preds, _ in mapped}
    dropped = {iso: n for iso, _, n in mapped if n}
    per_lang: dict[str, dict[str, Any]] = {}
    for iso, preds in sorted(results.items()):
        n = len(preds)
        wrong = Counter(x for x in preds if x not in (iso, "und"))
        per_lang[iso] = {
            "supported": iso in supported,
            "n": n,
            "accuracy": sum(1 for x in preds if x == iso) / n if n else 0.0,
            "und": sum(1 for x in preds if x == "und") / n if n else 0.0,
            "wrong": sum(wrong.values()) / n if n else 0.0,
            "top_wrong": wrong.most_common(3),
        }
    sup = {k: v for k, v in per_lang.items() if v["supported"]}
    n_sup = sum(v["n"] for v in sup.values())
    overall = sum(v["accuracy"] * v["n"] for v in sup.values()) / n_sup if n_sup else 0.0
    worst = min(sup.items(), key=lambda kv: (kv[1]["accuracy"], kv[0])) if sup else ("-", {"accuracy": 0.0})
    below = sorted(
        (k for k, v in sup.items() if v["accuracy"] < TARGETS["language_accuracy"]), key=lambda k: sup[k]["accuracy"]
    )
    return {
        "texts_per_language": limit,
        "min_chars": LANG_TEXT_CHARS,
        "n_languages": len(per_lang),
        "n_supported": len(sup),
        "n_supported_texts": n_sup,
        "supported_accuracy": overall,
        "min_supported_accuracy": worst[1]["accuracy"],
        "min_supported_language": worst[0],
        "supported_below_target": below,
        "sentences_dropped_for_script": dropped,
        "per_language": per_lang,
    }


def section_seeds(root: Path) -> dict[str, Any]:
    files = seed_files(root)
    recs = {p.name[:3]: _extract(read_text(p), f"seed {p.name}") for p in files}
    checks: list[dict[str, Any]] = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        checks.append({"check": name, "pass": bool(ok), "detail": detail})

    def articles(k: str) -> list[dict[str, Any]]:
        return [r for r in recs.get(k, []) if r["kind"] == "article"]

    check("5 seed files", len(files) == 5, f"{len(files)} files")
    total = sum(len(articles(k)) for k in recs)
    check("6 article records in all", total == 6, f"{total} article records")
    for k, want in SEED_TITLES.items():
        got = [r["title"] for r in articles(k)]
        check(f"{k}: article titles", got == want, "" if got == want else f"got {got!r}")
    for k, want_authors in (("001", ["Peter Henderson"]), ("004", ["David Curry"])):
        arts = articles(k)
        got = arts[0]["authors"] if arts else None
        check(f"{k}: authors {want_authors}", got == want_authors, "" if got == want_authors else f"got {got!r}")
    arts = articles("000")
    got_tags = arts[0]["tags"] if arts else None
    check("000: first article tags", got_tags == ["security", "blackberry"], f"got {got_tags!r}")
    hits = []
    for k, rs in sorted(recs.items()):
        for r in rs:
            fields = [("title", r["title"] or "")] + ([("body", r["body"])] if r["kind"] == "article" else [])
            for field, value in fields:
                hits.extend(f"{k} {r['kind']} {field}: {b!r}" for b in SEED_BOILERPLATE if b in value)
    check("no boilerplate in titles and article bodies", not hits, "; ".join(hits[:8]))
    return {
        "n_records": {k: len(v) for k, v in recs.items()},
        "checks": checks,
        "all_pass": all(c["pass"] for c in checks),
    }


def evaluate(quick: bool, root: Path | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run every section and return the results (with ``_``-prefixed in-memory details)."""
    root = root or shared_dir()
    if not (root / "corpora").is_dir():
        raise SystemExit(f"corpora not found under {root} (set CORPUS_ETL_SHARED)")
    n_files = 40 if quick else 300
    res: dict[str, Any] = {
        "meta": {
            "quick": quick,
            "seed": SEED,
            "workers": WORKERS,
            "python": platform.python_version(),
            "synthetic_files": n_files,
            "code": code_version(),
        }
    }
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    with ProcessPoolExecutor(WORKERS) as pool:

        def timed(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
            t0 = time.perf_counter()
            out = fn()
            timings[name] = time.perf_counter() - t0
            log(f"  {name}: {timings[name]:.1f} s")
            return out

        res["scrapinghub"] = timed("scrapinghub", lambda: section_scrapinghub(root, pool, quick))
        sh = res["scrapinghub"]
        for label, key in (("as the benchmark scores", "benchmark_token_f1"), ("mean of per-page", "mean_f1")):
            log(
                f"  scrapinghub body token F1 ({label}): "
                + ", ".join(f"{h} {v[key]:.3f}" for h, v in sh["halves"].items())
                + f", all {sh[key]:.3f}"
            )

        def bbc() -> dict[str, Any]:
            arts, dropped = bbc_articles(root)
            out = section_concatenations(pool, arts, n_files, random.Random(SEED))
            out["n_duplicates_dropped"] = dropped
            return out

        res["bbc"] = timed("bbc", bbc)

        def reuters() -> dict[str, Any]:
            rng = random.Random(SEED)
            stories, files = reuters_articles(root, rng, quick)
            out = section_concatenations(pool, stories, n_files, rng)
            out["sgm_files"] = files
            return out

        res["reuters"] = timed("reuters", reuters)
        res["language"] = timed("language", lambda: section_language(root, pool, quick))
        res["seeds"] = timed("seeds", lambda: section_seeds(root))
        res["learned"] = timed("learned", lambda: section_learned(root, pool, quick))
    timings["total"] = time.perf_counter() - t_all
    res["timings"] = timings
    res["targets"] = targets(res)
    return res
