"""The sections of ``python -m eval.realistic``: the extractor run on the built inputs in a process pool (top-level
workers, one extractor per site fold), the real ``corpus-etl ingest`` for the ledger, and ``evaluate``, which builds
the inputs and runs the sections asked for."""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from corpora.glue import Built, GoldArticle
from corpora.multinews import build_multinews
from corpora.pages import Page, build_page_files, build_site_files, dragnet_pages, scrapinghub_pages
from corpora.renderings import RENDERINGS, render
from corpora.shared import multinews_dev, read_text, shared_dir
from corpora.stories import APART, KINDS, build_story_files, load_stories
from corpus_etl.linemodel.corpora import K_FOLDS
from eval.common import code_version, fold_model_path
from eval.metrics import (
    BOUNDARY_ERRORS,
    boundary_counts,
    boundary_errors,
    main_article,
    prf,
    token_counts,
    token_prf,
)
from eval.realistic.extractors import DEFAULT_EXTRACTOR, Record, load_factory
from eval.realistic.measure import (
    LEDGER_PLACES,
    SEED,
    TOLERANCE,
    _micro,
    _paired_delta,
    _share,
    align_blocks,
    best_record,
    comment_leak,
    content_span,
    error_rules,
    failed_rules,
    ledger_counts,
    recovered,
    spread,
    targets,
    title_match,
)

WORKERS = 2
SECTIONS = ("single", "renderings", "concat", "same_site", "stories", "multinews", "ledger")


# ==================================================================================================
# Workers (top-level, so that a process pool can run them)

_FACTORY: dict[str, Any] = {"spec": DEFAULT_EXTRACTOR, "by_fold": {}, "rules": None}


def _init_worker(spec: str) -> None:
    _FACTORY["spec"] = spec
    _FACTORY["by_fold"] = {}


def _extract(text: str, fmt: str, fold: int | None, what: str) -> list[Record]:
    """The extractor's records, slimmed to what is scored, each with ``failed``: the error rules it fails."""
    if _FACTORY["rules"] is None:
        from expectations import __file__ as exp_init

        suite = json.loads((Path(exp_init).parent / "articles.json").read_text(encoding="utf-8"))
        _FACTORY["rules"] = error_rules(suite)
    by_fold = _FACTORY["by_fold"]
    if fold not in by_fold:
        by_fold[fold] = load_factory(_FACTORY["spec"])(fold)
    try:
        records = by_fold[fold](text, fmt)
    except Exception as exc:  # say which document broke the extractor, then stop: a crash is not a score
        raise RuntimeError(f"extractor failed on {what}: {type(exc).__name__}: {exc}") from exc
    out = []
    for r in records:
        body = r.get("body") or ""
        slim = {
            "kind": r.get("kind", "article"),
            "title": r.get("title"),
            "body": body,
            "char_start": r["char_start"],
            "char_end": r["char_end"],
            "n_words": r.get("n_words", len(body.split())),
            "language": r.get("language"),
            "language_prob": r.get("language_prob"),
            "cluster": r.get("cluster"),
        }
        slim["failed"] = failed_rules({**r, "kind": slim["kind"], "n_words": slim["n_words"]}, _FACTORY["rules"])
        out.append(slim)
    return out


def _passing(records: Sequence[Record]) -> list[Record]:
    return [r for r in records if not r["failed"]]


def score_page(page: Page) -> dict[str, Any]:
    """A page one a file: body token F1 of the main article (the 'article' record with most words), of the main
    article among records passing the error rules, comment leak, title match."""
    records = _extract(page.text, "text", page.fold, page.id)
    main = main_article(records)
    main_in = main_article(_passing(records))
    pred = main["body"] if main else ""
    p, r, f = prf(*token_counts(pred, page.gold))
    out: dict[str, Any] = {
        "id": page.id,
        "site": page.site,
        "fold": page.fold,
        "precision": p,
        "recall": r,
        "f1": f,
        "f1_in_articles": token_prf(main_in["body"] if main_in else "", page.gold)[2],
        "n_records": len(records),
        "main_failed": main["failed"] if main else ["no article record"],
        "n_article_records": sum(1 for x in records if x["kind"] == "article"),
        "n_failing_article_records": sum(1 for x in records if x["kind"] == "article" and x["failed"]),
    }
    if page.comments:
        out["comment_leaked"], out["comment_tokens"] = comment_leak(pred, page.gold, page.comments)
    if page.title:
        out["title_exact"], out["title_lenient"] = title_match(main["title"] if main else None, page.title)
    return out


