"""Seeded, bounded language detection with langdetect.

Detection is most of the pipeline's cost, so it runs on a bounded sample of the cleaned body (the
first ``sample_chars`` characters, cut at a word boundary). The detector factory is seeded: the same
text gives the same answer in every process and on every run.

Two engines give the same answers: ``fast`` (the default) runs langdetect's algorithm on langdetect's
profiles with numpy (``corpus_etl.langfast``: the same languages and probabilities, bit for bit, in about
half the time); ``langdetect`` calls langdetect's own pure-Python ``Detector.get_probabilities``.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from langdetect import detector_factory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException

from . import langfast

Engine = Literal["fast", "langdetect"]
_Key = bytes  # the cache's key: a 128-bit hash of the seed, min_letters, the engine and the sample (one object)

UND = "und"
# langdetect names two Chinese profiles; the warehouse stores ISO 639-1.
_ISO = {"zh-cn": "zh", "zh-tw": "zh"}

_lock = threading.Lock()
_factory_seed: int | None = None


@dataclass(frozen=True)
class LangResult:
    """A language code (ISO 639-1 or 'und'), its probability and, for 'und' or a language taken from the file
    (``with_file_language``), the reason."""

    language: str
    probability: float
    reason: str | None = None
    runner_up: float = 0.0  # probability of the second most likely language (a mixed text has one)

    @property
    def mixed(self) -> bool:
        """True when a second language holds a real share of the sample."""
        return self.runner_up >= 0.1


def _ensure_factory(seed: int) -> None:
    global _factory_seed

    with _lock:
        if detector_factory._factory is None:
            detector_factory.init_factory()
        if _factory_seed != seed:
            detector_factory.DetectorFactory.seed = seed
            _factory_seed = seed


def supported_languages() -> list[str]:
    """ISO 639-1 codes langdetect can return (after mapping zh-cn / zh-tw to zh).

    Read from the names of langdetect's profile files (one per language, named by its code, which is what
    ``DetectorFactory.load_profile`` registers), without loading the profiles: the flow process needs the
    list for the GX suites, and langdetect's factory would cost it ~65 MB.
    """
    codes = [n for n in os.listdir(PROFILES_DIRECTORY) if not n.startswith(".")]
    return sorted({_ISO.get(code, code) for code in codes})


def sample_text(text: str, sample_chars: int) -> str:
    """The first ``sample_chars`` characters of ``text``, cut back to a word boundary. A sample is its own sample
    (it holds at most ``sample_chars`` characters): detecting a text's sample is detecting the text."""
    if len(text) <= sample_chars:
        return text
    cut = text.rfind(" ", 0, sample_chars)
    return text[: cut if cut > sample_chars // 2 else sample_chars]


def detect_language(
    text: str, *, seed: int = 0, sample_chars: int = 1000, min_letters: int = 20, engine: Engine = "fast"
) -> LangResult:
    """Detect the language of ``text``.

    Args:
        text: cleaned text (the article body, or its title when the body is empty).
        seed: langdetect seed; fixed per run for deterministic output.
        sample_chars: at most this many characters are read by the detector. 1000 by default: on 890
            eval articles (BBC, scrapinghub gold bodies; mean 2,650 characters) it agreed with full-text
            detection on every one, at 46 % of the full-text time (see eval/README.md).
        min_letters: below this many letters the answer is 'und' with reason ``too_short``.
        engine: ``fast`` (numpy, the default) or ``langdetect`` (its own code); the answers are the same.

    Returns:
        The language, its probability and, for 'und', why. The same sample is detected once per
        process (a bounded cache keyed by a 128-bit hash of the sample, so that it holds no text), so
        repeated texts (syndicated copies) cost nothing.
    """
    return detect_languages([text], seed=seed, sample_chars=sample_chars, min_letters=min_letters, engine=engine)[0]


def detect_languages(
    texts: list[str], *, seed: int = 0, sample_chars: int = 1000, min_letters: int = 20, engine: Engine = "fast"
) -> list[LangResult]:
    """``detect_language`` of each of ``texts``, the same answers, detected together.

    With the ``fast`` engine the samples that are not in the cache are detected side by side
    (``langfast.get_probabilities_many``): one numpy step serves all of them, which is what makes
    detection cheap for the many short articles of a file. A sample repeated in ``texts`` is detected once.

    Args:
        texts: cleaned texts (article bodies, or titles when the body is empty; or paragraphs), or their
            samples (``sample_text``: the same answers), which a caller that reads the samples too cuts once.
        seed, sample_chars, min_letters, engine: as for ``detect_language``.

    Returns:
        One result per text, in order.
    """
    samples = [sample_text(t, sample_chars) for t in texts]
    options = f"{seed}\x1f{min_letters}\x1f{engine}\x1f".encode()
    keys = [hashlib.blake2b(options + s.encode("utf-8", "surrogatepass"), digest_size=16).digest() for s in samples]
    found: dict[_Key, LangResult] = {}
    with _lock:
        for key in keys:
            hit = _CACHE.get(key)
            if hit is not None:
                _CACHE.move_to_end(key)
                found[key] = hit
    todo: dict[_Key, str] = {}
    for key, sample in zip(keys, samples, strict=True):
        if key not in found and key not in todo:
            todo[key] = sample
    if todo:
        detected = _detect_samples(list(todo.values()), seed, min_letters, engine)
        with _lock:
            if len(_RESULTS) > _CACHE_SIZE:
                _RESULTS.clear()
            for k, result in zip(todo, detected, strict=True):
                found[k] = _CACHE[k] = _RESULTS.setdefault(result, result)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return [found[key] for key in keys]


# langdetect on a short text is a guess: Reuters story bodies (../shared) of fewer than 200 letters in the first
# 1,000 characters are detected as another language than English 7 % of the time (42 % for tables of figures:
# "Shr 62 cts vs 19 cts", read as Swedish or Norwegian), 0.4 % above (``python -m eval.short_languages``). Such a
# text of a file whose long texts are of one language takes that language.
FILE_PRIOR_MAX_LETTERS = 200
FILE_PRIOR_MIN_SHARE = 0.8
FILE_LANGUAGE = "file_language"  # LangResult.reason of a language taken from the file


def with_file_language(
    samples: list[str],
    langs: list[LangResult],
    *,
    max_letters: int = FILE_PRIOR_MAX_LETTERS,
    min_share: float = FILE_PRIOR_MIN_SHARE,
) -> list[LangResult]:
    """``langs`` (the detections of one file's texts) with the short texts given the file's language.

    ``samples`` are the texts' samples as detected (``sample_text`` with the run's ``sample_chars``; the
    caller cuts them once for both). The file's language is the one detected for at least ``min_share`` of
    the letters of the texts whose sample holds ``max_letters`` letters or more. A text with fewer letters in
    its sample, detected as another language (not 'und'), gets the file's language, with the share as its
    probability and the reason ``FILE_LANGUAGE``. A file with no long text, or no language that dominates, is
    left as detected; so is every long text. Pure and deterministic."""
    letters = [sum(map(str.isalpha, s)) for s in samples]  # (True counts 1: the letters, without a Python loop)
    mass: dict[str, int] = {}
    for n, lang in zip(letters, langs, strict=True):
        if n >= max_letters and lang.language != UND:
            mass[lang.language] = mass.get(lang.language, 0) + n
    total = sum(mass.values())
    if not total:
        return langs
    best = max(sorted(mass), key=lambda k: mass[k])
    share = mass[best] / total
    if share < min_share:
        return langs
    prior = LangResult(best, round(share, 6), FILE_LANGUAGE)
    return [
        prior if n < max_letters and lang.language not in (best, UND) else lang
        for n, lang in zip(letters, langs, strict=True)
    ]


_CACHE: OrderedDict[_Key, LangResult] = OrderedDict()
_CACHE_SIZE = 1 << 16
# The cache's results, one object per distinct result: a few dozen distinct among thousands of texts (the
# probabilities are rounded), so a full cache holds 10 MB instead of 18 (a LangResult and its two floats
# were 120 bytes of each entry, allocated among a file's short-lived rows).
_RESULTS: dict[LangResult, LangResult] = {}


def _too_few_letters(sample: str, min_letters: int) -> LangResult | None:
    letters = 0  # counted only as far as the thresholds need
    for ch in sample:
        if ch.isalpha():
            letters += 1
            if letters >= min_letters:
                return None
    return LangResult(UND, 0.0, "no_letters" if letters == 0 else "too_short")


def _detect_samples(samples: list[str], seed: int, min_letters: int, engine: Engine) -> list[LangResult]:
    if engine != "fast":
        return [_detect_sample_langdetect(s, seed, min_letters) for s in samples]

    results: list[LangResult | None] = [_too_few_letters(s, min_letters) for s in samples]
    todo = [k for k, r in enumerate(results) if r is None]
    # a group of detectors at a time: a detector holds its text, a copy of the language list and a
    # random.Random (2.5 KB), so those of a file's 2,000 articles together were ~10 MB of a worker's peak
    for start in range(0, len(todo), langfast.GROUP):
        group = todo[start : start + langfast.GROUP]
        detectors = []
        for k in group:
            detector = langfast.new_detector(seed)
            langfast.append_text(detector, samples[k])
            detectors.append(detector)
        for k, probs in zip(group, langfast.get_probabilities_many(detectors), strict=True):
            results[k] = _result(probs)
        del detectors
    return [r for r in results if r is not None]


def _detect_sample_langdetect(sample: str, seed: int, min_letters: int) -> LangResult:
    """One sample with langdetect's own code (the ``fast`` engine detects samples together)."""
    short = _too_few_letters(sample, min_letters)
    if short is not None:
        return short
    _ensure_factory(seed)
    assert detector_factory._factory is not None
    detector = detector_factory._factory.create()
    detector.append(sample)
    try:
        probs: object = detector.get_probabilities()
    except LangDetectException as exc:
        probs = exc
    return _result(probs)


def _result(probs: object) -> LangResult:
    """The result of one detection: langdetect's sorted ``Language`` list, or the exception it raised (a
    ``LangDetectException`` means no n-gram: 'und'; any other is raised)."""
    if isinstance(probs, LangDetectException) or not probs:
        return LangResult(UND, 0.0, "no_features")
    if isinstance(probs, BaseException):
        raise probs
    assert isinstance(probs, list)
    best = probs[0]
    runner_up = float(probs[1].prob) if len(probs) > 1 else 0.0
    return LangResult(_ISO.get(best.lang, best.lang), round(float(best.prob), 6), None, round(runner_up, 6))
