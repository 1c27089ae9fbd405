"""Train the line model on ../shared and measure it site-disjoint (``make train-lines``; needs the dev extra).

    python -m corpus_etl.linemodel.train [--shared ../shared] [--out corpus_etl/models] [--compare]

1. Pages with gold: dragnet (gold bodies, comments, titles) and scrapinghub (``articleBody``); units and labels
   (``labels.py``), features (``features.py``) with repeat counts taken within each page's site folder only; and
   glued pages (``glued_pages``: half the pages, each followed by a page of another site of its fold, read as one
   page), trained on in their fold like any page and never scored.
2. Five folds by site (a site's pages of both corpora in one fold). The first stage (gradient-boosted trees)
   is scored on each fold by a model trained on the other four. The stacked second stage of fold k is trained
   on the other folds' pages with first-stage probabilities from models that saw neither fold k nor the
   page's own fold, so no page is ever scored by a model that saw its site.
3. Score: mean over pages of the body token F1 (lower-cased ``\\w+`` multisets) of the units labelled body,
   with a bootstrap spread over pages; today's extractor (``pipeline.extract_records``, body of the largest
   article) on the same pages; ``--compare`` adds a logistic regression, first stage and stacked.
4. The final model (both stages on all pages; the second on the first's out-of-fold probabilities) is
   exported to ``corpus_etl/models/linemodel.npz`` (numpy arrays, no pickles, byte-for-byte deterministic)
   with a version (date + hash of the training data, parameters and feature code) and ``TRAINING.md``.

Imports scikit-learn; nothing in the product imports this module.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..learned import line_hash
from ..pipeline import extract_records
from ..rules import Rules, load_rules
from ..settings import Settings
from ..split import SplitOptions, rule_view_of, split_text
from . import extract_body
from . import features as features_module
from .corpora import K_FOLDS, GoldPage, load_dragnet, load_scrapinghub, site_fold
from .features import feature_names, page_features, stack_feature_names, stack_features
from .labels import CLASSES, label_units, tokens
from .model import Linear, LineModel, Stage, TreeEnsemble, load_model, save_model
from .units import Unit, make_units

SEED = 17
N_FOLDS = K_FOLDS
GBT_PARAMS: dict[str, Any] = {
    "max_iter": 60,
    "learning_rate": 0.2,
    "max_leaf_nodes": 31,
    "max_bins": 63,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "early_stopping": False,
    "random_state": SEED,
}
LOGREG_PARAMS: dict[str, Any] = {"C": 1.0, "max_iter": 2000}
# Units labelled 'other' (72 % of all) are sampled at 1 in OTHER_SAMPLE for a fit, weighted OTHER_SAMPLE: a
# fit takes a third of the time. (Measured on one fold: 60 iterations on all units 0.871, sampled 0.874.)
OTHER_SAMPLE = 3
MODEL_NAME = "linemodel.npz"
BODY = CLASSES.index("body")
# Glued training pages (``glued_pages``): each dev page again with a page of another site of its fold after it,
# the two read as one page, as the splitter reads two pages whose boundary it missed. A model trained on single
# pages alone learns "one article a page, near the longest line" and calls the second page's article 'other'.
# Half the pages get such a partner. (Site-disjoint, first stage, body F1 of each half of held-out glued pairs read as
# one page: the second 0.642 -> 0.762, the first 0.820 -> 0.839; single pages dragnet 0.846 -> 0.846, scrapinghub
# 0.891 -> 0.898. Every page glued: the second half 0.775, but single dragnet pages 0.843.)
GLUED_SEED = 24
GLUED_SHARE = 0.5
GLUED_CORPUS = "glued"  # ``GoldPage.corpus`` of a glued page: trained on, never scored


@dataclass
class PageData:
    """One page's units, labels and first-stage features."""

    page: GoldPage
    units: list[Unit]
    labels: np.ndarray  # class index per unit
    x: np.ndarray


# --------------------------------------------------------------------------------------------------
# Data


def build_pages(pages: Sequence[GoldPage], rules: Rules) -> list[PageData]:
    """Units, labels and features of every page; repeat counts within the page's collection only."""
    units = [make_units(p.text) for p in pages]
    per_collection: dict[str, list[int]] = defaultdict(list)
    for k, p in enumerate(pages):
        per_collection[p.collection].append(k)
    out: list[PageData | None] = [None] * len(pages)
    for members in per_collection.values():
        counts: Counter[str] = Counter()
        for k in members:
            counts.update({line_hash(u.text) for u in units[k]})
        for k in members:  # (the splitter's line model reads no repeat counts: its pages are seen alone)
            p = pages[k]
            labels = label_units(units[k], p.body, p.comments, p.title)
            y = np.array([CLASSES.index(lab) for lab in labels], dtype=np.int64)
            _, view = rule_view_of(p.text, rules)
            x = page_features(units[k], rules, None, 1, view=view)
            out[k] = PageData(p, units[k], y, x)
    return [d for d in out if d is not None]


