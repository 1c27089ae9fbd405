"""The line model's file and its inference in numpy (no scikit-learn at run time).

A model file (``.npz``, written by ``train.py``) holds one or two stages. Each stage is a gradient-boosted tree
ensemble (scikit-learn's ``HistGradientBoostingClassifier``, exported node by node) or a linear model
(standardisation, coefficients and intercepts of a ``LogisticRegression``), and the JSON ``meta``: the model's
version, its classes, the feature names of each stage, the training parameters.

Inference reproduces scikit-learn's ``predict_proba`` (tested to 1e-9): a tree sends a row left when its
feature is ``<=`` the node's threshold (a NaN goes where the node says), the raw score of a class is the
baseline plus the leaf values of its trees summed iteration by iteration, and the probabilities are the
softmax of the raw scores (the logistic function of one score for two classes).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

# Keys of one stage's arrays in the file: "<stage>.<name>".
TREE_ARRAYS = ("feature", "threshold", "left", "right", "leaf", "value", "missing_left", "roots", "baseline")
LINEAR_ARRAYS = ("mean", "scale", "coef", "intercept")


@dataclass(frozen=True)
class TreeEnsemble:
    """Trees of all iterations and classes, nodes flattened into one set of arrays (global node indices).

    ``roots`` has shape (iterations, trees per iteration); ``baseline`` one value per tree of an iteration.
    """

    feature: np.ndarray  # int64, per node
    threshold: np.ndarray  # float64
    left: np.ndarray  # int64 (global index)
    right: np.ndarray  # int64
    leaf: np.ndarray  # bool
    value: np.ndarray  # float64
    missing_left: np.ndarray  # bool
    roots: np.ndarray  # int64 (iterations, per_iteration)
    baseline: np.ndarray  # float64 (per_iteration,)

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Raw scores (rows x trees per iteration).

        The trees are walked all at once, one level at a time: every row stands at one node of every tree,
        and a step sends it to the node's left or right child (a row at a leaf stays there). The first
        ``_DENSE`` levels step over rows x trees (the deepest trees first, so that a level only touches the
        trees that are that deep); then only the (row, tree) pairs not yet at a leaf go on, dropped as they
        reach one (most rows reach a leaf within a few levels).
        """
        n_iter, per = self.roots.shape
        raw = np.tile(self.baseline, (len(x), 1))
        if n_iter == 0 or len(x) == 0:
            return raw
        w = self._walk
        n = len(x)
        flat = np.ascontiguousarray(x.T, dtype=np.float64).ravel()  # feature by feature, then row by row
        offset = w.feature * n  # where a node's feature starts in ``flat``
        nodes = np.repeat(w.roots[:, None], n, axis=1)  # trees (deepest first) x rows
        # (gathers by ndarray.take: the same values as indexing, faster on 1-d arrays)
        threshold, left, missing_left, leaf = w.threshold, w.left, w.missing_left, w.leaf

        def step(at: np.ndarray, rows: np.ndarray) -> np.ndarray:
            v = flat.take(offset.take(at) + rows)
            right = v > threshold.take(at)
            if has_nan:
                right |= np.isnan(v) & ~missing_left.take(at)
            return left.take(at) + right

        has_nan = bool(np.isnan(flat).any())
        rows = np.arange(n, dtype=np.intp)
        for k in w.deeper[:_DENSE]:  # the trees deeper than the level
            nodes[:k] = step(nodes[:k], rows[None, :])
        if len(w.deeper) > _DENSE:
            out = nodes.reshape(-1)  # (a view: tree by tree, row by row)
            pos = np.flatnonzero(~leaf.take(out[: w.deeper[_DENSE] * n]))  # the pairs not at a leaf
            at, rows = out.take(pos), pos % n
            while len(pos):
                for _ in range(_SPARSE):
                    at = step(at, rows)
                done = leaf.take(at)
                out[pos[done]] = at[done]
                going = ~done
                pos, at, rows = pos[going], at[going], rows[going]
        values = w.value.take(nodes)[w.order].T  # rows x trees, in the file's order
        values3 = values.reshape(n, n_iter, per)
        if n * per <= _NARROW:  # (a few rows, e.g. a body's title candidates: one running sum, not n_iter steps)
            # ``np.cumsum`` adds strictly in order along the axis, one addition at a time: the same doubles
            steps = np.concatenate([raw[None], values3.transpose(1, 0, 2)])
            return np.cumsum(steps, axis=0)[-1]
        for it in range(n_iter):  # iteration by iteration, as scikit-learn adds them
            raw += values3[:, it, :]
        return raw

    @cached_property
    def _walk(self) -> _Walk:
        return _compile(self)


