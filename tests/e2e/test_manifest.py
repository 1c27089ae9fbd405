"""The incremental manifest (path, size, mtime, confirmed by sha256) watched by the kernel: inotify reports
every open of the source files while real flow runs plan them, so "not even read" is observed, not mocked."""

from __future__ import annotations

import ctypes
import os
import shutil
import struct
import time
from pathlib import Path

import duckdb
import pytest

from corpus_etl.settings import Settings

pytestmark = pytest.mark.e2e

IN_ACCESS, IN_OPEN = 0x1, 0x20


class Opens:
    """Names of the files opened (or read) in a directory since the watch began (Linux inotify)."""

    def __init__(self, directory: Path) -> None:
        self.libc = ctypes.CDLL("libc.so.6", use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0 or self.libc.inotify_add_watch(self.fd, str(directory).encode(), IN_OPEN | IN_ACCESS) < 0:
            raise OSError(ctypes.get_errno(), "inotify")

    def names(self) -> set[str]:
        out: set[str] = set()
        while True:
            try:
                buf = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return out
            i = 0
            while i < len(buf):
                _, _, _, n = struct.unpack_from("iIII", buf, i)
                name = buf[i + 16 : i + 16 + n].rstrip(b"\0").decode()
                if name:  # events on the directory itself (listing it) have no name
                    out.add(name)
                i += 16 + n

    def close(self) -> None:
        os.close(self.fd)


def _run(src: Path, wh: Path):  # type: ignore[no-untyped-def]
    from flows.ingest import ingest

    return ingest([str(src)], Settings(warehouse=wh, workers=1, validate_data=False))


def _sources(wh: Path) -> dict[str, tuple[str, str, str]]:
    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        rows = con.execute("select path, status, loaded_run_id, last_run_id from sources").fetchall()
    finally:
        con.close()
    return {Path(p).name: (s, loaded, last) for p, s, loaded, last in rows}


def test_untouched_files_are_not_opened_and_a_touched_identical_file_is_hashed_then_skipped(
    prefect_api, seeds_dir, tmp_path
):
    src = tmp_path / "src"
    src.mkdir()
    hour_ago = time.time() - 3600  # files that exist well before the run (a fresh one is hashed: racy mtime)
    for p in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(p, src / p.name)
        os.utime(src / p.name, (hour_ago, hour_ago))
    wh = tmp_path / "wh"
    names = sorted(p.name for p in src.iterdir())
    touched, edited, untouched = names[0], names[1], set(names[2:])

    watch = Opens(src)
    try:
        first = _run(src, wh)
        assert set(names) <= watch.names()  # the watch sees the reads of a first load
        assert first["n_processed"] == len(names)

        st = (src / touched).stat()
        os.utime(src / touched, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # same bytes, new mtime
        text = (src / edited).read_bytes()
        (src / edited).write_bytes(text[:-1] + (b"X" if text[-1:] != b"X" else b"Y"))  # same size, new bytes
        os.utime(src / edited, (hour_ago + 10, hour_ago + 10))
        watch.names()  # forget our own reads and writes

        second = _run(src, wh)
        opened = watch.names()
        assert opened.isdisjoint(untouched), opened  # same size and mtime: not opened at all
        assert {touched, edited} <= opened  # another mtime: hashed (and the edited one processed)
        assert second["n_skipped"] == len(names) - 1 and second["n_processed"] == 1
        rows = _sources(wh)
        assert rows[touched] == ("skipped", first["run_id"], second["run_id"])  # hashed, same bytes: kept
        assert rows[edited][1:] == (second["run_id"], second["run_id"])

        third = _run(src, wh)  # the touched file's new mtime was remembered: nothing is opened now
        assert watch.names().isdisjoint(names)
        assert third["n_skipped"] == len(names) and third["n_processed"] == 0
    finally:
        watch.close()
