"""The title model (corpus_etl/titles.py): candidates, site-name affixes, the packaged model, choose_title."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_etl import titles
from corpus_etl.rules import load_rules
from corpus_etl.settings import Settings
from corpus_etl.split import SplitOptions, logical_lines
from tests.conftest import CORPORA, need_shared

RULES = load_rules(Settings().extraction.rules_path)
OPTS = SplitOptions()

BODY = (
    "The harbour council approved a new timetable for the island ferries on Monday evening after a long "
    "debate, and boats will leave every thirty minutes during the summer season.\n\n"
    "Councillors who opposed the ferry timetable said the harbour could not handle the extra traffic without "
    "new moorings, and they asked the operator to publish its passenger figures.\n"
)
PAGE = (
    "Harbour Gazette\n\nHome\nNews\nSport\nWeather\n\nLatest Headlines From The Region\n\n"
    "Council Approves New Island Ferry Timetable\n\nBy Jane Smith\n\n" + BODY + "\nHarbour Gazette\n"
)


def body_start(lines: list, prefix: str) -> int:
    return next(i for i, ln in enumerate(lines) if ln.text.startswith(prefix))


def test_candidates_are_a_window_around_the_body_start_without_long_or_letterless_lines():
    lines = logical_lines("\n".join([f"Line number {k}" for k in range(60)] + ["12 34 56", "x " * 60]) + "\n")
    cands = titles.title_candidates(lines, 50)
    assert cands[0] == 50 - titles.WINDOW_BEFORE and cands[-1] == 50 + titles.WINDOW_AFTER - 1
    assert titles.title_candidates(lines, 50, first_line=45)[0] == 45  # (the previous article ends at 44)
    lines2 = logical_lines("Intro Line Here\n12 34 56\n" + "word " * 60 + "\n" + BODY)
    assert titles.title_candidates(lines2, 3) == [0, 3, 4]


def test_normalise_title_folds_case_spaces_and_edge_punctuation():
    assert titles.normalise_title("  “Hello,   World!” ") == "hello, world"


def test_site_suffix_is_stripped_only_when_the_page_shows_it_as_a_site_name():
    line = "Council Approves New Ferry Timetable | Harbour Gazette"
    assert titles.strip_site_affix(line, OPTS) == line  # nothing says the suffix is a site
    sites = titles.site_names([line, "Weather Warning Issued For Coast | Harbour Gazette"])
    assert titles.strip_site_affix(line, OPTS, sites) == "Council Approves New Ferry Timetable"
    assert titles.strip_site_affix("Council Approves New Ferry Timetable - example.com", OPTS) == (
        "Council Approves New Ferry Timetable"
    )
    quote = "'Signing Would Be Great For The Club' - Pastore"
    assert titles.strip_site_affix(quote, OPTS, titles.site_names([quote, quote])) == quote  # one line, twice


def test_a_headline_the_page_quotes_whole_keeps_its_separated_end():
    head = "It Isn’t All Fun and Frivolity — Gamers Have Problems Too"
    page = [head, "Have you ever had a problem?", "Gamer Problems 4:30 PM " + head]
    index = titles.page_index(page)
    assert "gamers have problems too" in index.sites  # (it ends two different lines: both are the headline)
    assert titles.strip_site_affix(head, OPTS, index.sites) == "It Isn’t All Fun and Frivolity"
    assert titles.clean_title(head, OPTS, index) == head  # the page quotes the whole line: no site affix
    site = ["Council Approves New Ferry Timetable | Harbour Gazette", "Weather Warning Issued | Harbour Gazette"]
    assert titles.clean_title(site[0], OPTS, titles.page_index(site)) == "Council Approves New Ferry Timetable"


def test_packaged_model_matches_the_features_and_is_versioned():
    model = titles.load_model()
    assert model.version.startswith("titles-") and model.trees.meta["version"] == model.version
    assert model.trees.stages[0].features == titles.FEATURES and model.trees.classes == titles.CLASSES
    assert 0 <= model.threshold < 1
    assert titles.model_version() == model.version


def test_a_model_file_with_other_features_is_refused(tmp_path: Path):
    from corpus_etl.linemodel.model import LineModel, Stage, save_model

    trees = titles.load_model().trees
    renamed = LineModel(trees.classes, (Stage(trees.stages[0].learner, (*titles.FEATURES[:-1], "x")),), trees.meta)
    path = tmp_path / "m.npz"
    save_model(path, renamed)
    with pytest.raises(ValueError, match="make train"):
        titles.load_model(str(path))


def test_a_fold_line_model_pairs_with_the_title_model_beside_it(tmp_path: Path):
    assert titles.title_model_path(None) == titles.MODEL_PATH
    line_model = tmp_path / "linemodel-fold2.npz"
    assert titles.title_model_path(line_model) == titles.MODEL_PATH  # no model beside it: the packaged one
    (tmp_path / "titles-fold2.npz").write_bytes(titles.MODEL_PATH.read_bytes())
    assert titles.title_model_path(line_model) == tmp_path / "titles-fold2.npz"
    (tmp_path / "mine-titles.npz").write_bytes(b"")
    assert titles.title_model_path(tmp_path / "mine.npz") == tmp_path / "mine-titles.npz"


def test_the_evaluation_has_a_title_model_for_every_site_fold():
    """make eval scores each dragnet page's title with the model of its site fold (trained without its site)."""
    from corpus_etl.linemodel.corpora import K_FOLDS

    root = Path(titles.__file__).resolve().parents[1] / "eval" / "models"
    for k in range(K_FOLDS):
        model = titles.load_model(str(titles.title_model_path(root / f"linemodel-fold{k}.npz")))
        assert model.version.endswith(f"-fold{k}") and model.threshold == titles.load_model().threshold


