"""Fixtures of the reliability suite: the hostile corpus ingested once by the real flow."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPORA, need_shared
from tests.reliability import corpus
from tests.reliability.helpers import rows, run_flow

# Tiny files (one real Reuters story each) in the bad-input corpus: the same two runs show that none is lost
# and that an unchanged rerun skips them all. About 20 s of the suite on 2 busy cores (issue #8 report).
N_TINY = 2000


@dataclass
class Ingested:
    """The hostile corpus after one run (and a second, unchanged run)."""

    src: Path
    wh: Path
    cases: dict[str, corpus.Case]
    first: dict[str, Any]
    second: dict[str, Any]
    before: set[str]  # every path under the test's directory before the first run
    first_sources: dict[str, dict[str, Any]]  # the sources rows after the first run, by file name
    first_docs: Path  # a copy of the reports (dashboard, Data Docs) as the first run left them


@pytest.fixture(scope="session")
def hostile(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    """Build every bad input in one directory and ingest it in one run, then once more unchanged."""
    import flows.plan as plan_module

    base = tmp_path_factory.mktemp("hostile")
    src = base / "src"
    cases = corpus.build(src)
    from bench.tiny_files import write_tiny_files
    from corpora.generated import reuters_stories

    need_shared(CORPORA / "reuters21578")
    write_tiny_files(src / corpus.TINY_DIR, N_TINY, reuters_stories(CORPORA.parent))
    cases.update({str(p.relative_to(src)): corpus.Case("loaded") for p in (src / corpus.TINY_DIR).rglob("*.txt")})
    # The warehouse path itself is hostile: quotes and a semicolon reach COPY ... TO '<path>'.
    wh = base / 'wh it\'s "q"; --'
    before = {str(p.relative_to(base)) for p in base.rglob("*")}
    real_plan: Callable[..., Any] = plan_module.plan_manifest

    def plan_then_change(*args: Any, **kwargs: Any) -> Any:
        out = real_plan(*args, **kwargs)
        corpus.after_discovery(src)
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plan_module, "plan_manifest", plan_then_change)
        first = run_flow([src], wh)
    cols = ["path", "status", "error", "encoding", "compression", "n_chars", "n_articles", "n_quarantined", "sha256"]
    first_sources = {
        str(Path(r[0]).relative_to(src)): dict(zip(cols, r, strict=True))
        for r in rows(wh, f"select {', '.join(cols)} from sources")
    }
    first_docs = tmp_path_factory.mktemp("first-docs") / "docs"
    shutil.copytree(wh / "docs", first_docs)
    second = run_flow([src], wh)
    return Ingested(src, wh, cases, first, second, before, first_sources, first_docs)
