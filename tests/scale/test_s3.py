"""SOURCE and the Parquet lake on S3: a local S3 server (moto, started here on 127.0.0.1) holds the seeds;
the real flow ingests s3://, publishes the lake to s3://, and DuckDB reads the lake back through a pyarrow
dataset (DuckDB's httpfs extension cannot be downloaded offline). Compared with a run on local files."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from corpus_etl.settings import Settings

pytestmark = [pytest.mark.e2e, pytest.mark.s3]

BUCKET = "corpus"
# What a record is, independent of where its file was read from (ids and paths hash the location).
CONTENT = (
    "ordinal, kind, title, standfirst, body, language, language_prob, authors, outlet, dateline, tags, "
    "published_date, char_start, char_end, n_words, n_paragraphs, content_hash"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 for this module, and the AWS variables pointing at it."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    exe = str(Path(sys.executable).with_name("moto_server"))
    proc = subprocess.Popen(
        [exe, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    saved = {
        k: os.environ.get(k)
        for k in (
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_DEFAULT_REGION",
            "AWS_EC2_METADATA_DISABLED",
        )
    }
    os.environ.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
    )
    try:
        end = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > end:
                    raise AssertionError("moto_server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run(sources: list[str], wh: Path, **kw):  # type: ignore[no-untyped-def]
    from flows.ingest import ingest

    return ingest(sources, Settings(warehouse=wh, workers=1, validate_data=False, **kw))


def _content(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[object, ...]]:
    return con.execute(
        f"select regexp_extract(source_path, '[^/]+$') as name, {CONTENT} from {table} order by name, ordinal"
    ).fetchall()


def test_ingest_from_s3_and_publish_the_lake_to_s3(prefect_api, s3_server, seeds_dir, tmp_path):
    import boto3
    import pyarrow.dataset as ds

    from corpus_etl import storage

    s3 = boto3.client("s3", endpoint_url=s3_server)
    s3.create_bucket(Bucket=BUCKET)
    names = sorted(p.name for p in seeds_dir.glob("*.txt"))
    for n in names:
        s3.upload_file(str(seeds_dir / n), BUCKET, f"seeds/{n}")

    wh = tmp_path / "wh-s3"
    first = _run([f"s3://{BUCKET}/seeds"], wh, lake=f"s3://{BUCKET}/lake")
    assert first["n_processed"] == len(names) and first["n_failed"] == 0

    local_src = tmp_path / "seeds"
    shutil.copytree(seeds_dir, local_src)
    local = _run([str(local_src)], tmp_path / "wh-local")

    db = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    ref = duckdb.connect(str(Path(local["warehouse"]) / "corpus.duckdb"), read_only=True)
    try:
        paths = [r[0] for r in db.execute("select path from sources order by path").fetchall()]
        assert paths == [f"s3://{BUCKET}/seeds/{n}" for n in names]
        from_s3 = _content(db, "articles")
        assert from_s3 == _content(ref, "articles") and len(from_s3) > 5
        cols = [
            r[0]
            for r in db.execute(
                "select column_name from information_schema.columns "
                "where table_name = 'articles' order by ordinal_position"
            ).fetchall()
        ]
        sel = ", ".join(f'"{c}"' for c in cols)
        in_db = db.execute(f"select {sel} from articles order by article_id").fetchall()
    finally:
        db.close()
        ref.close()

    # The lake on S3, read back by DuckDB through a pyarrow dataset: the same rows as the warehouse's table.
    fs, root = storage.filesystem(f"s3://{BUCKET}/lake")
    lake = ds.dataset(f"{root}/articles", filesystem=fs, format="parquet", partitioning="hive")
    con = duckdb.connect()
    con.register("lake_articles", lake)
    got = con.execute(f"select {sel} from lake_articles order by article_id").fetchall()
    assert got == in_db
    tables = {o.uri.split("/lake/")[1].split("/")[0] for o in storage.list_objects(f"s3://{BUCKET}/lake")}
    assert {"articles", "sources", "paragraphs", "runs"} <= tables

    # The manifest works on objects too: a rerun reads nothing; a deleted object is flagged.
    s3.delete_object(Bucket=BUCKET, Key=f"seeds/{names[0]}")
    again = _run([f"s3://{BUCKET}/seeds"], wh, lake=f"s3://{BUCKET}/lake")
    assert (again["n_skipped"], again["n_processed"], again["n_deleted"]) == (len(names) - 1, 0, 1)
    db = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        assert db.execute("select status from sources where path = ?", [paths[0]]).fetchall() == [("deleted",)]
        # its articles stay (nothing lost) but the views flag them as no longer current
        flags = db.execute("select source_path = ?, is_current from v_articles group by all", [paths[0]]).fetchall()
        assert sorted(flags) == [(False, True), (True, False)]
    finally:
        db.close()
    # the lake follows: its sources table says deleted too
    assert again["lake_files"] > 0
    lake_sources = ds.dataset(f"{root}/sources", filesystem=fs, format="parquet").to_table()
    assert (
        dict(zip(lake_sources["path"].to_pylist(), lake_sources["status"].to_pylist(), strict=True))[paths[0]]
        == "deleted"
    )
    # a run that changes nothing publishes the two tables it changed: sources (marked skipped) and runs (its row,
    # completed); the other files are not sent again
    idle = _run([f"s3://{BUCKET}/seeds"], wh, lake=f"s3://{BUCKET}/lake")
    assert idle["n_processed"] == 0 and idle["lake_files"] == 2
    lake_runs = ds.dataset(f"{root}/runs", filesystem=fs, format="parquet").to_table()
    statuses = dict(zip(lake_runs["run_id"].to_pylist(), lake_runs["status"].to_pylist(), strict=True))
    assert statuses[idle["run_id"]] == "completed" and set(statuses.values()) == {"completed"}
    assert storage.published_digest(f"s3://{BUCKET}/lake") == storage.dir_digest(wh / "parquet")
