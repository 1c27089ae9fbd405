"""Learned boilerplate (corpus_etl/learned.py): lines repeated across an outlet's files, on tiny inline data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus_etl.discover import stat_file
from corpus_etl.learned import (
    collection_repeats,
    file_line_hashes,
    learn,
    learnable,
    learned_for,
    line_hash,
    normalize_line,
    outlet_key,
    outlet_line_hash,
    scan_file,
)
from corpus_etl.pipeline import process_batch, process_source
from corpus_etl.rules import load_rules
from corpus_etl.settings import Settings
from corpus_etl.split import SplitOptions, check_coverage, split_text

AT = datetime(2026, 1, 1, tzinfo=UTC)
FOOTER = "Sign up for the Courier’s morning briefing."  # a sentence: no edge rule removes it
WIRE = "The council voted on Tuesday to close the old bridge to all traffic for repairs."
STORIES = [
    ("Council closes the old bridge", "The bridge has carried traffic since 1911 and needs new cables and a deck."),
    ("Library extends its opening hours", "Readers may now borrow books until nine in the evening on weekdays."),
    ("New bakery opens on the high street", "The owners trained in Lyon and bake sourdough loaves every morning."),
    ("School wins the regional chess cup", "Twelve pupils took part and the final went to a tie-break match."),
]


def page(title: str, lead: str) -> str:
    body = " ".join([lead] * 4)
    return f"{title}\n\n{body}\n\n{WIRE}\n\n{body}\n\n{FOOTER}\n"


def write_outlet(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (title, lead) in enumerate(STORIES):
        p = folder / f"{i}.txt"
        p.write_text(page(title, lead), encoding="utf-8")
        paths.append(p)
    return paths


def test_normalisation_ignores_case_digits_punctuation_and_spacing() -> None:
    assert normalize_line("  Updated 12:30,  SHARE this!") == "updated 00 00 share this"
    assert line_hash("Share this story") == line_hash("SHARE   this story!")
    assert line_hash("Page 1 of 3") == line_hash("Page 2 of 4")
    assert line_hash("...") == ""


def test_an_outlets_lines_keep_their_figures_but_not_their_year() -> None:
    """A site's footer is printed the same on every page, its copyright year aside; a table's row differs
    from story to story. A line without figures hashes as ``line_hash`` does (the counts of earlier runs hold)."""
    assert outlet_line_hash("Shr 15 cts vs 18 cts") != outlet_line_hash("Shr 28 cts vs 46 cts")
    assert outlet_line_hash("© 2012 Courier Media Ltd") == outlet_line_hash("© 2013 COURIER MEDIA LTD.")
    assert outlet_line_hash("Page 1 of 3") != outlet_line_hash("Page 2 of 4")
    assert outlet_line_hash("Share this story") == line_hash("SHARE   this story!")
    assert outlet_line_hash("...") == ""


EARNINGS = [  # (headline, city, day, shr, net): one wire story of figures each
    ("ACME CORP 1ST QTR NET", "TORONTO", 4, (15, 18), ("4,500,000", "5,300,000")),
    ("BETA INDUSTRIES 4TH QTR NET", "TORONTO", 4, (28, 46), ("1,634,000", "2,007,000")),
    ("GAMMA FOODS 2ND QTR NET", "CHICAGO", 4, (17, 19), ("812,000", "990,000")),
    ("DELTA TOOLS 1ST QTR NET", "TORONTO", 4, (41, 38), ("21.7 mln", "33.0 mln")),
    ("EPSILON BANK 3RD QTR NET", "TORONTO", 4, (82, 77), ("9,100,000", "8,400,000")),
    ("ZETA MINES 1ST QTR NET", "TORONTO", 4, (13, 15), ("310,000", "402,000")),
]


def test_a_folder_of_wire_stories_keeps_their_tables_and_datelines(tmp_path: Path) -> None:
    """Six files of one folder each hold an earnings story (a dateline, rows of figures under a 'Year'
    heading) and a prose story. The rows differ from file to file and the dateline states the day: none is
    removed as the folder's boilerplate, and every story is its own record. The bare heading, the same in
    every file, is learned and removed (a line alone cannot tell a table's heading from a menu's item)."""
    folder = tmp_path / "wire"
    folder.mkdir()
    paths = []
    for i, (head, city, day, (s1, s2), (n1, n2)) in enumerate(EARNINGS):
        story = (
            f"{head}\n\n{city}, March {day} -\n\nYear\n\nShr {s1} cts vs {s2} cts\n\nNet {n1} vs {n2}\n\n"
            f"Note: the company's results include a gain of {s1} cts a share on the sale of a unit.\n\n\n"
        )
        title, lead = STORIES[i % len(STORIES)]
        p = folder / f"{i}.txt"
        p.write_text(story + f"{title}\n\n{' '.join([lead] * 4)}\n", encoding="utf-8")
        paths.append(p)
    current = {str(p): (outlet_key(str(p)), file_line_hashes(p.read_text())) for p in paths}
    learned = learn(current, min_files=5)[str(folder)]
    assert outlet_line_hash("Year") in learned
    for p, (head, city, day, (s1, s2), (n1, _)) in zip(paths, EARNINGS, strict=True):
        res = split_text(p.read_text(), load_rules(), learned=learned)
        assert [r.title for r in res.records][:1] == [head] and len(res.records) == 2, p.name
        body = "\n".join(res.records[0].paragraphs)
        assert f"Shr {s1} cts vs {s2} cts" in body and f"Net {n1}" in body
        assert f"{city}, March {day}" in (res.records[0].dateline or "") + body
        assert {p.read_text()[s.start : s.end].strip() for s in res.removed if s.rule == "learned_repeat"} == {"Year"}
        assert check_coverage(res) == []


def test_a_story_the_folder_holds_three_times_keeps_its_headline(tmp_path: Path) -> None:
    """Three files of a folder of stories joined by a blank line hold the same story (a wire story filed again): its
    headline is learned with the folder's boilerplate. Removed, the story lost its title and was glued to the one
    before it. A learned headline-like line right over running text, in a text with no web chrome, stays the
    story's headline; the folder's footer sentence is still removed."""
    folder = tmp_path / "wire"
    folder.mkdir()
    again = STORIES[0]
    paths = []
    for i, (title, lead) in enumerate(STORIES[1:]):
        p = folder / f"{i}.txt"
        text = f"{title}\n\n{' '.join([lead] * 3)}\n\n{again[0]}\n\n{' '.join([again[1]] * 3)}\n\n{FOOTER}\n"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    current = {str(p): (outlet_key(str(p)), file_line_hashes(p.read_text())) for p in paths}
    learned = learn(current, min_files=3)[str(folder)]
    assert outlet_line_hash(again[0]) in learned and outlet_line_hash(FOOTER) in learned
    for p, (title, _) in zip(paths, STORIES[1:], strict=True):
        text = p.read_text()
        res = split_text(text, load_rules(), learned=learned)
        assert [r.title for r in res.records] == [title, again[0]], p.name
        assert {text[s.start : s.end].strip() for s in res.removed if s.rule == "learned_repeat"} == {FOOTER}
        assert check_coverage(res) == []
    # on a web page (a site's chrome lines: a skip link, a menu, a copyright line), a learned line over the lede is
    # the site's boilerplate as before (a site's name printed over each story)
    from corpus_etl.split.state import SplitState

    chrome = "Skip to main content\n\nHome | News | Sport | Weather\n\n"
    for text, rule in (
        (paths[0].read_text(), None),
        (
            chrome + paths[0].read_text().replace(f"{FOOTER}\n", "© 2024 The Courier. All rights reserved.\n"),
            "learned_repeat",
        ),
    ):
        st = SplitState(text, load_rules(), SplitOptions(), learned)
        [i] = [k for k, ln in enumerate(st.lines) if ln.text == again[0]]
        assert st.repeat_rule(i) == rule


def test_a_story_a_file_holds_again_keeps_its_headline_each_time() -> None:
    """A file of stories joined by separator lines holds one story three times (filed again): its headline, a short
    line the file repeats, was removed as 'repeated_line' each time, and the story had no title (joined by a blank
    line, it was glued to the story before it: the 50 MB bench corpus). A headline-like line over the same running
    text every time, in a text with no web chrome, is the story's headline."""
    again = STORIES[0]
    parts = []
    for title, lead in STORIES[1:]:
        parts += [f"{title}\n\n{' '.join([lead] * 3)}", f"{again[0]}\n\n{' '.join([again[1]] * 3)}"]
    text = "\n\n-----\n\n".join(parts) + "\n"
    res = split_text(text, load_rules())
    assert [r.title for r in res.records] == [t for title, _ in STORIES[1:] for t in (title, again[0])]
    assert not [s for s in res.removed if s.rule == "repeated_line"]
    assert check_coverage(res) == []