def glued_pages(
    pages: Sequence[PageData], rules: Rules, seed: int = GLUED_SEED, share: float = GLUED_SHARE
) -> list[PageData]:
    """A ``share`` of ``pages`` (drawn with ``seed``), each followed by a page of another site of the same fold,
    joined by a blank line and read as one page (units, features and the rules' view of the glued text; the labels
    of both pages): training data for the line model on two pages the splitter did not tell apart. Both halves are
    of one fold, so the folds stay site-disjoint. A pair whose units are not the two pages' units (a join that merged
    two lines) is left out. ``GoldPage.corpus`` is ``GLUED_CORPUS``: the scores leave these pages out."""
    folds = assign_folds(pages)
    by_fold: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(folds.tolist()):
        by_fold[f].append(i)
    rng = random.Random(seed)
    out: list[PageData] = []
    for i, d in enumerate(pages):
        partners = [j for j in by_fold[int(folds[i])] if pages[j].page.site != d.page.site]
        if not partners:
            continue
        e = pages[rng.choice(partners)]
        if rng.random() >= share:
            continue
        head = d.page.text.rstrip("\n")
        text = head + "\n\n" + e.page.text
        units = make_units(text)
        n_first = sum(1 for u in units if u.start < len(head))
        if n_first != len(d.units) or len(units) - n_first != len(e.units):
            continue
        _, view = rule_view_of(text, rules)
        page = GoldPage(GLUED_CORPUS, f"{d.page.key}+{e.page.key}", d.page.site, text, "", None, None)
        x = page_features(units, rules, None, 1, view=view)
        out.append(PageData(page, units, np.concatenate([d.labels, e.labels]), x))
    return out


def scored(pages: Sequence[PageData]) -> list[int]:
    """The indexes of the pages that are scored (not glued training pages)."""
    return [i for i, d in enumerate(pages) if d.page.corpus != GLUED_CORPUS]


def assign_folds(pages: Sequence[PageData], n_folds: int = N_FOLDS) -> np.ndarray:
    """Fold of each page: its site's ``corpora.site_fold`` (the folds ``eval.realistic`` scores by)."""
    return np.array([site_fold(d.page.site, n_folds) for d in pages], dtype=np.int64)