def score_file(b: Built) -> dict[str, Any]:
    """A built file: page/story boundaries, per gold article the best-overlapping record's body F1 and title,
    and whether it was recovered (by any article record, and by one passing the error rules)."""
    records = _extract(b.text, b.fmt, b.fold, b.name)
    articles = [r for r in records if r["kind"] == "article"]
    windows = []
    contents = []
    per: list[dict[str, Any]] = []
    for g in b.golds:
        span = content_span(align_blocks(g.body, b.text[g.start : g.end], g.start)) if "pages" in b.group else None
        content = span or (g.start, g.end)
        contents.append(content)
        # a page's boundary may be anywhere from its first character to where its gold content starts
        windows.append((g.start, max(g.title_end, content[0] + TOLERANCE if span else g.title_end)))
        if not g.scored:
            continue
        rec = best_record(records, content)
        item: dict[str, Any] = {
            "id": g.id,
            "f1": token_prf(rec["body"] if rec else "", g.body)[2],
            "recovered": recovered(articles, g.body),
            "recovered_in_articles": recovered(_passing(articles), g.body),
        }
        if g.title:
            item["title_exact"], item["title_lenient"] = title_match(rec["title"] if rec else None, g.title)
        per.append(item)
    hits, n_pred, n_gold = boundary_counts([r["char_start"] for r in articles], windows, TOLERANCE)
    passing = boundary_counts([r["char_start"] for r in _passing(articles)], windows, TOLERANCE)
    return {
        "name": b.name,
        "group": b.group,
        "counts": (hits, n_pred, n_gold),
        "counts_in_articles": passing,
        "articles": per,
        "n_pred_articles": len(articles),
        "n_failing_articles": sum(1 for r in articles if r["failed"]),
        "failed_reasons": Counter(x for r in articles for x in r["failed"]),
        "boundary_errors": boundary_errors(records, windows, contents, TOLERANCE) if "pages" in b.group else Counter(),
    }


def score_multinews_src(b: Built) -> list[dict[str, Any]]:
    """The ``.src`` file: per line (cluster), the articles recovered and the boundary counts of that line."""
    records = _extract(b.text, b.fmt, None, b.name)
    by_cluster: dict[int, list[Record]] = {}
    for r in records:
        if r["cluster"] is not None:
            by_cluster.setdefault(int(r["cluster"]), []).append(r)
    gold_by: dict[int, list[GoldArticle]] = {}
    for g in b.golds:
        gold_by.setdefault(int(g.id.split(".")[0]), []).append(g)
    out = []
    for cl in sorted(gold_by):
        recs = by_cluster.get(cl, [])
        arts = [r for r in recs if r["kind"] == "article"]
        golds = gold_by[cl]
        scored = [g for g in golds if g.scored]
        hits, n_pred, n_gold = boundary_counts([r["char_start"] for r in arts], [(g.start, g.start) for g in golds])
        out.append(
            {
                "name": f"src line {cl}",
                "group": {"cluster": cl},
                "counts": (hits, n_pred, n_gold),
                "articles": [
                    {
                        "id": g.id,
                        "recovered": recovered(arts, g.body),
                        "recovered_in_articles": recovered(_passing(arts), g.body),
                    }
                    for g in scored
                ],
                "n_pred_articles": len(arts),
                "n_failing_articles": sum(1 for r in arts if r["failed"]),
                "failed_reasons": Counter(x for r in arts for x in r["failed"]),
            }
        )
    return out


# ==================================================================================================
# Sections