def test_features_have_one_row_per_candidate():
    lines = logical_lines(PAGE)
    b = body_start(lines, "The harbour council")
    cands = titles.title_candidates(lines, b)
    rows = titles.title_features(lines, b, cands, RULES, OPTS)
    assert len(rows) == len(cands) and all(len(r) == len(titles.FEATURES) for r in rows)
    overlap = titles.FEATURES.index("body_overlap")
    by_text = {lines[i].text: r for i, r in zip(cands, rows, strict=True)}
    assert by_text["Council Approves New Island Ferry Timetable"][overlap] > by_text["Weather"][overlap]


def test_a_list_items_features_are_read_without_its_bullet():
    # the Facebook Blog prints each post's headline as a list item: "+ A Faster Way to Message on Mobile"
    bulleted = PAGE.replace("Council Approves", "+ Council Approves")
    rows = {}
    for page in (PAGE, bulleted):
        lines = logical_lines(page)
        b = body_start(lines, "The harbour council")
        cands = titles.title_candidates(lines, b)
        feats = titles.title_features(lines, b, cands, RULES, OPTS)
        rows[page] = next(r for i, r in zip(cands, feats, strict=True) if "Council Approves" in lines[i].text)
    f = titles.FEATURES.index
    plain, item = rows[PAGE], rows[bulleted]
    assert plain[f("list_item")] == 0.0 and item[f("list_item")] == 1.0
    for name in ("headline", "title_case", "body_overlap", "log_words", "next_meta"):
        assert item[f(name)] == plain[f(name)] and plain[f("headline")] == 1.0, name


def test_choose_title_takes_the_headline_over_menus_and_the_site_name():
    lines = logical_lines(PAGE)
    b = body_start(lines, "The harbour council")
    choice = titles.choose_title(PAGE, lines, b, RULES, OPTS)
    assert choice is not None
    assert choice.title == "Council Approves New Island Ferry Timetable"
    assert lines[choice.line].text == choice.title
    assert titles.load_model().threshold <= choice.probability <= 1
    assert titles.choose_title(PAGE, lines, b, RULES, OPTS) == choice  # deterministic
    after = titles.choose_title(PAGE, lines, b, RULES, OPTS, first_line=choice.line + 1)
    assert after is None or after.line > choice.line