def stacked_x(pages: Sequence[PageData], proba: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Second-stage features of pages, given first-stage probabilities per page."""
    return [np.hstack([d.x, stack_features(p, d.units, BODY)]) for d, p in zip(pages, proba, strict=True)]


# --------------------------------------------------------------------------------------------------
# Learners and export


def make_learner(kind: str) -> Any:
    """A fresh scikit-learn estimator (fixed random state)."""
    if kind == "gbt":
        from sklearn.ensemble import HistGradientBoostingClassifier  # lazy: scikit-learn: dev extra, ~2.8 s

        return HistGradientBoostingClassifier(**GBT_PARAMS)
    from sklearn.linear_model import LogisticRegression  # lazy: scikit-learn, as above
    from sklearn.pipeline import make_pipeline  # lazy: scikit-learn, as above
    from sklearn.preprocessing import StandardScaler  # lazy: scikit-learn, as above

    return make_pipeline(StandardScaler(), LogisticRegression(**LOGREG_PARAMS))


def fit(kind: str, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> Any:
    """A learner fitted on the rows of ``xs`` (the 'other' rows sampled, see ``OTHER_SAMPLE``)."""
    est = make_learner(kind)
    x, y = np.vstack(xs), np.concatenate(ys)
    other = CLASSES.index("other")
    keep = (y != other) | (np.random.default_rng(SEED).random(len(y)) < 1 / OTHER_SAMPLE)
    weight = np.where(y[keep] == other, float(OTHER_SAMPLE), 1.0)
    if kind == "gbt":
        est.fit(x[keep], y[keep], sample_weight=weight)
    else:
        est.fit(x[keep], y[keep], logisticregression__sample_weight=weight)
    missing = set(range(len(CLASSES))) - set(est.classes_.tolist())
    if missing:
        raise ValueError(f"training data lacks classes {sorted(missing)}")
    return est


def _proba(est: Any, x: np.ndarray) -> np.ndarray:
    """``est.predict_proba(x)``, also for a page without units."""
    return est.predict_proba(x) if len(x) else np.zeros((0, len(CLASSES)))


def export_learner(est: Any) -> TreeEnsemble | Linear:
    """The numpy form of a fitted estimator (``model.TreeEnsemble`` or ``model.Linear``)."""
    if hasattr(est, "_predictors"):
        feature, threshold, left, right, leaf, value, miss = [], [], [], [], [], [], []
        roots = []
        offset = 0
        for iteration in est._predictors:
            row = []
            for pred in iteration:
                nodes = pred.nodes
                if nodes["is_categorical"].any():
                    raise ValueError("categorical splits are not exported")
                row.append(offset)
                feature.append(nodes["feature_idx"].astype(np.int64))
                threshold.append(nodes["num_threshold"].astype(np.float64))
                left.append(nodes["left"].astype(np.int64) + offset)
                right.append(nodes["right"].astype(np.int64) + offset)
                leaf.append(nodes["is_leaf"].astype(bool))
                value.append(nodes["value"].astype(np.float64))
                miss.append(nodes["missing_go_to_left"].astype(bool))
                offset += len(nodes)
            roots.append(row)
        return TreeEnsemble(
            np.concatenate(feature),
            np.concatenate(threshold),
            np.concatenate(left),
            np.concatenate(right),
            np.concatenate(leaf),
            np.concatenate(value),
            np.concatenate(miss),
            np.array(roots, dtype=np.int64),
            np.asarray(est._baseline_prediction, dtype=np.float64).reshape(-1),
        )
    scaler, lr = est[0], est[-1]
    return Linear(
        np.asarray(scaler.mean_, dtype=np.float64),
        np.asarray(scaler.scale_, dtype=np.float64),
        np.asarray(lr.coef_, dtype=np.float64),
        np.asarray(lr.intercept_, dtype=np.float64),
    )


def gains(est: Any, n_features: int) -> np.ndarray:
    """Total split gain per feature over all trees of a fitted gradient-boosted model."""
    total = np.zeros(n_features)
    for iteration in est._predictors:
        for pred in iteration:
            nodes = pred.nodes[~pred.nodes["is_leaf"].astype(bool)]
            np.add.at(total, nodes["feature_idx"], nodes["gain"])
    return total


# --------------------------------------------------------------------------------------------------
# Scores


def body_f1(pred: str, gold: str) -> float:
    """F1 of the lower-cased ``\\w+`` token multisets (0 when either is empty)."""
    a, b = Counter(tokens(pred)), Counter(tokens(gold))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * p * r / (p + r)


def page_body(d: PageData, proba: np.ndarray) -> str:
    return "\n".join(u.text for u, k in zip(d.units, proba.argmax(axis=1), strict=True) if k == BODY)


def bootstrap(values: Sequence[float], n: int = 1000, seed: int = SEED) -> tuple[float, float, float]:
    """(standard deviation, 2.5 and 97.5 percentiles) of the mean over ``n`` resamples of ``values``."""
    if not values:
        return 0.0, 0.0, 0.0
    rng = np.random.default_rng(seed)
    v = np.asarray(values)
    means = v[rng.integers(0, len(v), size=(n, len(v)))].mean(axis=1)
    return float(means.std()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def summarise(pages: Sequence[PageData], f1s: Sequence[float]) -> dict[str, dict[str, float]]:
    """Mean per-page F1 per corpus with its bootstrap spread."""
    out = {}
    for corpus in ("dragnet", "scrapinghub"):
        v = [f for d, f in zip(pages, f1s, strict=True) if d.page.corpus == corpus]
        std, lo, hi = bootstrap(v)
        out[corpus] = {"mean": statistics.mean(v) if v else 0.0, "std": std, "lo": lo, "hi": hi, "pages": len(v)}
    return out


def without_repeats(x: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """``x`` as a page with no collection would have it (repeat features 0)."""
    x = x.copy()
    for n in features_module.REPEAT_FEATURES:
        x[:, list(names).index(n)] = 0.0
    return x


# --------------------------------------------------------------------------------------------------
# Cross-validation


# What forked workers read: set before each pool is made (``_map``), never changed while it runs.
_SHARED: dict[str, Any] = {}


def _map(fn: Callable[[Any], Any], tasks: Sequence[Any], jobs: int) -> list[Any]:
    """``fn`` over ``tasks``, in ``jobs`` forked processes (they see ``_SHARED`` without copying it)."""
    if jobs <= 1:
        return [fn(t) for t in tasks]

    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(fn, tasks, chunksize=1)


def _stage1_task(task: tuple[str, tuple[int, ...]]) -> tuple[Any, float]:
    """Fit the first stage without the pages of the ``excluded`` folds; return its probabilities on those pages
    (page -> (probabilities, probabilities without repeat counts)), or the fitted model when none is excluded."""
    kind, excluded = task
    pages: Sequence[PageData] = _SHARED["pages"]
    folds: np.ndarray = _SHARED["folds"]
    t = time.perf_counter()
    train = [i for i in range(len(pages)) if folds[i] not in excluded]
    est = fit(kind, [pages[i].x for i in train], [pages[i].labels for i in train])
    print(f"  {kind} first stage without folds {excluded}: {time.perf_counter() - t:.1f}s", flush=True)
    if not excluded:
        return est, time.perf_counter() - t
    names = _SHARED["names"]
    held = {
        i: (_proba(est, pages[i].x), _proba(est, without_repeats(pages[i].x, names)))
        for i in range(len(pages))
        if folds[i] in excluded
    }
    if len(excluded) == 1:
        held[-1] = est  # (the fold's model travels back with its probabilities)
    return held, time.perf_counter() - t


def _stage2_task(task: tuple[str, int | None]) -> tuple[Any, float]:
    """Fit the second stage without fold ``k``'s pages, each training page's first-stage probabilities from a
    model that saw neither fold k nor its own fold; return its probabilities on fold k's pages (with and
    without repeat counts). ``k`` None: the final model, on all pages with their out-of-fold probabilities."""
    kind, k = task
    pages: Sequence[PageData] = _SHARED["pages"]
    folds: np.ndarray = _SHARED["folds"]
    inner: dict[tuple[int, ...], dict[int, tuple[np.ndarray, np.ndarray]]] = _SHARED["inner"][kind]
    t = time.perf_counter()
    train = [i for i in range(len(pages)) if folds[i] != k]

    def first(i: int, fold: int | None) -> np.ndarray:
        key = (int(folds[i]),) if fold is None else tuple(sorted((int(folds[i]), fold)))
        return inner[key][i][0]

    x2 = stacked_x([pages[i] for i in train], [first(i, k) for i in train])
    est = fit(kind, x2, [pages[i].labels for i in train])
    print(f"  {kind} second stage without fold {k}: {time.perf_counter() - t:.1f}s", flush=True)
    if k is None:
        return est, time.perf_counter() - t
    names = _SHARED["names"]
    out = {}
    for i in range(len(pages)):
        if folds[i] == k:
            p1, p1_norep = inner[(k,)][i]
            x2n = np.hstack([without_repeats(pages[i].x, names), stack_features(p1_norep, pages[i].units, BODY)])
            out[i] = (_proba(est, stacked_x([pages[i]], [p1])[0]), _proba(est, x2n))
    out[-1] = est
    return out, time.perf_counter() - t


def cross_validate(
    kinds: Sequence[str], pages: Sequence[PageData], folds: np.ndarray, jobs: int, log: Callable[[str], None]
) -> tuple[dict[str, dict[str, Any]], Any, Any]:
    """Site-disjoint scores of each learner, first stage and stacked (see the module docstring), and the
    final gradient-boosted stages (fitted on all pages)."""
    _SHARED.update(pages=pages, folds=folds, names=feature_names(load_rules()))
    pairs = [(j, k) for j in range(N_FOLDS) for k in range(j + 1, N_FOLDS)]
    tasks1: list[tuple[str, tuple[int, ...]]] = [("gbt", ())]  # the final first stage
    tasks1 += [(kind, (k,)) for kind in kinds for k in range(N_FOLDS)] + [(kind, p) for kind in kinds for p in pairs]
    done1 = _map(_stage1_task, tasks1, jobs)
    inner: dict[str, dict[tuple[int, ...], Any]] = {kind: {} for kind in kinds}
    fold_models: dict[tuple[str, int], list[Any]] = {}
    for (kind, excluded), (res, _seconds) in zip(tasks1[1:], done1[1:], strict=True):
        est = res.pop(-1, None)
        if est is not None:
            fold_models[(kind, excluded[0])] = [est]
        inner[kind][excluded] = res
    final1 = done1[0][0]
    _SHARED["inner"] = inner
    tasks2: list[tuple[str, int | None]] = [("gbt", None)] + [(kind, k) for kind in kinds for k in range(N_FOLDS)]
    done2 = _map(_stage2_task, tasks2, jobs)
    final2 = done2[0][0]
    results = {}
    n = len(pages)
    kept = scored(pages)  # (the unit-level table leaves the glued training pages out)
    for kind in kinds:
        oof: list[np.ndarray] = [inner[kind][(int(folds[i]),)][i][0] for i in range(n)]
        oof_norep: list[np.ndarray] = [inner[kind][(int(folds[i]),)][i][1] for i in range(n)]
        stacked: list[np.ndarray] = [np.zeros((0, 0))] * n
        stacked_norep: list[np.ndarray] = [np.zeros((0, 0))] * n
        for (kd, _k), (res, _seconds) in zip(tasks2[1:], done2[1:], strict=True):
            if kd != kind:
                continue
            assert _k is not None
            fold_models[(kind, _k)].append(res.pop(-1))
            for i, (p, pn) in res.items():
                stacked[i], stacked_norep[i] = p, pn

        def scores(probas: list[np.ndarray]) -> dict[str, dict[str, float]]:
            f1s = [body_f1(page_body(d, p), d.page.body) for d, p in zip(pages, probas, strict=True)]
            return summarise(pages, f1s)

        results[kind] = {
            "stage1": scores(oof),
            "stacked": scores(stacked),
            "stage1_no_collection": scores(oof_norep),
            "stacked_no_collection": scores(stacked_norep),
            "oof": oof,
            "labels": label_scores([pages[i] for i in kept], [stacked[i] for i in kept]),
            "fold_models": {k: fold_models[(kind, k)] for k in range(N_FOLDS)},
        }
    _SHARED.clear()
    return results, final1, final2


def product_scores(
    pages: Sequence[PageData], folds: np.ndarray, fold_models: dict[int, list[Any]], names: Sequence[str], tmp: Path
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]], float]:
    """Site-disjoint body F1 of the splitter itself (``split_text``, main article: the article record with the
    most body characters) with the line model of each fold (trained without the fold's sites) on the fold's
    pages, and of the splitter with the rules alone on the same pages; and the line-model splitter's MB/s."""
    rules = load_rules()
    names2 = tuple(names) + stack_feature_names(CLASSES)

    def main_body(text: str, opts: SplitOptions) -> str:
        arts = [r for r in split_text(text, rules, opts).records if r.kind == "article"]
        best = max(arts, key=lambda r: sum(len(t) for t in r.paragraphs), default=None)
        return "\n".join(best.paragraphs) if best else ""

    with_model = [0.0] * len(pages)
    rules_only = [0.0] * len(pages)
    seconds = 0.0
    n_bytes = 0
    for k, (s1, s2) in fold_models.items():
        path = tmp / f"linemodel-fold{k}.npz"
        stages = (Stage(export_learner(s1), tuple(names)), Stage(export_learner(s2), names2))
        save_model(path, LineModel(CLASSES, stages, {}))
        opts = SplitOptions(line_model_path=str(path))
        for i, d in enumerate(pages):
            if folds[i] != k:
                continue
            t = time.perf_counter()
            with_model[i] = body_f1(main_body(d.page.text, opts), d.page.body)
            seconds += time.perf_counter() - t
            n_bytes += len(d.page.text.encode("utf-8"))
            rules_only[i] = body_f1(main_body(d.page.text, SplitOptions(line_model=False)), d.page.body)
    return summarise(pages, with_model), summarise(pages, rules_only), n_bytes / max(seconds, 1e-9) / 1e6


def final_fit(pages: Sequence[PageData], folds: np.ndarray, jobs: int) -> tuple[Any, Any]:
    """The final stages alone (what ``cross_validate`` returns as its last two values, without the scores): the
    first stage on all pages, the folds' first stages for the out-of-fold probabilities the second stage is
    fitted on, and the second stage. The same models, in a third of the time."""
    _SHARED.update(pages=pages, folds=folds, names=feature_names(load_rules()))
    tasks1: list[tuple[str, tuple[int, ...]]] = [("gbt", ())] + [("gbt", (k,)) for k in range(N_FOLDS)]
    done1 = _map(_stage1_task, tasks1, jobs)
    inner: dict[tuple[int, ...], Any] = {}
    for (_kind, excluded), (res, _seconds) in zip(tasks1[1:], done1[1:], strict=True):
        res.pop(-1, None)
        inner[excluded] = res
    _SHARED["inner"] = {"gbt": inner}
    final2, _seconds = _stage2_task(("gbt", None))
    _SHARED.clear()
    return done1[0][0], final2


def label_scores(pages: Sequence[PageData], probas: Sequence[np.ndarray]) -> dict[str, dict[str, float]]:
    """Unit-level precision / recall / F1 per class (all pages pooled)."""
    y = np.concatenate([d.labels for d in pages])
    p = np.concatenate([pr.argmax(axis=1) for pr in probas])
    out = {}
    for k, c in enumerate(CLASSES):
        tp = int(((p == k) & (y == k)).sum())
        prec = tp / max(int((p == k).sum()), 1)
        rec = tp / max(int((y == k).sum()), 1)
        out[c] = {"precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec) if tp else 0.0}
    return out


def baseline_scores(pages: Sequence[PageData]) -> tuple[dict[str, dict[str, float]], float]:
    """The rules alone (``extract_records`` without the line model) on the same pages (body of the largest article
    record) and its MB/s."""
    f1s = []
    t = time.perf_counter()
    n_bytes = 0

    rules_only = Settings(extraction={"line_model": False})
    for d in pages:
        n_bytes += len(d.page.text.encode("utf-8"))
        best: dict[str, Any] | None = None
        for r in extract_records(d.page.text, settings=rules_only):
            if r["kind"] == "article" and (best is None or r["n_words"] > best["n_words"]):
                best = r
        f1s.append(body_f1(str(best["body"]) if best else "", d.page.body))
    return summarise(pages, f1s), n_bytes / (time.perf_counter() - t) / 1e6


def oracle_scores(pages: Sequence[PageData]) -> dict[str, dict[str, float]]:
    """The body F1 of the labels themselves (what a perfect line classifier would score)."""
    f1s = []
    for d in pages:
        text = "\n".join(u.text for u, y in zip(d.units, d.labels, strict=True) if y == BODY)
        f1s.append(body_f1(text, d.page.body))
    return summarise(pages, f1s)


def throughput(pages: Sequence[PageData], model_path: Path) -> float:
    """MB/s of ``extract_body`` with the written model over the dragnet pages (units and features included)."""
    model = load_model(model_path)
    texts = [d.page.text for d in pages if d.page.corpus == "dragnet"]
    t = time.perf_counter()
    for text in texts:
        extract_body(text, model=model)
    return sum(len(x.encode("utf-8")) for x in texts) / (time.perf_counter() - t) / 1e6


# --------------------------------------------------------------------------------------------------
# Main


def data_hash(pages: Sequence[GoldPage], params: dict[str, Any]) -> str:
    h = hashlib.sha256()
    for p in pages:
        for part in (p.corpus, p.key, p.site, p.text, p.body, p.comments or "", p.title or ""):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\0")
    h.update(json.dumps(params, sort_keys=True).encode())
    for module in ("features.py", "units.py", "labels.py"):
        h.update((Path(__file__).parent / module).read_bytes())
    return h.hexdigest()[:12]


def fmt(s: dict[str, float]) -> str:
    return f"{s['mean']:.3f} ± {s['std']:.3f} [{s['lo']:.3f}, {s['hi']:.3f}]"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("..") / "shared")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "models")
    ap.add_argument("--compare", action="store_true", help="also cross-validate a logistic regression")
    ap.add_argument("--jobs", type=int, default=1, help="processes fitting folds at once (same results)")
    ap.add_argument("--pages", type=int, default=0, help="only the first N pages of each corpus (a quick check)")
    ap.add_argument("--no-baseline", action="store_true", help="skip today's extractor on the same pages")
    ap.add_argument(
        "--final-only", action="store_true", help="fit the model only (no cross-validation, no report; make train)"
    )
    ap.add_argument(
        "--fold-models", type=Path, default=None, help="also write each site fold's model here (eval.realistic)"
    )
    args = ap.parse_args(argv)
    random.seed(SEED)
    from threadpoolctl import threadpool_limits  # lazy: comes with scikit-learn, a dev extra

    # one thread: OpenMP's spinning threads cost 10x on a machine whose cores are busy; deterministic too
    with threadpool_limits(1):
        return _train(args)