def test_a_notice_a_file_holds_again_keeps_its_headline_over_its_dateline() -> None:
    """A dividend notice printed twice in a file of stories: its headline stands over a bare dateline stating the day
    ("NEW BRITAIN, Conn., March 4 -"), not running text. Removed as 'repeated_line', the dateline was rejected as a
    title and the rows were left an untitled record of 11 words with no dateline (quarantined)."""
    notice = "STANLEY WORKS <SWK> SETS QUARTERLY\n\nNEW BRITAIN, Conn., March 4 -\n\n"
    notice += "Qtly div 19 cts vs 19 cts prior\n\nPay March 31\n\nRecord March 12"
    parts = [f"{title}\n\n{' '.join([lead] * 3)}" for title, lead in STORIES]
    text = "\n\n-----\n\n".join([parts[0], notice, parts[1], parts[2], notice, parts[3]]) + "\n"
    res = split_text(text, load_rules())
    notices = [r for r in res.records if r.title == "STANLEY WORKS <SWK> SETS QUARTERLY"]
    assert len(notices) == 2
    for r in notices:
        assert r.dateline == "NEW BRITAIN, Conn., March 4"
        assert r.paragraphs[1:] == ["Qtly div 19 cts vs 19 cts prior", "Pay March 31", "Record March 12"]
    assert check_coverage(res) == []


