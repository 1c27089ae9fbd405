"""Train the page model (``pages.py``): where a second page starts inside what the splitter reads as one page.

``python -m corpus_etl.linemodel.pagetrain [--fold-models eval/models]`` (``make train-pages``).

Training inputs are built like real use: files of 1-4 dragnet/scrapinghub pages of one site fold joined by a
blank line (seeded; another seed than the evaluation's files). Each file is split by the splitter with the line
model of its fold (``eval/models/linemodel-fold<k>.npz``: trained without that fold's sites, so the labels the
page model learns from look like the labels of pages of an unseen site); every gap between body lines is a row,
labelled 'new' when the lines before and after it belong to different pages. Cross-validation is by site fold
(the model scoring a fold's files is fitted without them); the packaged model is fitted on every fold. Each
fold's model is written beside that fold's line model for ``make eval``.
"""

from __future__ import annotations

import argparse
import bisect
import os
import random
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..rules import load_rules
from ..split import SplitOptions, page_gaps_of
from .corpora import K_FOLDS, GoldPage, load_dragnet, load_scrapinghub, site_fold
from .model import LineModel, Stage, load_model, save_model
from .pages import FEATURES, page_model_path
from .train import export_learner

SEED = 71
FILES_PER_FOLD = 800
THRESHOLD = 0.5  # fixed in advance, not tuned
GBT_PARAMS: dict[str, Any] = {
    "max_iter": 120,
    "learning_rate": 0.1,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "random_state": 0,
}
CLASSES = ("same", "new")


def build_files(pages: Sequence[GoldPage], per_fold: int, seed: int = SEED) -> list[tuple[int, str, list[int]]]:
    """``per_fold`` files per site fold of 1-4 pages (a quarter each) of that fold joined by a blank line:
    ``(fold, text, start offset of each page)``."""
    rng = random.Random(seed)
    by_fold: dict[int, list[GoldPage]] = {}
    for p in pages:
        by_fold.setdefault(site_fold(p.site), []).append(p)
    out = []
    for fold in sorted(by_fold):
        for i in range(per_fold):
            chosen = rng.sample(by_fold[fold], min(1 + i % 4, len(by_fold[fold])))
            starts, parts, pos = [], [], 0
            for p in chosen:
                text = p.text.strip("\n") + "\n"
                starts.append(pos)
                parts.append(text)
                pos += len(text) + 1
            out.append((fold, "\n".join(parts), starts))
    return out


_RULES: list[Any] = []


def file_rows(task: tuple[int, str, list[int], str]) -> tuple[int, list[tuple[float, ...]], list[bool]]:
    """The gap rows of one built file split with its fold's line model, and their labels."""
    fold, text, starts, line_model = task
    if not _RULES:
        _RULES.append(load_rules())
    lines, captured = page_gaps_of(text, _RULES[0], SplitOptions(line_model_path=line_model))
    xs, ys = [], []
    for lo, found in captured:
        for g in found:
            a = bisect.bisect_right(starts, lines[lo + g.last_body].start)
            b = bisect.bisect_right(starts, lines[lo + g.next_body].start)
            xs.append(g.features)
            ys.append(a != b)
    return fold, xs, ys


def fit(x: np.ndarray, y: np.ndarray) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier  # lazy: scikit-learn: dev extra, ~2.8 s

    return HistGradientBoostingClassifier(**GBT_PARAMS).fit(x, y)


def export(est: Any, meta: dict[str, Any], path: Path) -> None:
    """Write ``est`` as a page model file (checked against scikit-learn on a few rows)."""
    model = LineModel(CLASSES, (Stage(export_learner(est), FEATURES),), meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_model(path, model)
    loaded = load_model(path)
    probe = np.random.default_rng(0).normal(2.0, 2.0, size=(64, len(FEATURES)))
    if not np.allclose(loaded.stages[0].predict_proba(probe, FEATURES), est.predict_proba(probe), atol=1e-9):
        raise RuntimeError("exported page model does not reproduce scikit-learn's probabilities")


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("..") / "shared")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "models")
    ap.add_argument("--fold-models", type=Path, default=Path("eval") / "models", help="the fold line models' folder")
    ap.add_argument("--files-per-fold", type=int, default=FILES_PER_FOLD)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if not (args.shared / "corpora").is_dir():
        print(f"error: {args.shared / 'corpora'}: not found (pass --shared)", file=sys.stderr)
        return 2
    line_models = {k: args.fold_models / f"linemodel-fold{k}.npz" for k in range(K_FOLDS)}
    missing = [str(p) for p in line_models.values() if not p.is_file()]
    if missing:
        print(f"error: {missing[0]}: no fold line model (make train-lines writes them)", file=sys.stderr)
        return 2
    gold = [*load_dragnet(args.shared), *load_scrapinghub(args.shared)]
    files = build_files(gold, args.files_per_fold)
    tasks = [(fold, text, starts, str(line_models[fold])) for fold, text, starts in files]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(file_rows, tasks, chunksize=8))
    x = np.array([r for _, xs, _ in results for r in xs], dtype=np.float64).reshape(-1, len(FEATURES))
    y = np.array([v for _, _, ys in results for v in ys], dtype=bool)
    g = np.array([f for f, xs, _ in results for _ in xs], dtype=np.int64)
    print(
        f"[{time.perf_counter() - t0:6.1f}s] {len(files)} files, {len(y)} gaps, {int(y.sum())} page starts", flush=True
    )
    from threadpoolctl import threadpool_limits  # lazy: comes with scikit-learn, a dev extra

    params = {**GBT_PARAMS, "threshold": THRESHOLD, "seed": SEED, "files_per_fold": args.files_per_fold}
    day = datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())), UTC).strftime("%Y%m%d")
    lines = []
    tp = fp = fn = 0
    with threadpool_limits(1):
        for k in range(K_FOLDS):
            est = fit(x[g != k], y[g != k])
            pred = est.predict_proba(x[g == k])[:, 1] >= THRESHOLD
            truth = y[g == k]
            a, b, c = int((pred & truth).sum()), int((pred & ~truth).sum()), int((~pred & truth).sum())
            tp, fp, fn = tp + a, fp + b, fn + c
            lines.append(f"| {k} | {int(truth.sum())} | {len(truth)} | {a} | {b} | {c} | {prf(a, b, c)[2]:.3f} |")
            meta = {"version": f"{day}-fold{k}", "threshold": THRESHOLD, "params": params, "without_fold": k}
            export(est, meta, page_model_path(line_models[k]))
        est = fit(x, y)
    meta = {"version": f"{day}-all", "threshold": THRESHOLD, "params": params, "n_gaps": len(y)}
    final = args.out / "pagemodel.npz"
    export(est, meta, final)
    p, r, f = prf(tp, fp, fn)
    report = "\n".join(
        [
            "# The page model: training report (`make train-pages`)",
            "",
            f"{len(files)} files of 1-4 glued dev pages ({args.files_per_fold} per site fold, seed {SEED}); "
            f"{len(y)} gaps between body lines, {int(y.sum())} of them between two pages. Each fold's gaps are "
            "scored by a model fitted without that fold's sites (the fold's line model labelled its lines).",
            "",
            f"Site-disjoint, threshold {THRESHOLD} (fixed in advance): precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}.",
            "",
            "| fold | page starts | gaps | true | false | missed | F1 |",
            "|---|---|---|---|---|---|---|",
            *lines,
            "",
            f"Parameters: `{GBT_PARAMS}`. Model: `{final.name}` ({final.stat().st_size} bytes).",
            "",
        ]
    )
    (args.out / "PAGES.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"[{time.perf_counter() - t0:6.1f}s] done", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
