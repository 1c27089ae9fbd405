"""Multi-News and JSONL inputs: records, spans mapped back to the file, envelopes accounted for."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_etl.discover import stat_file
from corpus_etl.formats import detect_format, read_summaries, split_document
from corpus_etl.pipeline import process_source, row_coverage
from corpus_etl.rules import load_rules
from corpus_etl.settings import Settings
from corpus_etl.split import SplitOptions, check_coverage

R = load_rules()
OPTS = SplitOptions()
PARA = "The council met on Monday and agreed a plan for the river. " * 6


def test_multinews_clusters_and_spans():
    src = (
        f"Council backs river plan after debate NEWLINE_CHAR NEWLINE_CHAR {PARA} NEWLINE_CHAR Read more"
        f" ||||| Second outlet covers the river plan NEWLINE_CHAR NEWLINE_CHAR {PARA}\n"
        f"Third story about a new school opening NEWLINE_CHAR NEWLINE_CHAR {PARA}\n"
    )
    res = split_document(src, "multinews", R, OPTS)
    assert check_coverage(res) == []
    assert [(r.title, r.cluster) for r in res.records] == [
        ("Council backs river plan after debate", 0),
        ("Second outlet covers the river plan", 0),
        ("Third story about a new school opening", 1),
    ]
    for rec in res.records:  # spans point at the raw file text
        assert src[rec.char_start :].startswith(rec.title)
        for s, e in rec.paragraph_spans:
            assert src[s:e].startswith("The council met")
    rules = {(s.rule, src[s.start : s.end].strip()) for s in res.removed}
    assert ("multinews_separator", "|||||") in rules and ("read_more", "Read more") in rules


def _clusters(openers: list[str]) -> str:
    # (each cluster's own body: a paragraph of three clusters or more is the collection's boilerplate)
    return "".join(
        f"{first} NEWLINE_CHAR NEWLINE_CHAR {PARA.replace('river', _PLACES[k])}\n" for k, first in enumerate(openers)
    )


_PLACES = ["harbour", "bridge", "school", "tramway", "library", "stadium", "hospital", "market", "museum", "airport"]


def test_multinews_file_without_headlines_keeps_its_openers_in_the_body():
    # extracted bodies: most articles open with running text, and the few headline-like first lines are captions
    captions = ["Lizandra Cosme, 32, of Chicago", "Story highlights The vote"]
    prose = [f"Officials said the {place} plan would go ahead as agreed." for place in _PLACES[2:]]
    src = _clusters(captions + prose)
    res = split_document(src, "multinews", R, OPTS)
    assert check_coverage(res) == []
    assert len(res.records) == 10 and all(r.kind == "article" and r.title is None for r in res.records)
    first = res.records[0]
    s, e = first.paragraph_spans[0]
    assert src[s:e] == captions[0] and first.paragraphs[0] == captions[0]
    assert first.body_words == sum(len(p.split()) for p in first.paragraphs)
    # the same file with headlines over most of its articles keeps them as titles
    heads = [f"Council backs {place} plan after long debate" for place in _PLACES[2:]]
    res = split_document(_clusters(captions + heads), "multinews", R, OPTS)
    assert [r.title for r in res.records[2:]] == heads
    # a file of a few articles is not judged: its one headline stays a title
    res = split_document(_clusters(captions[:1] + prose[:3]), "multinews", R, OPTS)
    assert res.records[0].title == captions[0]


def test_jsonl_file_without_headlines_takes_titles_from_the_field():
    lines = [
        json.dumps({"title": f"Given title {k}", "text": f"Story highlights The mayor {k}\n\n{PARA}"}) for k in range(2)
    ]
    lines += [
        json.dumps({"text": f"Officials said on day {k} that the plan would go ahead.\n\n{PARA}"}) for k in range(8)
    ]
    res = split_document("\n".join(lines) + "\n", "jsonl", R, OPTS)
    assert check_coverage(res) == []
    assert [(r.title, r.title_source) for r in res.records[:2]] == [
        ("Given title 0", "jsonl_field"),
        ("Given title 1", "jsonl_field"),
    ]
    assert res.records[0].paragraphs[0] == "Story highlights The mayor 0"
    assert all(r.title is None for r in res.records[2:])


def test_jsonl_text_field_meta_and_bad_lines():
    lines = [
        json.dumps({"id": 1, "title": "Given title", "text": "caf\u00e9 \u201cquote\u201d said:\n\n" + PARA}),
        json.dumps({"text": "River plan backed after long debate\n\n" + PARA + "\n\nSkip to main content"}),
        "not json at all",
        json.dumps({"other": 1}),
    ]
    text = "\n".join(lines) + "\n"
    assert detect_format("x.txt", text) == "jsonl"
    res = split_document(text, "jsonl", R, OPTS)
    assert check_coverage(res) == []
    a, b = res.records
    assert a.title == "Given title" and a.meta == {"id": 1, "title": "Given title"} and a.cluster == 0
    assert b.title == "River plan backed after long debate" and b.cluster == 1
    # the paragraph span is in the escaped JSON text: same characters, since the paragraph is ASCII
    s, e = a.paragraph_spans[-1]
    assert text[s:e] == PARA.strip()
    rules = [s.rule for s in res.removed]
    assert "jsonl_invalid_line" in rules and "skip_link" in rules and "jsonl_envelope" in rules


def test_jsonl_unicode_escapes_map_back():
    obj = {"text": "Caf\u00e9 owners \U0001f600 gather today downtown\n\n" + PARA}
    line = json.dumps(obj) + "\n"  # ensure_ascii: \u00e9 and a surrogate pair in the file
    res = split_document(line, "jsonl", R, OPTS)
    assert check_coverage(res) == []
    rec = res.records[0]
    assert line[rec.char_start : rec.char_start + 4] == "Caf\\"


def test_detect_format():
    assert detect_format("a/b.src", "x") == "multinews"
    assert detect_format("a/b.src.gz", "x") == "multinews"
    assert detect_format("a/b.tgt", "x") == "multinews_summary"
    assert detect_format("a/b.jsonl.zst", "x") == "jsonl"
    assert detect_format("a/b.txt", "a ||||| b NEWLINE_CHAR c") == "multinews"
    assert detect_format("a/b.txt", "Headline\n\nBody.") == "text"
    assert read_summaries("\u2013 First summary NEWLINE_CHAR more\n\n\u2013 Third\n") == {
        0: "First summary \n more",
        2: "Third",
    }


def test_multinews_file_with_tgt_gives_clusters(tmp_path):
    src = tmp_path / "test.src.gz"
    src.write_bytes(gzip.compress(f"River plan backed by council NEWLINE_CHAR NEWLINE_CHAR {PARA}\n".encode()))
    (tmp_path / "test.tgt").write_text("\u2013 The council backed the plan.\n", encoding="utf-8")
    r = process_source(stat_file(str(src)), Settings(), "r", datetime.now(UTC))
    assert r.source["format"] == "multinews" and r.source["compression"] == "gzip"
    assert r.rows["clusters"][0]["summary"] == "The council backed the plan."
    assert r.rows["articles"][0]["cluster"] == 0
    tgt = process_source(stat_file(str(tmp_path / "test.tgt")), Settings(), "r", datetime.now(UTC))
    assert tgt.source["format"] == "multinews_summary" and tgt.rows["articles"] == []
    assert tgt.rows["removed_spans"][0]["rule"] == "multinews_summary"


def test_paragraph_rows_and_published_date(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(
        "River plan backed after long debate\n\nPublished: March 3, 2015\n\n"
        + PARA
        + "\n\nSecond paragraph of the story is here and it ends.\n",
        encoding="utf-8",
    )
    r = process_source(stat_file(str(p)), Settings(), "r", datetime.now(UTC))
    (a,) = r.rows["articles"]
    assert str(a["published_date"]) == "2015-03-03" and "Published" not in a["body"]
    paras = r.rows["paragraphs"]
    assert [x["position"] for x in paras] == [0, 1] and "\n\n".join(x["text"] for x in paras) == a["body"]
    text = p.read_text(encoding="utf-8")
    assert all(text[x["char_start"] : x["char_end"]] == x["text"] for x in paras)
    assert all(x["language"] is None for x in paras)  # one language: not detected per paragraph


def test_mixed_language_article_gets_paragraph_languages(tmp_path):
    en = "The council approved the new budget on Tuesday after a long debate about transit and housing. " * 2
    fr = "Le conseil municipal a approuvé mardi le nouveau budget après un long débat sur les transports. " * 2
    p = tmp_path / "mixed.txt"
    p.write_text(f"Council approves the budget in two languages\n\n{en}\n\n{fr}\n", encoding="utf-8")
    r = process_source(stat_file(str(p)), Settings(), "r", datetime.now(UTC))
    assert [x["language"] for x in r.rows["paragraphs"]] == ["en", "fr"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["text", "title", "id"]), st.text(max_size=200)), max_size=6))
def test_jsonl_accounting_property(objs):
    text = "".join(json.dumps(o, ensure_ascii=bool(len(o) % 2)) + "\n" for o in objs)
    assert check_coverage(split_document(text, "jsonl", R, OPTS)) == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "|", "\n", "NEWLINE_CHAR", "|||||", " ||||| ", PARA]), max_size=40))
def test_multinews_accounting_property(parts):
    text = "".join(parts)
    assert check_coverage(split_document(text, "multinews", R, OPTS)) == []


def test_a_paragraph_in_another_language_past_the_sample_is_found(tmp_path):
    """The record's language comes from a sample of its start; a French quote further down, which does not sway
    that sample, is still found (``foreign_paragraphs``, then detection) and the paragraphs get languages."""
    en = [
        f"The council met for the {n} time this year to discuss the new budget, and members said that the plan "
        "would be voted on before the end of the month after a long debate about transit and housing."
        for n in ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")
    ]
    fr = (
        "« Nous avons toujours dit que ce budget était injuste pour les familles et nous ne le voterons pas », "
        "a déclaré la présidente du groupe d'opposition devant les journalistes."
    )
    body = [*en[:6], fr, en[6]]
    assert sum(len(p) + 2 for p in body[:6]) > Settings().language.sample_chars  # the quote is past the sample
    p = tmp_path / "quote.txt"
    p.write_text("Council debates the budget again\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    r = process_source(stat_file(str(p)), Settings(), "r", datetime.now(UTC))
    (article,) = r.rows["articles"]
    assert article["language"] == "en"
    assert [x["language"] for x in r.rows["paragraphs"]] == ["en"] * 6 + ["fr", "en"]
    # a line-up (names, no function words) in an English report is no other language: no per-paragraph pass
    lineup = (
        "Cech, Paulo Ferreira, Gallas, Terry, Johnson, Duff, Makelele, Lampard, Robben, Drogba, Gudjohnsen. "
        "Subs: Cudicini."
    )
    q = tmp_path / "lineup.txt"
    q.write_text("Chelsea win again at home\n\n" + "\n\n".join([*en[:3], lineup, en[3]]) + "\n", encoding="utf-8")
    r = process_source(stat_file(str(q)), Settings(), "r", datetime.now(UTC))
    assert all(x["language"] is None for x in r.rows["paragraphs"])


def test_format_is_detected_per_file_and_can_be_forced(tmp_path):
    body = "Dockers at the harbour walked out on Monday after talks over night-shift pay broke down, leaving ships."
    line = json.dumps({"text": f"Harbour cranes stand idle as dockers strike\n\n{body}", "id": 7})
    p = tmp_path / "a.txt"  # JSON Lines under a .txt name: found by content
    p.write_text(line + "\n", encoding="utf-8")
    auto = process_source(stat_file(str(p)), Settings(), "r", datetime.now(UTC))
    assert auto.source["format"] == "jsonl" and json.loads(auto.rows["articles"][0]["meta_json"]) == {"id": 7}
    forced = process_source(stat_file(str(p)), Settings(reading={"input_format": "text"}), "r", datetime.now(UTC))
    assert forced.source["format"] == "text"
    # read as plain text: the JSON syntax is text of the file (here removed as a line before any headline)
    seen = [r["text"] for r in forced.rows["removed_spans"]] + [r["body"] for r in forced.rows["articles"]]
    assert any('"id": 7' in t for t in seen) and not any(r["meta_json"] for r in forced.rows["articles"])


def bad_json_lines() -> tuple[str, list[str]]:
    """A JSONL text of JSON Lines a str.splitlines-based reader got wrong, and what each line should become."""
    lines = [
        (json.dumps({"text": PARA}), "record"),
        (json.dumps({"text": "Raw\u2028separator, next\u0085line, \x0cfeed. " + PARA}, ensure_ascii=False), "record"),
        ('{"text": "lone \\ud800\\u0041 half. ' + PARA + '"}', "jsonl_unstorable_line"),
        ('{"text": "' + PARA + '", "m": ' + "[" * 100_000 + "]" * 100_000 + "}", "jsonl_unstorable_line"),
        ('{"text": "' + PARA + '", "m": ' + "[" * 65 + "]" * 65 + "}", "jsonl_unstorable_line"),
        ('{"text": "' + PARA + '", "m": ' + "[" * 64 + "]" * 64 + "}", "record"),
        (json.dumps({"text": "A pair \U0001f600 kept. " + PARA}), "record"),
    ]
    return "\n".join(line for line, _ in lines) + "\n", [what for _, what in lines]


def test_jsonl_lines_are_split_on_newline_only_and_bad_records_fail_alone():
    text, want = bad_json_lines()
    res = split_document(text, "jsonl", R, OPTS)
    assert check_coverage(res) == []
    assert [r.cluster for r in res.records] == [n for n, w in enumerate(want) if w == "record"]
    line_starts = [0, *[i + 1 for i, ch in enumerate(text) if ch == "\n"][:-1]]
    for n, what in enumerate(want):
        if what != "record":
            (rule,) = {s.rule for s in res.removed if s.start <= line_starts[n] < s.end}
            assert rule == what, n
    assert not any("\u2441" in "".join(r.paragraphs) for r in res.records)  # \ud800\u0041 mis-decoded
    assert "\U0001f600" in "".join(res.records[-1].paragraphs)  # an escaped pair is one character


def test_a_text_file_starting_with_json_nested_past_the_recursion_limit_is_text():
    assert detect_format("x.txt", '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n") == "text"
    assert detect_format("x.txt", '{"a": ' * 100_000 + "1" + "}" * 100_000) == "text"


# A scraper's failure text standing in for an article (invented), and stories of different clusters.
PLAYER = "Our video player could not start in this browser, so please reload the page and try once more."
HEADLINE = {
    0: "Harbour board backs dredging plan",
    1: "Library chess club doubles in size",
    2: "Barley harvest starts early on the plain",
    3: "Tram line to close for rail repairs",
}
STORY = {
    0: "The harbour board voted on Friday to dredge the channel before the autumn storms arrive. " * 3,
    1: "A chess club in the old library has doubled its members since the new coach arrived. " * 3,
    2: "Farmers on the plain began the barley harvest a fortnight early after a dry warm summer. " * 3,
    3: "The city tram line will close for three weeks while engineers replace the worn rails. " * 3,
}
CLOSING = "Growers said it was the earliest start to the harvest that anyone in the valley could remember."
WIRE = "Engineers said the work had been planned for two years and would be paid for by the state."


def _src(player_clusters: tuple[int, ...]) -> str:
    """Four clusters; ``PLAYER`` is an article of its own under each of ``player_clusters`` but the last, and a
    paragraph inside the story of the last (before its closing paragraph); cluster 3's two articles share the
    wire paragraph ``WIRE``."""
    lines = []
    for c, story in STORY.items():
        arts = [f"{HEADLINE[c]} NEWLINE_CHAR NEWLINE_CHAR {story}"]
        if c == 3:
            arts = [
                f"{a} NEWLINE_CHAR NEWLINE_CHAR {WIRE}"
                for a in (arts[0], f"Second outlet: {HEADLINE[c]} NEWLINE_CHAR NEWLINE_CHAR {story}")
            ]
        if c in player_clusters[:-1]:
            arts.append(PLAYER)
        elif player_clusters and c == player_clusters[-1]:
            arts[0] += f" NEWLINE_CHAR NEWLINE_CHAR {PLAYER} NEWLINE_CHAR NEWLINE_CHAR {CLOSING}"
        lines.append(" ||||| ".join(arts))
    return "\n".join(lines) + "\n"


def test_a_paragraph_repeated_in_three_clusters_is_collection_boilerplate():
    src = _src((0, 1, 2))
    res = split_document(src, "multinews", R, OPTS)
    assert check_coverage(res) == []
    bodies = ["\n".join(r.paragraphs) for r in res.records]
    assert all(PLAYER not in b for b in bodies)
    assert len(res.records) == 5  # the two articles that held only the player's text are no records
    removed = [
        src[s.start : s.end].replace("NEWLINE_CHAR", "").strip() for s in res.removed if s.rule == "collection_repeat"
    ]
    assert removed == [PLAYER] * 3
    inside = [s for s in res.removed if s.rule == "collection_repeat" and s.record is not None]
    assert [res.records[s.record].cluster for s in inside] == [2]  # the paragraph inside cluster 2's story
    # the wire paragraph two articles of one story share stays in both
    assert [r.cluster for r in res.records if WIRE in r.paragraphs] == [3, 3]


def test_a_paragraph_of_two_clusters_stays_and_the_rule_can_be_turned_off():
    src = _src((0, 2))
    assert sum(PLAYER in r.paragraphs for r in split_document(src, "multinews", R, OPTS).records) == 2
    src = _src((0, 1, 2))
    off = split_document(src, "multinews", R, SplitOptions(collection_min_clusters=0))
    assert sum(PLAYER in r.paragraphs for r in off.records) == 3
    assert not any(s.rule == "collection_repeat" for s in off.removed)
    with pytest.raises(ValueError, match="collection_min_clusters"):
        Settings(extraction={"collection_min_clusters": 1})


def test_a_byline_of_many_clusters_is_metadata_not_boilerplate():
    src = "".join(
        f"{HEADLINE[c]} NEWLINE_CHAR NEWLINE_CHAR By Jane Doe NEWLINE_CHAR NEWLINE_CHAR {s}\n" for c, s in STORY.items()
    )
    res = split_document(src, "multinews", R, OPTS)
    assert [r.authors for r in res.records] == [["Jane Doe"]] * 4
    assert not any(s.rule == "collection_repeat" for s in res.removed)


def test_collection_boilerplate_rows_account_for_every_character(tmp_path):
    p = tmp_path / "dev.src"
    p.write_text(_src((0, 1, 2)), encoding="utf-8")
    r = process_source(stat_file(str(p)), Settings(), "r", datetime.now(UTC))
    arts, removed = r.rows["articles"], r.rows["removed_spans"]
    assert len(arts) == 5 and all(PLAYER not in str(a["body"]) for a in arts)
    assert sum(x["rule"] == "collection_repeat" for x in removed) == 3
    assert row_coverage(len(p.read_text(encoding="utf-8")), arts, removed) == []
