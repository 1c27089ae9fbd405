"""The configuration model (``corpus_etl/settings.py``): one nested model, group per stage, each field documented;
what a run sets reaches the stage that uses it (the splitter, DuckDB, the MinHash code) and is recorded with the
run; nested environment variables and the CLI's options set the same fields."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import subprocess
import sys
import textwrap
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pydantic import BaseModel, ValidationError

from corpus_etl.analytics import params
from corpus_etl.analytics.index import index_tables
from corpus_etl.paragraphs import ParagraphOptions
from corpus_etl.pipeline import extract_records
from corpus_etl.settings import (
    GROUPS,
    AnalyticsSettings,
    ExtractionSettings,
    MemorySettings,
    ParagraphSettings,
    Settings,
    reference,
)
from corpus_etl.split import SplitOptions
from tests.unit.test_analytics_warehouse import AT, PATHS, put, variant
from tests.unit.test_paragraphs import BRIDGE_PARTS, PROMO, _list_article_page
from tests.unit.test_plan import _Executor, run_plain, write_outlet
from warehouse import analytics, db, loader

REPO = Path(__file__).resolve().parents[2]


def _documented(model: type[BaseModel]) -> list[str]:
    """The fields of ``model`` without a description."""
    return [name for name, f in model.model_fields.items() if not (f.description or "").strip()]


def test_every_field_of_every_group_is_documented_and_the_reference_is_current() -> None:
    for _, model in (("", Settings), *GROUPS):
        assert _documented(model) == [], model.__name__
    assert (REPO / "docs" / "settings.md").read_text(encoding="utf-8") == reference(), (
        "docs/settings.md is stale: python -m corpus_etl.settings --write"
    )


def test_the_splitter_options_are_made_of_the_extraction_settings_with_the_same_defaults() -> None:
    made = Settings().split_options()
    assert made == SplitOptions()  # the dataclass's own defaults (training, tests) are the settings'
    knobs = set(ExtractionSettings.model_fields) - {"rules_path", "learned_min_files"}
    internal = {f.name for f in dataclasses.fields(SplitOptions)} - knobs
    # (named in the docstring)
    assert internal == {"one_article", "segment_headlines", "title_model_skip_adjacent", "page_weak_splits"}
    assert all(name in (ExtractionSettings.__doc__ or "") for name in internal)
    assert Settings(extraction={"paragraphs": {"length_low": 55}}).split_options().paragraphs == ParagraphOptions(
        length_low=55
    )


def _own_defaults(source: str, model: type[BaseModel]) -> list[str]:
    """The fields of the dataclass in ``source`` that are settings of ``model`` (a nested group aside) and do not
    take their default from it: their default is not ``_setting("<the field's name>")``."""
    (cls,) = ast.parse(textwrap.dedent(source)).body
    assert isinstance(cls, ast.ClassDef)
    return [
        node.target.id
        for node in cls.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
        for field in [model.model_fields.get(node.target.id)]
        if field is not None and not isinstance(field.default, BaseModel)
        if node.value is None or ast.unparse(node.value) != f"_setting({node.target.id!r})"
    ]


@pytest.mark.parametrize(
    ("options", "model"), [(SplitOptions, ExtractionSettings), (ParagraphOptions, ParagraphSettings)]
)
def test_the_options_state_no_default_of_a_setting_again(options: type, model: type[BaseModel]) -> None:
    """The defaults of the splitter's and the paragraph classifier's options that are run settings are read
    from the settings model (``_setting`` of the field's own name), as the same type: they cannot differ from
    the settings' (which docs/settings.md states)."""
    assert _own_defaults(inspect.getsource(options), model) == []
    hints = typing.get_type_hints(options)
    for f in dataclasses.fields(options):
        setting = model.model_fields.get(f.name)
        if setting is not None and not isinstance(setting.default, BaseModel):
            assert hints[f.name] == setting.annotation, f.name
            assert f.default == setting.default and type(f.default) is type(setting.default), f.name


def test_the_default_check_sees_a_default_written_again() -> None:
    """A setting's default written as a value, or read from another setting, is reported; one read from its own
    setting, and a field that is no setting, are not."""
    written = 'class O:\n    length_low: int = 70\n    length_high: int = _setting("length_low")\n'
    written += '    prose_run: int = _setting("prose_run")\n    own: int = 3\n'
    assert _own_defaults(written, ParagraphSettings) == ["length_low", "length_high"]


def test_an_extraction_setting_changes_the_split(seeds_dir: Path) -> None:
    text = (seeds_dir / sorted(p.name for p in seeds_dir.glob("000*"))[0]).read_text(encoding="utf-8")
    default = [r for r in extract_records(text, Settings()) if r["kind"] == "article"]
    long = [
        r
        for r in extract_records(text, Settings(extraction={"min_body_words_before_split": 1000}))
        if r["kind"] == "article"
    ]
    assert len(long) < len(default)


def test_the_paragraph_thresholds_reach_the_splitter() -> None:
    """jusText's thresholds of the settings decide a web page's body: by default the classifier trims the promo
    before the findings off it; with a stopword density no paragraph has, it finds no good text, so trims nothing
    (its safety net) and the promo stays."""
    text = _list_article_page(BRIDGE_PARTS)
    base = {"line_model": False, "title_model": False}

    def body(**paragraphs: Any) -> str:
        rows = extract_records(text, Settings(extraction={**base, "paragraphs": paragraphs}))
        (art,) = [r for r in rows if r["kind"] == "article"]
        return str(art["body"])

    default, strict = body(), body(stopwords_low=0.99, stopwords_high=0.99)
    assert all(p in default for p in BRIDGE_PARTS) and not any(p in default for p in PROMO)
    assert all(p in strict for p in BRIDGE_PARTS) and all(p in strict for p in PROMO)


def test_nested_environment_variables_and_the_cli_options_set_the_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORPUS_ETL_EXTRACTION__LINE_MODEL", "false")
    monkeypatch.setenv("CORPUS_ETL_EXTRACTION__PARAGRAPHS__LENGTH_LOW", "60")
    monkeypatch.setenv("CORPUS_ETL_READING__READ_ATTEMPTS", "5")
    monkeypatch.setenv("CORPUS_ETL_MEMORY__LOAD", "100MB")
    monkeypatch.setenv("CORPUS_ETL_ANALYTICS", '{"num_perm": 64, "bands": 16}')
    s = Settings()
    assert (s.extraction.line_model, s.extraction.paragraphs.length_low, s.reading.read_attempts) == (False, 60, 5)
    assert s.split_options().line_model is False and s.split_options().paragraphs.length_low == 60
    assert (s.memory.load, s.memory.writer) == ("100MB", MemorySettings().writer)
    assert (s.analytics.num_perm, s.analytics.bands, s.analytics.rows) == (64, 16, params.ROWS)
    # the CLI's options set fields of a group beside what the environment set in it
    from corpus_etl_cli.common import _settings

    cli = _settings(Settings, reading={"input_format": "jsonl", "text_field": "body", "follow_symlinks": True})
    assert (cli.reading.input_format, cli.reading.text_field, cli.reading.read_attempts) == ("jsonl", "body", 5)


def test_a_value_a_group_refuses_is_one_line_from_the_cli(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("A story\n\nThe council met on Tuesday.\n", encoding="utf-8")
    for name, value, says in (
        ("CORPUS_ETL_MEMORY__LOAD", "lots", "setting memory.load: Value error, not a memory size: 'lots'"),
        ("CORPUS_ETL_ANALYTICS__BANDS", "5", "bands x rows must equal num_perm"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", "from corpus_etl_cli.main import main; main()", "ingest", str(src), "-w", "w", "-q"],
            capture_output=True,
            text=True,
            env={name: value, "PATH": "/usr/bin:/bin"},
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith("corpus-etl: error: setting ") and says in done.stderr, done.stderr
    with pytest.raises(ValidationError):
        Settings(reading={"input_format": "xml"})


def test_a_variable_that_names_no_setting_is_one_line_from_the_cli(tmp_path: Path) -> None:
    """pydantic-settings ignores an unknown CORPUS_ETL_* variable: a typo, or a flat name of before the groups,
    would change nothing without a word."""
    from corpus_etl.settings import unknown_environment

    env = {
        "CORPUS_ETL_LANG_ENGINE": "langdetect",  # language.engine since the groups
        "CORPUS_ETL_WOKERS": "2",  # a typo
        "CORPUS_ETL_WORKERS": "1",
        "CORPUS_ETL_EXTRACTION__PARAGRAPHS__LENGTH_LOW": "60",
        "CORPUS_ETL_LANGUAGE": "{}",
        "CORPUS_ETL_SHARED": "/x",  # the tests' corpora: no setting, and known
        "HOME": "/root",
    }
    got = unknown_environment(env)
    assert got == [
        "CORPUS_ETL_LANG_ENGINE is no setting (did you mean CORPUS_ETL_LANGUAGE__ENGINE?); "
        "the settings: docs/settings.md",
        "CORPUS_ETL_WOKERS is no setting; the settings: docs/settings.md",
    ]
    src = tmp_path / "a.txt"
    src.write_text("A story\n\nThe council met on Tuesday.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "from corpus_etl_cli.main import main; main()", "ingest", str(src), "-w", "w", "-q"],
        capture_output=True,
        text=True,
        env={"CORPUS_ETL_RULES_PATH": "rules.toml", "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "CORPUS_ETL_RULES_PATH is no setting (did you mean CORPUS_ETL_EXTRACTION__RULES_PATH?)" in done.stderr
    assert not (tmp_path / "w").exists()  # refused before anything was written


def test_the_index_version_follows_every_analytics_parameter() -> None:
    default = AnalyticsSettings()
    assert default.index_version == params.INDEX_VERSION  # the stored signatures of today's runs stay valid
    others = [
        {"shingle_words": 4},
        {"num_perm": 64, "bands": 16},
        {"bands": 64, "rows": 2},
        {"seed": 2},
        {"threshold": 0.6},
        {"min_words": 30},
    ]
    versions = {AnalyticsSettings(**o).index_version for o in others}
    assert len(versions) == len(others) and default.index_version not in versions


def _index_rows(n: int = 3) -> list[dict[str, Any]]:
    return [
        {
            "article_id": f"a{k}",
            "source_id": f"s{k}",
            "kind": "article",
            "n_words": 200,
            "title": "t",
            "body": variant(k, 0),
            "content_hash": f"h{k}",
        }
        for k in range(n)
    ]


def test_the_minhash_code_uses_the_runs_parameters() -> None:
    a = AnalyticsSettings(num_perm=64, bands=16, shingle_words=3, seed=7)
    ours, default = index_tables(_index_rows(), "r", params=a), index_tables(_index_rows(), "r")
    sig = ours["minhash_signatures"]
    assert set(sig.column("index_version").to_pylist()) == {a.index_version}
    assert {len(s) for s in sig.column("signature").to_pylist()} == {64}
    assert ours["lsh_buckets"].num_rows == 3 * 16 and default["lsh_buckets"].num_rows == 3 * params.BANDS
    assert sig.column("n_shingles").to_pylist() != default["minhash_signatures"].column("n_shingles").to_pylist()
    # min_words: articles shorter are not signed
    assert index_tables(_index_rows(), "r", params=AnalyticsSettings(min_words=500))["minhash_signatures"].num_rows == 0


def test_the_writer_indexes_with_the_runs_parameters_and_rebuilds_on_a_change(tmp_path: Path) -> None:
    wh = tmp_path / "corpus.duckdb"
    ids = put(wh, {p: [("t", variant(i % 2, i % 3), None)] for i, p in enumerate(PATHS)}, "r1", AT)
    a = AnalyticsSettings(num_perm=64, bands=16)
    first = analytics.update_analytics(wh, "r1", ids, analytics=a)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        got = con.execute("SELECT DISTINCT index_version, len(signature) FROM minhash_signatures").fetchall()
    finally:
        con.close()
    assert got == [(a.index_version, 64)] and first.signatures_added == len(PATHS)
    again = analytics.update_analytics(wh, "r2", [], analytics=a)
    assert (again.signatures_removed, again.signatures_added) == (0, 0)  # the same parameters: nothing to redo
    back = analytics.update_analytics(wh, "r3", [])
    assert (back.signatures_removed, back.signatures_added) == (len(PATHS), len(PATHS))  # the defaults: rebuilt


def _limit(con: duckdb.DuckDBPyConnection) -> int:
    return db.limit_bytes(str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]))


def _near(got: int, want: str) -> bool:
    return abs(got - db.limit_bytes(want)) <= db.limit_bytes(want) // 100


def test_a_run_gives_duckdb_its_memory_settings_and_records_every_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole run by the plan with memory limits other than the defaults: each step's claim is the run's value
    (read back from DuckDB inside the claim), the writer's limit is the run's between claims, and
    ``runs.settings_json`` holds the nested groups, read back as the same settings."""
    memory = {
        "writer": "200MB",
        "load": "70MB",
        "export_beside_analytics": "130MB",
        "export_after_analytics": "250MB",
        "run_export": "60MB",
        "analytics": "240MB",
    }
    seen: list[tuple[str, str, int, int]] = []  # (module, claim, memory_limit before it, inside it)

    def spy(module: Any) -> None:
        real = module.memory_claim

        @contextmanager
        def claim(con: duckdb.DuckDBPyConnection, db_path: Path, limit: str) -> Iterator[Any]:
            before = _limit(con)
            with real(con, db_path, limit) as c:
                seen.append((module.__name__, limit, before, _limit(con)))
                yield c

        monkeypatch.setattr(module, "memory_claim", claim)

    spy(loader)
    spy(analytics)
    folder = write_outlet(tmp_path / "src", n=3)
    extraction = {"paragraphs": {"length_low": 65}, "learned_min_files": 0}
    run_plain(folder, tmp_path / "wh", _Executor(), memory=memory, extraction=extraction)
    claims = [(m.rsplit(".", 1)[-1], limit) for m, limit, _, _ in seen]
    for step, limit in (
        ("loader", "70MB"),
        ("loader", "130MB"),
        ("loader", "250MB"),
        ("loader", "60MB"),
        ("analytics", "240MB"),
    ):
        assert (step, limit) in claims, claims
    for _, limit, before, inside in seen:
        assert inside >= db.limit_bytes(limit) * 0.99  # DuckDB's limit holds the claim (more beside another step)
        assert before >= db.limit_bytes("60MB") * 0.99
    # alone (not beside the analytics update), a step's claim is the instance's limit, the writer's before it
    alone = [(limit, before, inside) for m, limit, before, inside in seen if limit in ("70MB", "60MB")]
    assert alone and all(_near(inside, limit) and _near(before, "200MB") for limit, before, inside in alone)
    con = duckdb.connect(str(tmp_path / "wh" / "corpus.duckdb"), read_only=True)
    try:
        (stored,) = [json.loads(r[0]) for r in con.execute("SELECT settings_json FROM runs").fetchall()]
    finally:
        con.close()
    assert stored["memory"]["load"] == "70MB" and stored["extraction"]["paragraphs"]["length_low"] == 65
    assert stored["analytics"]["num_perm"] == params.NUM_PERM and stored["rules_version"]
    recorded = {k: v for k, v in stored.items() if k not in ("rules_version", "boundary_model_version")}
    want = Settings(
        warehouse=tmp_path / "wh", workers=1, validate_data=False, memory=memory, extraction=extraction
    ).resolved()
    assert Settings.model_validate(recorded) == want  # read back as the run's settings
