"""Train the record model (``records.py``): is an article record of a web page an article, or page chrome?

``python -m corpus_etl.linemodel.recordtrain [--fold-models eval/models]`` (``make train-records``).

Training inputs are built like the page model's (``pagetrain.build_files``, another seed): files of 1-4
dragnet/scrapinghub pages of one site fold joined by a blank line. Each file is split by the splitter with the
line and page models of its fold (trained without that fold's sites); every article record of its last pass is a
row, labelled 'junk' when under ``JUNK_PRECISION`` of its words are where the gold body (and title) of a page
is in the text (``gold_offsets``) and it holds under ``JUNK_MAX_RECALL`` of each page's gold words (``is_junk``).
Real articles weigh more the more gold words they hold (``weights``). Cross-validation is by site fold; the
packaged model is fitted on every fold; each fold's model is written beside that fold's line model
(``recordmodel-fold<k>.npz``) for ``make eval``.
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import re
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..rules import load_rules
from ..split import SplitOptions, record_rows_of
from .corpora import K_FOLDS, GoldPage, load_dragnet, load_scrapinghub, site_fold
from .model import LineModel, Stage, load_model, save_model
from .records import FEATURES, record_model_path
from .train import export_learner

SEED = 73
FILES_PER_FOLD = 300
JUNK_PRECISION = 0.3  # a record with fewer of its words in the gold is junk (issue 17's analysis)
JUNK_MAX_RECALL = 0.2  # ... and holding less of any page's gold words
# chosen on 200 glued files of another seed (4242) than the evaluation's, each file by its fold's models: 0.5 / 0.7 /
# 0.8 / 0.9 moved page-boundary F1 0.711 -> 0.758 / 0.757 / 0.755 / 0.746 and body F1 0.810 -> 0.796 / 0.805 / 0.807 /
# 0.809 (a short real post called junk loses its page's body)
THRESHOLD = 0.8
GBT_PARAMS: dict[str, Any] = {
    "max_iter": 120,
    "learning_rate": 0.1,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "random_state": 0,
}
MIN_RUN = 3  # tokens in a row aligned to the gold for them to count as gold (gold_offsets)
GOLD_WORDS_WEIGHT = 100
"""A real article record weighs ``1 + its gold words / GOLD_WORDS_WEIGHT`` in the fit (a junk record 1): calling a long
article junk costs its words in the warehouse's articles, a short one few."""
CLASSES = ("article", "junk")
_TOKEN = re.compile(r"[^\W_]+")


def gold_offsets(gold: str, text: str, offset: int = 0, min_run: int = MIN_RUN) -> set[int]:
    """Where the gold's words are in ``text``: the start offsets (plus ``offset``) of the text's tokens aligned to
    ``gold``'s (lower-cased word tokens, longest common blocks in order, ``difflib`` without autojunk), in runs of
    ``min_run`` tokens or more (a stray common word in a menu is no gold)."""
    g = [t.casefold() for t in _TOKEN.findall(gold)]
    found = [(m.start(), m.group().casefold()) for m in _TOKEN.finditer(text)]
    sm = difflib.SequenceMatcher(None, g, [t for _, t in found], autojunk=False)
    return {found[b + i][0] + offset for _, b, n in sm.get_matching_blocks() if n >= min_run for i in range(n)}


def gold_precision(text: str, spans: Sequence[tuple[int, int]], gold: set[int]) -> tuple[float, int]:
    """The share of the tokens of ``text`` in ``spans`` (a record's paragraphs) that start at an offset of ``gold``
    (``gold_offsets``), and their number."""
    n = hit = 0
    for a, b in spans:
        for m in _TOKEN.finditer(text, a, b):
            n += 1
            hit += m.start() in gold
    return (hit / n if n else 0.0), hit