def _train(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t0:6.1f}s] {msg}", flush=True)

    if not (args.shared / "corpora").is_dir():
        print(f"error: {args.shared / 'corpora'}: not found (pass --shared)", file=sys.stderr)
        return 2
    rules = load_rules()
    gold = [
        p for corpus in (load_dragnet(args.shared), load_scrapinghub(args.shared)) for p in corpus[: args.pages or None]
    ]
    pages = build_pages(gold, rules)
    names = feature_names(rules)
    folds = assign_folds(pages)
    log(f"{len(pages)} pages, {sum(len(d.units) for d in pages)} units, {len(names)} features")
    glued = glued_pages(pages, rules)
    train_pages = [*pages, *glued]  # (the scored pages first: their indexes are the same in both lists)
    train_folds = assign_folds(train_pages)
    log(f"{len(glued)} glued pages, {sum(len(d.units) for d in glued)} units")
    oracle = oracle_scores(pages)

    # the final model: stage 1 on all pages, stage 2 on all pages with stage 1's out-of-fold probabilities
    t = time.perf_counter()
    if args.final_only:
        s1, s2 = final_fit(train_pages, train_folds, args.jobs)
        path = write_model(args.out, gold, train_pages, rules, names, s1, s2)
        log(f"model {path} ({path.stat().st_size} bytes); TRAINING.md not rewritten (make train-lines does)")
        return 0
    kinds = ["gbt", "logreg"] if args.compare else ["gbt"]
    results, s1, s2 = cross_validate(kinds, train_pages, train_folds, args.jobs, log)
    fit_seconds = time.perf_counter() - t
    log("cross-validation and final fits done")

    with tempfile.TemporaryDirectory() as tmp:
        fold_dir = args.fold_models or Path(tmp)
        fold_dir.mkdir(parents=True, exist_ok=True)
        product = product_scores(pages, folds, results["gbt"]["fold_models"], names, fold_dir)
    log(f"splitter with the line model, site-disjoint: {product[0]}; rules alone: {product[1]}")
    for res in results.values():
        del res["fold_models"]
    baseline, baseline_mbs = (None, 0.0) if args.no_baseline else baseline_scores(pages)
    names2 = names + stack_feature_names(CLASSES)
    path = write_model(args.out, gold, train_pages, rules, names, s1, s2)
    meta = dict(load_model(path).meta)
    mbs = throughput(pages, path)
    log(f"model {path} ({path.stat().st_size} bytes), version {meta['version']}")

    imp1 = gains(s1, len(names))
    imp2 = gains(s2, len(names2))
    report = render_report(
        meta, pages, results, baseline, oracle, imp1, imp2, names, names2,
        {"size": path.stat().st_size, "fit_seconds": fit_seconds, "total_seconds": time.perf_counter() - t0,
         "mbs": mbs, "baseline_mbs": baseline_mbs, "jobs": args.jobs},
        product,
    )  # fmt: skip
    (args.out / "TRAINING.md").write_text(report, encoding="utf-8")
    log("wrote TRAINING.md")
    print(report)
    return 0


