"""Inputs that used to stop a run or lose data without a word (issue #19), ingested through the CLI.

One ``corpus-etl ingest`` (a subprocess, as a user runs it, without root's file-permission override so that
modes apply: see test_read_faults.without_dac_override) over a directory holding every case; each test checks
its files' ``sources`` rows and every test checks the warehouse's accounting (``warehouse_problems``: the spans
of every loaded file tile its text, counts agree with the rows, every failure has a reason).
"""

from __future__ import annotations

import gzip
import os
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.corpus import BODY, article
from tests.reliability.helpers import EXE, cli, cli_env, rows, warehouse_problems
from tests.reliability.test_read_faults import without_dac_override
from tests.unit.test_formats import bad_json_lines

pytestmark = [pytest.mark.e2e, pytest.mark.cli]

RUSSIAN = (
    "Правительство одобрило новый бюджет\n\n"
    "Правительство России в понедельник одобрило проект бюджета на следующий год. Министр финансов заявил, "
    "что расходы на образование и здравоохранение будут увеличены, а дефицит бюджета останется небольшим. "
    "Депутаты Государственной думы рассмотрят документ в первом чтении до конца месяца.\n"
)
JAPANESE = (
    "政府が新しい経済対策を発表\n\n"
    "政府は月曜日、物価の上昇に対応するための新しい経済対策を発表した。対策には低所得世帯への給付金や、"
    "電気料金とガス料金の負担を軽くするための補助金が含まれている。首相は記者会見で、国民の生活を守るために"
    "あらゆる手段を尽くすと述べた。野党は対策の規模が不十分だと批判している。\n"
)
SECRET = "Zyxwvut-secret-marker"
DEEP = 100_000  # nesting depth past Python's recursion limit (json.loads raised RecursionError)
LONG_DIR = "d" * 200  # a path component; enough of them nest a file past PATH_MAX (4096 bytes)


@dataclass
class Run:
    src: Path
    wh: Path
    proc: subprocess.CompletedProcess[str]
    sources: dict[str, dict[str, Any]]  # the sources rows by path relative to src (the long path shortened)


