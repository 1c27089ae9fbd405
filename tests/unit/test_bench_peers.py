"""The benchmark's peers (bench/peers/) on a tiny corpus of real Reuters + BBC stories: every peer runs for real
(pandas + langdetect, datatrove's executor and Parquet writer, the product's splitter and engine) and writes Parquet
with the documents it should. No timing here: the numbers are measured by ``python -m bench.run``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bench.peers.runners import _main, count_documents, run_floor, split_on_join
from bench.peers.sections import found_facts
from bench.run.floors import split_one
from corpora.generated import StoryPool, bbc_stories, build_peer_corpus, corpus_files, parse_reuters
from tests.conftest import CORPORA, need_shared


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """About 60 KB: a few files of 5-40 stories (one Reuters file's stories and a few BBC articles)."""
    need_shared(CORPORA / "reuters21578")
    sgm = sorted((CORPORA / "reuters21578").glob("reut2-*.sgm"))[0]
    stories = parse_reuters(sgm.read_bytes().decode("latin-1"), sgm.stem)[:60]
    bbc, _ = bbc_stories(CORPORA.parent)
    pool = StoryPool([*stories, *bbc[:10]], "test", {})
    dest = tmp_path_factory.mktemp("peers") / "corpus"
    return dest, build_peer_corpus(dest, 0.06, pool)


def languages(parquet: Path) -> list[str]:
    files = sorted(parquet.rglob("*.parquet")) if parquet.is_dir() else [parquet]
    rows = [r for f in files for r in pq.read_table(f, columns=["text", "language"]).to_pylist()]
    return [r["language"] for r in sorted(rows, key=lambda r: r["text"])]


def test_corpus_splits_into_its_stories_on_the_join(corpus: tuple[Path, dict]) -> None:
    dest, manifest = corpus
    gold = {f["name"]: f["articles"] for f in manifest["files"]}
    assert len(gold) >= 2 and all(5 <= n <= 40 for n in gold.values())
    for path in corpus_files(dest):
        text = path.read_text(encoding="utf-8")
        stories = split_on_join(text)
        assert len(stories) == gold[str(path.relative_to(dest))]
        assert all("\n\n\n" not in s and s.count("\n\n") >= 1 for s in stories)  # title, blank line, body
    assert manifest["n_articles"] == sum(gold.values())


@pytest.mark.parametrize("peer", ["naive", "naive_2p", "datatrove_langdetect", "datatrove_fast", "datatrove_nolang"])
def test_subprocess_peer_writes_every_story(peer: str, corpus: tuple[Path, dict], tmp_path: Path) -> None:
    dest, manifest = corpus
    out = tmp_path / peer
    assert _main(["run", peer, "--corpus", str(dest), "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    datatrove = peer.startswith("datatrove")
    parquet, column = (out / "parquet", "file_path") if datatrove else (out / "naive.parquet", "path")
    total, per_file = count_documents(parquet, column, dest)
    facts = found_facts(per_file, manifest)
    assert result["documents"] == total == manifest["n_articles"]
    assert facts["files_exact"] == facts["files"] == manifest["n_files"]
    assert result["inner_s"] > 0


def test_language_steps_agree_with_their_engines(corpus: tuple[Path, dict], tmp_path: Path) -> None:
    """datatrove's langdetect step gives the naive pipeline's languages (langdetect, seeded, full text); its
    numpy-engine step gives the product's ``detect_languages`` on the same texts with the product's sample."""
    from corpus_etl.langid import detect_languages
    from corpus_etl.settings import Settings

    dest, _ = corpus
    for peer in ("naive", "datatrove_langdetect", "datatrove_fast"):
        assert _main(["run", peer, "--corpus", str(dest), "--out", str(tmp_path / peer)]) == 0
    naive = languages(tmp_path / "naive" / "naive.parquet")
    assert languages(tmp_path / "datatrove_langdetect" / "parquet") == naive
    assert Counter(naive).most_common(1)[0][0] == "en"
    texts = sorted(s for p in corpus_files(dest) for s in split_on_join(p.read_text(encoding="utf-8")))
    want = [r.language for r in detect_languages(texts, seed=0, sample_chars=Settings().language.sample_chars)]
    assert languages(tmp_path / "datatrove_fast" / "parquet") == want


def test_floor_writes_the_products_split_with_languages(corpus: tuple[Path, dict], tmp_path: Path) -> None:
    dest, _ = corpus
    res = run_floor(dest, tmp_path / "floor", processes=1)
    table = pq.read_table(tmp_path / "floor" / "floor.parquet")
    want = {Path(p).name: len(bodies) for p, _, bodies in map(split_one, map(str, corpus_files(dest)))}
    got = Counter(Path(p).name for p in table.column("path").to_pylist())
    assert res["documents"] == table.num_rows == sum(want.values()) and got == want
    assert all(table.column("language").to_pylist()) and res["seconds"] > 0
