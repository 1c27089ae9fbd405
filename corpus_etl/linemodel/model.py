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

        The trees are evaluated all at once, QuickScorer's way (Lucchese et al. 2015): every split test of every
        tree is one comparison over the rows; a test that sends a row right rules out the leaves of its left
        subtree (a bit mask per tree), and the row's leaf is the leftmost leaf not ruled out.
        """
        n_iter, per = self.roots.shape
        raw = np.tile(self.baseline, (len(x), 1))
        if n_iter == 0 or len(x) == 0:
            return raw
        q = self._compiled
        n_trees = n_iter * per
        values = np.empty((len(x), n_trees))
        trees = np.arange(n_trees)[None, :]
        for a in range(0, len(x), _ROWS):  # a chunk of rows at a time: temporaries of rows x split tests
            v = x[a : a + _ROWS, q.feature]
            right = (v > q.threshold) | (np.isnan(v) & ~q.missing_left)
            masks = np.bitwise_and.reduceat(np.where(right, q.keep, _ALL), q.starts, axis=1)
            lowest = masks & (~masks + np.uint64(1))
            values[a : a + _ROWS] = q.leaf_values[trees, np.log2(lowest.astype(np.float64)).astype(np.int64)]
        values3 = values.reshape(len(x), n_iter, per)
        for it in range(n_iter):  # iteration by iteration, as scikit-learn adds them
            raw += values3[:, it, :]
        return raw

    @cached_property
    def _compiled(self) -> _Compiled:
        return _compile(self)


_ROWS = 64
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
MAX_LEAVES = 64


@dataclass(frozen=True)
class _Compiled:
    """The split tests of all trees, tree by tree (``starts``: each tree's first), with the mask of the leaves
    each keeps when it sends a row right, and each tree's leaf values left to right."""

    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    keep: np.ndarray  # uint64
    starts: np.ndarray
    leaf_values: np.ndarray  # (trees, MAX_LEAVES)


def _compile(t: TreeEnsemble) -> _Compiled:
    roots = t.roots.reshape(-1)
    feature: list[int] = []
    threshold: list[float] = []
    missing: list[bool] = []
    keep: list[int] = []
    starts: list[int] = []
    leaf_values = np.zeros((len(roots), MAX_LEAVES))
    full = (1 << 64) - 1
    for k, root in enumerate(roots.tolist()):
        starts.append(len(feature))
        leaves: list[int] = []
        split_tests: list[tuple[int, int, int]] = []  # (node, first leaf of its left subtree, first of its right)
        stack: list[tuple[int, int]] = [(root, 0)]  # (node, state: 0 first visit, 1 left subtree done)
        first_right: dict[int, int] = {}
        while stack:
            node, state = stack.pop()
            if t.leaf[node]:
                leaves.append(node)
            elif state == 0:
                first_right[node] = len(leaves)  # (temporarily: first leaf of the left subtree)
                stack.append((node, 1))
                stack.append((int(t.left[node]), 0))
            else:
                split_tests.append((node, first_right[node], len(leaves)))
                stack.append((int(t.right[node]), 0))
        if len(leaves) > MAX_LEAVES:
            raise ValueError(f"a tree has {len(leaves)} leaves; at most {MAX_LEAVES} are supported")
        leaf_values[k, : len(leaves)] = t.value[leaves]
        if not split_tests:  # a tree that is one leaf: a test that never sends a row right
            feature.append(0)
            threshold.append(np.inf)
            missing.append(True)
            keep.append(full)
        for node, lo, hi in split_tests:
            feature.append(int(t.feature[node]))
            threshold.append(float(t.threshold[node]))
            missing.append(bool(t.missing_left[node]))
            keep.append(full & ~(((1 << (hi - lo)) - 1) << lo))
    return _Compiled(
        np.array(feature, dtype=np.int64),
        np.array(threshold, dtype=np.float64),
        np.array(missing, dtype=bool),
        np.array(keep, dtype=np.uint64),
        np.array(starts, dtype=np.int64),
        leaf_values,
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
