"""Reading files that fight back: vanished, forbidden, looping, not regular, failing, changing while read.

``corpus_etl.discover.read_source`` is the bounded-retry reader that ``process_source`` reads through.

Tests run as root here, where ``chmod 000`` does not stop a read: the permission cases run their
subprocess as root without the capabilities that let root ignore file modes (``setpriv --bounding-set
-dac_override,-dac_read_search``), so the kernel refuses the read with EACCES as it would for any user
(as a normal user, ``chmod 000`` is enough and the subprocess runs as is). A real EIO (a failing disk)
cannot be produced without a device-mapper target; it is injected by replacing ``os.read``/``os.open``
in the reader's module.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus_etl import discover
from corpus_etl.discover import SourceReadError, SourceUnreadable, expand_sources, read_source, stat_file
from corpus_etl.pipeline import process_source
from corpus_etl.settings import Settings
from tests.reliability.corpus import BODY, article
from tests.reliability.helpers import EXE, cli_env, rows, run_flow, warehouse_problems

AT = datetime(2026, 1, 1, tzinfo=UTC)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _fail_open(monkeypatch: pytest.MonkeyPatch, path: Path, errs: list[int]) -> list[int]:
    """Make os.open fail on ``path`` with the given errnos, in order; returns the list of calls."""
    real = os.open
    calls: list[int] = []

    def fake(p, flags, *a, **k):  # type: ignore[no-untyped-def]
        if str(p) == str(path):
            calls.append(1)
            if errs:
                code = errs.pop(0)
                raise OSError(code, os.strerror(code), str(p))
        return real(p, flags, *a, **k)

    monkeypatch.setattr(discover.os, "open", fake)
    return calls


def test_regular_file_is_read_once(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"x" * 100_000)
    sleeps = Sleeps()
    r = read_source(str(p), sleep=sleeps)
    assert (r.data, r.attempts, r.stable, sleeps) == (b"x" * 100_000, 1, True, [])


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: None, "cannot read: No such file or directory (the file vanished after discovery)"),
        (lambda p: os.symlink(p.with_name("missing"), p), "cannot read: No such file or directory (a link to a"),
        (lambda p: (os.symlink(p.name, p.with_name("b")), os.symlink("b", p)), "Too many levels of symbolic links"),
        (lambda p: p.mkdir(), "cannot read: not a regular file (directory)"),
        (lambda p: os.mkfifo(p), "cannot read: not a regular file (FIFO)"),
    ],
    ids=["vanished", "dangling-link", "link-loop", "directory", "fifo"],
)
def test_permanent_failures_are_not_retried(tmp_path, make, reason):
    p = tmp_path / "x.txt"
    make(p)
    sleeps = Sleeps()
    out: list[BaseException] = []

    def read() -> None:
        try:
            read_source(str(p), sleep=sleeps)
        except BaseException as exc:
            out.append(exc)

    t = threading.Thread(target=read, daemon=True)  # a FIFO must not block: bounded wait
    t.start()
    t.join(10)
    assert not t.is_alive(), "read_source blocked"
    assert len(out) == 1 and isinstance(out[0], SourceReadError), out
    assert reason in str(out[0]) and sleeps == []


def test_transient_errors_are_retried_with_backoff(tmp_path, monkeypatch):
    p = tmp_path / "flaky.txt"
    p.write_text("hello")
    calls = _fail_open(monkeypatch, p, [errno.EIO, errno.ESTALE])
    sleeps = Sleeps()
    r = read_source(str(p), sleep=sleeps)
    assert (r.data, r.attempts, len(calls), sleeps) == (b"hello", 3, 3, [0.2, 0.4])


def test_a_persistent_error_fails_after_the_last_attempt(tmp_path, monkeypatch):
    p = tmp_path / "broken.txt"
    p.write_text("hello")
    calls = _fail_open(monkeypatch, p, [errno.EIO] * 10)
    sleeps = Sleeps()
    with pytest.raises(SourceReadError, match=r"^cannot read: Input/output error \(after 3 attempts\)$"):
        read_source(str(p), sleep=sleeps)
    assert len(calls) == 3 and sleeps == [0.2, 0.4]


def test_a_read_error_in_the_middle_is_retried(tmp_path, monkeypatch):
    p = tmp_path / "midway.txt"
    p.write_bytes(b"y" * 10)
    real = os.read
    failures = [errno.EIO]

    def fake(fd, n):  # type: ignore[no-untyped-def]
        if failures:
            raise OSError(failures.pop(), "Input/output error")
        return real(fd, n)

    monkeypatch.setattr(discover.os, "read", fake)
    r = read_source(str(p), sleep=Sleeps())
    assert (r.data, r.attempts) == (b"y" * 10, 2)


def test_a_file_growing_while_read_is_read_again(tmp_path, monkeypatch):
    p = tmp_path / "growing.txt"
    p.write_bytes(b"first part\n")
    real = os.read
    appended: list[bool] = []

    def fake(fd, n):  # type: ignore[no-untyped-def]
        data = real(fd, n)
        if not appended:  # a writer appends while the first attempt is reading
            appended.append(True)
            with open(p, "ab") as fh:
                fh.write(b"second part\n")
        return data

    monkeypatch.setattr(discover.os, "read", fake)
    r = read_source(str(p), sleep=Sleeps())
    assert r.data == b"first part\nsecond part\n" and r.attempts == 2 and r.stable


def test_a_file_that_never_stops_changing_returns_the_bytes_read(tmp_path, monkeypatch):
    p = tmp_path / "log.txt"
    p.write_bytes(b"line\n")
    real = os.read

    def fake(fd, n):  # type: ignore[no-untyped-def]
        data = real(fd, n)
        if data:
            with open(p, "ab") as fh:
                fh.write(b"more\n")
        return data

    monkeypatch.setattr(discover.os, "read", fake)
    r = read_source(str(p), sleep=Sleeps())
    # Whatever was read is returned whole and unstable: its sha256 is not the file's, so the next run
    # processes the file again.
    assert not r.stable and r.attempts == 3
    assert hashlib.sha256(r.data).hexdigest() != hashlib.sha256(p.read_bytes()).hexdigest()


def without_dac_override(cmd: list[str]) -> list[str]:
    """``cmd`` run so that file permissions apply to it: as root, without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH (for everyone else permissions apply anyway)."""
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test permission errors as root"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--", *cmd]


_UNREADABLE = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime
    from corpus_etl.discover import SourceReadError, SourceUnreadable, expand_sources, read_source, stat_file
    from corpus_etl.pipeline import process_source
    from corpus_etl.settings import Settings
    out = {}
    try:
        read_source(sys.argv[1])
    except SourceReadError as exc:
        out["read_source"] = str(exc)
    out["process_source"] = process_source(stat_file(sys.argv[1]), Settings(), "r", datetime.now(UTC)).source["error"]
    for key, arg in (("expand_sources", sys.argv[2]), ("expand_sources_arg", sys.argv[3])):
        try:
            out[key] = expand_sources([arg])
        except SourceUnreadable as exc:
            out[key] = str(exc)
    print(json.dumps(out))
    """
)


