"""process_source on real and crafted files: statuses, reasons, ids, spans (no Prefect)."""

from __future__ import annotations

import gzip
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus_etl.discover import KnownSource, SourceNotFound, expand_sources, make_batches, plan, stat_file
from corpus_etl.pipeline import process_source
from corpus_etl.settings import Settings

AT = datetime(2026, 1, 1, tzinfo=UTC)


def run(path: Path):
    return process_source(stat_file(str(path)), Settings(), "run-1", AT)


def test_seed_file_rows(seeds_dir):
    path = sorted(seeds_dir.glob("001*"))[0]
    r = run(path)
    assert r.source["status"] == "loaded" and r.source["encoding"] == "utf-8" and r.source["error"] is None
    (a,) = [x for x in r.rows["articles"] if x["kind"] == "article"]
    assert a["kind_reason"] is None
    assert a["language"] == "en" and a["language_prob"] > 0.9
    assert a["body"].startswith("BlackBerry said in a blog post")
    assert "\u00a0" not in a["body"] and "Canadian Manufacturing" not in a["body"]
    assert a["standfirst"] == a["body"].split("\n\n")[0]
    text = path.read_text(encoding="utf-8")
    assert r.source["n_chars"] == len(text)
    assert a["title"] in text[a["char_start"] : a["char_end"]]
    # ids are deterministic
    assert [x["article_id"] for x in run(path).rows["articles"]] == [x["article_id"] for x in r.rows["articles"]]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("img.png", b"\x89PNG\r\n\x1a\n" + bytes(32), "PNG"),
        ("nul.txt", b"text\x00with\x00nul\x01bytes" * 20, "NUL"),
        ("trunc.txt.gz", gzip.compress(b"some text " * 500, mtime=0)[:30], "gzip"),
    ],
)
def test_bad_files_fail_with_a_reason(tmp_path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    r = run(p)
    assert r.source["status"] == "failed" and reason in r.source["error"] and r.rows["articles"] == []


def test_unreadable_file_fails(tmp_path):
    p = tmp_path / "gone.txt"
    p.write_text("x")
    src = stat_file(str(p))
    p.unlink()
    r = process_source(src, Settings(), "run-1", AT)
    assert r.source["status"] == "failed" and r.source["error"].startswith("cannot read")


def test_empty_file_loads_with_no_records(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_text("")
    r = run(p)
    assert r.source["status"] == "loaded" and r.rows["articles"] == [] and r.source["n_chars"] == 0


def test_cp1252_is_decoded_and_recorded(tmp_path):
    p = tmp_path / "legacy.txt"
    body = "Caf\u00e9 owners say \u201cprices\u201d rose again this year, and many customers noticed the change. " * 3
    p.write_bytes(f"Caf\u00e9 prices rise again in the old town\n\n{body}\n".encode("cp1252"))
    r = run(p)
    assert r.source["encoding"] == "cp1252" and r.rows["articles"][0]["title"].startswith("Caf\u00e9")


def test_expand_sources(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "a" / ".hidden.txt").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    files = expand_sources([str(tmp_path / "a"), str(tmp_path / "*.txt"), str(tmp_path / "b.txt")])
    assert sorted(Path(f).name for f in files) == ["b.txt", "x.txt"] and files == sorted(files)
    with pytest.raises(SourceNotFound):
        expand_sources([str(tmp_path / "missing")])


def test_each_file_keeps_the_source_argument_it_came_through(tmp_path):
    from corpus_etl.discover import expand_with_collections

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "c.txt").write_text("x")
    pattern = str(tmp_path / "*.txt")
    got = dict(expand_with_collections([str(tmp_path / "a"), str(tmp_path / "b.txt"), pattern]))
    assert got == {
        str((tmp_path / "a" / "x.txt").resolve()): str((tmp_path / "a").resolve()),
        str((tmp_path / "b.txt").resolve()): str((tmp_path / "b.txt").resolve()),  # the first argument reaching it
        str((tmp_path / "c.txt").resolve()): pattern,
    }
    assert [p for p, _ in expand_with_collections([pattern])] == expand_sources([pattern])
    assert stat_file(str(tmp_path / "c.txt"), pattern).collection == pattern


def test_plan_skips_only_loaded_files_with_the_same_hash(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("hello")
    f = stat_file(str(p))
    import hashlib

    h = hashlib.sha256(b"hello").hexdigest()
    assert plan([f], {}) == ([f], [])
    assert plan([f], {f.source_id: KnownSource(5, f.mtime, h, "loaded")}) == ([], [f])
    assert plan([f], {f.source_id: KnownSource(5, f.mtime, h, "failed")}) == ([f], [])
    os.utime(p, (0, 0))  # touched, same bytes: still unchanged
    g = stat_file(str(p))
    assert plan([g], {g.source_id: KnownSource(5, f.mtime, h, "skipped")}) == ([], [g])
    p.write_text("HELLO")  # same size, other bytes
    assert plan([g], {g.source_id: KnownSource(5, f.mtime, h, "loaded")}) == ([g], [])
    # reprocess: every file is processed, the unchanged one too, and none is opened (a vanished file stays
    # in the list: the read of its batch reports it)
    p.write_text("hello")
    u = stat_file(str(p))
    loaded = {u.source_id: KnownSource(5, u.mtime, h, "loaded")}
    assert plan([u], loaded) == ([], [u])
    p.unlink()
    assert plan([u], loaded, reprocess=True) == ([u], [])


def test_batches_respect_limits(tmp_path):
    files = []
    for i in range(10):
        p = tmp_path / f"{i}.txt"
        p.write_bytes(b"x" * 100)
        files.append(stat_file(str(p)))
    assert [len(b) for b in make_batches(files, 4, 10**9)] == [4, 4, 2]
    assert [len(b) for b in make_batches(files, 100, 250)] == [3, 3, 3, 1]


def test_small_files_share_batches_and_big_runs_spread_over_workers():
    """Tiny files are batched by the thousand (a batch costs about a second whatever it holds); a run is
    spread over ``min_batches`` batches, but none is cut below MIN_BATCH_FILES files for it."""
    from datetime import UTC, datetime

    from corpus_etl.discover import MIN_BATCH_FILES, SourceFile

    def files(n: int, size: int = 500) -> list[SourceFile]:
        return [SourceFile(f"/f{i}", f"{i}", size, datetime(2026, 1, 1, tzinfo=UTC)) for i in range(n)]

    assert [len(b) for b in make_batches(files(100_000), 2048, 4 << 20, 4)][:2] == [2048, 2048]
    assert [len(b) for b in make_batches(files(1000), 2048, 4 << 20, 4)] == [250] * 4
    assert [len(b) for b in make_batches(files(100), 2048, 4 << 20, 4)] == [MIN_BATCH_FILES, 100 - MIN_BATCH_FILES]
    assert [len(b) for b in make_batches(files(100), 16, 4 << 20, 4)] == [16] * 6 + [4]  # the file limit wins
    assert [len(b) for b in make_batches(files(10, 3 << 20), 2048, 4 << 20, 4)] == [2] * 5  # and the byte limit
    assert make_batches([], 2048, 4 << 20, 4) == []


def test_batches_balance_bytes_biggest_first():
    """A run's bytes are spread over ``min_batches`` batches (so the workers end together), largest files
    first (the last batches, which decide when the workers end, are the small ones); no file is lost."""
    from datetime import UTC, datetime

    from corpus_etl.discover import MIN_BATCH_BYTES, SourceFile

    when = datetime(2026, 1, 1, tzinfo=UTC)
    sizes = [(i * 7919) % 400_000 + 1_000 for i in range(120)]  # 1 KB .. 400 KB, mixed order
    files = [SourceFile(f"/d/f{i:03d}", f"{i}", n, when) for i, n in enumerate(sizes)]
    batches = make_batches(files, 2048, 4 << 20, 8)
    assert sorted(f.path for b in batches for f in b) == sorted(f.path for f in files)
    total = sum(sizes)
    assert len(batches) >= 8
    target = -(-total // 8)
    assert all(sum(f.size_bytes for f in b) < target + max(sizes) for b in batches)
    flat = [f.size_bytes for b in batches for f in b]
    assert flat == sorted(flat, reverse=True)  # largest first
    assert batches[0][0].size_bytes == max(sizes)
    # a small run is not cut into batches of less than MIN_BATCH_BYTES
    small = [SourceFile(f"/s/{i}", f"s{i}", 10_000, when) for i in range(100)]
    cut = make_batches(small, 2048, 4 << 20, 8)
    assert len(cut) < 8 and all(sum(f.size_bytes for f in b) >= MIN_BATCH_BYTES for b in cut[:-1])
    assert sum(len(b) for b in cut) == 100


def _staged(out: Path) -> dict[str, list[dict[str, object]]]:
    import pyarrow.parquet as pq

    return {p.name: pq.read_table(p).to_pylist() for p in sorted(out.glob("*.parquet"))}


def test_a_batch_indexes_its_articles_in_chunks_with_the_rows_of_one_call(seeds_dir, tmp_path, monkeypatch):
    from corpus_etl import pipeline

    files = [stat_file(str(p)) for p in sorted(seeds_dir.iterdir()) if p.is_file()]
    settings = Settings(warehouse=tmp_path)
    pipeline.process_batch(files, 0, settings, "run-1", AT, str(tmp_path / "whole"))
    monkeypatch.setattr(pipeline, "INDEX_CHUNK", 1)  # every article its own chunk
    pipeline.process_batch(files, 0, settings, "run-1", AT, str(tmp_path / "chunked"))
    whole, chunked = _staged(tmp_path / "whole"), _staged(tmp_path / "chunked")
    assert set(whole) == set(chunked) and len(whole) == 11
    assert len(whole["batch-000000.index.shingles.parquet"]) >= 3
    for name, rows in whole.items():
        assert chunked[name] == rows, name


def test_a_batch_forgets_the_line_memos_and_its_rows_do_not_depend_on_them(seeds_dir, tmp_path):
    """A batch worker forgets the memos of lines, pages and words after each file (they filled up batch after
    batch); a batch run with the memos another batch left gives the same rows as one run with none."""
    from corpus_etl import pipeline, titles
    from corpus_etl.analytics.minhash import _word_hash
    from corpus_etl.langfast import _WORD_CACHE
    from corpus_etl.linemodel import _PAGES
    from corpus_etl.linemodel.features import _ROWS
    from corpus_etl.rules import load_rules

    samples = Path(__file__).parents[2] / "samples"
    files = [stat_file(str(p)) for d in (seeds_dir, samples) for p in sorted(d.glob("*.txt"))]
    settings = Settings(warehouse=tmp_path)
    rules = load_rules(settings.extraction.rules_path)
    pipeline.forget_memos(rules)
    pipeline.process_batch(files, 0, settings, "run-1", AT, str(tmp_path / "fresh"))
    assert not rules._memo and not titles._FACTS and not titles._INDEXES and not _PAGES and not _ROWS
    assert not _WORD_CACHE and _word_hash.cache_info().currsize == 0
    for f in files:  # the memos as a worker's earlier batch leaves them without the forgetting
        pipeline.process_source(f, settings, "run-0", AT)
    assert rules._memo and titles._FACTS and _ROWS
    pipeline.process_batch(files, 0, settings, "run-1", AT, str(tmp_path / "warm"))
    fresh, warm = _staged(tmp_path / "fresh"), _staged(tmp_path / "warm")
    assert set(fresh) == set(warm)
    for name, rows in fresh.items():
        assert warm[name] == rows, name


@pytest.mark.parametrize("group", [1, 3])
def test_a_batch_detects_languages_files_together_with_the_rows_of_one_file_at_a_time(
    seeds_dir, tmp_path, monkeypatch, group
):
    """A batch splits files until they hold ``LANGUAGE_GROUP`` records, detects their languages together, then
    makes each file's rows: the same rows, whatever the group, as each file processed alone."""
    from corpus_etl import pipeline

    samples = Path(__file__).parents[2] / "samples"
    files = [stat_file(str(p)) for d in (seeds_dir, samples) for p in sorted(d.glob("*.txt"))]
    settings = Settings(warehouse=tmp_path)
    pipeline.process_batch(files, 0, settings, "run-1", AT, str(tmp_path / "whole"))
    asked: list[int] = []
    detect = pipeline.detect_languages

    def counted(texts, **kwargs):
        asked.append(len(texts))
        return detect(texts, **kwargs)

    monkeypatch.setattr(pipeline, "LANGUAGE_GROUP", group)
    monkeypatch.setattr(pipeline, "detect_languages", counted)
    pipeline.process_batch(files, 0, settings, "run-1", AT, str(tmp_path / "grouped"))
    whole, grouped = _staged(tmp_path / "whole"), _staged(tmp_path / "grouped")
    assert set(whole) == set(grouped)
    for name, rows in whole.items():
        assert grouped[name] == rows, name
    alone = [a for f in files for a in pipeline.process_source(f, settings, "run-1", AT).rows["articles"]]
    language = ("article_id", "language", "language_prob", "language_reason")
    assert [tuple(r[k] for k in language) for r in grouped["batch-000000.articles.parquet"]] == [
        tuple(a[k] for k in language) for a in alone
    ]
    assert len(alone) > 6 and asked[0] >= group  # (the first call: the records of the files split before it)


def test_a_language_engine_failure_fails_each_file_with_its_reason(seeds_dir, tmp_path, monkeypatch):
    from corpus_etl import pipeline

    def down(texts, **kwargs):
        raise RuntimeError("engine down")

    files = [stat_file(str(p)) for p in sorted(seeds_dir.glob("*.txt"))[:2]]
    monkeypatch.setattr(pipeline, "detect_languages", down)
    out = pipeline.process_batch(files, 0, Settings(warehouse=tmp_path), "run-1", AT, str(tmp_path / "s"))
    sources = _staged(tmp_path / "s")["batch-000000.sources.parquet"]
    assert out.n_failed == 2 and {s["error"] for s in sources} == {"split failed: RuntimeError: engine down"}


def test_rows_that_cannot_be_stored_fail_only_their_file(seeds_dir, tmp_path, monkeypatch):
    from corpus_etl import pipeline, schema

    first, second = (stat_file(str(p)) for p in sorted(seeds_dir.iterdir())[:2])
    to_table = schema.to_table

    def picky(spec, rows):  # the first file's paragraphs cannot be converted
        if spec is schema.PARAGRAPHS and any(r["source_id"] == first.source_id for r in rows):
            raise ValueError("a value that does not fit\nsecond line")
        return to_table(spec, rows)

    monkeypatch.setattr(schema, "to_table", picky)
    out = pipeline.process_batch([first, second], 0, Settings(warehouse=tmp_path), "run-1", AT, str(tmp_path / "s"))
    staged = _staged(tmp_path / "s")
    by_id = {s["source_id"]: s for s in staged["batch-000000.sources.parquet"]}
    assert by_id[first.source_id]["status"] == "failed"
    assert by_id[first.source_id]["error"] == "rows cannot be stored: ValueError: a value that does not fit"
    assert by_id[first.source_id]["n_articles"] == 0 and by_id[second.source_id]["status"] == "loaded"
    kept = {r["source_id"] for t, rows in staged.items() if "sources" not in t for r in rows if "source_id" in r}
    assert kept == {second.source_id}  # nothing of the failed file is staged
    assert out.n_failed == 1 and out.n_records == by_id[second.source_id]["n_articles"] > 0


def test_standfirst_is_the_deck_under_a_headline_only():
    from corpus_etl.pipeline import extract_records, standfirst_of

    paras = ["Dockers walked out on Monday.", "The union said the strike would last a week. Talks broke down."]
    assert standfirst_of(paras, "Harbour strike") == paras[0]
    assert standfirst_of(paras, None) is None  # no headline, no deck: the first sentence is the lede
    assert standfirst_of(paras[:1], "Harbour strike") is None  # a one-paragraph article has no deck
    assert standfirst_of(["A deck. With two sentences.", paras[1]], "Harbour strike") is None
    line = (
        "Floods displaced families across three villages, officials said on Tuesday. NEWLINE_CHAR NEWLINE_CHAR "
        "Rescue teams used boats to reach stranded residents, and the regional government opened two shelters."
    )
    (row,) = extract_records(line + "\n", fmt="multinews")
    assert row["title"] is None and row["standfirst"] is None
    assert row["body"].startswith("Floods displaced families")


def test_run_settings_record_the_rules_version(tmp_path):
    import json

    from corpus_etl.rules import load_rules, rules_version
    from warehouse.loader import settings_json

    assert json.loads(settings_json(Settings()))["rules_version"] == load_rules().version
    from corpus_etl.boundary import load_model

    assert json.loads(settings_json(Settings()))["boundary_model_version"] == load_model().version
    custom = tmp_path / "rules.toml"
    custom.write_text('version = "site-7"\n', encoding="utf-8")
    assert json.loads(settings_json(Settings(extraction={"rules_path": str(custom)})))["rules_version"] == "site-7"
    assert rules_version(str(tmp_path / "missing.toml")) is None


GERMAN = (
    "Der Stadtrat hat am Montag nach einer langen Debatte den neuen Verkehrsplan beschlossen. Die Fähren "
    "sollen künftig jede halbe Stunde fahren, und die Preise für Monatskarten sinken um zehn Prozent.\n\n"
    "Die Opposition kritisierte die Kosten des Plans, der nach Angaben der Verwaltung rund zwölf Millionen "
    "Euro kosten wird. Die ersten Änderungen gelten ab dem kommenden Frühjahr.\n"
)


@pytest.mark.parametrize(
    ("name", "data", "title_source"),
    [
        ("no_headline.txt", GERMAN, "none"),
        ("cluster.src", GERMAN.replace("\n", " ") + " ||||| " + GERMAN.replace("\n", " ") + "\n", "none"),
        ("untitled.jsonl", '{"id": 7, "text": ' + __import__("json").dumps(GERMAN) + "}\n", "none"),
        (
            "titled.jsonl",
            '{"title": "Stadtrat beschliesst Verkehrsplan", "text": ' + __import__("json").dumps(GERMAN) + "}\n",
            "jsonl_field",
        ),
    ],
)
def test_untitled_articles_are_articles(tmp_path, validator, name, data, title_source):
    """Headline-less text, Multi-News and JSONL without a title field give articles with title NULL and
    title_source 'none' (a title field gives 'jsonl_field'), and validation quarantines none of them."""
    from corpus_etl import schema
    from expectations.validate import with_check_columns

    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    r = run(path)
    arts = r.rows["articles"]
    assert arts and all(a["kind"] == "article" and a["title_source"] == title_source for a in arts)
    assert all((a["title"] is None) == (title_source == "none") for a in arts)
    assert all(a["language"] == "de" for a in arts)
    table = with_check_columns(schema.to_table(schema.ARTICLES, arts), {r.source["source_id"]: r.source["n_chars"]})
    v = validator.validate("articles", table, "run-1", 0)
    assert v.failed == {}
