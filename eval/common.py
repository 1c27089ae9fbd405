"""What the evaluations share beside their metrics: the code measured, JSON without in-memory details, Markdown
tables, and where the line model of each site fold is (``eval/models``, written by ``make train-lines``)."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def strip_private(obj: Any) -> Any:
    """Drop the ``_``-prefixed keys (in-memory details, some holding corpus text) before writing JSON."""
    if isinstance(obj, dict):
        return {k: strip_private(v) for k, v in obj.items() if not str(k).startswith("_")}
    if isinstance(obj, list):
        return [strip_private(v) for v in obj]
    if isinstance(obj, float):
        return round(obj, 6)
    return obj


def code_version() -> dict[str, Any]:
    """What was measured: a hash of the ``corpus_etl`` package files, the rules version, the git commit and
    whether ``corpus_etl/`` had uncommitted changes (the numbers describe the working tree, not a commit)."""
    import corpus_etl
    from corpus_etl.rules import load_rules
    from corpus_etl.settings import Settings

    pkg = Path(corpus_etl.__file__).resolve().parent
    digest = hashlib.sha256()
    for f in sorted(pkg.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            digest.update(str(f.relative_to(pkg)).encode() + b"\0" + f.read_bytes())
    out: dict[str, Any] = {
        "corpus_etl_sha256": digest.hexdigest()[:16],
        "rules_version": load_rules(Settings().extraction.rules_path).version,
        "git_commit": None,
        "corpus_etl_uncommitted_changes": None,
    }
    try:

        def git(*args: str) -> str:
            done = subprocess.run(
                ["git", *args], cwd=pkg.parent, capture_output=True, text=True, check=True, timeout=20
            )
            return done.stdout.strip()

        out["git_commit"] = git("rev-parse", "--short", "HEAD")
        out["corpus_etl_uncommitted_changes"] = bool(git("status", "--porcelain", "--", "corpus_etl"))
    except (OSError, subprocess.SubprocessError):
        pass
    return out


# The line model of each site fold, trained without the fold's sites (``make train-lines`` writes them).
FOLD_MODELS = Path(__file__).resolve().parent / "models"


def fold_model_path(fold: int) -> Path:
    """The line model trained without the pages of site fold ``fold``."""
    return FOLD_MODELS / f"linemodel-fold{fold}.npz"
