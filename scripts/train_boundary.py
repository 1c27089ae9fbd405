"""Train the article-boundary model (``corpus_etl/boundary.py``) on concatenations of the dev corpora.

    .venv/bin/python -m scripts.train_boundary            # writes corpus_etl/models/boundary.json + BOUNDARY.md
    .venv/bin/python -m scripts.train_boundary --check    # cross-corpus numbers only, writes nothing

Files are built, seeded, from ../shared (never copied into the repository): stories of one corpus a file,
1-40 a file, joined by one or by two blank lines, with and without their headline lines (BBC, Reuters),
BBC also one category a file; Multi-News articles (no headlines) joined by a blank line. Every
block-opening line is a candidate; its label is whether a story starts there.

Evaluation is **corpus-disjoint**: each corpus is scored by a model trained on the other two only
(the corpora are the "sites" here: different outlets, decades and styles). The shipped model is then
trained on all three, its thresholds those that maximise boundary F1 on the out-of-corpus predictions.
Deterministic: seeded draws, Newton's method (no random start), rounded coefficients.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from corpora.multinews import build_multinews
from corpora.reuters import parse_reuters
from corpora.shared import multinews_dev
from corpus_etl.boundary import FEATURES, MODEL_PATH, BoundaryModel, boundary_features, candidates
from corpus_etl.rules import load_rules
from corpus_etl.settings import Settings
from corpus_etl.split import is_headline, logical_lines

SEED = 20261205
SHARED = Path(os.environ.get("CORPUS_ETL_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REPORT = MODEL_PATH.with_name("BOUNDARY.md")
CORPORA = ("bbc", "reuters", "multinews")
L2 = 1.0
SAME_STORY = "join1_nohead_same_story"  # the variant name of ``same_story_examples``

Story = tuple[str | None, str]  # (headline or None, body with paragraphs separated by a blank line)


def load_stories() -> dict[str, list[tuple[str, Story]]]:
    """``corpus -> [(group, (title, body))]``; group = BBC category, else the corpus."""
    root = SHARED / "corpora"
    out: dict[str, list[tuple[str, Story]]] = {c: [] for c in CORPORA}
    for path in sorted((root / "bbc_news" / "bbc").glob("*/*.txt")):
        raw = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n").strip()
        title, _, body = raw.partition("\n")
        paras = [p.strip() for p in body.split("\n") if p.strip()]
        if title.strip() and len(paras) >= 2:
            out["bbc"].append((path.parent.name, (title.strip(), "\n\n".join(paras))))
    for path in sorted((root / "reuters21578").glob("reut2-*.sgm")):
        for _, title, body in parse_reuters(path.read_bytes().decode("latin-1")):
            if len(body.split()) >= 40:
                out["reuters"].append(("reuters", (title, body)))
    for line in (root / "multinews_dev" / "dev.src").read_text(encoding="utf-8").splitlines():
        for art in line.split("|||||"):
            paras = [p.strip() for p in art.split("NEWLINE_CHAR") if p.strip()]
            if sum(len(p.split()) for p in paras) >= 40:
                out["multinews"].append(("multinews", (None, "\n\n".join(paras))))
    return out


def build_files(
    stories: list[tuple[str, Story]], rng: random.Random, n_files: int
) -> Iterator[tuple[str, list[int], str]]:
    """``(text, story start offsets, variant)`` of ``n_files`` files per variant."""
    heads = [True, False] if stories and stories[0][1][0] is not None else [False]
    by_group: dict[str, list[Story]] = {}
    for g, s in stories:
        by_group.setdefault(g, []).append(s)
    for join in ("\n\n", "\n\n\n"):
        for head in heads:
            for same in (False, True) if len(by_group) > 1 else (False,):
                for _ in range(n_files):
                    src = by_group[rng.choice(sorted(by_group))] if same else [s for _, s in stories]
                    picks = rng.sample(src, min(len(src), rng.randint(1, 40)))
                    parts, starts, pos = [], [], 0
                    for title, body in picks:
                        piece = f"{title}\n\n{body}" if head and title else body
                        starts.append(pos)
                        parts.append(piece)
                        pos += len(piece) + len(join)
                    variant = (
                        f"join{join.count(chr(10)) - 1}{'_head' if head else '_nohead'}{'_samecat' if same else ''}"
                    )
                    yield join.join(parts) + "\n", starts, variant


def examples(texts: Iterator[tuple[str, list[int], str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Feature rows, labels, headline flags and variants of every candidate but each file's first."""
    s = Settings()
    rules, opts = load_rules(s.extraction.rules_path), s.split_options()
    xs, ys, hs, vs = [], [], [], []
    for text, starts, variant in texts:
        lines = logical_lines(text)
        cands = candidates(lines)
        rows = boundary_features(text, lines, rules, opts, cands)
        gold = set(starts)
        for i, row in zip(cands[1:], rows[1:], strict=True):
            xs.append(row)
            ys.append(1.0 if lines[i].start in gold else 0.0)
            hs.append(is_headline(lines[i].text, opts))
            vs.append(variant)
    return np.array(xs, dtype=np.float64), np.array(ys), np.array(hs, dtype=bool), vs