@pytest.fixture
def closed_tree(tmp_path: Path) -> Iterator[Path]:
    """A mode-000 file, a tree with a mode-000 directory, and a mode-000 directory holding one."""
    secret = tmp_path / "secret.txt"
    secret.write_text(article("A Story Nobody May Read"))
    secret.chmod(0o000)
    tree = tmp_path / "tree"
    (tree / "closed").mkdir(parents=True)
    (tree / "open.txt").write_text("x")
    (tree / "closed").chmod(0o000)
    locked = tmp_path / "locked"
    (locked / "inner").mkdir(parents=True)
    locked.chmod(0o000)
    try:
        yield tmp_path
    finally:
        for d in (tree / "closed", locked):
            d.chmod(0o755)


def test_permission_denied(closed_tree):
    """A file and directories the process may not read: real EACCES from the kernel (see the module doc)."""
    secret, tree, locked = closed_tree / "secret.txt", closed_tree / "tree", closed_tree / "locked"
    p = subprocess.run(
        without_dac_override([sys.executable, "-c", _UNREADABLE, str(secret), str(tree), str(locked / "inner")]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["read_source"] == "cannot read: Permission denied"  # not retried: a retry cannot cure it
    assert out["process_source"] == "cannot read: Permission denied"
    # A directory under an argument that cannot be listed is an input of its own (it fails with the reason,
    # the run goes on); an argument that cannot be reached stops discovery with a clear reason (no traceback).
    assert out["expand_sources"] == [str(tree / "closed"), str(tree / "open.txt")]
    assert out["expand_sources_arg"] == f"cannot read {locked / 'inner'}: Permission denied"


@pytest.mark.e2e
@pytest.mark.cli
def test_an_unreadable_file_fails_alone_in_a_real_ingest(prefect_api, tmp_path):
    """`corpus-etl ingest` over a folder holding a file it may not read: that file is 'failed' with the
    reason, the others load, the run completes (exit 3: some files failed), and a rerun once it is readable
    loads it."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(article("A Story Anyone May Read"))
    (src / "secret.txt").write_text(article("A Story Nobody May Read"))
    (src / "secret.txt").chmod(0o000)
    wh = tmp_path / "wh"
    p = subprocess.run(
        without_dac_override([EXE, "ingest", str(src), "-w", str(wh), "--no-validate", "-q"]),
        capture_output=True,
        text=True,
        env=cli_env(prefect_api),
        timeout=300,
    )
    assert p.returncode == 3, p.stderr
    got = {r[0].rsplit("/", 1)[1]: r[1:] for r in rows(wh, "select path, status, error, n_articles from sources")}
    assert got == {"a.txt": ("loaded", None, 1), "secret.txt": ("failed", "cannot read: Permission denied", 0)}
    assert rows(wh, "select status, n_failed, n_processed from runs") == [("completed", 1, 2)]
    (src / "secret.txt").chmod(0o644)
    s = run_flow([src], wh, validate_data=False, workers=1)
    assert (s["n_skipped"], s["n_processed"], s["n_failed"]) == (1, 1, 0)
    assert rows(wh, "select status from sources where path like '%secret.txt'") == [("loaded",)]
    assert warehouse_problems(wh) == []


def test_discovery_keeps_broken_links_and_skips_special_files(tmp_path, caplog):
    (tmp_path / "ok.txt").write_text("x")
    os.symlink("nowhere", tmp_path / "dangling.txt")
    os.symlink("l2", tmp_path / "l1")
    os.symlink("l1", tmp_path / "l2")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "dir.txt").mkdir()
    found = [Path(p).name for p in expand_sources([str(tmp_path)])]
    assert found == ["dangling.txt", "l1", "l2", "ok.txt"]
    assert "not a regular file (FIFO)" in caplog.text
    # the same through a glob, and a FIFO named on its own is an error, not a hang
    assert [Path(p).name for p in expand_sources([str(tmp_path / "*.txt")])] == ["dangling.txt", "ok.txt"]
    with pytest.raises(SourceUnreadable, match=r"not a regular file \(FIFO\)"):
        expand_sources([str(tmp_path / "pipe.txt")])


def test_names_that_are_not_utf8_get_an_id_and_a_printable_path(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as fh:
        fh.write(article("A Latin-1 File Name").encode())
    (found,) = expand_sources([str(tmp_path)])
    src = stat_file(found)  # raised UnicodeEncodeError before issue #8, failing the whole run
    assert src.source_id == hashlib.sha256(raw).hexdigest()[:16]
    assert discover.display_path(found) == str(tmp_path) + "/caf\\xe9.txt"
    assert discover.display_path("/a/café.txt") == "/a/café.txt"
    assert discover.source_id_for("/a/café.txt") == hashlib.sha256("/a/café.txt".encode()).hexdigest()[:16]


# --- process_source reads through read_source -----------------------------------------------------


def test_process_source_retries_a_transient_read_error(tmp_path, monkeypatch):
    p = tmp_path / "flaky.txt"
    p.write_text(article("A Story Read On The Second Try"))
    calls = _fail_open(monkeypatch, p, [errno.EIO])
    monkeypatch.setattr(discover.time, "sleep", lambda s: None)
    r = process_source(stat_file(str(p)), Settings(), "r", AT)
    assert len(calls) == 2 and r.source["status"] == "loaded"


def test_process_source_does_not_block_on_a_fifo_put_in_place_of_a_file(tmp_path):
    p = tmp_path / "swapped.txt"
    p.write_text("x")
    code = textwrap.dedent(
        f"""
        import os
        from datetime import UTC, datetime
        from corpus_etl.discover import stat_file
        from corpus_etl.pipeline import process_source
        from corpus_etl.settings import Settings
        src = stat_file({str(p)!r})
        os.unlink({str(p)!r}); os.mkfifo({str(p)!r})
        print(process_source(src, Settings(), "r", datetime.now(UTC)).source["error"])
        """
    )
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("process_source blocked reading a FIFO")
    assert out.stdout.strip() == "cannot read: not a regular file (FIFO)"


@pytest.mark.e2e
def test_unstorable_names_and_text_fail_only_their_file(prefect_api, tmp_path, monkeypatch):
    """A file name that is not UTF-8 and a JSON lone surrogate must not fail the batch (and the run); a
    file whose rows break the span accounting (a splitter bug, injected) fails alone with the reason."""
    import corpus_etl.pipeline as pl

    real = pl.split_document

    def buggy(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        res = real(text, *args, **kwargs)
        if "Splitter Bug" in text:
            res.removed[:] = [sp for sp in res.removed if sp.record is not None]
        return res

    monkeypatch.setattr(pl, "split_document", buggy)  # one batch of 4 files: processed in this process
    src = tmp_path / "src"
    src.mkdir()
    (src / "lost.txt").write_text("Skip to main content\n" + article("A Story Hit By A Splitter Bug"))
    (src / "good.txt").write_text(article("A Good Story Beside Bad Ones"))
    with open(os.fsencode(src) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(article("A Story In A Latin-1 Named File").encode())
    line = json.dumps({"text": BODY, "title": "Lone \ud800 Surrogate Story", "note": "\udc00"})  # ASCII escapes
    (src / "surrogate.jsonl").write_text(line + "\n", encoding="utf-8")
    wh = tmp_path / "wh"
    s = run_flow([src], wh)
    assert (s["n_discovered"], s["n_failed"]) == (4, 1)
    got = dict(rows(wh, "select regexp_extract(path, '[^/]+$'), status from sources"))
    assert got == {"good.txt": "loaded", "caf\\xe9.txt": "loaded", "surrogate.jsonl": "loaded", "lost.txt": "failed"}
    (error,) = rows(wh, "select error from sources where path like '%lost.txt'")[0]
    assert error.startswith("span accounting failed: record 0 starts at 21, expected 0"), error
    assert rows(wh, "select status from runs") == [("completed",)]
    (meta,) = rows(wh, "select meta_json from articles where source_path like '%surrogate.jsonl'")[0]
    assert json.loads(meta)["note"] == "\udc00" and "\\udc00" in meta  # kept, as a JSON escape
    assert warehouse_problems(wh) == []


def test_process_source_fails_a_file_that_keeps_changing_while_read(tmp_path, monkeypatch):
    """A file appended to during every read: bounded re-reads, then 'failed' with the reason (no torn text)."""
    p = tmp_path / "log.txt"
    p.write_text(article("A Story Still Being Written"))
    real = os.read

    def fake(fd, n):  # type: ignore[no-untyped-def]
        data = real(fd, n)
        if data:
            with open(p, "a") as fh:
                fh.write("More words arrive while the file is read.\n")
        return data

    monkeypatch.setattr(discover.os, "read", fake)
    sleeps = Sleeps()
    monkeypatch.setattr(discover.time, "sleep", sleeps)
    r = process_source(stat_file(str(p)), Settings(reading={"read_attempts": 4, "read_backoff": 0.1}), "r", AT)
    assert r.source["status"] == "failed" and r.source["sha256"] is None
    assert r.source["error"] == (
        "changed while being read: its size or mtime moved during each of 4 reads; the next run reads it again"
    )
    assert sleeps == [0.1, 0.2, 0.4] and all(v == [] for v in r.rows.values())


def test_process_source_fails_after_the_last_attempt_of_a_persistent_error(tmp_path, monkeypatch):
    p = tmp_path / "broken.txt"
    p.write_text(article("A Story On A Failing Disk"))
    calls = _fail_open(monkeypatch, p, [errno.EIO] * 10)
    monkeypatch.setattr(discover.time, "sleep", lambda s: None)
    r = process_source(stat_file(str(p)), Settings(reading={"read_attempts": 2}), "r", AT)
    assert len(calls) == 2
    assert (r.source["status"], r.source["error"]) == ("failed", "cannot read: Input/output error (after 2 attempts)")


def test_process_source_refuses_rows_that_break_the_accounting(tmp_path, monkeypatch):
    """The flow's own check: a splitter bug that loses or overlaps characters fails the file, loudly."""
    import corpus_etl.pipeline as pl

    p = tmp_path / "a.txt"
    p.write_text("Skip to main content\n" + article("A Story Whose Chrome Span Gets Lost"))
    real = pl.split_document

    def lose_a_span(*args, **kwargs):  # type: ignore[no-untyped-def]
        res = real(*args, **kwargs)
        res.removed[:] = [sp for sp in res.removed if sp.record is not None]  # drop the spans between records
        return res

    monkeypatch.setattr(pl, "split_document", lose_a_span)
    r = process_source(stat_file(str(p)), Settings(), "r", AT)
    assert r.source["status"] == "failed" and r.source["error"].startswith("span accounting failed: ")
    assert "record 0 starts at 21, expected 0" in r.source["error"] and all(v == [] for v in r.rows.values())
    # and the rows check of the flow catches what the splitter's own check cannot see
    monkeypatch.setattr(pl, "split_document", real)
    monkeypatch.setattr(pl, "check_coverage", lambda split: [])
    ok = process_source(stat_file(str(p)), Settings(), "r", AT)
    assert ok.source["status"] == "loaded"
    arts = ok.rows["articles"]
    assert pl.row_coverage(ok.source["n_chars"], arts, ok.rows["removed_spans"]) == []
    assert pl.row_coverage(ok.source["n_chars"] + 1, arts, ok.rows["removed_spans"]) == [
        f"spans end at {ok.source['n_chars']}, the text has {ok.source['n_chars'] + 1} characters"
    ]
    shifted = [{**arts[0], "char_start": arts[0]["char_start"] - 1}]
    assert pl.row_coverage(ok.source["n_chars"], shifted, ok.rows["removed_spans"])[0].startswith("overlap at")