def test_a_brief_printed_again_with_its_dateline_keeps_its_headline_both_times() -> None:
    """An earnings brief a file holds twice, once under its dateline ("COSTA MESA, Calif., March 17 -") and once
    without it: the two records' first paragraphs differ only by that dateline, so the headline read as a line printed
    over two different stories (a site's name) and was rejected over both ('title_rejected'); the untitled copy of 19
    words was quarantined. A bare dateline does not make another story."""
    head = "ICN BIOMEDICALS INC <BIMD> 1ST QTR FEB 28 NET"
    rows = "Shr 10 cts vs eight cts\n\nNet 856,000 vs 574,000\n\nAvg shrs 8,809,000 vs 6,969,000"
    parts = [f"{title}\n\n{' '.join([lead] * 3)}" for title, lead in STORIES]
    first, again = f"{head}\n\n{rows}", f"{head}\n\nCOSTA MESA, Calif., March 17 -\n\n{rows}"
    text = "\n\n-----\n\n".join([parts[0], first, parts[1], parts[2], again, parts[3]]) + "\n"
    res = split_text(text, load_rules())
    assert [r.title for r in res.records].count(head) == 2
    assert not [s for s in res.removed if s.rule == "title_rejected"]
    assert check_coverage(res) == []


def test_running_text_and_figures_are_never_learned() -> None:
    assert learnable(FOOTER)
    assert not learnable(WIRE)  # a sentence of 8+ words: wire copy is legitimately shared
    assert not learnable("78,000")  # a line of bare figures is data
    assert learnable("Sign up for our newsletter.")  # short, even with a full stop


def test_outlet_is_the_folder() -> None:
    assert outlet_key("/data/courier/2024/a.txt") == "/data/courier/2024"
    assert outlet_key("s3://bucket/courier/a.txt.gz") == "s3://bucket/courier"
    assert outlet_key("/data/courier/a.txt") != outlet_key("/data/gazette/a.txt")


def test_learn_counts_distinct_files_per_outlet() -> None:
    h, x1, x2 = line_hash(FOOTER), line_hash("Only in a"), line_hash("Only in b")
    current = {
        "a": ("courier", [h, x1]),
        "b": ("courier", [h, h, x2]),  # twice in one file counts once
        "c": ("gazette", [h]),
    }
    assert learn(current, min_files=2) == {"courier": frozenset({h})}
    assert learn(current, min_files=3) == {}
    # counts kept from earlier runs add up; outlets with no file in this run are not returned
    history = [("courier", h, 1), ("gazette", h, 2), ("herald", h, 9)]
    assert learn(current, history, min_files=3) == {"courier": frozenset({h}), "gazette": frozenset({h})}


def test_a_footer_shared_by_an_outlets_files_is_removed_and_accounted_for(tmp_path: Path) -> None:
    paths = write_outlet(tmp_path / "courier")
    current = {str(p): (outlet_key(str(p)), file_line_hashes(p.read_text())) for p in paths}
    learned = learn(current, min_files=3)[str(tmp_path / "courier")]
    assert outlet_line_hash(FOOTER) in learned and outlet_line_hash(WIRE) not in learned
    text = paths[0].read_text()
    before = split_text(text, load_rules())
    after = split_text(text, load_rules(), learned=learned)
    assert FOOTER in "\n".join(before.records[0].paragraphs)
    body = "\n".join(after.records[0].paragraphs)
    assert FOOTER not in body and WIRE in body and after.records[0].title == STORIES[0][0]
    (span,) = [s for s in after.removed if s.rule == "learned_repeat"]
    assert text[span.start : span.end].strip() == FOOTER
    assert check_coverage(after) == []


