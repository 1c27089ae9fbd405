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
