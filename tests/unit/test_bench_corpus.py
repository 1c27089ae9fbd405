"""The benchmark's corpus builder (``corpora/generated.py``) is deterministic and builds the files it promises.

No timing here: the benchmark's numbers are measured by ``python -m bench.run``, not asserted by tests.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from corpora.generated import (
    CHROME_PAGE_START,
    MB,
    SEPARATOR_LINES,
    Story,
    StoryPool,
    build_corpus,
    generate_corpus,
    parse_reuters,
    variant_paragraphs,
)
from tests.conftest import CORPORA, need_shared

SGML = """<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" NEWID="7">
<TEXT>&#2;
<TITLE>COCOA &lt;PRICES&gt; RISE</TITLE>
<DATELINE>    LONDON, March 2 - </DATELINE><BODY>Cocoa prices rose on the London market today as
traders bought ahead of the harvest report.
    Dealers said the rise was expected and that volumes were light
in early trading.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" NEWID="8">
<TEXT TYPE="BRIEF">&#2;
<TITLE>A BRIEF WITHOUT BODY</TITLE>
</TEXT>
</REUTERS>
"""


def synthetic_pool(n: int = 60) -> StoryPool:
    rng = random.Random(1)
    words = ["market", "shares", "rose", "bank", "said", "trade", "profit", "growth", "the", "of", "in", "a"]
    stories = []
    for i in range(n):
        paragraphs = tuple(
            " ".join(rng.choice(words) for _ in range(rng.randint(15, 60))).capitalize() + "."
            for _ in range(rng.randint(1, 6))
        )
        stories.append(Story(f"synthetic/{i}", f"Story number {i} about the markets", paragraphs))
    return StoryPool(stories, "synthetic", {})


def file_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_parse_reuters_unescapes_and_drops_the_sign_off() -> None:
    [story] = parse_reuters(SGML, "reut2-000")
    assert story.sid == "reuters/reut2-000#7"
    assert story.title == "COCOA <PRICES> RISE"
    assert story.paragraphs[0].startswith("LONDON, March 2 - Cocoa prices rose")
    assert len(story.paragraphs) == 2
    text = "\n".join(story.paragraphs)
    assert "Reuter" not in text and "\x03" not in text


def test_same_seed_same_files_and_bytes(tmp_path: Path) -> None:
    pool = synthetic_pool()
    a = build_corpus(tmp_path / "a", 0.2, pool, max_file=20_000)
    b = build_corpus(tmp_path / "b", 0.2, pool, max_file=20_000)
    assert a["file_list_sha256"] == b["file_list_sha256"]
    assert file_bytes(tmp_path / "a") == file_bytes(tmp_path / "b")  # manifests included
    c = build_corpus(tmp_path / "c", 0.2, pool, seed=7, max_file=20_000)
    assert c["file_list_sha256"] != a["file_list_sha256"]
    assert a["total_bytes"] >= 0.2 * MB
    assert a["n_files"] == len(a["files"]) >= 10


def test_corpus_is_reused_when_the_manifest_matches(tmp_path: Path) -> None:
    pool = synthetic_pool()
    first = build_corpus(tmp_path / "c", 0.05, pool)
    again = build_corpus(tmp_path / "c", 0.05, pool)
    assert not first["reused"] and again["reused"]
    (tmp_path / "c" / first["files"][0]["name"]).write_text("changed")
    rebuilt = build_corpus(tmp_path / "c", 0.05, pool)
    assert not rebuilt["reused"]
    assert rebuilt["file_list_sha256"] == first["file_list_sha256"]
    manifest = json.loads((tmp_path / "c" / ".manifest.json").read_text())
    assert manifest["key"]["seed"] == 20261122


def test_files_carry_their_separators_and_chrome() -> None:
    files = list(generate_corpus(synthetic_pool().stories, int(0.2 * MB), max_file=20_000))
    assert {f.style for f in files} == {"plain", "separator", "chrome"}
    for f in files:
        lines = set(f.data.decode("utf-8").splitlines())
        if f.style == "separator":
            assert f.separator in SEPARATOR_LINES
            if len(f.article_keys) > 1:
                assert f.separator in lines
        else:
            assert not lines & set(SEPARATOR_LINES)
        if f.style == "chrome":
            assert sum(1 for line in f.data.decode("utf-8").splitlines() if line in CHROME_PAGE_START) == len(
                f.article_keys
            )
        else:
            assert not lines & set(CHROME_PAGE_START)


def test_repeated_stories_vary() -> None:
    rng = random.Random(3)
    paragraphs = ("one two", "three four", "five six", "seven eight")
    assert variant_paragraphs(paragraphs, 0, rng) == paragraphs
    variants = {variant_paragraphs(paragraphs, 1, rng) for _ in range(50)}
    assert paragraphs in variants and len(variants) > 2
    assert all(len(v) >= len(paragraphs) - 1 for v in variants)


def test_real_corpora_build_is_deterministic(tmp_path: Path) -> None:
    from corpora.generated import load_stories

    need_shared(CORPORA / "reuters21578")
    pool = load_stories(CORPORA.parent)
    assert pool.facts["reuters_stories"] > 15_000 and pool.facts["bbc_articles"] > 2_000
    a = list(generate_corpus(pool.stories, int(0.2 * MB)))
    b = list(generate_corpus(pool.stories, int(0.2 * MB)))
    assert [(f.name, hashlib.sha256(f.data).hexdigest()) for f in a] == [
        (f.name, hashlib.sha256(f.data).hexdigest()) for f in b
    ]
    assert sum(len(f.data) for f in a) >= 0.2 * MB


@pytest.mark.parametrize("seed", [1, 2])
def test_every_file_has_a_size_in_range(seed: int) -> None:
    files = list(generate_corpus(synthetic_pool().stories, int(0.3 * MB), seed=seed, max_file=50_000))
    assert all(len(f.data) >= 2_000 for f in files)
    assert len({f.name for f in files}) == len(files)


def test_the_stage_table_groups_the_run_plans_task_runs_by_task():
    """The bench's "where the time goes" table sums a task's runs: the run plan names them per batch."""
    from bench.run.product import task_base

    names = [
        "process-batch-6-of-13",
        "process-batch-13-of-13",
        "load-batch-6",
        "validate-batch-12",
        "process-batch-4c1",
    ]
    assert [task_base(n) for n in names] == ["process-batch"] * 2 + ["load-batch", "validate-batch", "process-batch"]
    assert task_base("update-analytics") == "update-analytics" and task_base("export-parquet") == "export-parquet"