def _deep_dir(root: Path, depth: int) -> str:
    """Create ``depth`` nested LONG_DIR directories under ``root`` (relative opens: the path is too long for
    one call) and a file in the deepest; return its path relative to ``root``."""
    cur = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(LONG_DIR, dir_fd=cur)
            nxt = os.open(LONG_DIR, os.O_RDONLY, dir_fd=cur)
            os.close(cur)
            cur = nxt
        fd = os.open("deep_path.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=cur)
        os.write(fd, article("A Story Too Deep To Reach").encode())
        os.close(fd)
    finally:
        os.close(cur)
    return "/".join([LONG_DIR] * depth + ["deep_path.txt"])


def _build(src: Path) -> None:
    src.mkdir()
    (src / "ok.txt").write_text(article("A Normal Story Headline"))
    # JSON nested 100,000 deep at the start of a .txt: the format sniffer parsed it (RecursionError).
    (src / "deep_list.txt").write_text('{"text": ' + "[" * DEEP + "]" * DEEP + "}\n")
    (src / "deep_object.txt").write_text('{"a": ' * DEEP + "1" + "}" * DEEP + "\n")
    # A directory nested past PATH_MAX: os.walk cannot list the deepest levels.
    (src / "long").mkdir()
    _deep_dir(src / "long", 4096 // (len(LONG_DIR) + 1) + 1)
    # A file whose directory is under PATH_MAX but whose own path is past it
    (src / "long_name").mkdir()
    cur = os.open(src / "long_name", os.O_RDONLY)
    path_len = len(os.fsencode(src / "long_name"))
    while path_len + 1 + 250 <= 4096:  # (the directory stays under 4096 bytes: it can be listed)
        os.mkdir(LONG_DIR, dir_fd=cur)
        nxt = os.open(LONG_DIR, os.O_RDONLY, dir_fd=cur)
        os.close(cur)
        cur, path_len = nxt, path_len + 1 + len(LONG_DIR)
    fd = os.open("n" * 250, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=cur)
    os.write(fd, article("A Story With A Name Past The Limit").encode())
    os.close(fd)
    os.close(cur)
    # A directory with read but no execute permission: its names can be listed, none opened.
    (src / "noexec").mkdir()
    (src / "noexec" / "hidden.txt").write_text(article("A Story Behind A Closed Door"))
    (src / "noexec").chmod(0o644)
    (src / "closed").mkdir()
    (src / "closed" / "inside.txt").write_text(BODY)
    (src / "closed").chmod(0o000)
    # JSON Lines that a str.splitlines-based reader got wrong (tests/unit/test_formats.py has them line by line)
    (src / "lines.jsonl").write_text(bad_json_lines()[0])
    # Symbolic links that leave the SOURCE tree (to a file, to a directory), one that stays inside it
    (src.parent / "outside").mkdir()
    (src.parent / "outside" / "secret.txt").write_text(article("A Secret Outside The Source " + SECRET))
    os.symlink(src.parent / "outside" / "secret.txt", src / "leak.txt")
    os.symlink(src.parent / "outside", src / "leak_dir")
    os.symlink("ok.txt", src / "alias.txt")
    # Legacy encodings: cp1251 Russian, Shift-JIS Japanese; UTF-32 without a BOM
    (src / "russian_cp1251.txt").write_bytes(RUSSIAN.encode("cp1251"))
    (src / "japanese_sjis.txt").write_bytes(JAPANESE.encode("shift_jis"))
    (src / "utf32le.txt").write_bytes(article("A Story Written In UTF-32").encode("utf-32-le"))
    # A gzip bomb (64 MiB of zeros in 65 KB: 1000x) beside an honest gzip file.
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    (src / "bomb.txt.gz").write_bytes(b"".join([z.compress(b"\0" * (1 << 20)) for _ in range(64)] + [z.flush()]))
    (src / "honest.txt.gz").write_bytes(gzip.compress(article("A Compressed Story").encode()))


def _short(rel: str) -> str:
    return rel.replace(LONG_DIR, "D")


@pytest.fixture(scope="module")
def run(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("inputs")
    src, wh = base / "src", base / "wh"
    _build(src)
    try:
        proc = subprocess.run(
            without_dac_override([EXE, "ingest", str(src), "-w", str(wh), "-q"]),
            capture_output=True,
            text=True,
            env=cli_env(prefect_api),
            timeout=600,
        )
    finally:
        for d in ("noexec", "closed"):
            (src / d).chmod(0o755)
    cols = ["path", "status", "error", "encoding", "n_chars", "n_articles", "n_quarantined"]
    sources = {
        _short(str(Path(r[0]).relative_to(src))): dict(zip(cols, r, strict=True))
        for r in rows(wh, f"select {', '.join(cols)} from sources")
    }
    return Run(src, wh, proc, sources)


def test_the_run_completes_and_accounts_for_every_loaded_file(run):
    assert "Traceback" not in run.proc.stderr, run.proc.stderr
    assert rows(run.wh, "select status from runs") == [("completed",)]
    assert warehouse_problems(run.wh) == []
    assert run.sources["ok.txt"]["status"] == "loaded"
    errors = [s["error"] for s in run.sources.values() if s["error"]]
    assert all("\n" not in e and len(e) < 500 for e in errors), errors


def test_json_nested_past_the_recursion_limit_is_plain_text(run):
    for name in ("deep_list.txt", "deep_object.txt"):
        s = run.sources[name]
        assert (s["status"], s["n_chars"]) == ("loaded", len((run.src / name).read_text())), name
    assert rows(run.wh, "select distinct format from sources where path like '%deep_%'") == [("text",)]


def test_a_path_past_path_max_is_a_failed_row_of_its_own(run):
    (deep,) = [s for k, s in run.sources.items() if k.startswith("long/")]
    assert deep["status"] == "failed"
    assert deep["error"].startswith("cannot read: File name too long (the path is ")
    assert len(deep["path"].encode()) > 4096


def test_a_file_whose_path_is_past_path_max_is_a_failed_row(run):
    (long_name,) = [s for k, s in run.sources.items() if k.startswith("long_name/")]
    assert long_name["status"] == "failed" and long_name["path"].endswith("n" * 250)
    assert long_name["error"].startswith("cannot read: File name too long (the path is ")


def test_directories_that_cannot_be_entered_or_listed_get_a_failed_row(run):
    assert run.sources["noexec"]["status"] == "failed"
    assert run.sources["noexec"]["error"] == (
        "cannot enter directory: Permission denied (no execute permission); its 1 entries were not read"
    )
    assert run.sources["closed"]["status"] == "failed"
    assert run.sources["closed"]["error"] == "cannot list directory: Permission denied; nothing under it was read"
    assert not any(k.startswith(("noexec/", "closed/")) for k in run.sources)


def test_a_decompression_bomb_is_refused_by_its_ratio(run):
    bomb = run.sources["bomb.txt.gz"]
    assert bomb["status"] == "failed"
    assert bomb["error"].startswith("gzip stream inflates to more than 100x its ")
    assert bomb["error"].endswith("refused as a decompression bomb (CORPUS_ETL_READING__MAX_INFLATE_RATIO)")
    assert (run.sources["honest.txt.gz"]["status"], run.sources["honest.txt.gz"]["n_articles"]) == ("loaded", 1)


def test_json_lines_keep_their_clusters_and_bad_records_fail_alone(run):
    text, want = bad_json_lines()
    s = run.sources["lines.jsonl"]
    assert (s["status"], s["n_chars"]) == ("loaded", len(text))
    got = rows(
        run.wh,
        "select cluster from (select cluster, source_path from articles union all "
        "select cluster, source_path from quarantine) where source_path like '%lines.jsonl' order by 1",
    )
    assert [c for (c,) in got] == [n for n, w in enumerate(want) if w == "record"]
    assert rows(
        run.wh,
        "select count(*) from removed_spans join sources using (source_id) "
        "where path like '%lines.jsonl' and rule = 'jsonl_unstorable_line'",
    ) == [(1,)]  # lines 2-4, adjacent, in one span


def _secret_stored(wh: Path) -> list[str]:
    tables = {"articles": "body", "quarantine": "body", "removed_spans": "text", "paragraphs": "text"}
    found = [
        t
        for t, col in tables.items()
        if rows(wh, f"select count(*) from {t} where {col} like ?", [f"%{SECRET}%"])[0][0]
    ]
    found += [str(p) for p in (wh / "parquet").rglob("*.parquet") if SECRET.encode() in p.read_bytes()]
    return found


def test_links_that_leave_the_source_are_recorded_not_read(run):
    for name, what in (("leak.txt", "file"), ("leak_dir", "directory")):
        s = run.sources[name]
        assert s["status"] == "failed"
        assert s["error"].startswith(f"not read: a symbolic link to a {what} outside the SOURCE directory ("), s
    assert "alias.txt" not in run.sources  # a link inside the tree is its target, ok.txt, read once
    assert _secret_stored(run.wh) == []


def test_follow_symlinks_reads_links_to_files(run, prefect_api, tmp_path):
    src, wh = tmp_path / "src", tmp_path / "wh"
    src.mkdir()
    os.symlink(run.src.parent / "outside" / "secret.txt", src / "leak.txt")
    os.symlink(run.src.parent / "outside", src / "leak_dir")
    p = cli("ingest", str(src), "-w", str(wh), "-q", "--follow-symlinks", api=prefect_api, check=False)
    assert p.returncode == 3, p.stderr  # the directory link is a failed file: "some files failed"
    got = rows(wh, "select path, status, error from sources order by path")
    assert got[0][1:] == ("loaded", None) and got[0][0].endswith("outside/secret.txt")  # read as its target
    assert got[1][0].endswith("leak_dir") and got[1][1] == "failed"  # links to directories are never followed
    assert _secret_stored(wh) != [] and warehouse_problems(wh) == []


def test_query_cannot_write_into_the_database_temporary_directory(run, prefect_api):
    spill = run.wh / "corpus.duckdb.tmp"  # DuckDB lets a read-only connection write here, external access off
    spill.mkdir(exist_ok=True)
    p = cli("query", f"copy (select 1) to '{spill}/x.csv'", "-w", str(run.wh), api=prefect_api, check=False)
    assert p.returncode != 0 and list(spill.iterdir()) == []
    assert "only SELECT and EXPLAIN statements can be run here (read-only), not COPY" in p.stderr


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("192.0.2.7", True), ("::", True),
                                              ("127.0.0.1", False), ("::1", False), ("localhost", False)])  # fmt: skip
def test_server_warns_on_a_host_other_machines_can_reach(prefect_api, host, warned):
    p = cli("server", "--host", host, "--dry-run", api=prefect_api)
    assert ("is not a loopback address" in p.stderr) == warned, p.stderr


def test_legacy_encodings_are_read_as_what_they_are(run):
    cp1251, sjis, u32 = run.sources["russian_cp1251.txt"], run.sources["japanese_sjis.txt"], run.sources["utf32le.txt"]
    assert (cp1251["status"], cp1251["encoding"], cp1251["n_chars"]) == ("loaded", "cp1251", len(RUSSIAN))
    assert (sjis["status"], sjis["encoding"], sjis["n_chars"]) == ("loaded", "cp932", len(JAPANESE))
    assert (u32["status"], u32["encoding"]) == ("loaded", "utf-32-le")
    got = dict(
        rows(
            run.wh,
            "select regexp_extract(source_path, '[^/]*$'), language || ' ' || coalesce(title, '') || ' ' || body "
            "from (select source_path, language, title, body from articles union all "
            "select source_path, language, title, body from quarantine) "
            "where source_path similar to '.*(russian_cp1251|japanese_sjis|utf32le).txt'",
        )
    )
    assert got["russian_cp1251.txt"].startswith("ru Правительство одобрило новый бюджет Правительство России")
    assert got["utf32le.txt"].startswith("en A Story Written In UTF-32 The owners")
    # (the splitter takes the Japanese headline for chrome before the title: a rule of the splitter, not decoding)
    assert (
        got["japanese_sjis.txt"].startswith("ja ") and "政府は月曜日、物価の上昇に対応する" in got["japanese_sjis.txt"]
    )


def test_the_decoding_confidence_is_recorded_and_checked(run):
    conf = dict(rows(run.wh, "select regexp_extract(path, '[^/]*$'), encoding_confidence from sources"))
    assert conf["ok.txt"] == 1.0 and conf["utf32le.txt"] == 1.0
    assert 0.5 <= conf["russian_cp1251.txt"] <= 1.0 and 0.5 <= conf["japanese_sjis.txt"] <= 1.0
    assert conf["noexec"] is None  # never decoded
    checked = rows(
        run.wh,
        "select distinct severity from dq_results where suite = 'sources' "
        "and expectation_id like 'expect_column_values_to_be_between:encoding_confidence:%'",
    )
    assert checked == [("warning",)]