def write_model(
    out: Path,
    gold: Sequence[GoldPage],
    pages: Sequence[PageData],
    rules: Rules,
    names: tuple[str, ...],
    s1: Any,
    s2: Any,
) -> Path:
    """Export the two fitted stages to ``out/linemodel.npz`` (checked against scikit-learn) and return its path."""
    names2 = names + stack_feature_names(CLASSES)
    params = {
        "gbt": GBT_PARAMS,
        "folds": N_FOLDS,
        "seed": SEED,
        "rules_version": rules.version,
        "glued_seed": GLUED_SEED,
        "glued_share": GLUED_SHARE,
    }
    digest = data_hash(gold, params)
    day = datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())), UTC).strftime("%Y%m%d")
    meta = {
        "version": f"{day}-{digest}",
        "trained_on": {c: sum(d.page.corpus == c for d in pages) for c in ("dragnet", "scrapinghub", GLUED_CORPUS)},
        "params": params,
    }
    model = LineModel(CLASSES, (Stage(export_learner(s1), names), Stage(export_learner(s2), names2)), meta)
    out.mkdir(parents=True, exist_ok=True)
    path = out / MODEL_NAME
    save_model(path, model)
    loaded = load_model(path)
    check = max(pages, key=lambda d: len(d.units))
    if not np.allclose(loaded.stages[0].predict_proba(check.x, names), s1.predict_proba(check.x), atol=1e-9):
        raise RuntimeError("exported first stage does not reproduce scikit-learn's probabilities")
    return path