def _summary(files: list[dict[str, Any]]) -> dict[str, Any]:
    """Boundary F1 (micro over files), recovered shares, body F1 and titles of scored files, each with its
    bootstrap spread over files (recovered and body F1 pooled over the articles of the resampled files)."""
    arts_by_file = [f["articles"] for f in files]

    def pooled(key: str) -> Callable[[list[list[dict[str, Any]]]], float]:
        def stat(groups: list[list[dict[str, Any]]]) -> float:
            vals = [float(a[key]) for g in groups for a in g if key in a]
            return statistics.fmean(vals) if vals else 0.0

        return stat

    out: dict[str, Any] = {
        "n_files": len(files),
        "n_articles": sum(len(a) for a in arts_by_file),
        "boundary": spread([f["counts"] for f in files if f["counts"][2] or f["counts"][1]], _micro),
    }
    hits, n_pred, n_gold = (sum(f["counts"][i] for f in files) for i in range(3))
    out["boundary_precision"], out["boundary_recall"], out["boundary_f1"] = prf(hits, n_pred, n_gold)
    out["n_gold_boundaries"], out["n_pred_boundaries"] = n_gold, n_pred
    if all("counts_in_articles" in f for f in files):  # the starts of records that reach `articles` only
        sums = [sum(f["counts_in_articles"][i] for f in files) for i in range(3)]
        out["boundary_f1_in_articles"] = prf(*sums)[2]
    for key in ("recovered", "recovered_in_articles", "f1", "title_exact", "title_lenient"):
        if any(key in a for g in arts_by_file for a in g):
            s = spread(arts_by_file, pooled(key))
            out[key] = s["value"]
            out[f"{key}_spread"] = s
    n_art = sum(f["n_pred_articles"] for f in files)
    out["pred_articles_per_file"] = n_art / len(files) if files else 0.0
    out["gold_articles_per_file"] = out["n_articles"] / len(files) if files else 0.0
    out["share_pred_articles_failing_error_rules"] = (
        sum(f["n_failing_articles"] for f in files) / n_art if n_art else 0.0
    )
    reasons: Counter[str] = Counter()
    for f in files:
        reasons.update(f["failed_reasons"])
    out["failing_reasons"] = dict(reasons.most_common(5))
    errors: Counter[str] = Counter()
    for f in files:
        errors.update(f.get("boundary_errors", {}))
    out["boundary_errors"] = {k: errors[k] for k in BOUNDARY_ERRORS if errors[k]}
    return out


def section_single(pages: list[Page], pool: Executor) -> dict[str, Any]:
    scored = list(pool.map(score_page, pages, chunksize=8))
    out: dict[str, Any] = {"_pages": {s["id"]: s for s in scored}}
    for name, subset in (
        ("all", scored),
        ("scrapinghub", [s for s in scored if s["id"].startswith("scrapinghub/")]),
        ("dragnet", [s for s in scored if s["id"].startswith("dragnet/")]),
    ):
        f1 = spread([s["f1"] for s in subset])
        f1_in = spread([s["f1_in_articles"] for s in subset])
        out[name] = {
            "n_pages": len(subset),
            "n_sites": len({s["site"] for s in subset}),
            "body_f1": f1["value"],
            "body_f1_spread": f1,
            "body_f1_in_articles": f1_in["value"],
            "body_f1_in_articles_spread": f1_in,
            "share_main_failing_error_rules": _share([bool(s["main_failed"]) for s in subset]),
            "pages_without_article_passing": sum(1 for s in subset if s["main_failed"] and s["f1_in_articles"] == 0),
            "by_fold": {
                str(k): statistics.fmean(s["f1"] for s in subset if s["fold"] == k)
                for k in range(K_FOLDS)
                if any(s["fold"] == k for s in subset)
            },
        }
    com = [s for s in scored if s.get("comment_tokens")]
    leak = spread([s["comment_leaked"] / s["comment_tokens"] for s in com])
    out["comments"] = {
        "n_pages": len(com),
        "leak_mean": leak["value"],
        "leak_spread": leak,
        "leak_pooled": sum(s["comment_leaked"] for s in com) / max(1, sum(s["comment_tokens"] for s in com)),
        "pages_leaking_over_10pct": sum(1 for s in com if s["comment_leaked"] > 0.1 * s["comment_tokens"]),
    }
    tit = [s for s in scored if "title_exact" in s]
    ex, le = spread([float(s["title_exact"]) for s in tit]), spread([float(s["title_lenient"]) for s in tit])
    out["titles"] = {
        "n_pages": len(tit),
        "exact": ex["value"],
        "exact_spread": ex,
        "lenient": le["value"],
        "lenient_spread": le,
    }
    reasons: Counter[str] = Counter(x for s in scored for x in s["main_failed"])
    out["main_failing_reasons"] = dict(reasons.most_common(5))
    worst = sorted(scored, key=lambda s: (s["f1"], s["id"]))[:10]
    out["worst_pages"] = [{"id": s["id"], "site": s["site"], "f1": s["f1"]} for s in worst]
    return out


