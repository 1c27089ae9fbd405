"""Every module of the project imports on its own, first: a cycle between two modules (``a`` imports ``b`` at the
top, ``b`` imports ``a``) breaks only when one of them is imported first, which the suite's own import order may
never do. One fresh interpreter imports each module with the project's modules dropped from ``sys.modules``
before each (third-party packages stay loaded, so this takes seconds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("corpus_etl", "corpus_etl_cli", "flows", "tasks", "warehouse", "expectations", "corpora")

_SCRIPT = """
import importlib, sys
packages = {packages!r}
names = {names!r}
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m.split(".")[0] in packages]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{{name}}: {{type(exc).__name__}}: {{exc}}")
print("\\n".join(failed))
"""


def _modules() -> list[str]:
    out = []
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            if parts[-1] == "__main__":
                continue
            out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


def test_every_module_imports_first() -> None:
    names = _modules()
    assert len(names) > 50
    script = _SCRIPT.format(packages=PACKAGES, names=names)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", done.stdout
