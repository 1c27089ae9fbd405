"""Measure the event stories (``corpus_etl.analytics.events``) on Multi-News, BBC and the seeds.

Run from the repository root: ``python -m eval.stories`` (part of ``make eval``; ``--out DIR`` for where
``STORIES.md`` and ``stories.json`` go). The corpora are read from ``../shared`` (``CORPUS_ETL_SHARED``)
and never copied: the outputs hold numbers only.

- **Same-story pairs** on the 100 clusters of ``multinews_dev/dev.src`` (a line = one story): the file is
  split by the product (``extract_records``, format multinews) and its articles (kind 'article') placed in
  stories together with ``BBC_ARTICLES`` BBC articles as distractors (they make the document frequencies
  realistic and give the linking something to confuse), in the product's order (path, ordinal). Pairwise
  precision, recall and F1 of "same story" over the Multi-News articles: all of them, and without the
  *chrome texts* (a text the gold puts in two different stories, such as the Internet Archive's crawl
  notice or a video player's text: the gold contradicts itself on those, and they are the extraction's
  misses, not stories).
- **Honest tuning:** the threshold and the rare-term share are chosen on the even clusters only, for a
  choice that holds in two warehouses (the 2,000 BBC articles, or only ``SMALL_BBC`` of them, as the
  background: the single pass and the document frequencies change with it; 0.10 was best with 2,000 and
  fell to precision 0.69-0.77 with 500): the best lower F1 of the two over all articles, with precision
  >= 0.90 in both, and
  reported on the odd ones too; the spread is the bootstrap over clusters (1,000 seeded resamples).
- **BBC:** the largest story among the BBC articles (unrelated 2004-05 stories must not chain into one).
- **Seeds:** the five seed files' main articles must form one story.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from corpora.bbc import bbc_files, read_bbc
from corpora.shared import multinews_dev, read_text, seed_files, shared_dir
from corpus_etl.analytics import events

SEED = 20261205
BBC_ARTICLES = 2000
BOOTSTRAP = 1000
THRESHOLDS = (0.10, 0.12, 0.14, 0.16)
CENTROID_THRESHOLDS = (0.0, 0.10, 0.12, 0.14)
# shares of the collection up to which a term may propose a match (``events.RARE_SHARE``; 1: every term)
RARE_SHARES = (0.003, 0.005, 1.0)
EVERY_TERM = 1.0  # swept at the shipped threshold and centroid only: the comparison without the rare-term condition
# (every pair sharing a word compared: 14 s a point against 1.4 s; its 16 points were most of make eval's stories time,
# and never chosen: their precision is under the target)
SMALL_BBC = 500  # the background of the second warehouse the choice must hold in
TARGET_F1 = 0.80
TARGET_PRECISION = 0.90


def pair_counts(labels: Sequence[str], gold: Sequence[int], keep: Sequence[bool]) -> dict[tuple[int, int], list[int]]:
    """Pair counts by gold story pair: {(g, h): [same-story predicted pairs, pairs]} over the kept items.

    (g, g) holds a story's own pairs (true positives and all gold pairs); (g, h), g < h, its pairs with
    another story (false positives and all such pairs).
    """
    out: dict[tuple[int, int], list[int]] = {}
    idx = [i for i in range(len(labels)) if keep[i]]
    for x, i in enumerate(idx):
        for j in idx[x + 1 :]:
            g, h = sorted((gold[i], gold[j]))
            c = out.setdefault((g, h), [0, 0])
            c[0] += labels[i] == labels[j]
            c[1] += 1
    return out


def prf(counts: dict[tuple[int, int], list[int]], stories: Sequence[int] | None = None) -> dict[str, float]:
    """Pairwise precision, recall and F1 from ``pair_counts``; ``stories`` a multiset of gold stories (a
    bootstrap sample: a story drawn twice counts twice, its pairs with itself across the copies are left
    out), None for all of them."""
    if stories is None:
        stories = sorted({g for g, _ in counts})
    mult = Counter(stories)
    tp = fp = fn = 0
    for (g, h), (same, n) in counts.items():
        if g == h:
            k = mult.get(g, 0)
            tp += k * same
            fn += k * (n - same)
        else:
            k = mult.get(g, 0) * mult.get(h, 0)
            fp += k * same
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def bootstrap(counts: dict[tuple[int, int], list[int]], stories: Sequence[int], n: int = BOOTSTRAP) -> dict[str, Any]:
    """Mean, standard deviation and 95 % interval of F1, precision and recall over resampled stories."""
    rng = random.Random(SEED)
    runs = [prf(counts, [rng.choice(stories) for _ in stories]) for _ in range(n)]
    out: dict[str, Any] = {}
    for k in ("precision", "recall", "f1"):
        xs = sorted(r[k] for r in runs)
        out[k] = {
            "sd": round(statistics.pstdev(xs), 4),
            "ci95": [round(xs[int(0.025 * n)], 4), round(xs[int(0.975 * n) - 1], 4)],
        }
    return out


def load_multinews(root: Path) -> list[dict[str, Any]]:
    from corpus_etl.pipeline import extract_records

    path = multinews_dev(root)
    rows = extract_records(read_text(path), fmt="multinews", source_path=str(path))
    return [r for r in rows if r["kind"] == "article"]


def load_bbc(root: Path, n: int = BBC_ARTICLES) -> list[dict[str, Any]]:
    files = bbc_files(root)
    rng = random.Random(SEED)
    out = []
    for p in sorted(rng.sample(files, min(n, len(files)))):
        title, body = read_bbc(p)
        out.append({"title": title, "body": body, "source_path": str(p)})
    return out


def load_seeds(root: Path) -> list[dict[str, Any]]:
    from corpus_etl.pipeline import extract_records

    out = []
    for p in seed_files(root):
        rows = extract_records(read_text(p), source_path=str(p))
        out += [r for r in rows if r["kind"] == "article"]
    return out


def place(
    docs: list[dict[str, Any]], threshold: float, rare_share: float | None = None, centroid: float | None = None
) -> list[str]:
    """Story ids of ``docs`` (placed in the product's order: date, path, ordinal), with the product's
    ``RARE_SHARE`` and ``RARE_MAX``, or another share without the ceiling."""
    order = sorted(
        range(len(docs)),
        key=lambda i: (
            docs[i].get("published_date") is None,
            docs[i].get("published_date") or "",
            docs[i]["source_path"],
            docs[i].get("ordinal", 0),
        ),
    )
    texts = [(str(i), docs[i].get("title"), docs[i]["body"], docs[i].get("published_date")) for i in order]
    shipped_share, shipped_max = events.RARE_SHARE, events.RARE_MAX
    if rare_share is not None:  # a swept share is the cap itself (1.0: every term), not bound by the ceiling
        events.RARE_SHARE, events.RARE_MAX = rare_share, len(texts)
    try:
        placed = events.stories_of(texts, threshold=threshold, centroid_threshold=centroid)
    finally:
        events.RARE_SHARE, events.RARE_MAX = shipped_share, shipped_max
    story = {int(p.article_id): p.story_id for p in placed}
    return [story[i] for i in range(len(docs))]


def _world(
    mn: list[dict[str, Any]], bbc: list[dict[str, Any]], seeds: list[dict[str, Any]], stories: set[int] | None
) -> dict[str, Any]:
    """A warehouse to place: the Multi-News articles of ``stories`` (None: all), the BBC background, the seeds;
    with each Multi-News article's gold story and whether it is a chrome text (see the module doc)."""
    arts = [r for r in mn if stories is None or int(r["cluster"]) in stories]
    digest = [hashlib.sha256(r["body"][:300].encode()).hexdigest() for r in mn]
    of_text: dict[str, set[int]] = {}
    for h, r in zip(digest, mn, strict=True):
        of_text.setdefault(h, set()).add(int(r["cluster"]))
    chrome = {id(r) for h, r in zip(digest, mn, strict=True) if len(of_text[h]) > 1}
    return {
        "docs": arts + bbc + seeds,
        "n": len(arts),
        "n_bbc": len(bbc),
        "gold": [int(r["cluster"]) for r in arts],
        "clean": [id(r) not in chrome for r in arts],
    }


def score(
    world: dict[str, Any], threshold: float, rare_share: float | None = None, centroid: float | None = None
) -> dict[str, Any]:
    """Place a world's articles; pairwise precision, recall and F1 over its Multi-News articles (all of them, and
    without the chrome texts), the largest BBC story and the seeds' stories."""
    labels = place(world["docs"], threshold, rare_share, centroid)
    n, nb = world["n"], world["n_bbc"]
    out: dict[str, Any] = {}
    for name, keep in (("all", [True] * n), ("clean", world["clean"])):
        out[name] = prf(pair_counts(labels[:n], world["gold"], keep))
    out["strict"] = strict_prf(labels, world)
    out["bbc_largest"] = max(Counter(labels[n : n + nb]).values())
    out["seed_stories"] = len(set(labels[n + nb :]))
    out["labels"] = labels
    return out


def strict_prf(labels: Sequence[str], world: dict[str, Any]) -> dict[str, float]:
    """A stricter diagnostic (not the target, not the choice): pairwise precision / recall / F1 over all
    Multi-News articles with every (Multi-News article, distractor) pair placed in one story counted as a wrong
    pair too. A distractor (BBC of 2004-05, a seed) is on none of the Multi-News stories, so such a link is an
    error the gold pairs cannot see: a Multi-News article drawn into a BBC story on the same person or name (the
    eval's articles carry no dates; a warehouse's dated articles of other years are kept apart by the window)."""
    n = world["n"]
    distractors = Counter(labels[n:])
    members: dict[str, list[int]] = {}
    for i in range(n):
        members.setdefault(labels[i], []).append(world["gold"][i])
    tp = fp = 0
    for story, golds in members.items():
        k = len(golds)
        same = sum(c * (c - 1) // 2 for c in Counter(golds).values())
        tp += same
        fp += k * (k - 1) // 2 - same + k * distractors.get(story, 0)
    gold_pairs = sum(c * (c - 1) // 2 for c in Counter(world["gold"]).values())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / gold_pairs if gold_pairs else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "fp": fp}


def measure(root: Path) -> dict[str, Any]:
    mn = load_multinews(root)
    bbc = load_bbc(root)
    seeds = load_seeds(root)
    small_bbc = bbc[:: max(1, len(bbc) // SMALL_BBC)][:SMALL_BBC]  # a smaller warehouse, every category
    clusters = sorted({int(r["cluster"]) for r in mn})
    halves = {"tune": {g for g in clusters if g % 2 == 0}, "test": {g for g in clusters if g % 2 == 1}}
    tune, tune_small = _world(mn, bbc, seeds, halves["tune"]), _world(mn, small_bbc, seeds, halves["tune"])
    sweep = []
    grid = [(sh, t, c) for sh in RARE_SHARES for t in THRESHOLDS for c in CENTROID_THRESHOLDS]
    shipped_point = (events.THRESHOLD, events.CENTROID_THRESHOLD)
    for share, thr, cen in (p for p in grid if p[0] != EVERY_TERM or p[1:] == shipped_point):
        big, small = score(tune, thr, share, cen), score(tune_small, thr, share, cen)
        sweep.append(
            {
                "threshold": thr,
                "rare_share": share,
                "centroid": cen,
                "tune": {k: v for k, v in big.items() if k != "labels"},
                "tune_small": {k: v for k, v in small.items() if k != "labels"},
            }
        )

    def ok(r: dict[str, Any]) -> bool:
        return min(r[w][k]["precision"] for w in ("tune", "tune_small") for k in ("all", "clean")) >= TARGET_PRECISION

    def robust_f1(r: dict[str, Any]) -> float:
        return float(min(r["tune"]["all"]["f1"], r["tune_small"]["all"]["f1"]))

    chosen = max(
        [r for r in sweep if ok(r)] or sweep,
        key=lambda r: (robust_f1(r), -r["threshold"], -r["centroid"], r["rare_share"]),
    )
    shipped: dict[str, Any] = {}
    for name, world in (
        ("tune", tune),
        ("test", _world(mn, bbc, seeds, halves["test"])),
        ("test_small", _world(mn, small_bbc, seeds, halves["test"])),
        ("all", _world(mn, bbc, seeds, None)),
    ):
        got = score(world, events.THRESHOLD)
        labels = got.pop("labels")
        shipped[name] = got
        if name in ("test", "all"):
            stories = sorted(set(world["gold"]))
            for kind, keep in (("all", [True] * world["n"]), ("clean", world["clean"])):
                got[f"{kind}_bootstrap"] = bootstrap(pair_counts(labels[: world["n"]], world["gold"], keep), stories)
        if name == "all":
            n, nb = world["n"], world["n_bbc"]
            shipped["bbc_story_sizes"] = {
                str(k): v for k, v in sorted(Counter(Counter(labels[n : n + nb]).values()).items())
            }
    return {
        "n_multinews_articles": len(mn),
        "n_chrome_texts": _world(mn, [], [], None)["clean"].count(False),
        "n_bbc": len(bbc),
        "n_small_bbc": len(small_bbc),
        "n_seed_articles": len(seeds),
        "story_version": events.STORY_VERSION,
        "sweep": sweep,
        "chosen_on_tune_half": {k: chosen[k] for k in ("threshold", "rare_share", "centroid")},
        "shipped_centroid": events.CENTROID_THRESHOLD,
        "shipped_threshold": events.THRESHOLD,
        "shipped_rare_share": events.RARE_SHARE,
        "shipped": shipped,
    }


def _fmt(m: dict[str, Any]) -> str:
    return f"{m['precision']:.3f} / {m['recall']:.3f} / **{m['f1']:.3f}**"


def report(res: dict[str, Any]) -> str:
    s = res["shipped"]
    c = res["chosen_on_tune_half"]
    lines = [
        "# Event stories: measured",
        "",
        "Written by `python -m eval.stories` (part of `make eval`); method and choices in "
        "`corpus_etl/analytics/events.py`.",
        f"Version `{res['story_version']}`. Multi-News articles: {res['n_multinews_articles']} "
        f"({res['n_chrome_texts']} of them chrome texts the gold puts in two stories), placed among "
        f"{res['n_bbc']} BBC articles and the {res['n_seed_articles']} seed articles.",
        "",
        "Each half of the clusters is placed in a warehouse of its own (no pair crosses the halves). Chosen on the "
        f"even clusters (the best lower F1 over all articles with {res['n_bbc']} or {res['n_small_bbc']} BBC "
        "articles as the background, precision >= 0.90 in both, with and without chrome texts): threshold "
        f"**{c['threshold']}**, rare share **{c['rare_share']}**, centroid threshold **{c['centroid']}**; shipped: "
        f"**{res['shipped_threshold']}**, **{res['shipped_rare_share']}**, **{res['shipped_centroid']}**.",
        "",
        '## Shipped: pairwise precision / recall / F1 of "same story"',
        "",
        f"| articles | tune half | test half | test half, {res['n_small_bbc']} BBC | all 100 clusters at once "
        "| test half F1 sd, 95 % | all 100 F1 sd, 95 % |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, label in (("clean", "without chrome texts"), ("all", "all")):
        t, a = s["test"][f"{kind}_bootstrap"]["f1"], s["all"][f"{kind}_bootstrap"]["f1"]
        lines.append(
            f"| {label} | {_fmt(s['tune'][kind])} | {_fmt(s['test'][kind])} | {_fmt(s['test_small'][kind])} "
            f"| {_fmt(s['all'][kind])} | ±{t['sd']:.3f}, {t['ci95'][0]:.3f}-{t['ci95'][1]:.3f} "
            f"| ±{a['sd']:.3f}, {a['ci95'][0]:.3f}-{a['ci95'][1]:.3f} |"
        )
    st = {k: s[k]["strict"] for k in ("tune", "test", "test_small", "all")}
    lines.append(
        f"| all; diagnostic: links to distractors counted wrong (`strict_prf`) | {_fmt(st['tune'])} "
        f"| {_fmt(st['test'])} | {_fmt(st['test_small'])} | {_fmt(st['all'])} | | |"
    )
    lines += [
        "",
        f"Largest story among {res['n_bbc']} BBC articles (all 100 clusters placed with them): "
        f"**{s['all']['bbc_largest']}**; story sizes (size: count) {s['bbc_story_sizes']}. Seed articles in "
        f"**{s['all']['seed_stories']}** story (target 1).",
        "",
        "## Sweep on the tune half (even clusters): all articles / without chrome texts",
        "",
        f"Rare share {EVERY_TERM} (every term proposes: the comparison without the rare-term condition) at the shipped "
        "threshold and centroid only.",
        "",
        f"| rare share | threshold | centroid | all, {res['n_bbc']} BBC | clean, {res['n_bbc']} BBC "
        f"| all, {res['n_small_bbc']} BBC "
        f"| clean, {res['n_small_bbc']} BBC | BBC largest | seed stories |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in res["sweep"]:
        big, small = r["tune"], r["tune_small"]
        lines.append(
            f"| {r['rare_share']} | {r['threshold']} | {r['centroid']} | {_fmt(big['all'])} | {_fmt(big['clean'])} "
            f"| {_fmt(small['all'])} | {_fmt(small['clean'])} | {big['bbc_largest']} | {big['seed_stories']} |"
        )
    return "\n".join(lines) + "\n"


def run_measurement(
    argv: list[str] | None,
    doc: str,
    corpus: str,
    measure_fn: Callable[[Path], dict[str, Any]],
    report_fn: Callable[[dict[str, Any]], str],
    stem: str,
) -> None:
    """The command line of a measurement: ``--out DIR`` (default ``eval/``), the corpus ``corpora/<corpus>`` under
    the shared directory, ``<stem>.json`` and ``<STEM>.md`` written, the report printed."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = ap.parse_args(argv)
    root = shared_dir()
    if not (root / "corpora" / corpus).is_dir():
        raise SystemExit(f"corpora not found under {root} (set CORPUS_ETL_SHARED)")
    res = measure_fn(root)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stem}.json").write_text(json.dumps(res, indent=1, default=str) + "\n", encoding="utf-8")
    (args.out / f"{stem.upper()}.md").write_text(report_fn(res), encoding="utf-8")
    print(report_fn(res))


def main(argv: list[str] | None = None) -> None:
    run_measurement(argv, __doc__ or "", "multinews_dev", measure, report, "stories")


if __name__ == "__main__":
    main()