def render_report(
    meta: dict[str, Any],
    pages: Sequence[PageData],
    results: dict[str, dict[str, Any]],
    baseline: dict[str, dict[str, float]] | None,
    oracle: dict[str, dict[str, float]],
    imp1: np.ndarray,
    imp2: np.ndarray,
    names: Sequence[str],
    names2: Sequence[str],
    run: dict[str, float],
    product: tuple[dict[str, dict[str, float]], dict[str, dict[str, float]], float] | None = None,
) -> str:
    n_units = sum(len(d.units) for d in pages)
    label_counts = Counter(CLASSES[k] for d in pages for k in d.labels)
    sites = len({d.page.site for d in pages})
    lines = [
        "# Line model: training report",
        "",
        f"Written by `make train-lines` (`python -m corpus_etl.linemodel.train`). Model `{MODEL_NAME}`, version "
        f"`{meta['version']}`.",
        "",
        f"Data: {len(pages)} pages ({meta['trained_on']['dragnet']} dragnet, {meta['trained_on']['scrapinghub']} "
        f"scrapinghub) of {sites} sites; {n_units} units; labels "
        + ", ".join(f"{c} {label_counts[c]}" for c in CLASSES)
        + f". Trained also on {meta['trained_on'].get(GLUED_CORPUS, 0)} glued pages (each page followed by a page of "
        "another site of its fold, read as one page: `glued_pages`), never scored.",
        "",
        "## Body F1, site-disjoint (5 folds by site)",
        "",
        "Mean over pages of the body token F1 (lower-cased `\\w+` multisets) of the units labelled body; "
        "± is the bootstrap standard deviation of the mean over pages, [ ] its 95 % interval. A page is scored "
        "only by models trained without any page of its site (the stacked stage's inputs included). "
        "'no collection': the page's repeat counts left out (a page seen alone).",
        "",
        "| extractor | dragnet | scrapinghub |",
        "|---|---|---|",
    ]
    for kind, res in results.items():
        for stage in ("stage1", "stacked", "stage1_no_collection", "stacked_no_collection"):
            label = (
                {"gbt": "gradient-boosted trees", "logreg": "logistic regression"}[kind]
                + ", "
                + stage.replace("_", " ").replace("stage1", "first stage")
            )
            lines.append(f"| {label} | {fmt(res[stage]['dragnet'])} | {fmt(res[stage]['scrapinghub'])} |")
    if baseline:
        lines.append(
            "| the rules alone (`extract_records` with `line_model=False`, largest article) | "
            f"{fmt(baseline['dragnet'])} | "
            f"{fmt(baseline['scrapinghub'])} |"
        )
    lines.append(f"| oracle (the labels themselves) | {fmt(oracle['dragnet'])} | {fmt(oracle['scrapinghub'])} |")
    if product:
        with_model, rules_only, mbs = product
        lines += [
            "",
            "## The splitter with the line model, site-disjoint",
            "",
            "What the product does (`split_text`; body of the article record with the most body characters): "
            "each fold's pages split with the line model of the fold's stages (trained without its sites), "
            "against the splitter with the rules alone (`line_model=False`) on the same pages.",
            "",
            "| splitter | dragnet | scrapinghub | all pages |",
            "|---|---|---|---|",
        ]
        for label, res in (("rules + line model", with_model), ("rules alone", rules_only)):
            n = res["dragnet"]["pages"] + res["scrapinghub"]["pages"]
            mean = sum(res[c]["mean"] * res[c]["pages"] for c in ("dragnet", "scrapinghub")) / max(n, 1)
            lines.append(f"| {label} | {fmt(res['dragnet'])} | {fmt(res['scrapinghub'])} | {mean:.3f} |")
        lines += ["", f"Splitter with the line model: {mbs:.2f} MB/s on these pages (one process)."]
    lines += ["", "Unit-level scores of the stacked gradient-boosted model (all pages pooled, site-disjoint):", ""]
    lines += ["| class | precision | recall | F1 |", "|---|---|---|---|"]
    for c, s in results["gbt"]["labels"].items():
        lines.append(f"| {c} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    lines += [
        "",
        "## Model",
        "",
        f"- file: {run['size'] / 1e6:.2f} MB; two stages of {GBT_PARAMS['max_iter']} iterations x {len(CLASSES)} "
        "classes of trees",
        f"- cross-validation and final fits: {run['fit_seconds']:.0f} s ({run['jobs']} process(es)); whole run: "
        f"{run['total_seconds']:.0f} s",
        f"- `extract_body` throughput on the dragnet pages: {run['mbs']:.2f} MB/s"
        + (f" (the rules alone on the same pages: {run['baseline_mbs']:.2f} MB/s)" if baseline else ""),
        f"- parameters: `{json.dumps(GBT_PARAMS, sort_keys=True)}`",
        "",
        "## Feature importances (total split gain, top 15)",
        "",
        "| first stage | gain share | second stage | gain share |",
        "|---|---|---|---|",
    ]
    top1 = np.argsort(-imp1, kind="stable")[:15]
    top2 = np.argsort(-imp2, kind="stable")[:15]
    for a, b in zip(top1, top2, strict=True):
        lines.append(f"| `{names[a]}` | {imp1[a] / imp1.sum():.3f} | `{names2[b]}` | {imp2[b] / imp2.sum():.3f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
