"""Train the title model (``corpus_etl/titles.py``) on the dragnet pages with a gold headline.

    .venv/bin/python -m scripts.train_titles            # writes corpus_etl/models/titles.npz + TITLES.md,
                                                        # and eval/models/titles-fold{k}.npz
    .venv/bin/python -m scripts.train_titles --check    # site-disjoint numbers only, writes nothing

Pages and gold come from ../shared (never copied into the repository): ``dragnet/page_text/NNN.txt`` and
``dragnet/titles.json`` (the headline of 827 pages). The body start of a page is the splitter's own
choice, as at inference: the first body paragraph of the main article (``split.split_text``; the
``kind='article'`` record with most body words), else ``titles.fallback_body_start``; the splitter runs with
the line model of the page's site fold (``eval/models/linemodel-fold{k}.npz``, trained without the page's
site; ``make train-lines``), so that the body starts are those an unseen site gets. Every line that
``titles.title_candidates`` yields there is a candidate; it is positive when its normalised text
(``titles.normalise_title``) equals the gold headline's, as it is or without a site-name affix. The splitter
asks the model twice, before and after the line model (``split.passes.titles``); where the body starts
elsewhere before the line model (the split with ``line_model`` off), the candidates around that start are
training rows too (never scored: the out-of-fold numbers are those of the final body starts).

Evaluation is **site-disjoint**: the pages fall in the line model's 5 site folds
(``linemodel.corpora.site_fold``) and each fold is scored by a model trained on the other four; that model
is written beside the fold's line model (``eval/models/titles-fold{k}.npz``), so that ``make eval`` scores
every page's title with a model that never saw its site. A page's title is right when the chosen line,
cleaned by ``clean_title``, equals the gold headline after normalisation (lenient: one holds the
other); a page with no candidate over the threshold has no title (wrong). The learner is gradient-boosted
trees over each candidate (``GBT_PARAMS``; the best candidate of a page wins); the report also gives the
conditional logit the product used before (a softmax over each page's candidates, ``fit_choice``) on the
same folds. The shipped model is trained on all pages; its threshold is the highest that costs at most
``MAX_THRESHOLD_COST`` of out-of-fold exact accuracy.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from corpus_etl.decode import decode_bytes
from corpus_etl.linemodel.corpora import K_FOLDS, site_fold, site_key
from corpus_etl.linemodel.model import LineModel, Stage, load_model, save_model, stage_arrays
from corpus_etl.linemodel.train import export_learner
from corpus_etl.pipeline import extract_records
from corpus_etl.rules import Rules, load_rules
from corpus_etl.settings import Settings
from corpus_etl.split import Line, SplitOptions, logical_lines, split_text
from corpus_etl.titles import (
    CLASSES,
    FEATURES,
    MODEL_PATH,
    TitleModel,
    choose_title,
    clean_title,
    fallback_body_start,
    normalise_title,
    page_index,
    site_names,
    strip_site_affix,
    title_candidates,
    title_features,
)
from scripts.train_boundary import L2, predict

SEED = 20261205
SHARED = Path(os.environ.get("CORPUS_ETL_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DRAGNET = SHARED / "corpora" / "dragnet"
REPORT = MODEL_PATH.with_name("TITLES.md")
FOLD_MODELS = Path(__file__).resolve().parents[1] / "eval" / "models"  # the fold line models (make train-lines)
FOLDS = K_FOLDS
GBT_PARAMS: dict[str, object] = {
    "max_iter": 300,
    "learning_rate": 0.05,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "early_stopping": False,
    "random_state": 0,
}
BOOT = 1000
MAX_THRESHOLD_COST = 0.01  # the threshold: the highest that costs at most this much exact accuracy


@dataclass
class Page:
    """One dragnet page with a gold headline: its candidates' features and labels, today's title."""

    key: str
    site: str
    fold: int  # the site fold (``linemodel.corpora.site_fold``)
    gold: str  # normalised
    lines: list[Line]
    body_start: int | None
    cands: list[int]
    x: np.ndarray
    y: np.ndarray
    today: str | None
    # the candidates around the body start the title model's first pass sees (before the line model), when it
    # differs: more training rows, never scored
    x_first: np.ndarray | None = None
    y_first: np.ndarray | None = None

    def train_x(self) -> np.ndarray:
        return self.x if self.x_first is None else np.vstack([self.x, self.x_first])

    def train_y(self) -> np.ndarray:
        return self.y if self.y_first is None else np.concatenate([self.y, self.y_first])


def body_start_line(text: str, lines: list[Line], rules: Rules, opts: SplitOptions) -> int | None:
    """The line of the splitter's main article's first body paragraph (else ``fallback_body_start``)."""
    res = split_text(text, rules, opts)
    arts = [r for r in res.records if r.kind == "article" and r.paragraph_spans]
    if not arts:
        return fallback_body_start(lines)
    main = max(arts, key=lambda r: r.body_words)
    starts = [ln.start for ln in lines]
    return max(bisect.bisect_right(starts, main.paragraph_spans[0][0]) - 1, 0)


def gold_body_start(key: str, lines: list[Line]) -> int | None:
    """The first line of 15 words or more whose opening the gold body holds (a diagnostic: the body start
    a perfect splitter would give)."""
    body = " ".join((DRAGNET / "gold" / f"{key}.txt").read_text(encoding="utf-8", errors="replace").split())
    return next((i for i, ln in enumerate(lines) if len(ln.text.split()) >= 15 and ln.text[:60] in body), None)


def fold_line_model(fold: int) -> str | None:
    """The line model trained without site fold ``fold`` (None: the packaged one, when make train-lines has
    not written the fold models)."""
    path = FOLD_MODELS / f"linemodel-fold{fold}.npz"
    return str(path) if path.is_file() else None


def load_pages(limit: int | None = None, cache: Path | None = None, gold_body: bool = False) -> list[Page]:
    """The pages, their candidates described; each page split with its site fold's line model. ``cache`` keeps
    the splitter's answers (body start, today's title) between runs, for iterating on the features."""
    split_cache: dict[str, tuple[int | None, str | None, int | None]] = {}
    if cache is not None and cache.exists():
        split_cache = {
            k: (v[0], v[1], v[2]) for k, v in json.loads(cache.read_text(encoding="utf-8")).items() if len(v) == 3
        }
    gold = json.loads((DRAGNET / "titles.json").read_text(encoding="utf-8"))
    sites = json.loads((DRAGNET / "sites.json").read_text(encoding="utf-8"))
    settings_of: dict[int, Settings] = {}
    pages = []
    for key in sorted(gold)[:limit]:
        site = site_key(sites.get(key, f"dragnet-{key}"))
        fold = site_fold(site)
        # (the splitter's own titles and body starts, not this model's)
        settings = settings_of.setdefault(
            fold, Settings(extraction={"title_model": False, "line_model_path": fold_line_model(fold)})
        )
        rules, opts = load_rules(settings.extraction.rules_path), settings.split_options()
        text = decode_bytes((DRAGNET / "page_text" / f"{key}.txt").read_bytes()).text
        g = normalise_title(gold[key]["title"])
        lines = logical_lines(text)
        if key in split_cache:
            bs, today, bs_first = split_cache[key]
        else:
            rows = extract_records(text, settings)
            arts = [r for r in rows if r["kind"] == "article"]
            main = max(arts, key=lambda r: int(r["n_words"] or 0)) if arts else None  # type: ignore[call-overload]
            today = str(main["title"]) if main is not None and main["title"] else None
            bs = body_start_line(text, lines, rules, opts)
            # (the first title pass runs before the line model: its body start is the rules' own)
            bs_first = body_start_line(text, lines, rules, replace(opts, line_model=False))
            split_cache[key] = (bs, today, bs_first)
        if gold_body:
            bs = gold_body_start(key, lines)
        cands = title_candidates(lines, bs) if bs is not None else []
        x = np.array(title_features(lines, bs, cands, rules, opts) if bs is not None else [], dtype=np.float64)
        names = site_names([ln.text for ln in lines])
        y = labels(lines, cands, g, opts, names)
        page = Page(key, site, fold, g, lines, bs, cands, x.reshape(len(cands), len(FEATURES)), y, today)
        if not gold_body and bs_first is not None and bs_first != bs:
            c1 = title_candidates(lines, bs_first)
            if c1:
                page.x_first = np.array(title_features(lines, bs_first, c1, rules, opts), dtype=np.float64)
                page.y_first = labels(lines, c1, g, opts, names)
        pages.append(page)
    if cache is not None:
        cache.write_text(json.dumps(split_cache), encoding="utf-8")
    return pages


def labels(lines: list[Line], cands: list[int], gold: str, opts: SplitOptions, names: frozenset[str]) -> np.ndarray:
    """1 for each candidate line whose normalised text, as it is or without a site-name affix, is ``gold``."""
    return np.array(
        [
            1.0
            if gold in (normalise_title(lines[i].text), normalise_title(strip_site_affix(lines[i].text, opts, names)))
            else 0.0
            for i in cands
        ]
    )


def fit_trees(xs: list[np.ndarray], ys: list[np.ndarray]) -> Any:
    """Gradient-boosted trees (``GBT_PARAMS``) over every candidate of the pages: P(the candidate is the headline)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(**GBT_PARAMS).fit(np.vstack(xs), np.concatenate(ys))