def test_a_line_the_page_prints_under_every_picture_is_never_the_headline(monkeypatch):
    # a photo post whose caption line is printed under each picture and once over the body (dragnet R604: 22
    # times): the model would take it, having no headline to take
    caption = "Mouseover photo to load notes or add comment"
    pictures = "\n\n".join([caption] * (titles.REPEATED_NOT_TITLE + 2))
    page = f"Harbour Gazette\n\nSat 2012/11/10 02:27 JST\nPosted by Jane Smith\n{caption}\n\n{BODY}\n{pictures}\n"
    lines = logical_lines(page)
    b = body_start(lines, "The harbour council")
    assert titles.choose_title(page, lines, b, RULES, OPTS) is None
    monkeypatch.setattr(titles, "REPEATED_NOT_TITLE", 10**6)  # (without the rule, the model takes the caption)
    choice = titles.choose_title(page, lines, b, RULES, OPTS)
    assert choice is not None and choice.title == caption


def test_choose_title_gives_none_without_a_body_or_above_every_probability():
    lines = logical_lines(PAGE)
    assert titles.choose_title(PAGE, lines, len(lines), RULES, OPTS) is None
    strict = titles.TitleModel(titles.load_model().version, titles.load_model().trees, 1.01)
    assert titles.choose_title(PAGE, lines, body_start(lines, "The harbour council"), RULES, OPTS, strict) is None


def test_on_dragnet_pages_the_model_finds_most_headlines():
    """A regression check on real pages (the shipped model saw them: site-disjoint numbers are in
    models/TITLES.md). The body start here is the gold body's first long line."""
    root = need_shared(CORPORA / "dragnet")
    gold = json.loads((root / "titles.json").read_text(encoding="utf-8"))
    right = n = 0
    for key in sorted(gold)[:60]:
        text = (root / "page_text" / f"{key}.txt").read_text(encoding="utf-8", errors="replace")
        body = " ".join((root / "gold" / f"{key}.txt").read_text(encoding="utf-8", errors="replace").split())
        lines = logical_lines(text)
        b = next((i for i, ln in enumerate(lines) if len(ln.text.split()) >= 15 and ln.text[:60] in body), None)
        if b is None:
            continue
        n += 1
        choice = titles.choose_title(text, lines, b, RULES, OPTS)
        right += choice is not None and titles.normalise_title(choice.title) == titles.normalise_title(
            gold[key]["title"]
        )
    assert n >= 40 and right / n >= 0.6


@pytest.mark.parametrize(
    ("text", "capitals", "digits"),
    [
        ("BREAKING NEWS: 3 DEAD", True, 1),
        ("Breaking news 2012", False, 4),
        ("2012 - 13", False, 6),  # no letters: not all capitals
        ("ÉTÉ 2012 À PARIS", True, 4),
        ("Été 2012", False, 4),
        ("ⅰ ROMAN", True, 0),  # a lower-case numeral that is no letter does not count
        ("١٢٣ ABC", True, 3),  # Arabic-Indic digits are digits
    ],
)
def test_capitals_and_digits_of_a_title_line(text, capitals, digits):
    assert titles._capitals_digits(text) == (capitals, digits)


def test_the_line_facts_memo_stays_bounded_under_one_key(monkeypatch):
    """The memo of line facts is forgotten once full even when every call uses the same rules and options (it
    was checked only for a new key, so a batch worker's memo grew all run); the features are the same."""

    def features(page: str) -> list[list[float]]:
        lines = logical_lines(page)
        b = body_start(lines, "The harbour council")
        return titles.title_features(lines, b, titles.title_candidates(lines, b), RULES, OPTS)

    def held() -> int:
        return sum(map(len, titles._FACTS.values())) + sum(map(len, titles._STRIPPED.values()))

    other = PAGE.replace("Harbour Gazette", "Island Courier").replace("Home\nNews\nSport", "Front\nLocal\nArts")
    titles.forget_memos()
    want = features(other)
    alone = held()
    titles.forget_memos()
    features(PAGE)
    monkeypatch.setattr(titles, "_FACTS_MAX", held())  # full now
    assert features(other) == want
    assert held() == alone  # forgotten, then the other page's lines only
    titles.forget_memos()
    assert not titles._FACTS and not titles._STRIPPED and not titles._CONTENT and not titles._INDEXES
