"""Learned boilerplate through the real flow: counted in a pre-pass, kept in ``line_hashes``, used by later runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_ingest_flow import _rows, _run
from tests.unit.test_learned import FOOTER, STORIES, page

pytestmark = pytest.mark.e2e


def test_lines_repeated_across_an_outlets_files_are_learned_and_remembered(prefect_api, tmp_path: Path) -> None:
    outlet = tmp_path / "courier"
    outlet.mkdir()
    for i, (title, lead) in enumerate(STORIES[:3]):
        (outlet / f"{i}.txt").write_text(page(title, lead), encoding="utf-8")
    wh = tmp_path / "wh"
    first = _run([outlet], wh, extraction={"learned_min_files": 4}, validate_data=False)
    assert first["n_processed"] == 3
    assert _rows(wh, "select count(*) from removed_spans where rule = 'learned_repeat'") == [(0,)]  # 3 files < 4
    assert _rows(wh, "select count(distinct source_id), min(folder) from line_hashes") == [(3, str(outlet))]

    # a fourth file: the footer is now in 4 files of the outlet, 3 of them counted by the earlier run
    (outlet / "3.txt").write_text(page(*STORIES[3]), encoding="utf-8")
    second = _run([outlet], wh, extraction={"learned_min_files": 4}, validate_data=False)
    assert (second["n_processed"], second["n_skipped"]) == (1, 3)  # unchanged files are not re-split
    removed = _rows(
        wh,
        "select s.path, r.text from removed_spans r join sources s using (source_id) where r.rule = 'learned_repeat'",
    )
    assert [(Path(p).name, t.strip()) for p, t in removed] == [("3.txt", FOOTER)]
    bodies = _rows(wh, "select body from articles where source_path like '%3.txt'")
    assert bodies and all(FOOTER not in b for (b,) in bodies)
    # every character is still accounted for
    gaps = _rows(
        wh,
        "select sum(char_end - char_start) from (select source_id, char_start, char_end from articles "
        "union all select source_id, char_start, char_end from removed_spans where article_id is null) "
        "where source_id in (select source_id from sources where path like '%3.txt')",
    )
    assert gaps == [(len((outlet / "3.txt").read_text(encoding="utf-8")),)]