def build_files(
    pages: Sequence[GoldPage], per_fold: int, seed: int = SEED
) -> list[tuple[int, str, list[int], list[str]]]:
    """``per_fold`` files per site fold of 1-4 pages (a quarter each) of that fold joined by a blank line:
    ``(fold, text, start offset of each page, gold title and body of each page)``."""
    rng = random.Random(seed)
    by_fold: dict[int, list[GoldPage]] = {}
    for p in pages:
        by_fold.setdefault(site_fold(p.site), []).append(p)
    out = []
    for fold in sorted(by_fold):
        for i in range(per_fold):
            chosen = rng.sample(by_fold[fold], min(1 + i % 4, len(by_fold[fold])))
            starts, parts, golds, pos = [], [], [], 0
            for p in chosen:
                text = p.text.strip("\n") + "\n"
                starts.append(pos)
                parts.append(text)
                golds.append(f"{p.title or ''}\n{p.body}")
                pos += len(text) + 1
            out.append((fold, "\n".join(parts), starts, golds))
    return out


_RULES: list[Any] = []


def file_rows(
    task: tuple[int, str, list[int], list[str], str],
) -> tuple[int, list[tuple[float, ...]], list[bool], list[int]]:
    """The record rows of one built file split with its fold's models, their labels and gold words."""
    fold, text, starts, golds, line_model = task
    if not _RULES:
        _RULES.append(load_rules())
    _, captured = record_rows_of(text, _RULES[0], SplitOptions(line_model_path=line_model))
    xs, ys, hits = [], [], []
    ends = [*starts[1:], len(text)]
    pages = [gold_offsets(g, text[s:e], s) for s, e, g in zip(starts, ends, golds, strict=True)]
    gold = set().union(*pages)
    for view, row in captured:
        prec, hit = gold_precision(text, view.spans, gold)
        xs.append(row)
        ys.append(is_junk(prec, [gold_precision(text, view.spans, p)[1] / len(p) if p else 0.0 for p in pages]))
        hits.append(hit)
    return fold, xs, ys, hits


def is_junk(precision: float, recalls: Sequence[float]) -> bool:
    """A record is junk when under ``JUNK_PRECISION`` of its words are gold and it holds under ``JUNK_MAX_RECALL`` of
    every page's gold words (``recalls``): a page's article extracted with its comments is still that article."""
    return precision < JUNK_PRECISION and all(r < JUNK_MAX_RECALL for r in recalls)


def weights(y: np.ndarray, gold_words: np.ndarray, per: float = GOLD_WORDS_WEIGHT) -> np.ndarray:
    """Each record's weight in the fit: 1 for junk, ``1 + gold words / per`` for a real article (0 ``per``: all 1)."""
    if not per:
        return np.ones(len(y))
    return np.where(y, 1.0, 1.0 + gold_words / per)


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier  # lazy: scikit-learn: dev extra

    return HistGradientBoostingClassifier(**GBT_PARAMS).fit(x, y, sample_weight=w)