_DENSE = 4  # levels walked over all rows x trees
_SPARSE = 2  # levels walked between two drops of the pairs that reached a leaf
_NARROW = 64  # at most this many rows x trees per iteration: the iterations summed by one np.cumsum


@dataclass(frozen=True)
class _Walk:
    """The nodes of all trees renumbered for the level-by-level walk: a node's right child is its left child's
    number + 1, a leaf is its own child (feature 0, threshold +inf, NaN to the left: it never moves).

    The trees are sorted deepest first (``roots``); ``deeper[d]`` is the number of trees deeper than ``d``
    levels, ``order`` puts the sorted trees back in the file's order."""

    feature: np.ndarray  # intp, per node
    threshold: np.ndarray  # float64
    missing_left: np.ndarray  # bool
    left: np.ndarray  # intp
    leaf: np.ndarray  # bool
    value: np.ndarray  # float64
    roots: np.ndarray  # intp, per tree (deepest first)
    deeper: tuple[int, ...]
    order: np.ndarray  # intp


def _compile(t: TreeEnsemble) -> _Walk:
    trees: list[tuple[int, list[int]]] = []  # (depth, nodes breadth first, children next to each other)
    for root in t.roots.reshape(-1).tolist():
        nodes, depth = [root], {root: 0}
        for node in nodes:  # (grows as it goes)
            if not t.leaf[node]:
                for child in (int(t.left[node]), int(t.right[node])):
                    depth[child] = depth[node] + 1
                    nodes.append(child)
        trees.append((max(depth.values()), nodes))
    by_depth = sorted(range(len(trees)), key=lambda k: -trees[k][0])
    feature: list[int] = []
    threshold: list[float] = []
    missing: list[bool] = []
    left: list[int] = []
    leaves: list[bool] = []
    value: list[float] = []
    roots: list[int] = []
    for k in by_depth:
        nodes = trees[k][1]
        number = {node: len(feature) + j for j, node in enumerate(nodes)}
        roots.append(number[nodes[0]])
        for node in nodes:
            leaf = bool(t.leaf[node])
            feature.append(0 if leaf else int(t.feature[node]))
            threshold.append(np.inf if leaf else float(t.threshold[node]))
            missing.append(True if leaf else bool(t.missing_left[node]))
            left.append(number[node] if leaf else number[int(t.left[node])])
            leaves.append(leaf)
            value.append(float(t.value[node]))
    depths = [trees[k][0] for k in by_depth]
    deeper = tuple(sum(1 for d in depths if d > level) for level in range(max(depths, default=0)))
    return _Walk(
        np.array(feature, dtype=np.intp),
        np.array(threshold, dtype=np.float64),
        np.array(missing, dtype=bool),
        np.array(left, dtype=np.intp),
        np.array(leaves, dtype=bool),
        np.array(value, dtype=np.float64),
        np.array(roots, dtype=np.intp),
        deeper,
        np.argsort(np.array(by_depth, dtype=np.intp)),
    )


@dataclass(frozen=True)
class Linear:
    """A standardised linear model: ``((x - mean) / scale) @ coef.T + intercept``."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (1 or classes, features)
    intercept: np.ndarray

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Raw scores (rows x 1 or classes)."""
        z = (x - self.mean) / self.scale
        return z @ self.coef.T + self.intercept


