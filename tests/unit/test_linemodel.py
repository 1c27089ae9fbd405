"""The line model: units, gold labels, features, the numpy export of scikit-learn models, the packaged model."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from corpus_etl.linemodel import DEFAULT_MODEL, default_model, extract_body, predict_lines
from corpus_etl.linemodel.corpora import GoldPage, site_fold
from corpus_etl.linemodel.features import feature_names, page_features, stack_feature_names, stack_features
from corpus_etl.linemodel.labels import CLASSES, GoldText, label_units, tokens
from corpus_etl.linemodel.model import LineModel, Stage, load_model, save_model
from corpus_etl.linemodel.train import (
    GLUED_CORPUS,
    assign_folds,
    body_f1,
    build_pages,
    export_learner,
    glued_pages,
    scored,
)
from corpus_etl.linemodel.units import MAX_LINE_CHARS, make_units
from corpus_etl.rules import load_rules

PARAGRAPHS = [
    "The city council voted on Tuesday to approve a new budget that raises spending on parks and libraries "
    "by ten percent, after months of debate between the mayor and the members of the finance committee.",
    "Supporters of the plan said that the extra money would allow libraries to stay open on Sundays, "
    "which many residents had asked for in a survey that the council published in the spring.",
    "Critics argued that the budget does not do enough to repair the roads, and that the council should "
    "have waited for the state's decision on transport grants before it committed to new spending.",
    "The mayor said she would sign the budget this week, and that the first changes would be visible "
    "in the libraries by the end of the summer, when the new opening hours come into force.",
]
MENU = ["* Home", "* News", "* Politics", "* Sport", "* Weather", "Log in | Register", "Share this article"]
FOOTER = ["© 2024 Example Media. All rights reserved.", "Privacy policy | Terms of use | Contact us"]


def page() -> str:
    return (
        "\n".join(MENU)
        + "\n\nCouncil approves new budget\n\n"
        + "\n\n".join(PARAGRAPHS)
        + "\n\n"
        + "\n".join(FOOTER)
        + "\n"
    )


# --------------------------------------------------------------------------------------------------
# Units


def test_units_cut_long_lines_into_sentences_that_tile_the_line() -> None:
    long_line = " ".join(PARAGRAPHS)  # one line of ~800 characters
    text = "Menu\n\n" + long_line + "\nEnd\n"
    units = make_units(text)
    pieces = [u for u in units if u.line == 1]
    assert len(long_line) > MAX_LINE_CHARS and len(pieces) > 2
    assert pieces[0].start == text.index(long_line) and pieces[-1].end == text.index("End")
    for a, b in itertools.pairwise(pieces):
        assert a.end == b.start  # contiguous: the line's characters are all covered, in order
    for u in pieces:
        assert text[u.start : u.end].strip() == u.text  # a single space between sentences: exact pieces
        assert u.parts == len(pieces)
    assert [u.text for u in units if u.line != 1] == ["Menu", "End"]


def test_short_lines_are_units_as_they_are() -> None:
    units = make_units(page())
    assert [u.text for u in units[: len(MENU)]] == MENU
    assert all(u.parts == 1 for u in units)


# --------------------------------------------------------------------------------------------------
# Labels


def test_labels_menu_words_in_the_gold_are_not_body() -> None:
    gold = "Council approves new budget\n\n" + "\n\n".join(PARAGRAPHS) + "\nPolitics news home: the sport of weather."
    units = make_units(page())
    labels = label_units(units, gold, comments=None, title="Council approves new budget")
    by_text = dict(zip([u.text for u in units], labels, strict=True))
    assert all(by_text[p] == "body" for p in PARAGRAPHS)
    assert by_text["Council approves new budget"] == "headline"
    # each word is in the gold, but not as a line of it: not body
    assert all(by_text[m] == "other" for m in MENU)
    assert all(by_text[f] == "other" for f in FOOTER)


def test_labels_long_line_needs_word_pairs_not_only_words() -> None:
    gold = GoldText(PARAGRAPHS[0])
    words = tokens(PARAGRAPHS[0])
    assert gold.matches(words)
    assert not gold.matches(sorted(words))  # the same words in another order: no pairs in common


def test_labels_comments() -> None:
    comment = "I think the libraries deserve every penny of this, well done to the council for once."
    text = page() + "\n" + comment + "\n"
    labels = label_units(make_units(text), "\n".join(PARAGRAPHS), comments=comment)
    assert labels[-1] == "comment"


# --------------------------------------------------------------------------------------------------
# Features


def test_features_shape_and_repeat_counts() -> None:
    from corpus_etl.learned import line_hash

    rules = load_rules()
    units = make_units(page())
    names = feature_names(rules)
    alone = page_features(units, rules)
    assert alone.shape == (len(units), len(names))
    assert np.isfinite(alone).all()
    counts = {line_hash(m): 5 for m in MENU}
    seen = page_features(units, rules, counts, collection_pages=6)
    rep = names.index("repeat_share")
    assert seen[0, rep] == pytest.approx(4 / 5) and seen[len(MENU) + 2, rep] == 0.0
    assert (alone[:, rep] == 0).all()
    # a rule hit is a feature: the copyright line
    col = names.index("rule:copyright")
    assert alone[[u.text for u in units].index(FOOTER[0]), col] == 1.0
    proba = np.full((len(units), len(CLASSES)), 0.25)
    assert stack_features(proba, units, CLASSES.index("body")).shape[1] == len(stack_feature_names(CLASSES))
    # a page without units (nothing but blank lines) has empty matrices of the same widths
    assert page_features([], rules).shape == (0, len(names))
    assert stack_features(proba[:0], [], 1).shape == (0, len(stack_feature_names(CLASSES)))


# --------------------------------------------------------------------------------------------------
# Export: the numpy inference gives scikit-learn's probabilities


def _data(n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, 6))
    x[rng.random(x.shape) < 0.05] = np.nan  # missing values take the side each node learned
    y = (np.nan_to_num(x[:, 0]) > 0).astype(int) + (n_classes > 2) * (np.nan_to_num(x[:, 1]) > 0.5)
    if n_classes > 3:
        y = np.where(np.nan_to_num(x[:, 2]) > 1.2, 3, y)
    return x, y


@pytest.mark.parametrize("n_classes", [2, 4])
def test_tree_export_reproduces_sklearn(tmp_path: Path, n_classes: int) -> None:
    x, y = _data(n_classes)
    est = HistGradientBoostingClassifier(max_iter=15, max_leaf_nodes=7, random_state=0).fit(x[:400], y[:400])
    names = tuple(f"f{k}" for k in range(x.shape[1]))
    classes = tuple(f"c{k}" for k in range(n_classes))
    model = LineModel(classes, (Stage(export_learner(est), names),), {"version": "test"})
    save_model(tmp_path / "m.npz", model)
    loaded = load_model(tmp_path / "m.npz")
    got = loaded.stages[0].predict_proba(x[400:], names)
    np.testing.assert_allclose(got, est.predict_proba(x[400:]), rtol=0, atol=1e-9)
    assert loaded.version == "test" and loaded.classes == classes
    # the columns are read by name: a reordered matrix gives the same answer, a missing column counts as 0
    perm = list(reversed(range(len(names))))
    np.testing.assert_allclose(loaded.stages[0].predict_proba(x[400:, perm], [names[k] for k in perm]), got)
    x0 = np.nan_to_num(x[400:], nan=0.0)
    x0[:, 5] = 0.0
    np.testing.assert_allclose(loaded.stages[0].predict_proba(x0[:, :5], names[:5]), est.predict_proba(x0), atol=1e-9)


def test_linear_export_reproduces_sklearn(tmp_path: Path) -> None:
    x, y = _data(4)
    x = np.nan_to_num(x)
    est = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(x[:400], y[:400])
    names = tuple(f"f{k}" for k in range(x.shape[1]))
    model = LineModel(tuple("abcd"), (Stage(export_learner(est), names),), {})
    save_model(tmp_path / "m.npz", model)
    got = load_model(tmp_path / "m.npz").stages[0].predict_proba(x[400:], names)
    np.testing.assert_allclose(got, est.predict_proba(x[400:]), rtol=0, atol=1e-9)


def test_saved_model_bytes_are_deterministic(tmp_path: Path) -> None:
    x, y = _data(4)
    fits = [HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(x, y) for _ in range(2)]
    for k, est in enumerate(fits):
        save_model(tmp_path / f"{k}.npz", LineModel(tuple("abcd"), (Stage(export_learner(est), ("a",) * 6),), {}))
    assert (tmp_path / "0.npz").read_bytes() == (tmp_path / "1.npz").read_bytes()


# --------------------------------------------------------------------------------------------------
# Folds and scores


def test_folds_keep_a_site_together_and_are_the_evaluations_folds() -> None:
    from types import SimpleNamespace

    from corpora.pages import url_site

    sites = [f"s{k % 13}.example" for k in range(100)]
    pages = [SimpleNamespace(page=SimpleNamespace(site=s)) for s in sites]
    folds = assign_folds(pages)  # type: ignore[arg-type]
    for s in set(sites):
        assert len({int(f) for f, t in zip(folds, sites, strict=True) if t == s}) == 1
    assert len(set(folds.tolist())) > 2  # (13 sites land in several folds)
    # eval.realistic scores a page of a site by the model trained without that site's fold
    assert [site_fold(url_site(f"https://WWW.{s}:8080/x")) for s in sites] == folds.tolist()


def test_glued_training_pages_are_two_pages_of_one_fold_read_as_one_and_never_scored() -> None:
    rules = load_rules()
    sites = [f"site{k}.example" for k in range(12)]
    gold = [
        GoldPage("dragnet", f"p{k}", s, page().replace("Council", f"Council {k}"), "\n".join(PARAGRAPHS), None, None)
        for k, s in enumerate(sites)
    ]
    pages = build_pages(gold, rules)
    glued = glued_pages(pages, rules, share=1.0)
    folds = assign_folds(pages).tolist()
    assert glued and all(d.page.corpus == GLUED_CORPUS for d in glued)
    for d in glued:
        first, second = (next(p for p in pages if p.page.key == k) for k in d.page.key.split("+"))
        assert first.page.site != second.page.site  # two sites ...
        assert folds[pages.index(first)] == folds[pages.index(second)]  # ... of one fold: site-disjoint
        assert assign_folds([d]).tolist() == [folds[pages.index(first)]]
        assert len(d.units) == len(first.units) + len(second.units)
        assert d.labels.tolist() == first.labels.tolist() + second.labels.tolist()  # both pages' bodies are body
        assert d.x.shape == (len(d.units), len(feature_names(rules)))
        assert d.page.text.startswith(first.page.text.rstrip("\n")) and d.page.text.endswith(second.page.text)
    assert scored([*pages, *glued]) == list(range(len(pages)))
    # the share: about half the pages get a partner, the same ones on every run
    half = glued_pages(pages, rules)
    assert 0 < len(half) < len(glued)
    assert [d.page.key for d in half] == [d.page.key for d in glued_pages(pages, rules)]


def test_body_f1_counts_token_multisets() -> None:
    assert body_f1("a b b c", "a b c") == pytest.approx(2 * (3 / 4) * 1 / (3 / 4 + 1))
    assert body_f1("", "a") == 0.0


# --------------------------------------------------------------------------------------------------
# The packaged model


def test_packaged_model_is_small_and_versioned() -> None:
    assert DEFAULT_MODEL.stat().st_size < 2_000_000
    model = default_model()
    assert model.version and model.classes == CLASSES and len(model.stages) == 2
    assert model.stages[0].features == feature_names(load_rules())


def test_packaged_model_keeps_the_article_and_drops_the_chrome() -> None:
    text = page()
    labels = predict_lines(text)
    by_text = {lab.text: lab for lab in labels}
    assert [lab.text for lab in labels] == [u.text for u in make_units(text)]
    assert all(by_text[p].label == "body" and by_text[p].body_probability > 0.5 for p in PARAGRAPHS)
    assert all(by_text[m].label != "body" for m in MENU + FOOTER)
    body = extract_body(text)
    assert body_f1(body, "\n".join(PARAGRAPHS)) > 0.95
    assert predict_lines("") == [] and extract_body("\n\n") == ""


def test_inference_does_not_import_scikit_learn() -> None:
    import json
    import subprocess
    import sys

    script = (
        "import json, sys\n"
        "from corpus_etl.linemodel import extract_body\n"
        "body = extract_body(sys.argv[1])\n"
        "print(json.dumps({'body': body, 'modules': sorted(m.split('.')[0] for m in sys.modules)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, page()], capture_output=True, text=True, check=True, timeout=120
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert PARAGRAPHS[0] in got["body"]
    assert not {"sklearn", "scipy", "joblib"} & set(got["modules"])


# --------------------------------------------------------------------------------------------------
# What the rules made of a page, as features; the splitter's use of the model


def test_rule_view_tiles_the_pieces_and_its_features_are_shares() -> None:
    from corpus_etl.linemodel.features import VIEW_FEATURES, view_features
    from corpus_etl.split import RULE_VIEW_GROUPS, check_coverage, rule_view_of

    text = page()
    result, view = rule_view_of(text, load_rules())
    assert not check_coverage(result)
    assert all(a < b for a, b, _ in view) and all(b <= c for (_, b, _), (c, _, _) in itertools.pairwise(view))
    groups = {RULE_VIEW_GROUPS[g] for _, _, g in view}
    assert {"main_body", "main_title", "removed_menu"} <= groups
    units = make_units(text)
    x = view_features(units, view)
    assert x.shape == (len(units), len(VIEW_FEATURES)) and np.all(x >= 0) and np.all(x.sum(axis=1) <= 1 + 1e-9)
    by_text = {u.text: row for u, row in zip(units, x, strict=True)}
    main_body = RULE_VIEW_GROUPS.index("main_body")
    assert all(by_text[p][main_body] == pytest.approx(1.0) for p in PARAGRAPHS)
    assert by_text["* News"][RULE_VIEW_GROUPS.index("removed_menu")] == pytest.approx(1.0)
    assert not view_features(units, None).any()


def _words_model(path: Path) -> str:
    """A line model file of one linear stage reading one feature: a unit of 5 words or more is body, else other."""
    from corpus_etl.linemodel.model import Linear

    coef = np.array([[0.0], [10.0], [0.0], [0.0]])
    intercept = np.array([0.0, -10.0 * np.log1p(4.5), -100.0, -100.0])
    linear = Linear(np.zeros(1), np.ones(1), coef, intercept)
    save_model(path, LineModel(CLASSES, (Stage(linear, ("log_words",)),), {"version": "test"}))
    return str(path)


WEAK = ["Read the council budget papers here", "Watch the mayor explain the plan"]


def test_the_splitter_gives_the_models_body_to_the_article_and_accounts_for_the_rest(tmp_path: Path) -> None:
    """Two short lines inside the body that the rules drop as a low-content run join the article when the
    model calls them body; a line a rule of the rules file removes (the copyright line) stays removed though
    the model calls it body; every character stays accounted for."""
    from corpus_etl.split import SplitOptions, check_coverage, split_text

    body = [*PARAGRAPHS[:2], *WEAK, *PARAGRAPHS[2:]]
    text = (
        "\n".join(MENU) + "\n\nCouncil approves new budget\n\n" + "\n\n".join(body) + "\n\n" + "\n".join(FOOTER) + "\n"
    )
    rules = load_rules()
    off = split_text(text, rules, SplitOptions(line_model=False))
    on = split_text(text, rules, SplitOptions(line_model_path=_words_model(tmp_path / "m.npz")))
    assert not check_coverage(on) and not check_coverage(off)

    def main(res: object) -> list[str]:
        arts = [r for r in res.records if r.kind == "article"]  # type: ignore[attr-defined]
        return max(arts, key=lambda r: len(r.paragraphs)).paragraphs  # type: ignore[no-any-return]

    assert main(off) == PARAGRAPHS  # the rules drop the two lines ...
    assert {off_rule for s in off.removed if (off_rule := s.rule) and WEAK[0] in text[s.start : s.end]}
    assert main(on) == body  # ... the model brings them back
    copyright = text.index(FOOTER[0])
    assert any(s.start <= copyright < s.end and not s.rule.startswith("line_model") for s in on.removed)
    assert rules.match_line(FOOTER[0]) is not None


def test_a_related_block_keeps_its_lines_though_the_model_calls_them_body(tmp_path: Path) -> None:
    """After the article, a "Related articles" heading opens teasers (kind 'related'): a model that calls every
    line of five words body does not pull them into the article."""
    from corpus_etl.split import SplitOptions, check_coverage, split_text

    teasers = [
        "Mayor opens the new library wing on Main Street",
        "The new wing holds a reading room and a small cafe for the families of the town.",
        "Council delays the vote on the harbour plan again",
        "Members asked for another study of the costs before they decide on the plan.",
    ]
    text = (
        "\n".join(MENU)
        + "\n\nCouncil approves new budget\n\n"
        + "\n\n".join(PARAGRAPHS)
        + "\n\nRelated articles\n\n"
        + "\n\n".join(teasers)
        + "\n\n"
        + "\n".join(FOOTER)
        + "\n"
    )
    rules = load_rules()
    res = split_text(text, rules, SplitOptions(line_model_path=_words_model(tmp_path / "m.npz")))
    assert not check_coverage(res)
    (art,) = [r for r in res.records if r.kind == "article" and r.paragraphs]  # (a footer line: title only)
    assert art.paragraphs == PARAGRAPHS
    related = " ".join(p for r in res.records if r.kind == "related" for p in [r.title or "", *r.paragraphs])
    assert all(t in related for t in teasers)


# --------------------------------------------------------------------------------------------------
# The page model (where a second page starts inside what the rules read as one page)

STORM = [
    "A storm brought heavy rain and strong winds to the coast overnight, closing two bridges and leaving "
    "thousands of homes without power until the early hours of the morning, the utility company said.",
    "Emergency crews cleared fallen trees from the main roads, and the schools of the district stayed closed "
    "on Wednesday while engineers inspected the buildings that had been damaged by the wind.",
    "Forecasters expect the weather to calm down by the weekend, although another band of rain could reach "
    "the northern valleys on Friday and bring the rivers close to their highest levels of the year.",
]


def _constant_page_model(line_model: str, new: bool) -> None:
    """A page model file beside ``line_model`` that says 'new page' (or 'same page') of every gap."""
    from corpus_etl.linemodel.model import Linear
    from corpus_etl.linemodel.pages import page_model_path

    linear = Linear(np.zeros(1), np.ones(1), np.zeros((1, 1)), np.array([10.0 if new else -10.0]))
    meta = {"version": "test", "threshold": 0.5}
    save_model(page_model_path(line_model), LineModel(("same", "new"), (Stage(linear, ("gap_lines_log",)),), meta))


OTHER_MENU = ["* Start", "* Local", "* Business", "* Culture", "* Travel", "Sign in", "Follow us"]


def _two_pages() -> str:
    """Two pages of two sites glued; no copyright line (the rules end a page at one), and each site has its own
    header (the rules start a page where the text's first header is printed again: ``header_pages``)."""

    def one(title: str, paragraphs: list[str], menu: list[str]) -> str:
        return "\n".join(menu) + f"\n\n{title}\n\n" + "\n\n".join(paragraphs) + "\n\n" + FOOTER[1] + "\n"

    return (
        one("Council approves new budget", PARAGRAPHS, MENU) + "\n" + one("Storm closes two bridges", STORM, OTHER_MENU)
    )


def test_page_gaps_describe_the_lines_between_two_body_runs() -> None:
    from corpus_etl.linemodel.pages import FEATURES, MIN_GAP_LINES, gaps

    texts = [*PARAGRAPHS[:2], "© 2024 Example", "* Home", "* News", "Nov. 5, 2024", STORM[0], "x", STORM[1]]
    labels = ["body", "body", "other", "other", "other", "other", "body", "other", "body"]
    classes = ("other", "body", "headline", "comment")
    shares = np.array([[0.0, 1.0, 0.0, 0.0] if lab == "body" else [0.7, 0.1, 0.2, 0.0] for lab in labels])
    groups = [0, 0, 9, 6, 6, 9, 3, 7, 3]
    cues = [None, None, "page_end", None, None, None, None, None, None]
    found = gaps(texts, labels, shares, classes, groups, cues, lambda t: t == "Nov. 5, 2024")
    # one gap of four lines; the single line between the two storm paragraphs is under MIN_GAP_LINES
    assert MIN_GAP_LINES == 2 and [(g.last_body, g.next_body) for g in found] == [(1, 6)]
    row = dict(zip(FEATURES, found[0].features, strict=True))
    assert row["gap_view_removed_menu"] == 2 and row["gap_cue_page_end"] == 1 and row["gap_short_lines"] == 4
    assert row["gap_headline_max"] == pytest.approx(0.2)
    assert row["words_before_log"] == pytest.approx(np.log1p(sum(len(p.split()) for p in PARAGRAPHS[:2])))
    assert row["topic_cosine"] < 0.1  # a budget and a storm share few words
    # the gap's order: a footer line first, then a menu, then the next post's date line
    assert row["gap_footer_lines"] == 1 and row["gap_footer_then_menu"] == 1 and row["gap_footer_last_pos"] == 0.25
    assert row["gap_menu_first_pos"] == 0.5 and row["gap_menu_last_pos"] == 0.75
    assert row["gap_date_lines"] == 1 and row["gap_date_last_pos"] == 1.0
    assert row["gap_menu_late_minus_early"] == 0  # one menu line in each half
    assert row["gap_short_run_max"] == 4
    # a menu above the footer (a page's own header, then its footer) is not a footer followed by a menu
    flipped = [texts[0], texts[1], texts[3], texts[4], texts[2], *texts[5:]]
    again = gaps(flipped, labels, shares, classes, [0, 0, 6, 6, 9, 9, 3, 7, 3], cues, lambda t: False)
    assert dict(zip(FEATURES, again[0].features, strict=True))["gap_footer_then_menu"] == 0
    assert not gaps(texts[:2], labels[:2], shares[:2], classes, groups[:2], cues[:2], lambda t: False)


def test_a_new_page_starts_after_the_gaps_last_footer_line() -> None:
    """A gap that holds one page's comments and footer and the next page's site name: the next page starts after
    the footer (the previous page keeps its end); with no footer line, or a footer as the gap's last line, at the
    gap's first line."""
    from corpus_etl.linemodel.pages import new_page_line

    texts = ["body", "Reply", "Powered by WordPress.com VIP", "The Daily Example", "* Home", "body"]
    cues: list[str | None] = [None] * len(texts)
    assert new_page_line(texts, cues, 0, 5) == 3
    assert new_page_line(["body", "Reply", "* Home", "Archives", "body"], [None] * 5, 0, 4) == 1
    assert new_page_line(["body", "Reply", "© 2012 Example", "body"], [None] * 4, 0, 3) == 1
    # a rule's page end counts as a footer line too
    assert new_page_line(["body", "Fin.", "Site", "* Menu", "body"], [None, "page_end", None, None, None], 0, 4) == 2


def test_with_no_footer_line_a_new_page_starts_at_the_gaps_last_long_menu() -> None:
    """No footer line in the gap: the next site's header is its last run of HEADER_MENU_LINES menu lines or more (a
    page's comments and a share row of fewer items stay with the page before); no such run: the gap's first line. An
    item is short (its bullet not counted) and no row of figures."""
    from corpus_etl.linemodel.pages import HEADER_MENU_LINES, VIEW_GROUPS_COUNTED, new_page_line

    menu = VIEW_GROUPS_COUNTED.index("removed_menu")
    share = ["* Facebook", "* Twitter", "* Email"]
    header = [f"* Visit The Site Section {k}" for k in range(HEADER_MENU_LINES)]  # (five words after the bullet)
    texts = ["body", "There are 3 comments", "Reply", *share, "Uproxx Social", *header, "Comment", "body"]
    groups = [-1, -1, -1, *[menu] * len(share), -1, *[menu] * len(header), -1, -1]
    cues: list[str | None] = [None] * len(texts)
    b = len(texts) - 1
    assert new_page_line(texts, cues, 0, b, groups=groups) == 7  # the header's first item, not the share row
    short = [*groups[: 7 + HEADER_MENU_LINES - 1], -1, *groups[7 + HEADER_MENU_LINES :]]
    assert new_page_line(texts, cues, 0, b, groups=short) == 1  # one item short of a header: the gap's first line
    assert new_page_line(texts, cues, 0, b) == 1  # (no groups given: as before)
    # a wire story's table on a text read as a page is no header, though the rules read its short rows as a menu
    rows = ["EDEN PRAIRIE, MINN., March 24 -", *[f"Revs {k},183 vs {k + 3},346,627" for k in range(HEADER_MENU_LINES)]]
    texts = ["body", "<DIGIGRAPHIC SYSTEMS CORP> 4TH QTR OPER LOSS", *rows, "body"]
    groups = [-1, -1, -1, *[menu] * HEADER_MENU_LINES, -1]
    assert new_page_line(texts, [None] * len(texts), 0, len(texts) - 1, groups=groups) == 1  # at the headline


def test_the_page_model_splits_a_page_where_it_says_a_new_page_starts(tmp_path: Path) -> None:
    """With a page model that says 'new page' of every gap, two glued pages that the rules read as one become two
    articles, each with its own title and paragraphs; with one that says 'same page', the text is split as
    without a page model. Every character stays accounted for either way."""
    from corpus_etl.split import SplitOptions, check_coverage, split_text

    text = _two_pages()
    rules = load_rules()
    articles = {}
    for new in (True, False):
        line_model = _words_model(tmp_path / f"{new}.npz")
        _constant_page_model(line_model, new)
        res = split_text(text, rules, SplitOptions(line_model_path=line_model))
        assert not check_coverage(res)
        articles[new] = [(r.title, r.paragraphs) for r in res.records if r.kind == "article" and r.paragraphs]
    none = split_text(text, rules, SplitOptions(line_model_path=_words_model(tmp_path / "none.npz")))
    assert articles[False] == [(r.title, r.paragraphs) for r in none.records if r.kind == "article" and r.paragraphs]
    assert len(articles[False]) == 1  # the rules read one page: the storm's lines are in the budget's article
    # (the test's line model calls the footer line of five words body)
    assert articles[True] == [
        ("Council approves new budget", [*PARAGRAPHS, FOOTER[1]]),
        ("Storm closes two bridges", [*STORM, FOOTER[1]]),
    ]


def test_the_page_model_pairs_with_its_line_model() -> None:
    from corpus_etl.linemodel import DEFAULT_MODEL
    from corpus_etl.linemodel.pages import load_page_model, page_model_path

    assert page_model_path(None) == DEFAULT_MODEL.with_name("pagemodel.npz")
    assert page_model_path("/m/linemodel-fold3.npz") == Path("/m/pagemodel-fold3.npz")
    assert page_model_path("/m/x.npz") == Path("/m/x-pages.npz")
    model = load_page_model(str(page_model_path(None)))
    assert model is not None and model.classes == ("same", "new") and 0 < model.meta["threshold"] < 1
