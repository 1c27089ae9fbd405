"""The record model (``corpus_etl.linemodel.records``): its record features, its labels, and the splitter's pass that
makes the article records it calls junk 'related' (``split.passes.records.demote_junk_records``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_etl.kinds import RECORD_MODEL_JUNK
from corpus_etl.linemodel.model import Linear, LineModel, Stage, save_model
from corpus_etl.linemodel.records import (
    FEATURES,
    LINE_CLASSES,
    RecordView,
    features,
    junk_probabilities,
    record_model_path,
)
from corpus_etl.linemodel.recordtrain import gold_offsets, gold_precision, is_junk, weights
from corpus_etl.rules import load_rules
from tests.unit.test_linemodel import PARAGRAPHS, STORM, _constant_page_model, _two_pages, _words_model

FOOTER_TEXT = "© 2024 Example Media. All rights reserved. Privacy policy and terms of use. Subscribe to our newsletter."


def _view(index: int, page: int, start: int, paragraphs: list[str], title: str | None = None) -> RecordView:
    text = "\n".join(paragraphs)
    return RecordView(
        index=index,
        page=page,
        start=start,
        end=start + len(text),
        paragraphs=tuple(paragraphs),
        words=len(text.split()),
        title=title,
        published=False,
        authors=False,
        tags=False,
        dateline=False,
        open_reason="opener",
        line_shares=(0.9, 0.0, 0.0, 0.1) if title else (0.2, 0.0, 0.1, 0.7),
        line_body_min=0.5,
    )


def test_features_tell_a_footer_after_the_article_from_the_article() -> None:
    main = _view(0, 0, 100, PARAGRAPHS, "Council approves new budget")
    footer = _view(1, 0, 2000, [FOOTER_TEXT])
    rows = features([main, footer], 2200)
    assert len(rows) == 2 and all(len(r) == len(FEATURES) for r in rows)
    a, f = (dict(zip(FEATURES, r, strict=True)) for r in rows)
    assert a["is_page_main"] == 1 and f["is_page_main"] == 0
    assert f["after_page_main"] == 1 and a["after_page_main"] == 0 and f["before_page_main"] == 0
    assert f["ratio_to_page_main"] < 0.2 and a["ratio_to_page_main"] == 1
    assert f["legal_per_100"] > 10 and a["legal_per_100"] == 0 and f["promo_per_100"] > 0
    assert a["sentence_share"] == 1 and a["stopword_density"] > f["stopword_density"]
    assert f["cosine_page_main"] < 0.1 and a["cosine_page_main"] == 1
    assert f["line_other_mean"] == pytest.approx(0.7) and a[f"line_{LINE_CLASSES[0]}_mean"] == pytest.approx(0.9)
    assert f["position_in_text"] == pytest.approx(2000 / 2200)
    assert features([], 10) == []


def test_page_features_are_their_definitions_on_pages_of_many_records() -> None:
    """The per-page features (computed once a page: a text read as one page may hold thousands of records) are what
    their definitions say of every record: its rank by size, whether it starts the page, where it lies on the page,
    and the cosine of its words with the page's and the file's largest record (``split.lines.cosine``, the same
    float)."""
    import random

    from corpus_etl.linemodel.records import _topic
    from corpus_etl.split.lines import cosine

    rng = random.Random(7)
    vocab = [w for p in PARAGRAPHS + STORM for w in p.split()]
    views, pos = [], 0
    for i in range(120):
        paragraphs = [" ".join(rng.choice(vocab) for _ in range(rng.randint(3, 60))) for _ in range(rng.randint(1, 3))]
        v = _view(i, rng.randint(0, 3), pos, paragraphs, rng.choice([None, "A title"]))
        views.append(v)
        pos = v.end + rng.randint(1, 50)
    rows = [dict(zip(FEATURES, r, strict=True)) for r in features(views, pos)]
    file_main = max(views, key=lambda v: (v.words, -v.start))
    for v, row in zip(views, rows, strict=True):
        page = [x for x in views if x.page == v.page]
        main = max(page, key=lambda x: (x.words, -x.start))
        lo, hi = min(x.start for x in page), max(x.end for x in page)
        assert row["rank_on_page"] == sorted(page, key=lambda x: (-x.words, x.start)).index(v)
        assert row["first_on_page"] == all(x.start >= v.start for x in page)
        assert row["position_on_page"] == ((v.start - lo) / (hi - lo) if hi > lo else 0.0)
        topic = _topic("\n".join(v.paragraphs))
        want = 1.0 if v is main else cosine(topic, _topic("\n".join(main.paragraphs)))
        assert row["cosine_page_main"] == want  # (exactly)
        want = 1.0 if v is file_main else cosine(topic, _topic("\n".join(file_main.paragraphs)))
        assert row["cosine_file_main"] == want


def test_features_read_each_page_apart() -> None:
    """A second page's article is the main of its page though it is shorter than the first page's."""
    rows = features([_view(0, 0, 0, PARAGRAPHS, "Budget"), _view(1, 1, 3000, STORM[:1], "Storm")], 4000)
    second = dict(zip(FEATURES, rows[1], strict=True))
    assert second["is_page_main"] == 1 and second["ratio_to_page_main"] == 1
    assert second["ratio_to_file_main"] < 1 and second["after_file_main"] == 1 and second["file_pages"] == 2


def test_labels_are_the_share_of_a_records_words_where_the_gold_is() -> None:
    """A record's words count as gold where the gold text is aligned in runs of three words or more: the same
    common words in a footer are not gold."""
    page = "Home | News\nThe council approved the budget on Tuesday.\nThe news: subscribe to the council on Tuesday."
    gold = gold_offsets("The council approved the budget on Tuesday.", page, 100)
    body_at = page.index("The council")
    assert body_at + 100 in gold and len(gold) == 7
    text = " " * 100 + page
    article = [(100 + body_at, 100 + page.index("\nThe news"))]
    footer = [(100 + page.index("The news"), 100 + len(page))]
    assert gold_precision(text, article, gold) == (1.0, 7)
    assert gold_precision(text, footer, gold) == (0.0, 0)
    assert gold_precision(text, [*article, *footer], gold)[0] == pytest.approx(7 / 15)
    assert gold_precision(text, [], gold) == (0.0, 0)
    assert gold_offsets("the budget", page) == set()  # a run of two words is too short


def test_a_record_of_few_gold_words_is_junk_unless_it_holds_a_pages_article() -> None:
    assert is_junk(0.1, [0.0, 0.05]) and is_junk(0.29, [])
    assert not is_junk(0.3, [0.0])  # a third of its words are gold
    assert not is_junk(0.1, [0.0, 0.6])  # most of a page's article, extracted with its comments


def test_real_articles_weigh_by_their_gold_words() -> None:
    y = np.array([True, False, False])
    assert weights(y, np.array([0, 0, 300]), 100).tolist() == [1.0, 1.0, 4.0]
    assert weights(y, np.array([5, 0, 300]), 0).tolist() == [1.0, 1.0, 1.0]


def test_the_record_model_pairs_with_its_line_model() -> None:
    from corpus_etl.linemodel import DEFAULT_MODEL

    assert record_model_path(None) == DEFAULT_MODEL.with_name("recordmodel.npz")
    assert record_model_path("/m/linemodel-fold3.npz") == Path("/m/recordmodel-fold3.npz")
    assert record_model_path("/m/x.npz") == Path("/m/x-records.npz")


def _constant_record_model(line_model: str, junk: bool) -> None:
    """A record model file beside ``line_model`` that calls every record junk (or article)."""
    linear = Linear(np.zeros(1), np.ones(1), np.zeros((1, 1)), np.array([10.0 if junk else -10.0]))
    meta = {"version": "test", "threshold": 0.5}
    stage = Stage(linear, ("words_log",))
    save_model(record_model_path(line_model), LineModel(("article", "junk"), (stage,), meta))


def test_junk_probabilities_read_the_model() -> None:
    linear = Linear(np.zeros(1), np.ones(1), np.array([[1.0]]), np.array([-3.0]))
    model = LineModel(("article", "junk"), (Stage(linear, ("words_log",)),), {})
    row = [0.0] * len(FEATURES)
    q = junk_probabilities(model, [tuple(row), tuple([5.0, *row[1:]])])
    assert q[0] < 0.5 < q[1]
    assert junk_probabilities(model, []).shape == (0,)


def test_the_splitter_makes_the_records_the_model_calls_junk_related_but_never_the_largest(tmp_path: Path) -> None:
    """Two glued pages made two articles (a page model saying 'new page'): a record model calling everything junk
    demotes the shorter one to 'related' with its reason and probability, keeps the largest and every character;
    one calling everything an article changes nothing."""
    from corpus_etl.split import SplitOptions, check_coverage, split_text

    text = _two_pages()
    rules = load_rules()
    out = {}
    for junk in (True, False):
        line_model = _words_model(tmp_path / f"{junk}.npz")
        _constant_page_model(line_model, True)
        _constant_record_model(line_model, junk)
        res = split_text(text, rules, SplitOptions(line_model_path=line_model, record_model=True))
        assert not check_coverage(res)
        out[junk] = [(r.kind, r.title, r.kind_reason, r.kind_prob) for r in res.records if r.paragraphs]
    assert [(k, t) for k, t, _, _ in out[False]] == [
        ("article", "Council approves new budget"),
        ("article", "Storm closes two bridges"),
    ]
    assert all(reason is None and prob is None for _, _, reason, prob in out[False])
    kept, demoted = out[True]
    assert kept[:3] == ("article", "Council approves new budget", None)  # the file's largest is never asked
    assert demoted[:3] == ("related", "Storm closes two bridges", RECORD_MODEL_JUNK)
    assert demoted[3] is not None and demoted[3] > 0.99
    # off by the option: nothing changes
    line_model = _words_model(tmp_path / "off.npz")
    _constant_page_model(line_model, True)
    _constant_record_model(line_model, True)
    res = split_text(text, rules, SplitOptions(line_model_path=line_model, record_model=False))
    assert [r.kind for r in res.records if r.paragraphs] == ["article", "article"]


def test_the_record_kept_is_the_largest_the_model_does_not_call_junk(tmp_path: Path) -> None:
    """A comment thread or a site's archive list can outweigh a page's post (dragnet R292: a 56-word site blurb over a
    48-word post; dragnet 158: a 154-word archive list over a 120-word post). A record model calling only the larger
    record junk demotes it and keeps the smaller: the record never asked is the largest the model does not call junk
    (the largest still, when it calls them all junk: the test above)."""
    from corpus_etl.split import SplitOptions, check_coverage, split_text

    line_model = _words_model(tmp_path / "lm.npz")
    _constant_page_model(line_model, True)
    # junk iff words_log > 4.85: the 145-word record (log1p 4.98) is, the 107-word one (4.68) is not
    linear = Linear(np.zeros(1), np.ones(1), np.array([[50.0]]), np.array([-50.0 * 4.85]))
    meta = {"version": "test", "threshold": 0.5}
    save_model(record_model_path(line_model), LineModel(("article", "junk"), (Stage(linear, ("words_log",)),), meta))
    res = split_text(_two_pages(), load_rules(), SplitOptions(line_model_path=line_model, record_model=True))
    assert not check_coverage(res)
    kinds = [(r.kind, r.title, r.kind_reason) for r in res.records if r.paragraphs]
    assert kinds == [
        ("related", "Council approves new budget", RECORD_MODEL_JUNK),
        ("article", "Storm closes two bridges", None),
    ]


def test_record_views_count_the_chrome_around_each_record(tmp_path: Path) -> None:
    """Two glued pages split in two: each article has its page's menu before it, and the first has the footer line
    after it (the second page's menu too); the views hold each record's paragraphs and spans."""
    from corpus_etl.split import SplitOptions, SplitState
    from corpus_etl.split.passes.records import record_views
    from corpus_etl.split.run import PASSES

    line_model = _words_model(tmp_path / "m.npz")
    _constant_page_model(line_model, True)
    text = _two_pages()
    opts = SplitOptions(line_model_path=line_model)
    first = SplitState(text, load_rules(), opts)
    for p in PASSES:
        if p.name == "demote_junk_records":
            break
        if p.when(first):
            p.run(first)
    st = SplitState(text, load_rules(), opts, page_starts=frozenset(first.found_page_starts))
    for p in PASSES:
        if p.name == "demote_junk_records":
            break
        if p.when(st):
            p.run(st)
    views = record_views(st)
    assert [v.title for v in views] == ["Council approves new budget", "Storm closes two bridges"]
    a, b = views
    assert a.menu_before >= 5 and b.menu_before >= 5  # "* Home", "* News", ... before each page's headline
    assert a.removed_after >= b.menu_before  # the second page's menu lies after the first article
    assert b.removed_after == 0 and a.page < b.page
    assert all(text[s:e] in v.paragraphs for v in views for s, e in v.spans)
    row = dict(zip(FEATURES, features(views, len(text))[1], strict=True))
    assert row["first_on_page"] == 1 and row["menu_before_log"] == pytest.approx(np.log1p(b.menu_before))


# --------------------------------------------------------------------------------------------------
# The cue patterns' counts (``cues.count``: the same as ``len(pattern.findall(text))``, searched only when an anchor
# is in the text)

# a word or two of every branch of the patterns, in several cases, pieces that match none, and the characters that
# IGNORECASE matches to an ASCII letter (İ ı ſ K) inside words the patterns look for
_CUE_WORDS = [
    "©", "Copyright", "ALL RIGHTS RESERVED", "privacy", "Terms of Use", "terms and service", "cookie", "Cookies",
    "licence", "LICENSED", "disclaimer", "Trademarks", "subscribe", "Newsletter", "sign up", "Follow Us", "register",
    "download", "Click here", "read more", "Share", "email", "Contact us", "advertising", "Reply", "comments",
    "Posted by", "says:", "wrote:", "login", "Log in", "permalink", "10:45 pm", "9:05AM", "3:0",
]  # fmt: skip
_CUE_ODD = ["\u017fhare", "co\u212aie", "pr\u0131vacy", "\u0130", "\u017fign up", "Lo\u0130n", "repl\u0131"]
_CUE_OTHER = [" ", "\n", "x", "é", "-", ":", "7", "the", "am"]


@given(st.lists(st.sampled_from(_CUE_WORDS + _CUE_ODD + _CUE_OTHER), max_size=6), st.sampled_from(["", " ", "\n"]))
@settings(max_examples=500, deadline=None)
def test_cue_counts_are_the_patterns_match_counts(pieces: list[str], sep: str) -> None:
    from corpus_etl.linemodel.cues import ANCHORS, count

    text = sep.join(pieces)
    for pattern in ANCHORS:
        assert count(pattern, text) == len(pattern.findall(text)), (pattern.pattern, text)
        assert count(pattern, text, text.lower()) == len(pattern.findall(text))


@given(st.lists(st.sampled_from(_CUE_ODD + _CUE_OTHER), max_size=6))
@settings(max_examples=300, deadline=None)
def test_cue_counts_of_texts_with_no_anchor_but_characters_that_fold_to_ascii(pieces: list[str]) -> None:
    from corpus_etl.linemodel.cues import ANCHORS, count

    text = "".join(pieces)
    for pattern in ANCHORS:
        assert count(pattern, text) == len(pattern.findall(text)), (pattern.pattern, text)


def test_cue_counts_skip_texts_without_anchors_and_search_those_with_a_character_that_folds_to_ascii() -> None:
    """A text with no anchor counts 0 unsearched; "ſhare" (a long s that IGNORECASE matches to "s") is a share."""
    from corpus_etl.linemodel.cues import LEGAL, PROMO, count

    assert count(PROMO, "The council approved the budget on Monday.") == 0
    long_s = "Please \u017fhare this and Subscribe"
    assert count(PROMO, long_s) == len(PROMO.findall(long_s)) == 2
    assert count(LEGAL, "© 2012 Example. All Rights Reserved. Privacy Policy") == 3
