"""The benchmark's story ledger (``bench/run/ledger.py``): where the words of a generated corpus's stories went in a
warehouse, by file style. A real DuckDB file holding the warehouse's two tables the ledger reads."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb

from bench.run.ledger import place_words, story_ledger, tokens
from corpora.generated import build_corpus, generate_corpus
from tests.unit.test_bench_corpus import synthetic_pool


def test_a_word_counts_in_the_first_place_holding_it() -> None:
    gold = tokens("The bank said the shares rose")
    rows = {"article": tokens("the bank said"), "related": tokens("the shares"), "quarantine": tokens("rose rose")}
    assert place_words(gold, rows) == {"article": 3, "related": 2, "quarantine": 1, "removed": 0}
    assert place_words(gold, {}) == {"article": 0, "related": 0, "quarantine": 0, "removed": 6}
    assert tokens("Rose, rose.") == Counter({"rose": 2})


def _warehouse(db: Path, rows: list[tuple[str, str, str]], quarantined: list[tuple[str, str]]) -> None:
    con = duckdb.connect(str(db))
    con.execute("create table articles (source_path varchar, kind varchar, body varchar)")
    con.execute("create table quarantine (source_path varchar, body varchar)")
    if rows:
        con.executemany("insert into articles values (?, ?, ?)", rows)
    if quarantined:
        con.executemany("insert into quarantine values (?, ?)", quarantined)
    con.close()


def test_the_ledger_finds_each_storys_words_where_the_warehouse_put_them(tmp_path: Path) -> None:
    """Every file's first story in an article row, its second cut to its first paragraph, its third quarantined, the
    rest missing: the shares by style are those counts, and the story counts are the generator's."""
    pool = synthetic_pool()
    corpus = tmp_path / "corpus"
    manifest = build_corpus(corpus, 0.05, pool, max_file=6_000)
    rows, quarantined, want = [], [], {}
    for f in generate_corpus(pool.stories, manifest["key"]["target_bytes"], max_file=6_000):
        path = str((corpus / f.name).resolve())
        w = want.setdefault(f.style, Counter())
        for k, body in enumerate(f.bodies):
            n = sum(tokens(body).values())
            w["gold"] += n
            w["stories"] += 1
            if k == 0:
                rows.append((path, "article", body))
                w["article"] += n
                w["records"] += 1
            elif k == 1:
                first = body.split("\n\n")[0]
                rows.append((path, "related", first))
                w["related"] += sum(tokens(first).values())
            elif k == 2:
                quarantined.append((path, body))
                w["quarantine"] += n
                w["quarantined"] += 1
    _warehouse(tmp_path / "wh.duckdb", rows, quarantined)
    led = story_ledger(pool, manifest, corpus, tmp_path / "wh.duckdb")
    assert set(led["by_style"]) == {"plain", "separator", "chrome"}
    for style, s in led["by_style"].items():
        w = want[style]
        assert (s["gold_stories"], s["article_records"], s["quarantined_records"]) == (
            w["stories"],
            w["records"],
            w["quarantined"],
        )
        assert s["gold_words"] == w["gold"]
        # (a word of a missing story may be held by another story's row of the same file: found, as the ledger says)
        assert s["words_in"]["article"] >= round(w["article"] / w["gold"], 4)
        assert s["words_in"]["removed"] <= round(1 - (w["article"] + w["related"] + w["quarantine"]) / w["gold"], 4)
        assert abs(sum(s["words_in"].values()) - 1) < 1e-3


def test_the_ledger_refuses_a_corpus_its_generator_does_not_rebuild(tmp_path: Path) -> None:
    pool = synthetic_pool()
    corpus = tmp_path / "corpus"
    manifest = build_corpus(corpus, 0.02, pool, max_file=6_000)
    manifest["files"][0]["sha256"] = "0" * 64
    _warehouse(tmp_path / "wh.duckdb", [], [])
    led = story_ledger(pool, manifest, corpus, tmp_path / "wh.duckdb")
    assert "regenerated file differs" in led["error"]
