"""The analytics warehouse after the real flow: story clusters, wire copy, views, cookbook, search, export, Parquet.

The warehouse is built by ``flows.ingest.ingest`` from the seeds plus two syndicated copies (an exact
copy of 003 and a trimmed copy of 001 under another folder), then the analytics task runs (as the flow
will once it is wired in) and the Parquet copy is rewritten.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from corpus_etl.settings import Settings
from corpus_etl_cli.main import app
from warehouse import cookbook
from warehouse.db import view_names
from warehouse.readonly import NotReadOnly, open_for_query, run_query

pytestmark = pytest.mark.e2e
CP_PARAGRAPH = "The company has built its reputation on security"


def ingest_and_analyse(sources: list[Path], wh: Path) -> dict[str, object]:
    """One run of the flow, which updates the analytics and the Parquet copy after loading."""
    from flows.ingest import ingest

    return ingest([str(s) for s in sources], Settings(warehouse=wh, validate_data=False, workers=1))


def q(wh: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def trimmed_copy(text: str) -> str:
    """A syndicated copy: the same article without its last two paragraphs."""
    paras = text.rstrip().split("\n\n")
    return "\n\n".join(paras[:-3] + paras[-1:]) + "\n"


@pytest.fixture(scope="module")
def wh(prefect_api, seeds_dir, tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    (src / "seeds").mkdir()
    (src / "syndicated").mkdir()
    for p in seeds_dir.glob("*.txt"):
        shutil.copy(p, src / "seeds" / p.name)
    shutil.copy(next(seeds_dir.glob("003_*.txt")), src / "syndicated" / "globalnews_003.txt")
    text = next(seeds_dir.glob("001_*.txt")).read_text(encoding="utf-8")
    (src / "syndicated" / "wire_001.txt").write_text(trimmed_copy(text), encoding="utf-8")
    out = tmp_path_factory.mktemp("wh")
    summary = ingest_and_analyse([src], out)
    assert summary["n_processed"] == 7 and summary["analytics"]["signatures_added"] >= 8
    return out


def test_story_clusters_find_the_copies_and_nothing_else(wh):
    got = q(
        wh,
        "SELECT c.cluster_id, regexp_replace(a.source_path, '.*/src[^/]*/', ''), c.outlet, c.match, c.similarity, "
        "c.cluster_size FROM story_clusters AS c JOIN articles AS a USING (article_id) ORDER BY 2",
    )
    by_cluster: dict[object, list[tuple[object, ...]]] = {}
    for r in got:
        by_cluster.setdefault(r[0], []).append(r[1:])
    assert len(by_cluster) == 2  # the five tellings of the story by five outlets are not copies of each other
    exact, near = sorted(by_cluster.values(), key=lambda ms: ms[0][0].startswith("seeds/001"))
    assert [(p.split("_")[0], o, m, s, n) for p, o, m, s, n in exact] == [
        ("seeds/003", None, "canonical", 1.0, 2),  # the page names no outlet: never its folder's name
        ("syndicated/globalnews", None, "exact", 1.0, 2),
    ]
    (p1, o1, m1, _, _), (p2, o2, m2, s2, _) = near
    assert p1.startswith("seeds/001") and p2 == "syndicated/wire_001.txt"
    assert o1 == o2 == "The Canadian Press" and (m1, m2) == ("canonical", "near") and 0.5 <= s2 < 1


def test_the_seeds_form_one_event_story_in_v_story_members(wh):
    """The five outlets' tellings of the BlackBerry story (and the syndicated copies) share one story_id; every
    current article has exactly one row."""
    got = q(
        wh,
        "SELECT regexp_replace(source_path, '.*/src[^/]*/', ''), story_id, story_size, story_sources, story_outlets "
        "FROM v_story_members ORDER BY 1",
    )
    ids = q(wh, "SELECT article_id FROM v_story_members")
    assert len(ids) == len(set(ids)) == len(got)
    assert set(ids) == set(q(wh, "SELECT article_id FROM v_articles WHERE is_current"))
    seeds = [r for r in got if r[0].startswith("seeds/")]
    assert len({p.split("_")[0] for p, *_ in seeds}) == 5
    (story,) = {r[1] for r in seeds}
    members = [r for r in got if r[1] == story]
    assert all(size == len(members) for _, _, size, _, _ in members)
    assert members[0][3] == 7 and members[0][4] >= 2  # the 5 seed files and the 2 syndicated copies


def test_wire_paragraphs_list_the_canadian_press_paragraph_of_001_and_003(wh):
    rows = q(wh, "SELECT text, n_sources, source_paths, outlets FROM v_wire_paragraphs")
    (cp,) = [r for r in rows if r[0].startswith(CP_PARAGRAPH)]
    names = sorted(Path(p).name.split("_")[0] for p in cp[2])
    assert names == ["001", "003", "globalnews", "wire"] and cp[1] == 4
    assert "The Canadian Press" in cp[3]
    assert all(n >= 2 and len(paths) == n for _, n, paths, _ in rows)
    assert all(len(text.split()) >= 8 for text, _, _, _ in rows)


def test_views_answer(wh):
    for name in view_names():
        assert q(wh, f"SELECT count(*) FROM {name}")[0][0] > 0, name
    n = q(wh, "SELECT count(*) FROM articles WHERE kind = 'article'")[0][0]
    assert q(wh, "SELECT language, n_articles FROM v_language_mix") == [("en", n)]


@pytest.mark.parametrize("query", cookbook.load(), ids=lambda x: x.name)
def test_cookbook_query_returns_rows(wh, query):
    assert query.title != query.name and query.description, "a cookbook file needs a title and a description"
    assert query.sql.count("?") == len(query.params)
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        cur = con.execute(query.sql, query.bind())
        names = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
    finally:
        con.close()
    assert rows, f"{query.name} returned no rows"
    assert len(names) == len(set(names)) and all(names)


def test_cookbook_has_ten_queries_and_runs_from_the_cli(wh):
    assert len(cookbook.load()) >= 10
    out = cli("cookbook", "story_timeline", "-w", str(wh), "-p", "pattern=%drops surveillance%", "-f", "json").stdout
    titles = [t for r in json.loads(out) for t in r["titles"]]  # the story of the two copies, all its articles
    assert titles.count("BlackBerry to stay in Pakistan after government drops surveillance request") == 2


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli(*args: str, check: bool = True) -> Result:
    """Run a corpus-etl command in this process (the real command, without an interpreter start-up)."""
    r = CliRunner().invoke(app, list(args))
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    res = Result(r.exit_code, r.stdout, r.stderr)
    if check and res.returncode != 0:
        raise AssertionError(f"corpus-etl {' '.join(args)} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return res


def test_search_ranks_with_bm25_and_shows_snippets(wh):
    res = json.loads(cli("search", "surveillance request", "-w", str(wh), "-n", "3", "-f", "json").stdout)
    assert res and res[0]["title"] == "BlackBerry to stay in Pakistan after government drops surveillance request"
    assert [r["rank"] for r in res] == list(range(1, len(res) + 1))
    assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(res))
    table = cli("search", "Marty Beard blog", "-w", str(wh)).stdout
    assert table.splitlines()[0].split() == ["rank", "score", "title", "source_path", "snippet"]
    assert "Beard" in table


def test_export_formats_and_where(wh, tmp_path):
    where = "kind = 'article' AND n_words > 300"
    (n,) = q(wh, f"SELECT count(*) FROM articles WHERE {where}")[0]
    cli("export", "-w", str(wh), "--format", "parquet", "--where", where, "--out", str(tmp_path / "a.parquet"))
    t = pq.read_table(tmp_path / "a.parquet")
    assert t.num_rows == n and "body" in t.column_names
    assert pq.ParquetFile(tmp_path / "a.parquet").metadata.row_group(0).column(0).compression == "ZSTD"
    out = cli("export", "-w", str(wh), "-f", "csv", "--where", where, "-o", "-").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == n and json.loads(rows[0]["authors"]) is not None
    cli("export", "-w", str(wh), "-f", "jsonl", "--out", str(tmp_path / "a.jsonl"))
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == q(wh, "SELECT count(*) FROM articles")[0][0] and json.loads(lines[0])["article_id"]
    injected = "1=1) ORDER BY 1; DROP TABLE articles; SELECT * FROM articles WHERE (1=1"
    bad = cli("export", "-w", str(wh), "-f", "csv", "--where", injected, check=False)
    assert bad.returncode == 1 and "one SQL condition" in bad.stderr
    bad = cli(
        "export", "-w", str(wh), "-f", "csv", "--where", "body IN (SELECT * FROM read_text('/etc/passwd'))", check=False
    )
    assert bad.returncode == 1 and "bad --where" in bad.stderr


def test_parquet_copy_is_partitioned_and_readable_while_a_writer_holds_the_database(wh):
    files = sorted((wh / "parquet" / "articles").rglob("*.parquet"))
    assert files and all(f.parent.name.startswith("ingest_date=") for f in files)
    assert all(f.parent.parent.name == "language=en" for f in files)
    for table in ("sources", "paragraphs", "story_clusters", "search_terms"):
        assert any((wh / "parquet" / table).rglob("*.parquet")), table
    (n_articles,) = q(wh, "SELECT count(*) FROM articles")[0]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(60)",
            str(wh / "corpus.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
        rc = open_for_query(wh)
        assert rc.source == "parquet" and rc.note and "Parquet copy" in rc.note
        names, rows = run_query(rc, "SELECT count(*) AS n FROM articles")
        assert names == ["n"] and rows == [(n_articles,)]
        _, clusters = run_query(rc, "SELECT count(DISTINCT cluster_id) FROM v_story_clusters")
        assert clusters == [(2,)]
        with pytest.raises(NotReadOnly):
            run_query(rc, f"COPY articles TO '{wh / 'parquet' / 'x.csv'}'")
        with pytest.raises(duckdb.Error, match="disabled by configuration"):
            run_query(rc, "SELECT * FROM read_text('/etc/passwd')")
        rc.close()
        proc = cli("search", "surveillance", "-w", str(wh), "-f", "json")
        assert "Parquet copy" in proc.stderr and json.loads(proc.stdout)
        proc = cli("cookbook", "duplicates_per_outlet", "-w", str(wh), "-f", "csv")
        assert "Parquet copy" in proc.stderr and "The Canadian Press" in proc.stdout
    finally:
        holder.kill()
        holder.wait()


def test_a_changed_file_leaves_its_cluster_on_the_next_run(prefect_api, seeds_dir, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    original = next(seeds_dir.glob("001_*.txt"))
    shutil.copy(original, src / original.name)
    copy = src / "copy_001.txt"
    copy.write_text(trimmed_copy(original.read_text(encoding="utf-8")), encoding="utf-8")
    wh = tmp_path / "wh"
    t0 = time.perf_counter()
    first = ingest_and_analyse([src], wh)
    assert first["analytics"]["clusters"] == 1
    old_ids = {r[0] for r in q(wh, "SELECT article_id FROM articles WHERE source_path = ?", [str(copy)])}
    assert old_ids <= {r[0] for r in q(wh, "SELECT article_id FROM story_clusters")}
    copy.write_text(next(seeds_dir.glob("002_*.txt")).read_text(encoding="utf-8"), encoding="utf-8")
    second = ingest_and_analyse([src], wh)
    a = second["analytics"]
    assert (a["clusters"], a["cluster_members"], a["clusters_dissolved"]) == (0, 0, 1)
    assert a["signatures_removed"] >= 1 and a["signatures_added"] >= 1
    for table in ("story_clusters", "minhash_signatures", "lsh_buckets", "search_docs", "search_terms"):
        stale = q(
            wh, f"SELECT count(*) FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [sorted(old_ids)]
        )
        assert stale == [(0,)], table
    third = ingest_and_analyse([src], wh)  # nothing changed: nothing recomputed
    assert not third["analytics"]["changed"] and third["n_skipped"] == 2
    print(f"three runs in {time.perf_counter() - t0:.1f} s")
