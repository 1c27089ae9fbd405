from corpus_etl.incremental import covered_by, vanished


def test_covered_by_directories_files_and_globs(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    inside = str(d / "a" / "x.txt")
    assert covered_by(inside, [str(d)])
    assert not covered_by(str(tmp_path / "corpus-other" / "x.txt"), [str(d)])  # a prefix is not a parent
    assert covered_by(str(d / "x.txt"), [str(d / "x.txt")])
    assert covered_by(str(d / "x.txt"), [str(d / "*.txt")]) and not covered_by(str(d / "x.md"), [str(d / "*.txt")])


def test_vanished_only_under_the_run_sources(tmp_path):
    known = {"a": str(tmp_path / "c" / "a.txt"), "b": str(tmp_path / "c" / "b.txt"), "z": str(tmp_path / "z.txt")}
    assert vanished(known, {"a"}, [str(tmp_path / "c")]) == ["b"]  # z is outside this run's SOURCE
    assert vanished(known, {"a", "b"}, [str(tmp_path / "c")]) == []


def test_covered_by_s3_prefixes_and_objects():
    obj = "s3://corpus/seeds/a.txt"
    assert covered_by(obj, ["s3://corpus/seeds"]) and covered_by(obj, ["s3://corpus/seeds/"])
    assert covered_by(obj, [obj])
    assert not covered_by(obj, ["s3://corpus/see"])  # a prefix of a name is not a parent
    assert not covered_by(obj, ["s3://other/seeds"])
    assert not covered_by("/local/seeds/a.txt", ["s3://corpus/seeds"])
    assert not covered_by(obj, ["/local/seeds"])


def test_plan_trusts_size_and_mtime_only_when_the_mtime_is_settled(tmp_path):
    """A same-size write within the mtime tick of the last read is caught by hashing; a settled mtime is trusted."""
    import hashlib
    import os
    from datetime import timedelta

    from corpus_etl.discover import RACY_SECONDS, KnownSource, plan, stat_file

    p = tmp_path / "a.txt"
    p.write_text("hello")
    t0 = os.stat(p).st_mtime - 3600
    os.utime(p, (t0, t0))
    f = stat_file(str(p))
    h = hashlib.sha256(b"hello").hexdigest()
    p.write_text("HELLO")  # rewritten with the same size and, as within one tick, the same mtime
    os.utime(p, (t0, t0))
    g = stat_file(str(p))
    assert g.mtime == f.mtime and g.size_bytes == f.size_bytes

    def known(seen_after: float | None) -> dict[str, KnownSource]:
        seen = None if seen_after is None else f.mtime + timedelta(seconds=seen_after)
        return {f.source_id: KnownSource(5, f.mtime, h, "loaded", seen)}

    assert plan([g], known(3600)) == ([], [g])  # settled: not opened, so the hidden write goes unseen (by design)
    assert plan([g], known(RACY_SECONDS / 4)) == ([g], [])  # read right after the write: hashed, caught
    assert plan([g], known(None)) == ([g], [])  # unknown run: hashed
