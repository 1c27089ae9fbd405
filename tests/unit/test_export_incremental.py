"""The Parquet copy of ``articles`` is exported incrementally: only the partitions whose rows changed are
written again, the others are hard links to the previous copy's files, and the copy always equals the table."""

from __future__ import annotations

import threading
import zlib
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from corpus_etl import schema
from tests.unit.test_analytics_warehouse import AT, article_row, story
from warehouse.db import ensure_schema
from warehouse.loader import PARQUET_TABLES, RECORD_TABLES, export_parquet, open_writer

COLS = ", ".join(c for c in schema.ARTICLES.columns)


def load(db: Path, rows: list[dict[str, object]], delete_paths: list[str] = ()) -> None:
    with open_writer(db) as con:
        ensure_schema(con)
        con.execute("DELETE FROM articles WHERE source_path IN (SELECT unnest(?::VARCHAR[]))", [list(delete_paths)])
        if rows:
            con.register("stg", schema.to_table(schema.ARTICLES, rows))
            con.execute("INSERT INTO articles BY NAME SELECT * FROM stg")


def rows_of(path: Path, lang: str) -> list[dict[str, object]]:
    out = []
    for i in range(3):
        body = " ".join(story(zlib.crc32(f"{path}{i}".encode()) % 1000, 30))
        r = article_row(str(path), i, (f"t{i}", body, None), AT, "r")
        out.append({**r, "language": lang})
    return out


def snapshot(wh: Path) -> dict[str, int]:
    """Inode of every Parquet file of the copy, by path relative to parquet/articles."""
    root = wh / "parquet" / "articles"
    return {str(p.relative_to(root)): p.stat().st_ino for p in root.rglob("*.parquet")}


def same_rows(db: Path, wh: Path) -> bool:
    con = duckdb.connect()
    try:
        got = con.execute(
            f"SELECT {COLS} FROM read_parquet(?, hive_partitioning = true) ORDER BY article_id",
            [str(wh / "parquet" / "articles" / "**" / "*.parquet")],
        ).fetchall()
    finally:
        con.close()
    ro = duckdb.connect(str(db), read_only=True)
    try:
        want = ro.execute(f"SELECT {COLS} FROM articles ORDER BY article_id").fetchall()
    finally:
        ro.close()
    return got == want and len(got) > 0


def test_only_changed_partitions_are_written_and_the_copy_equals_the_table(tmp_path):
    db = tmp_path / "corpus.duckdb"
    day1 = [*rows_of(Path("/a/en1.txt"), "en"), *rows_of(Path("/a/fr1.txt"), "fr")]
    load(db, day1)
    export_parquet(db, tmp_path / "parquet", "run1")
    first = snapshot(tmp_path)
    assert set(first) == {
        "language=en/ingest_date=2026-01-01/data_0.parquet",
        "language=fr/ingest_date=2026-01-01/data_0.parquet",
    }
    assert same_rows(db, tmp_path)

    # a day later: a new English file, and the French file changed (its rows move to the new day)
    later = AT + timedelta(days=1)
    new = [
        {**r, "ingested_at": later, "run_id": "r2"}
        for r in [*rows_of(Path("/a/en2.txt"), "en"), *rows_of(Path("/a/fr1.txt"), "fr")]
    ]
    load(db, new, delete_paths=["/a/fr1.txt"])
    export_parquet(db, tmp_path / "parquet", "run2")
    second = snapshot(tmp_path)
    en1 = "language=en/ingest_date=2026-01-01/data_0.parquet"
    assert second[en1] == first[en1]  # untouched: the same file (a hard link), not written again
    assert "language=fr/ingest_date=2026-01-01/data_0.parquet" not in second  # emptied partition gone
    assert not (tmp_path / "parquet" / "articles" / "language=fr" / "ingest_date=2026-01-01").exists()
    assert {
        "language=en/ingest_date=2026-01-02/data_0.parquet",
        "language=fr/ingest_date=2026-01-02/data_0.parquet",
    } <= set(second)
    assert same_rows(db, tmp_path)

    # nothing changed: every file is the previous one
    export_parquet(db, tmp_path / "parquet", "run3")
    assert snapshot(tmp_path) == second
    assert not [p for p in (tmp_path / "parquet").iterdir() if p.name.endswith((".tmp", ".old", ".parts"))]

    # a copy that does not match its manifest (a partition removed by hand) is written whole again
    import shutil

    shutil.rmtree(tmp_path / "parquet" / "articles" / "language=en")
    export_parquet(db, tmp_path / "parquet", "run4")
    assert same_rows(db, tmp_path)
    assert snapshot(tmp_path)[en1] != second[en1]


def test_record_tables_export_while_an_analytics_transaction_writes(tmp_path):
    """The flow exports ``RECORD_TABLES`` in a thread while the analytics update holds its write transaction
    on another connection of the same process: neither waits for the other, the record tables' copy is the
    committed rows, and the analytics tables exported after the commit hold what it wrote."""
    db = tmp_path / "corpus.duckdb"
    load(db, [*rows_of(Path("/a/en1.txt"), "en"), *rows_of(Path("/a/fr1.txt"), "fr")])
    cluster = {
        "cluster_id": "c1", "article_id": "a1", "source_id": "s1", "outlet": "a", "is_canonical": True,
        "match": "canonical", "similarity": 1.0, "cluster_size": 2, "run_id": "r",
    }  # fmt: skip
    in_transaction = threading.Event()
    exported = threading.Event()
    with open_writer(db) as con:  # the analytics update: one transaction, open across the export
        con.execute("BEGIN")
        con.register("stg", schema.to_table(schema.STORY_CLUSTERS, [cluster]))
        con.execute("INSERT INTO story_clusters BY NAME SELECT * FROM stg")
        in_transaction.set()
        result: dict[str, object] = {}

        def export_records() -> None:
            in_transaction.wait()
            result["rows"] = export_parquet(db, tmp_path / "parquet", "run1", RECORD_TABLES)
            exported.set()

        worker = threading.Thread(target=export_records)
        worker.start()
        assert exported.wait(60), "the record tables' export waited for the analytics transaction"
        con.execute("COMMIT")
        worker.join()
    assert result["rows"] == {"articles": 6, **{t: 0 for t in RECORD_TABLES if t != "articles"}}
    assert sorted(p.name for p in (tmp_path / "parquet").iterdir() if not p.name.startswith(".")) == sorted(
        RECORD_TABLES
    )
    assert same_rows(db, tmp_path)
    rest = tuple(x for x in PARQUET_TABLES if x not in RECORD_TABLES)
    assert export_parquet(db, tmp_path / "parquet", "run1", rest)["story_clusters"] == 1
    got = duckdb.connect().execute(
        "SELECT cluster_id, article_id FROM read_parquet(?)",
        [str(tmp_path / "parquet" / "story_clusters" / "*.parquet")],
    )
    assert got.fetchall() == [("c1", "a1")]


def test_unknown_table_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no Parquet export for nope"):
        export_parquet(tmp_path / "corpus.duckdb", tmp_path / "parquet", "r", ("articles", "nope"))