def tree_model(est: Any, threshold: float, meta: dict[str, Any]) -> TitleModel:
    """The fitted trees as a title model (the line model's format), checked against scikit-learn."""
    body = {"threshold": threshold, "features": list(FEATURES), **meta}
    trees = LineModel(CLASSES, (Stage(export_learner(est), FEATURES),), body)
    probe = np.random.default_rng(0).normal(1.0, 2.0, size=(64, len(FEATURES)))
    if not np.allclose(trees.stages[0].predict_proba(probe, FEATURES), est.predict_proba(probe), atol=1e-9):
        raise RuntimeError("the exported title model does not reproduce scikit-learn's probabilities")
    return TitleModel(str(meta["version"]), trees, threshold)


def write_model(model: TitleModel, path: Path) -> None:
    """Write ``model`` to ``path`` (and read it back: the same model)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_model(path, model.trees)
    back = load_model(path)
    if back.meta != model.trees.meta:
        raise RuntimeError(f"{path}: the written title model reads back differently")


def fit_choice(xs: list[np.ndarray], ys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A conditional logit (softmax over each page's candidates) by Newton's method, L2-regularised, on
    standardised features; the bias is fitted afterwards as the pointwise intercept so that the
    probabilities of single candidates stay calibrated (the softmax cannot see it)."""
    x = np.vstack(xs)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0
    scale[scale == 0] = 1.0
    zs = [(xi - mean) / scale for xi, yi in zip(xs, ys, strict=True) if yi.sum() > 0]
    ts = [yi / yi.sum() for yi in ys if yi.sum() > 0]
    d = x.shape[1]
    w = np.zeros(d)
    reg = np.full(d, L2)
    reg[0] = 0.0

    def loss(v: np.ndarray) -> float:
        out = 0.5 * float(reg @ (v * v))
        for z, t in zip(zs, ts, strict=True):
            sc = z @ v
            top = sc.max()
            out += float(top + np.log(np.exp(sc - top).sum()) - t @ sc)
        return out

    current = loss(w)
    for _ in range(50):
        grad = reg * w
        hess = np.diag(reg + 1e-9)
        hess[0, 0] = 1.0  # (the bias does not move a softmax)
        for z, t in zip(zs, ts, strict=True):
            sc = z @ w
            p = np.exp(sc - sc.max())
            p /= p.sum()
            grad += z.T @ (p - t)
            zp = z.T @ p
            hess += (z * p[:, None]).T @ z - np.outer(zp, zp)
        grad[0] = 0.0
        step = np.linalg.solve(hess, grad)
        size = 1.0  # (halved until the objective falls: plain Newton overshoots from the zero start)
        while size > 1e-4 and (new := loss(w - size * step)) > current:
            size /= 2
        w -= size * step
        done = current - new < 1e-9
        current = new
        if done or np.abs(size * step).max() < 1e-8:
            break
    # the intercept: a one-dimensional logistic fit of the labels on the fixed scores
    y = np.concatenate(ys)
    s_all = ((x - mean) / scale) @ w
    b = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(s_all + b, -40, 40)))
        g, h = float((p - y).sum()), float((p * (1 - p)).sum()) + 1e-9
        b -= g / h
        if abs(g / h) < 1e-10:
            break
    w[0] = b
    return mean, scale, w