def probabilities(raw: np.ndarray) -> np.ndarray:
    """Class probabilities from raw scores: the logistic function of a single column (two classes), else the
    softmax."""
    if raw.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-raw[:, 0]))
        return np.column_stack([1.0 - p, p])
    z = raw - raw.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Stage:
    """One stage: its learner and the names of the feature columns it reads, in order."""

    learner: TreeEnsemble | Linear
    features: tuple[str, ...]

    def predict_proba(self, x: np.ndarray, names: Sequence[str]) -> np.ndarray:
        """Probabilities for rows ``x`` whose columns are ``names`` (a column the stage reads that ``names``
        lacks is 0: a rule removed from the rules file since training)."""
        if tuple(names) != self.features:
            where = {n: k for k, n in enumerate(names)}
            cols = [where.get(n, -1) for n in self.features]
            x = np.column_stack([x[:, k] if k >= 0 else np.zeros(len(x)) for k in cols]) if cols else x[:, :0]
        return probabilities(self.learner.raw(x))


@dataclass(frozen=True)
class LineModel:
    """A loaded model file: its stages (first, then optionally the stacked second) and metadata."""

    classes: tuple[str, ...]
    stages: tuple[Stage, ...]
    meta: Mapping[str, Any]

    @property
    def version(self) -> str:
        return str(self.meta.get("version", ""))


def stage_arrays(prefix: str, learner: TreeEnsemble | Linear) -> dict[str, np.ndarray]:
    """The arrays of a learner under ``prefix.`` keys (as ``save_model`` writes them)."""
    names = TREE_ARRAYS if isinstance(learner, TreeEnsemble) else LINEAR_ARRAYS
    return {f"{prefix}.{n}": np.asarray(getattr(learner, n)) for n in names}


def beside_line_model(line_model_path: str | Path | None, default: Path, kind: str) -> Path:
    """The ``kind`` model file beside a line model file (``default`` when none is given): ``linemodel*.npz`` ->
    ``{kind}model*.npz`` in the same folder (a fold's ``linemodel-fold2.npz`` pairs with ``pagemodel-fold2.npz``,
    both trained without that fold's sites); any other ``name.npz`` -> ``name-{kind}s.npz``."""
    path = Path(line_model_path) if line_model_path else default
    if "linemodel" in path.name:
        return path.with_name(path.name.replace("linemodel", f"{kind}model", 1))
    return path.with_name(f"{path.stem}-{kind}s{path.suffix}")


def save_model(path: Path, model: LineModel) -> None:
    """Write ``model`` to ``path``: a compressed ``.npz`` (the metadata as one JSON string, no pickles) with
    fixed timestamps and order, so that the same model always gives the same bytes."""
    arrays: dict[str, np.ndarray] = {}
    stages_meta = []
    for k, stage in enumerate(model.stages):
        kind = "trees" if isinstance(stage.learner, TreeEnsemble) else "linear"
        arrays.update(stage_arrays(f"s{k}", stage.learner))
        stages_meta.append({"kind": kind, "features": list(stage.features)})
    meta = {**model.meta, "classes": list(model.classes), "stages": stages_meta}
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arrays[name], order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue(), compresslevel=9)


def load_model(path: Path) -> LineModel:
    """Read a model file written by ``save_model``."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"].reshape(-1)[0]))
        stages = []
        for k, sm in enumerate(meta["stages"]):
            if sm["kind"] == "trees":
                learner: TreeEnsemble | Linear = TreeEnsemble(*(data[f"s{k}.{n}"] for n in TREE_ARRAYS))
            else:
                learner = Linear(*(data[f"s{k}.{n}"] for n in LINEAR_ARRAYS))
            stages.append(Stage(learner, tuple(sm["features"])))
    rest = {k: v for k, v in meta.items() if k not in ("classes", "stages")}
    return LineModel(tuple(meta["classes"]), tuple(stages), rest)