def test_process_batch_uses_the_learned_lines_of_each_files_outlet(tmp_path: Path) -> None:
    courier = write_outlet(tmp_path / "courier")
    gazette = write_outlet(tmp_path / "gazette")[:1]
    files = [stat_file(str(p)) for p in [*courier, *gazette]]
    hashes = {f.source_id: scan_file(f.path) for f in files}
    current = {f.source_id: (outlet_key(f.path), hashes[f.source_id]) for f in files}
    learned = learn(current, min_files=3)
    assert set(learned) == {str(tmp_path / "courier")}  # one gazette file teaches nothing
    assert learned_for(learned, files[-1:]) == {}
    settings = Settings(warehouse=tmp_path / "w")
    out = tmp_path / "staging"
    res = process_batch(files, 0, settings, "run-1", AT, str(out), learned_for(learned, files))
    assert res.n_failed == 0
    import pyarrow.parquet as pq

    removed = pq.read_table(res.paths["removed_spans"]).to_pylist()
    rules = {(r["source_id"], r["rule"]) for r in removed}
    assert all((f.source_id, "learned_repeat") in rules for f in files[:4])
    assert (files[4].source_id, "learned_repeat") not in rules
    lines = pq.read_table(res.paths["line_hashes"]).to_pylist()
    assert {r["folder"] for r in lines} == {str(tmp_path / "courier"), str(tmp_path / "gazette")}
    assert {r["line_hash"] for r in lines if r["source_id"] == files[0].source_id} == set(hashes[files[0].source_id])


def test_output_is_deterministic_and_learning_can_be_turned_off(tmp_path: Path) -> None:
    paths = write_outlet(tmp_path / "courier")
    src = stat_file(str(paths[0]))
    learned = frozenset({outlet_line_hash(FOOTER)})
    a = process_source(src, Settings(), "r", AT, learned)
    b = process_source(src, Settings(), "r", AT, learned)
    assert a.rows == b.rows
    off = process_source(src, Settings(extraction={"learned_min_files": 0}), "r", AT)
    assert off.rows["line_hashes"] == [] and len(a.rows["line_hashes"]) > 0


def test_counts_merged_in_any_chunks_learn_what_the_file_lists_do() -> None:
    """The pre-pass's compact counts (per worker chunk, merged in any order, compacted on the way) learn
    exactly what counting the per-file hash lists does."""
    import random

    from corpus_etl.learned import LineCounts, learn_counts

    rnd = random.Random(7)
    pool = [line_hash(f"line {i} of the menu") for i in range(300)]
    current = {f"f{i}": (f"outlet{i % 3}", [rnd.choice(pool) for _ in range(rnd.randint(0, 60))]) for i in range(90)}
    history = [(f"outlet{k}", rnd.choice(pool), rnd.randint(1, 4)) for k in range(4) for _ in range(50)]
    want = learn(current, history, min_files=6)
    assert want and "outlet3" not in want  # an outlet with no file in this run is not returned
    items = list(current.values())
    rnd.shuffle(items)
    merged = LineCounts()
    merged._COMPACT_AT = 5  # type: ignore[misc]  # compact often, as a long run would
    for start in range(0, len(items), 7):
        part = LineCounts()
        for outlet, hashes in items[start : start + 7]:
            part.add(outlet, hashes)
        merged.merge(part)
    assert learn_counts(merged, history, 6, {o for o, _ in current.values()}) == want


def test_collection_repeats_counts_clusters_not_copies_and_names_the_segments() -> None:
    notice = "The archive could not load this page, try the link again in a few minutes from now."
    shared = "Both reports quoted the mayor, who said the bridge would reopen before the winter holidays."
    segments = [
        (0, f"Bridge to reopen soon\n\n{shared}"),
        (0, f"Mayor speaks on bridge\n\n{shared}\n\n{notice.upper()}"),  # case and digits are normalised away
        (1, notice),
        (2, f"Ferry fares rise\n\nFares rise in June.\n\n{notice}"),
    ]
    found = collection_repeats(segments, load_rules(), 3)
    assert found.hashes == {line_hash(notice)} and found.segments == {1, 2, 3}
    assert collection_repeats(segments, load_rules(), 4).hashes == frozenset()  # held by 3 clusters only
    assert collection_repeats(segments, load_rules(), 0).segments == frozenset()
    with pytest.raises(ValueError, match="cluster order"):
        collection_repeats(segments[::-1], load_rules(), 3)
