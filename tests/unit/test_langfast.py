"""The numpy engine gives langdetect's own answers: the same languages and probabilities, bit for bit."""

from __future__ import annotations

import random

import pytest
from langdetect import detector_factory
from langdetect.lang_detect_exception import LangDetectException

from corpus_etl import langfast, langid
from corpus_etl.langid import _ensure_factory, detect_language, sample_text
from tests.conftest import CORPORA, SEEDS, need_shared


def _reference(text: str, seed: int) -> list[tuple[str, float]] | str:
    _ensure_factory(seed)
    d = detector_factory._factory.create()  # type: ignore[union-attr]
    d.append(text)
    try:
        return [(x.lang, x.prob) for x in d.get_probabilities()]
    except LangDetectException as exc:
        return f"error: {exc}"


def _fast(text: str, seed: int) -> list[tuple[str, float]] | str:
    d = langfast.new_detector(seed)
    langfast.append_text(d, text)
    try:
        return [(x.lang, x.prob) for x in langfast.get_probabilities(d)]
    except LangDetectException as exc:
        return f"error: {exc}"


def _texts() -> list[str]:
    """Sentences and longer texts in 75 languages, news paragraphs, and awkward strings."""
    rng = random.Random(7)
    sentences = need_shared(CORPORA / "lingua_sentences" / "sentences")
    texts: list[str] = []
    for path in sorted(sentences.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        picked = rng.sample(lines, min(6, len(lines)))
        texts += picked[:3]
        texts.append(" ".join(picked))  # a longer text: more iterations before convergence
        texts.append(sample_text(" ".join(lines[:60]), 1000))  # the product's 1000-character sample
    for path in sorted(need_shared(SEEDS).iterdir()):
        if path.is_file():
            body = path.read_text(encoding="utf-8", errors="replace")
            texts += [sample_text(body[i:], 1000) for i in range(0, min(len(body), 20_000), 4_000)]
    texts += [
        "HELLO WORLD THIS IS ALL CAPITALS AND SOME words",  # capital-word rule
        "see https://example.com/a?b=c and mail me@example.org   now   please",  # URL, e-mail, spaces
        "Tiếng Việt có dấu: Hà Nội, Đà Nẵng, thành phố Hồ Chí Minh",  # Vietnamese normalisation
        "Москва and London и Париж, mixed scripts with Latin words",  # Latin removed from Cyrillic text
        "日本語のテキストとカタカナ、ひらがな、漢字",
        "12345 !!! ---",  # no features
    ]
    return texts


def _many(texts: list[str], seed: int, group: int) -> list[list[tuple[str, float]] | str]:
    detectors = []
    for text in texts:
        d = langfast.new_detector(seed)
        langfast.append_text(d, text)
        detectors.append(d)
    return [
        f"error: {r}" if isinstance(r, BaseException) else [(x.lang, x.prob) for x in r]
        for r in langfast.get_probabilities_many(detectors, group=group)
    ]


def test_fast_engine_matches_langdetect_bit_for_bit() -> None:
    texts = _texts()
    assert len(texts) > 350
    for seed, some in ((0, texts), (3, texts[::5])):
        reference = [_reference(t, seed) for t in some]
        mismatches = [t[:60] for t, ref in zip(some, reference, strict=True) if _fast(t, seed) != ref]
        assert not mismatches, f"{len(mismatches)} texts differ, e.g. {mismatches[:3]}"
        # detected side by side, in groups of every size, the answers are the same
        for group in (1, 7, 256):
            many = _many(some, seed, group)
            mismatches = [t[:60] for t, ref, got in zip(some, reference, many, strict=True) if got != ref]
            assert not mismatches, f"group {group}: {len(mismatches)} texts differ, e.g. {mismatches[:3]}"


def test_many_widens_its_table_of_choices_for_slow_texts() -> None:
    # a text that never converges runs ITERATION_LIMIT updates in every trial: set so high that its seven
    # trials need far more choices than the first block of its random stream holds
    def slow() -> object:
        d = langfast.new_detector(0)
        langfast.append_text(d, "ab " * 300)
        d.CONV_THRESHOLD = 1.1  # (instance attributes: never reached; 3,000 updates a trial)
        d.ITERATION_LIMIT = 3000
        return d

    assert 2 * langfast._Stream.BLOCK < 7 * 3000
    single = [(x.lang, x.prob) for x in langfast.get_probabilities(slow())]
    quick = langfast.new_detector(0)
    langfast.append_text(quick, "Le conseil municipal a approuvé mardi le nouveau budget de la ville.")
    got = langfast.get_probabilities_many([quick, slow()])
    assert [(x.lang, x.prob) for x in got[1]] == single
    assert got[0][0].lang == "fr"


def test_detect_languages_is_detect_language_of_each() -> None:
    texts = [t for t in _texts()[:120]] + ["", "Hi there", "12345 !!! ---", "日本語のテキスト"]
    texts += texts[:10]  # repeats are detected once
    langid._CACHE.clear()
    together = langid.detect_languages(texts, seed=5)
    langid._CACHE.clear()
    assert together == [detect_language(t, seed=5) for t in texts]
    assert {r.reason for r in together} >= {None, "too_short", "no_letters"}


def test_detect_language_engines_agree() -> None:
    text = "Le conseil municipal a approuvé mardi le nouveau budget après un long débat sur les transports."
    fast = detect_language(text, engine="fast")
    ref = detect_language(text, engine="langdetect")
    assert fast == ref and fast.language == "fr"


def test_ngrams_are_langdetects() -> None:
    _ensure_factory(0)
    factory = detector_factory._factory
    assert factory is not None
    index, table, langlist = langfast._profile_tables()
    assert langlist == factory.langlist  # the same languages in the same order
    for word in ("the", "é", "ch", "дом", "あ"):
        assert table.dense([index[word]])[0].tolist() == factory.word_lang_prob_map[word]
    # every row of the sparse table is the factory's (bit for bit), whatever rows are asked for together
    words = sorted(index, key=index.__getitem__)
    assert words == sorted(factory.word_lang_prob_map, key=index.__getitem__)
    for start in range(0, len(words), 7919):
        chunk = words[start : start + 7919][::-1]  # unsorted rows
        dense = table.dense([index[w] for w in chunk])
        assert all(dense[k].tolist() == factory.word_lang_prob_map[w] for k, w in enumerate(chunk))
    words = {i: w for w, i in index.items()}
    for text in ("The Quick brown FOX, jumps: over  the lazy dog.", "Ça va très bien; élève à l'école"):
        d = factory.create()
        d.append(text)
        d.cleaning_text()
        want = d._extract_ngrams()
        langfast._WORD_CACHE.clear()
        assert [words[i] for i in langfast.extract_ngrams(d.text, index)] == want
        assert [words[i] for i in langfast.extract_ngrams(d.text, index)] == want  # from the packed cache
        assert all(isinstance(v, bytes) for v in langfast._WORD_CACHE.values())


def test_the_cache_keeps_the_options_apart() -> None:
    """One cache key per sample and options: an answer under one seed/min_letters is not reused for another."""
    text = "Oui, merci."  # 9 letters
    langid._CACHE.clear()
    short = detect_language(text, min_letters=20)
    low = detect_language(text, min_letters=1)
    assert (short.language, short.reason) == ("und", "too_short") and low.language != "und"
    seeds = [detect_language("Le conseil municipal a approuvé mardi le budget.", seed=s) for s in (1, 2)]
    langid._CACHE.clear()
    assert detect_language(text, min_letters=20) == short and detect_language(text, min_letters=1) == low
    assert seeds == [detect_language("Le conseil municipal a approuvé mardi le budget.", seed=s) for s in (1, 2)]


@pytest.mark.parametrize("start", [1, 1024, langfast._Stream.BLOCK])
@pytest.mark.parametrize("n", [1, 2, 3, 1000, 5000])
def test_choices_replay_pythons_random(n: int, start: int) -> None:
    rnd = random.Random()
    rnd.seed(0)
    stream = langfast._Stream(0, n, start)  # decoding `start` raw outputs at first, more when needed
    for _ in range(4):
        assert stream.gauss() == rnd.gauss(0.0, 1.0)
        got = [int(x) for x in stream.choices(3)] + [int(x) for x in stream.choices(1500)]
        assert got == [rnd.choice(range(n)) for _ in range(1503)]