def section_renderings(
    pages: list[Page],
    pool: Executor,
    n_pages: int,
    single: dict[str, dict[str, Any]] | None,
    n_files: int,
    glued_given: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A seeded sample of ``n_pages`` single pages saved the other ways of ``corpora.renderings`` (each scored as
    ``score_page`` scores a page, by its site fold's extractor): body F1, and its difference from the same pages as
    given (paired, per page); and ``n_files`` glued files (``build_page_files``) of the pages as given and of the
    pages saved with no blank line, joined by a blank line: page boundaries and recovered articles (the pages as
    given: the concat section's first ``n_files`` scored files, ``glued_given``, when it ran)."""
    sample = sorted(random.Random(SEED).sample(pages, min(n_pages, len(pages))), key=lambda p: p.id)
    given = [single[p.id] for p in sample] if single else list(pool.map(score_page, sample, chunksize=8))
    out: dict[str, Any] = {"n_pages": len(sample), "n_sites": len({p.site for p in sample})}
    out["as_given"] = spread([g["f1"] for g in given])
    for how in RENDERINGS:
        scored = list(pool.map(score_page, [replace(p, text=render(p.text, how)) for p in sample], chunksize=8))
        out[how] = {
            "body_f1_spread": spread([s["f1"] for s in scored]),
            "difference_spread": spread([s["f1"] - g["f1"] for s, g in zip(scored, given, strict=True)]),
            "pages_losing_half": sum(1 for s, g in zip(scored, given, strict=True) if s["f1"] < g["f1"] - 0.5),
        }
    # glued files of pages saved with no blank line, the pages joined by one (as the concat section builds them: its
    # first n_files files are these files of the pages as given, the same draws)
    out["glued"] = {"n_files": n_files}
    for how in ("as_given", "no_blank_lines"):
        if how == "as_given" and glued_given is not None and len(glued_given) >= n_files:
            files = glued_given[:n_files]
        else:
            saved = pages if how == "as_given" else [replace(p, text=render(p.text, how)) for p in pages]
            files = list(pool.map(score_file, build_page_files(saved, n_files, random.Random(SEED)), chunksize=4))
        out["glued"][how] = _summary(files)
    return out


def section_concat(
    pages: list[Page], pool: Executor, n_files: int, single: dict[str, dict[str, Any]] | None
) -> dict[str, Any]:
    built = build_page_files(pages, n_files, random.Random(SEED))
    files = list(pool.map(score_file, built, chunksize=4))
    if single is None:  # score the pages used, one a file, for the paired comparison
        used = {g.id for b in built for g in b.golds}
        single = {s["id"]: s for s in pool.map(score_page, [p for p in pages if p.id in used], chunksize=8)}
    out: dict[str, Any] = {"all": _summary(files), "by_pages": {}, "_files": files, "_built": built}
    for k in (1, 2, 3, 4):
        sub = [f for f in files if f["group"]["pages"] == k]
        s = _summary(sub)
        pairs = [(a["f1"], single[a["id"]]["f1"]) for f in sub for a in f["articles"]]
        d = spread([[(a["f1"], single[a["id"]]["f1"]) for a in f["articles"]] for f in sub], _paired_delta)
        s["single_f1_same_pages"] = statistics.fmean(x[1] for x in pairs) if pairs else None
        s["delta_vs_single"] = d["value"]
        s["delta_vs_single_spread"] = d
        out["by_pages"][str(k)] = s
    return out


def section_same_site(pages: list[Page], pool: Executor, n_files: int) -> dict[str, Any]:
    """Files of 2-4 pages of one site (``build_site_files``): page boundaries, recovered, body F1, titles."""
    built = build_site_files(pages, n_files, random.Random(SEED))
    files = list(pool.map(score_file, built, chunksize=4))
    return {"all": _summary(files), "n_sites": len({b.group["site"] for b in built})}


def section_stories(built: list[Built], pool: Executor) -> dict[str, Any]:
    files = list(pool.map(score_file, built, chunksize=2))
    out: dict[str, Any] = {"_files": files}
    variants = sorted({f["group"]["variant"] for f in files})
    for v in variants:
        out[v] = _summary([f for f in files if f["group"]["variant"] == v and f["group"]["kind"] not in APART])
        for kind in KINDS:
            sub = [f for f in files if f["group"]["variant"] == v and f["group"]["kind"] == kind]
            out[v][kind] = _summary(sub)
    return out


def section_multinews(src_file: Built, text_files: list[Built], pool: Executor) -> dict[str, Any]:
    src_lines = score_multinews_src(src_file)
    texts = list(pool.map(score_file, text_files, chunksize=4))
    return {
        "src": _summary(src_lines),
        "text": _summary(texts),
        "n_lines": len(text_files),
        "n_segments": len(src_file.golds),
        "n_scored_articles": sum(1 for g in src_file.golds if g.scored),
        "_files": {"src": src_lines, "text": texts},
    }


def _ledger_sample(sources: dict[str, list[Built]], quick: bool) -> dict[str, list[Built]]:
    n_pages, n_stories, n_mn = (8, 4, 5) if quick else (32, 8, 25)
    sample: dict[str, list[Built]] = {}
    if sources.get("concat"):
        sample["pages"] = sources["concat"][:n_pages]
    if sources.get("stories"):
        # one draw of BBC and one of Reuters in each of the four variants, then more draws
        stories = sources["stories"]
        picked: list[Built] = []
        for kind in ("bbc", "reuters"):
            picked += [b for b in stories if b.group["kind"] == kind][: n_stories // 2]
        sample["stories"] = picked
    if sources.get("multinews_text"):
        sample["multinews_text"] = sources["multinews_text"][:n_mn]
    if sources.get("multinews_src"):
        src = sources["multinews_src"][0]
        keep = src.text.splitlines(keepends=True)[:n_mn]
        cut = len("".join(keep))
        sample["multinews_src"] = [
            Built(src.name, "".join(keep), "multinews", None, [g for g in src.golds if g.end <= cut], src.group)
        ]
    return sample


def section_ledger(sources: dict[str, list[Built]], quick: bool, log: Callable[[str], None]) -> dict[str, Any]:
    """Write a sample of the generated files to a temporary folder (one subfolder per group, as outlets),
    ingest it with the real ``corpus-etl ingest`` into a temporary warehouse, and place every gold word."""
    import duckdb

    sample = _ledger_sample(sources, quick)
    repo = Path(__file__).resolve().parents[2]
    exe = Path(sys.executable).with_name("corpus-etl")
    with tempfile.TemporaryDirectory(prefix="realistic-ledger-") as tmp:
        tmp_path = Path(tmp)
        by_path: dict[str, tuple[str, Built]] = {}
        # one ingest per site fold, with the line model trained without the fold's sites (fold_model_path); the
        # files of no fold (Reuters, BBC, Multi-News: never seen by the line model) with the packaged one
        for group, files in sample.items():
            for b in files:
                folder = tmp_path / "in" / ("packaged" if b.fold is None else f"fold{b.fold}") / group
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / (b.name + (".src" if b.fmt == "multinews" else ".txt"))
                path.write_text(b.text, encoding="utf-8")
                by_path[str(path.resolve())] = (group, b)
        env = dict(os.environ)
        env.setdefault("PREFECT_HOME", str(repo / ".prefect"))
        env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        env.setdefault("GX_ANALYTICS_ENABLED", "false")
        env.setdefault("DO_NOT_TRACK", "1")
        wh = tmp_path / "wh"
        wall = 0.0
        for part in sorted((tmp_path / "in").iterdir()):
            cmd = [
                str(exe),
                "ingest",
                str(part),
                "--warehouse",
                str(wh),
                "--workers",
                str(WORKERS),
                "--quiet",
                "--fail-on",
                "none",
            ]
            part_env = dict(env)
            if part.name.startswith("fold"):
                part_env["CORPUS_ETL_EXTRACTION__LINE_MODEL_PATH"] = str(
                    fold_model_path(int(part.name.removeprefix("fold")))
                )
            t0 = time.perf_counter()
            done = subprocess.run(cmd, cwd=repo, env=part_env, capture_output=True, text=True, timeout=900)
            wall += time.perf_counter() - t0
            log(f"    corpus-etl ingest of {part.name}: exit {done.returncode}, {time.perf_counter() - t0:.0f} s")
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                raise RuntimeError(f"corpus-etl ingest failed (exit {done.returncode}): {' | '.join(tail)}")
        con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
        try:
            src_rows = con.execute("SELECT source_id, path, n_chars, status FROM sources ORDER BY path").fetchall()
            rows_by: dict[str, list[tuple[int, int, str]]] = {}
            for sid, a, b, kind in con.execute("SELECT source_id, char_start, char_end, kind FROM articles").fetchall():
                rows_by.setdefault(sid, []).append((a, b, kind))
            for sid, a, b in con.execute("SELECT source_id, char_start, char_end FROM quarantine").fetchall():
                rows_by.setdefault(sid, []).append((a, b, "quarantine"))
            removed_by: dict[str, list[tuple[int, int, str]]] = {}
            for sid, a, b, rule in con.execute(
                "SELECT source_id, char_start, char_end, rule FROM removed_spans"
            ).fetchall():
                removed_by.setdefault(sid, []).append((a, b, rule))
            q_reasons = Counter(
                x for (fe,) in con.execute("SELECT failed_expectations FROM quarantine").fetchall() for x in fe
            )
        finally:
            con.close()
    per_group: dict[str, list[tuple[Counter[str], Counter[str], int]]] = {}
    mismatched = []
    for sid, path, n_chars, status in src_rows:
        key = str(Path(path).resolve())
        if key not in by_path:
            continue
        group, b = by_path[key]
        if status != "loaded" or n_chars != len(b.text):
            mismatched.append(f"{b.name}: status {status}, {n_chars} chars decoded vs {len(b.text)} built")
            continue
        per_group.setdefault(group, []).append(
            ledger_counts(b.golds, b.text, removed_by.get(sid, []), rows_by.get(sid, []))
        )
    out: dict[str, Any] = {
        "n_files": len(by_path),
        "ingest_seconds": wall,
        "files_not_scored": mismatched,
        "quarantine_reasons": dict(q_reasons.most_common(6)),
    }
    all_files = [f for fs in per_group.values() for f in fs]
    for name, fs in [("all", all_files), *sorted(per_group.items())]:
        out[name] = _ledger_summary(fs)
    return out


def _ledger_summary(files: list[tuple[Counter[str], Counter[str], int]]) -> dict[str, Any]:
    total: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    missing = 0
    for places, r, m in files:
        total.update(places)
        rules.update(r)
        missing += m
    n = sum(total.values())
    out: dict[str, Any] = {"n_files": len(files), "gold_tokens_located": n, "gold_tokens_not_found": missing}
    for place in LEDGER_PLACES:

        def stat(fs: list[tuple[Counter[str], Counter[str], int]], place: str = place) -> float:
            tot = sum(sum(f[0].values()) for f in fs)
            return sum(f[0][place] for f in fs) / tot if tot else 0.0

        s = spread(files, stat)
        out[place] = s["value"]
        out[f"{place}_spread"] = s
    out["removed_by_rule"] = {k: v / n for k, v in rules.most_common(8)} if n else {}
    return out


# ==================================================================================================
# Driver


def evaluate(
    quick: bool,
    only: Sequence[str] = SECTIONS,
    extractor: str = DEFAULT_EXTRACTOR,
    root: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Build the inputs and run the sections in ``only``; the results with ``_``-prefixed in-memory details."""
    root = root or shared_dir()
    if not (root / "corpora").is_dir():
        raise SystemExit(f"corpora not found under {root} (set CORPUS_ETL_SHARED)")
    load_factory(extractor)
    n_concat, n_draws, n_mn = (40, 2, 20) if quick else (400, 16, None)
    n_site = 30 if quick else 150
    n_render, n_render_files = (60, 40) if quick else (300, 200)
    res: dict[str, Any] = {
        "meta": {
            "quick": quick,
            "seed": SEED,
            "workers": WORKERS,
            "folds": K_FOLDS,
            "python": platform.python_version(),
            "extractor": extractor,
            "sections": list(only),
            "code": code_version(),
        }
    }
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    rng = random.Random(SEED)
    needs_pages = bool({"single", "renderings", "concat", "same_site", "ledger"} & set(only))
    t0 = time.perf_counter()
    pages: list[Page] = []
    if needs_pages:
        dragnet, skipped = dragnet_pages(root)
        res["meta"]["dragnet_pages_left_out"] = skipped
        pages = scrapinghub_pages(root) + dragnet
        if quick:
            pages = sorted(random.Random(SEED).sample(pages, 200), key=lambda p: p.id)
    timings["load"] = time.perf_counter() - t0
    sources: dict[str, list[Built]] = {}
    with ProcessPoolExecutor(WORKERS, initializer=_init_worker, initargs=(extractor,)) as pool:

        def timed(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
            t = time.perf_counter()
            out = fn()
            timings[name] = time.perf_counter() - t
            log(f"  {name}: {timings[name]:.1f} s")
            return out

        if "single" in only:
            res["single"] = timed("single", lambda: section_single(pages, pool))
            log(f"    single pages body F1 {res['single']['all']['body_f1']:.3f}")
        single = res.get("single", {}).get("_pages")
        if "concat" in only or "ledger" in only:
            if "concat" in only:
                res["concat"] = timed("concat", lambda: section_concat(pages, pool, n_concat, single))
                sources["concat"] = res["concat"]["_built"]
            else:
                sources["concat"] = build_page_files(pages, n_concat, random.Random(SEED))
        if "renderings" in only:
            given = res.get("concat", {}).get("_files")
            res["renderings"] = timed(
                "renderings", lambda: section_renderings(pages, pool, n_render, single, n_render_files, given)
            )
        if "same_site" in only:
            res["same_site"] = timed("same_site", lambda: section_same_site(pages, pool, n_site))
        if "stories" in only or "ledger" in only:
            built = build_story_files(load_stories(root, rng, quick), n_draws, rng)
            sources["stories"] = built
            if "stories" in only:
                res["stories"] = timed("stories", lambda: section_stories(built, pool))
        if "multinews" in only or "ledger" in only:
            src_text = read_text(multinews_dev(root))
            src_file, text_files = build_multinews(src_text, n_mn)
            sources["multinews_src"], sources["multinews_text"] = [src_file], text_files
            if "multinews" in only:
                res["multinews"] = timed("multinews", lambda: section_multinews(src_file, text_files, pool))
    if "ledger" in only:
        if extractor != DEFAULT_EXTRACTOR:
            log("  ledger: runs the product's CLI, so it measures the product's extractor, not --extractor")
        res["ledger"] = timed("ledger", lambda: section_ledger(sources, quick, log))
    timings["total"] = time.perf_counter() - t_all
    res["timings"] = timings
    res["targets"] = targets(res)
    return res