def export(est: Any, meta: dict[str, Any], path: Path) -> None:
    """Write ``est`` as a record model file (checked against scikit-learn on a few rows)."""
    model = LineModel(CLASSES, (Stage(export_learner(est), FEATURES),), meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_model(path, model)
    loaded = load_model(path)
    probe = np.random.default_rng(0).normal(0.5, 1.0, size=(64, len(FEATURES)))
    if not np.allclose(loaded.stages[0].predict_proba(probe, FEATURES), est.predict_proba(probe), atol=1e-9):
        raise RuntimeError("exported record model does not reproduce scikit-learn's probabilities")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("CORPUS_ETL_SHARED", Path("..") / "shared")))
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "models")
    ap.add_argument("--fold-models", type=Path, default=Path("eval") / "models", help="the fold line models' folder")
    ap.add_argument("--files-per-fold", type=int, default=FILES_PER_FOLD)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument(
        "--gold-words-weight", type=float, default=GOLD_WORDS_WEIGHT, help="see GOLD_WORDS_WEIGHT; 0: unweighted"
    )
    ap.add_argument("--rows", type=Path, default=None, help="cache the rows in this .npz (read it when present)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    line_models = {k: args.fold_models / f"linemodel-fold{k}.npz" for k in range(K_FOLDS)}
    missing = [str(p) for p in line_models.values() if not p.is_file()]
    if missing:
        print(f"error: {missing[0]}: no fold line model (make train-lines writes them)", file=sys.stderr)
        return 2
    if args.rows and args.rows.is_file():
        with np.load(args.rows) as d:
            x, y, g, h = d["x"], d["y"], d["g"], d["h"]
        n_files = int(args.files_per_fold * K_FOLDS)
    else:
        if not (args.shared / "corpora").is_dir():
            print(f"error: {args.shared / 'corpora'}: not found (pass --shared)", file=sys.stderr)
            return 2
        gold = [*load_dragnet(args.shared), *load_scrapinghub(args.shared)]
        files = build_files(gold, args.files_per_fold)
        n_files = len(files)
        tasks = [(fold, text, starts, golds, str(line_models[fold])) for fold, text, starts, golds in files]
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(file_rows, tasks, chunksize=4))
        x = np.array([r for _, xs, _, _ in results for r in xs], dtype=np.float64).reshape(-1, len(FEATURES))
        y = np.array([v for _, _, ys, _ in results for v in ys], dtype=bool)
        g = np.array([f for f, xs, _, _ in results for _ in xs], dtype=np.int64)
        h = np.array([v for _, _, _, hs in results for v in hs], dtype=np.int64)
        if args.rows:
            np.savez_compressed(args.rows, x=x, y=y, g=g, h=h)
    print(f"[{time.perf_counter() - t0:6.1f}s] {n_files} files, {len(y)} records, {int(y.sum())} junk", flush=True)
    from threadpoolctl import threadpool_limits  # lazy: comes with scikit-learn, a dev extra

    w = weights(y, h, args.gold_words_weight)
    params = {
        **GBT_PARAMS,
        "threshold": THRESHOLD,
        "seed": SEED,
        "files_per_fold": args.files_per_fold,
        "junk_precision": JUNK_PRECISION,
        "gold_words_weight": args.gold_words_weight,
    }
    day = datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())), UTC).strftime("%Y%m%d")
    # a file's largest record is never asked (records.demote_junk_records): column is_file_main... (rank 0 of file)
    asked = ~((x[:, FEATURES.index("ratio_to_file_main")] >= 1.0) & (x[:, FEATURES.index("after_file_main")] == 0))
    proba = np.zeros(len(y))
    lines = []
    with threadpool_limits(1):
        for k in range(K_FOLDS):
            est = fit(x[g != k], y[g != k], w[g != k])
            proba[g == k] = est.predict_proba(x[g == k])[:, 1]
            meta = {"version": f"{day}-fold{k}", "threshold": THRESHOLD, "params": params, "without_fold": k}
            export(est, meta, record_model_path(line_models[k]))
        est = fit(x, y, w)
    meta = {"version": f"{day}-all", "threshold": THRESHOLD, "params": params, "n_records": len(y)}
    final = args.out / "recordmodel.npz"
    export(est, meta, final)
    for t in (0.3, 0.5, 0.7, 0.8, 0.9):
        pred = (proba >= t) & asked
        tp, fp, fn = int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y & asked).sum())
        lost = int(h[pred].sum())
        lines.append(
            f"| {t} | {tp} | {fp} | {fn} | {tp / max(tp + fp, 1):.3f} | {tp / max(tp + fn, 1):.3f} | "
            f"{lost} ({lost / max(int(h.sum()), 1):.4f}) |"
        )
    report = "\n".join(
        [
            "# The record model: training report (`make train-records`)",
            "",
            f"{n_files} files of 1-4 glued dev pages ({args.files_per_fold} per site fold, seed {SEED}); "
            f"{len(y)} article records, {int(y.sum())} junk (under {JUNK_PRECISION} of their words gold), "
            f"{int(asked.sum())} asked (not the file's largest). Each fold's records are scored by a model fitted "
            "without that fold's sites (the fold's line and page models split the files).",
            "",
            f"Site-disjoint, by threshold (the model's: {THRESHOLD}, chosen on other glued files for body F1, see "
            "`recordtrain.THRESHOLD`); gold words lost: gold words in "
            "the records called junk (share of all gold words in article records).",
            "",
            "| threshold | junk found | articles called junk | junk missed | precision | recall | gold words lost |",
            "|---|---|---|---|---|---|---|",
            *lines,
            "",
            f"Parameters: `{GBT_PARAMS}`, a real article weighing 1 + its gold words / {args.gold_words_weight:g} "
            f"(0: unweighted). Model: `{final.name}` ({final.stat().st_size} bytes).",
            "",
        ]
    )
    (args.out / "RECORDS.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"[{time.perf_counter() - t0:6.1f}s] done", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