def same_story_examples() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """The files of ``python -m eval.realistic --only multinews``: each ``dev.src`` line's articles (one story,
    several outlets) joined by a blank line, as ``corpora.multinews.build_multinews`` builds them. Scored only,
    never trained on: the training's Multi-News files draw articles of any story, so most of their joins are a
    change of story, where these are not."""
    _, files = build_multinews(multinews_dev(SHARED).read_text(encoding="utf-8"), None)
    return examples((b.text, [g.start for g in b.golds], SAME_STORY) for b in files)


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L2-regularised logistic regression by Newton's method on standardised features (bias unscaled)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], L2)
    reg[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -40, 40)))
        grad = z.T @ (p - y) + reg * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, w


def predict(model: tuple[np.ndarray, np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    mean, scale, w = model
    return 1.0 / (1.0 + np.exp(-np.clip(((x - mean) / scale) @ w, -40, 40)))


def prf(pred: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    tp = float((pred & (y > 0)).sum())
    p = tp / pred.sum() if pred.sum() else 0.0
    r = tp / (y > 0).sum() if (y > 0).sum() else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    grid = [round(t, 2) for t in np.arange(0.05, 0.96, 0.05)]
    return max(grid, key=lambda t: (prf(p >= t, y)[2], -t))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="cross-corpus numbers only; write nothing")
    ap.add_argument("--files", type=int, default=40, help="files per corpus and variant (default 40)")
    args = ap.parse_args(argv)
    rng = random.Random(SEED)
    stories = load_stories()
    data = {c: examples(build_files(stories[c], rng, args.files)) for c in CORPORA}
    lines = ["# Article-boundary model: training report", ""]
    lines += [
        f"Seed {SEED}; {args.files} files per corpus and variant (1-40 stories a file); candidates per corpus: "
        + ", ".join(f"{c} {len(data[c][1]):,} ({int(data[c][1].sum()):,} starts)" for c in CORPORA)
        + ".",
        "",
        "## Corpus-disjoint scores (each corpus scored by a model trained on the other two)",
        "",
        "| held-out corpus | variant | boundary P | boundary R | boundary F1 |",
        "|---|---|---|---|---|",
    ]
    same = same_story_examples()
    same_p = np.zeros(0)
    oof_p, oof_y, oof_h = [], [], []
    for held in CORPORA:
        train = [c for c in CORPORA if c != held]
        x = np.vstack([data[c][0] for c in train])
        y = np.concatenate([data[c][1] for c in train])
        m = fit(x, y)
        p = predict(m, data[held][0])
        if held == "multinews":
            same_p = predict(m, same[0])
        oof_p.append(p)
        oof_y.append(data[held][1])
        oof_h.append(data[held][2])
    p_all, y_all, h_all = np.concatenate(oof_p), np.concatenate(oof_y), np.concatenate(oof_h)
    t_head = best_threshold(p_all[h_all], y_all[h_all])
    t_body = best_threshold(p_all[~h_all], y_all[~h_all])
    f1s = []
    for held, p, y, h in zip(CORPORA, oof_p, oof_y, oof_h, strict=True):
        pred = np.where(h, p >= t_head, p >= t_body)
        variants = data[held][3]
        for v in sorted(set(variants)):
            mask = np.array([x == v for x in variants])
            pr, rc, f1 = prf(pred[mask], y[mask])
            f1s.append(f1)
            lines.append(f"| {held} | {v} | {pr:.3f} | {rc:.3f} | {f1:.3f} |")
    same_pred = np.where(same[2], same_p >= t_head, same_p >= t_body)
    pr, rc, f1 = prf(same_pred, same[1])
    lines.append(f"| multinews | {SAME_STORY} (scored only) | {pr:.3f} | {rc:.3f} | {f1:.3f} |")
    lines += [
        "",
        f"Mean boundary F1 over the {len(f1s)} held-out cells: {statistics.fmean(f1s):.3f} "
        f"(min {min(f1s):.3f}, max {max(f1s):.3f}). Thresholds from the out-of-corpus predictions: "
        f"headline-like lines {t_head}, other lines {t_body}.",
        "",
        f"`{SAME_STORY}` (not in the mean, not trained on, not used for the thresholds): the files of "
        "`python -m eval.realistic --only multinews`, each `dev.src` line's articles joined by a blank line. "
        "They are articles of one story by several outlets; the training's Multi-News files draw articles of any "
        "story, so most of their joins change the story and the topic-cosine features find them "
        "(`join1_nohead`). On one story they do not.",
        "",
    ]
    x = np.vstack([data[c][0] for c in CORPORA])
    y = np.concatenate([data[c][1] for c in CORPORA])
    mean, scale, w = fit(x, y)
    body = {
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in w],
        "threshold": t_head,
        "threshold_untitled": t_body,
    }
    version = "boundary-" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
    lines += [
        "## Coefficients of the shipped model (standardised features)",
        "",
        "| feature | coefficient |",
        "|---|---|",
    ]
    lines += [
        f"| {f} | {c:+.3f} |" for f, c in sorted(zip(FEATURES, body["coef"], strict=True), key=lambda t: -abs(t[1]))
    ]
    lines += ["", f"Version `{version}`."]
    print("\n".join(lines))
    if args.check:
        return 0
    model = {"version": version, **body}
    BoundaryModel(version, FEATURES, tuple(body["mean"]), tuple(body["scale"]), tuple(body["coef"]), t_head, t_body)
    MODEL_PATH.parent.mkdir(exist_ok=True)
    MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH} and {REPORT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