def pick(page: Page, p: np.ndarray, opts: SplitOptions) -> tuple[float, str] | None:
    """(probability, cleaned title) of the page's best candidate (the earliest on a tie)."""
    if not len(p):
        return None
    k = int(np.argmax(p))  # (the first maximum: the earliest line)
    index = page_index([ln.text for ln in page.lines])
    return float(p[k]), normalise_title(clean_title(page.lines[page.cands[k]].text, opts, index))


def score(chosen: str | None, gold: str) -> tuple[bool, bool]:
    """(exact, lenient) agreement of a normalised chosen title with the normalised gold one."""
    if not chosen:
        return False, False
    return chosen == gold, chosen == gold or gold in chosen or chosen in gold


def bootstrap(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """2.5 and 97.5 percentiles of the mean over ``BOOT`` resamples of the pages."""
    idx = rng.integers(0, len(values), size=(BOOT, len(values)))
    means = values[idx].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="site-disjoint numbers only; write nothing")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N pages (a quick look)")
    ap.add_argument("--cache", type=Path, default=None, help="a JSON file keeping the splitter's answers between runs")
    ap.add_argument(
        "--gold-body", action="store_true", help="diagnostic: start bodies where the gold body starts (implies --check)"
    )
    args = ap.parse_args(argv)
    args.check = args.check or args.gold_body

    opts = Settings(extraction={"title_model": False}).split_options()
    t0 = time.perf_counter()
    pages = load_pages(args.limit, args.cache, args.gold_body)
    load_s = time.perf_counter() - t0
    fold = [p.fold for p in pages]
    n = len(pages)
    oof: list[tuple[float, str] | None] = [None] * n
    oof_logit: list[tuple[float, str] | None] = [None] * n
    fold_trees: dict[int, Any] = {}
    for f in range(FOLDS):
        train = [p for p, k in zip(pages, fold, strict=True) if k != f and len(p.cands)]
        est = fold_trees[f] = fit_trees([p.train_x() for p in train], [p.train_y() for p in train])
        logit_model = fit_choice([p.train_x() for p in train], [p.train_y() for p in train])
        for j, p in enumerate(pages):
            if fold[j] == f and len(p.cands):
                oof[j] = pick(p, est.predict_proba(p.x)[:, 1], opts)
                oof_logit[j] = pick(p, predict(logit_model, p.x), opts)

    def accuracy(threshold: float, answers: list[tuple[float, str] | None] = oof) -> tuple[np.ndarray, np.ndarray, int]:
        ex, le, answered = [], [], 0
        for p, o in zip(pages, answers, strict=True):
            chosen = o[1] if o is not None and o[0] >= threshold else None
            answered += chosen is not None
            e, lenient = score(chosen, p.gold)
            ex.append(e)
            le.append(lenient)
        return np.array(ex, dtype=float), np.array(le, dtype=float), answered

    grid = [round(t, 2) for t in np.arange(0.0, 0.51, 0.01)]
    base = accuracy(0.0)[0].mean()
    threshold = max(t for t in grid if accuracy(t)[0].mean() >= base - MAX_THRESHOLD_COST)
    ex0, le0, _ = accuracy(0.0)
    ex, le, answered = accuracy(threshold)
    exl, lel, _ = accuracy(0.0, oof_logit)
    today = [score(normalise_title(p.today) if p.today else None, p.gold) for p in pages]
    tex = np.array([t[0] for t in today], dtype=float)
    tle = np.array([t[1] for t in today], dtype=float)
    rng = np.random.default_rng(SEED)
    recall = np.mean([p.y.sum() > 0 for p in pages])
    lo, hi = bootstrap(ex, rng)
    tlo, thi = bootstrap(tex, rng)
    dlo, dhi = bootstrap(ex - tex, rng)
    llo, lhi = bootstrap(ex - exl, rng)
    by_fold = {f: ex[np.array(fold) == f].mean() for f in range(FOLDS)}

    # the shipped model: all pages; each fold's model beside the fold's line model
    with_cands = [p for p in pages if len(p.cands)]
    n_first = sum(1 for p in pages if p.x_first is not None)
    n_first_rows = sum(len(p.x_first) for p in pages if p.x_first is not None)
    y = np.concatenate([p.y for p in with_cands])
    est = fit_trees([p.train_x() for p in with_cands], [p.train_y() for p in with_cands])
    digest = hashlib.sha256()  # (the exported trees' arrays: the same model gives the same version)
    for name, arr in sorted(stage_arrays("s0", export_learner(est)).items()):
        digest.update(name.encode() + np.ascontiguousarray(arr).tobytes())
    digest.update(json.dumps({"threshold": threshold, "features": FEATURES, "gbt": GBT_PARAMS}).encode())
    version = "titles-" + digest.hexdigest()[:12]
    model = tree_model(est, threshold, {"version": version, "trained_on": f"{n} dragnet pages", "gbt": GBT_PARAMS})
    fold_models = {
        f: tree_model(
            e, threshold, {"version": f"{version}-fold{f}", "trained_on": f"dragnet pages outside site fold {f}"}
        )
        for f, e in fold_trees.items()
    }
    rules = load_rules(Settings().extraction.rules_path)
    t1 = time.perf_counter()
    for p in pages:
        if p.body_start is not None:
            choose_title("", p.lines, p.body_start, rules, opts, model)
    per_page_ms = (time.perf_counter() - t1) / n * 1000
    line_models = "the fold line models" if fold_line_model(0) else "the packaged line model (no fold models found)"

    out = [
        "# Title model: training report",
        "",
        f"{n} dragnet pages with a gold headline, {len({p.site for p in pages})} sites, the line model's {FOLDS} site "
        f"folds; {len(y):,} candidates ({int(y.sum()):,} positive). Bodies start where the splitter with "
        f"{line_models} starts them. A candidate equal to the gold headline lies in the window of {recall:.1%} of "
        "the pages (the ceiling of the exact score). Training rows also: the candidates around the body start "
        f"before the line model (the splitter's first question) on the {n_first} pages where it differs "
        f"({n_first_rows:,} candidates, never scored).",
        "",
        "## Site-disjoint title accuracy (each fold scored by a model trained on the other four)",
        "",
        "| titles | exact | 95 % bootstrap | lenient |",
        "|---|---|---|---|",
        f"| gradient-boosted trees, threshold {threshold} ({answered} pages given a title) | {ex.mean():.3f} "
        f"| {lo:.3f}-{hi:.3f} | {le.mean():.3f} |",
        f"| trees, no threshold | {ex0.mean():.3f} | | {le0.mean():.3f} |",
        f"| conditional logit (the model before), no threshold | {exl.mean():.3f} | | {lel.mean():.3f} |",
        f"| the splitter without a title model (main article) | {tex.mean():.3f} | {tlo:.3f}-{thi:.3f} "
        f"| {tle.mean():.3f} |",
        "",
        f"Trees minus the conditional logit, exact: {ex.mean() - exl.mean():+.3f} (95 % bootstrap {llo:+.3f} to "
        f"{lhi:+.3f}); trees minus no model: {ex.mean() - tex.mean():+.3f} ({dlo:+.3f} to {dhi:+.3f}; {BOOT} "
        "resamples of the pages). Exact by fold: "
        + ", ".join(f"{f}: {v:.3f}" for f, v in by_fold.items())
        + ". Exact: the cleaned chosen line equals the gold headline after "
        "normalisation (case-folded, spaces collapsed, punctuation stripped at the ends); lenient: one "
        "holds the other. The threshold is the highest (0.01 steps up to 0.5) that costs at most "
        f"{MAX_THRESHOLD_COST} of out-of-fold exact accuracy (every page here has a headline; a record without "
        "one needs some threshold).",
        "",
        "`python -m scripts.train_titles --gold-body` prints the same table with each body started where the "
        "gold body starts (what a perfect splitter would give; a diagnostic, the shipped model is not trained so).",
        "",
        f"Time: {per_page_ms:.2f} ms a page for `choose_title` (features and scoring, the split not included); "
        f"loading and splitting the pages took {load_s:.0f} s. Trees: {GBT_PARAMS}.",
        "",
        f"Version `{version}`; each fold's model `{version}-fold<k>` in `eval/models/titles-fold<k>.npz`.",
    ]
    print("\n".join(out))
    if args.check:
        return 0
    write_model(model, MODEL_PATH)
    for f, m in fold_models.items():
        write_model(m, FOLD_MODELS / f"titles-fold{f}.npz")
    REPORT.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH}, {REPORT} and {FOLD_MODELS}/titles-fold*.npz", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
