"""A jusText-style paragraph classifier for plain text: which paragraphs of a web page are content.

jusText (Pomikálek 2011) classifies the paragraphs of an HTML page by length, stopword density and link
density, then revises the short and borderline ones from their context. This is the same on plain text
(there are no links; a line with a copyright sign is bad): every paragraph gets an initial class

- ``short``: fewer than ``length_low`` characters (a heading, a menu entry, a teaser, a caption);
- ``good``: stopword density >= ``stopwords_high`` and more than ``length_high`` characters;
- ``neargood``: stopword density >= ``stopwords_low`` (or >= ``stopwords_high`` but not long);
- ``bad``: the rest (lists of names, tables of links, figures).

then the context step: a short paragraph between two good ones is good, between two bad ones bad, next
to a neargood one good; a neargood paragraph is bad only between two bad ones. The edges of the
sequence count as bad. Stopword lists are jusText's own (BSD-2-Clause, read from the installed
``justext`` package without importing it); the list is chosen per text as the one with the highest
stopword density (a much smaller list wins a near tie: see ``choose_stoplist``). For a text no list fits
(CJK, scripts jusText has no list for) the stopword test is replaced by "ends like a sentence".

Pure functions, cached stoplists; no I/O besides reading the stoplist files once per process.
"""

from __future__ import annotations

import importlib.util
import pickle
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from .settings import ParagraphSettings

_SENTENCE_END = re.compile(r"[.!?…。！？]['\"’”»)\]」』]*$")
_WORD = re.compile(r"\w+")
_URL = re.compile(r"https?://|www\.")
_ELLIPSIS = re.compile(r"(\.\.\.|…)['\"’”»)\]]*$")  # a teaser's summary cut short
_FIGURE = re.compile(r"\d")
_FIGURE_TOKEN = re.compile(r"(?<!\S)[^\s\d]*\d")  # a token holding a digit (matched once, from its start)
_WORD_EDGES = ".,;:!?\"'“”‘’()«»"  # stripped from a word's ends before it is looked up in a stoplist
_INNER_BULLET = re.compile(r"(?:^|\s)[*•▪►]\s")
_BULLET = re.compile(r"(?:[*•·▪►»o+-]|\d{1,2}[.)])\s")

CLASSES = ("good", "neargood", "short", "bad")


def _setting(name: str) -> Any:
    """The default of the run setting ``extraction.paragraphs.<name>`` (``settings.ParagraphSettings``)."""
    return ParagraphSettings.model_fields[name].default


@dataclass(frozen=True)
class ParagraphOptions:
    """jusText's thresholds. A run's are its settings' (``settings.ParagraphSettings``, where each is
    documented); the defaults are the settings' own (``_setting``: jusText's, which its authors tuned on the
    CleanEval pages)."""

    length_low: int = _setting("length_low")
    length_high: int = _setting("length_high")
    stopwords_low: float = _setting("stopwords_low")
    stopwords_high: float = _setting("stopwords_high")
    min_list_density: float = _setting("min_list_density")
    near_tie_share: float = _setting("near_tie_share")
    prose_run: int = _setting("prose_run")


def _stoplist_dir() -> Path | None:
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        return None
    d = Path(next(iter(spec.submodule_search_locations))) / "stoplists"
    return d if d.is_dir() else None


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    """Names of jusText's stoplists and, for every stopword, the lists that hold it.

    Built, then copied through ``pickle`` once the building's garbage is gone: the words read sit among the
    files' split words and the per-word lists, and held the allocator's pages of those (freed) after the
    build, about 40 MB more resident per process; the copy is laid out compactly."""
    blob = pickle.dumps(_read_index(), protocol=pickle.HIGHEST_PROTOCOL)
    return pickle.loads(blob)


def _read_index() -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    d = _stoplist_dir()
    if d is None:
        return (), {}
    names = tuple(sorted(p.stem for p in d.glob("*.txt")))
    where: dict[str, list[int]] = {}
    for k, name in enumerate(names):
        for w in (d / f"{name}.txt").read_text(encoding="utf-8").split():
            ks = where.setdefault(w.casefold(), [])
            if not ks or ks[-1] != k:  # a list holding "Apple" and "apple" counts it once
                ks.append(k)
    # ~150,000 words but only a few thousand distinct sets of lists: each set is one shared tuple (8 MB
    # less per process than a tuple per word)
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}
    return names, {w: shared.setdefault(t := tuple(v), t) for w, v in where.items()}


_SETS: list[tuple[dict[str, tuple[int, ...]], dict[int, int], np.ndarray, np.ndarray]] = []  # (one, or none yet)


def _list_sets(where: dict[str, tuple[int, ...]]) -> tuple[dict[int, int], np.ndarray, np.ndarray]:
    """The distinct sets of lists of ``where`` (``_index()``; one shared tuple each): the number of each set by
    the tuple's id, and the sets' lists as CSR arrays (set ``j`` holds ``indices[indptr[j]:indptr[j + 1]]``).
    Made once for the index (again if the index is read again)."""
    if _SETS and _SETS[0][0] is where:
        return _SETS[0][1:]
    set_of: dict[int, int] = {}
    sets: list[tuple[int, ...]] = []
    for ks in where.values():
        if id(ks) not in set_of:
            set_of[id(ks)] = len(sets)
            sets.append(ks)
    indptr = np.zeros(len(sets) + 1, dtype=np.intp)
    np.cumsum([len(ks) for ks in sets], out=indptr[1:])
    indices = np.array([k for ks in sets for k in ks], dtype=np.intp)
    _SETS[:] = [(where, set_of, indptr, indices)]
    return set_of, indptr, indices


@lru_cache(maxsize=1)
def _sizes() -> dict[int, int]:
    """The number of words of each of jusText's lists (by index in ``_index()[0]``)."""
    return dict(Counter(k for ks in _index()[1].values() for k in ks))


def warm_stoplists() -> None:
    """Read jusText's lists now (once per process) rather than at the first page classified."""
    _sizes()


@lru_cache(maxsize=128)
def stoplist(name: str) -> frozenset[str]:
    """The stopwords of one of jusText's lists ("English", "German", ...); empty when unknown."""
    names, where = _index()
    if name not in names:
        return frozenset()
    k = names.index(name)
    return frozenset(w for w, ks in where.items() if k in ks)


# choose_stoplist's answers by (texts, options, sample size): the line model, the title model and the splitter ask
# about the same lines again (a page's units, a body's first lines, a text split a second time). Only texts of up
# to _STOPLIST_MEMO_CHARS characters, forgotten at once when full (a bounded memory that keeps no big text alive).
_STOPLIST_MEMO: dict[tuple[tuple[str, ...], ParagraphOptions, int], str | None] = {}
_STOPLIST_MEMO_MAX = 256
_STOPLIST_MEMO_CHARS = 65_536


def choose_stoplist(texts: list[str], opts: ParagraphOptions | None = None, sample_words: int = 3000) -> str | None:
    """The stoplist whose words make up the largest share of the texts' words, or None when none fits.

    A list with less than half the words of that one that matches at least ``opts.near_tie_share`` as many
    of the texts' words is chosen instead (of those, the one matching most): a big list's lead is then chance
    overlap. (A pure function of its arguments, remembered for the last texts asked about.)"""
    opts = opts or ParagraphOptions()
    if sum(map(len, texts)) > _STOPLIST_MEMO_CHARS:
        return _choose_stoplist(texts, opts, sample_words)
    key = (tuple(texts), opts, sample_words)
    if key in _STOPLIST_MEMO:
        return _STOPLIST_MEMO[key]
    if len(_STOPLIST_MEMO) >= _STOPLIST_MEMO_MAX:
        _STOPLIST_MEMO.clear()
    name = _STOPLIST_MEMO[key] = _choose_stoplist(texts, opts, sample_words)
    return name


def _choose_stoplist(texts: list[str], opts: ParagraphOptions, sample_words: int) -> str | None:
    names, where = _index()
    if not names:
        return None
    sample: list[str] = []  # the texts' first ``sample_words`` words
    for t in texts:
        sample += _WORD.findall(t)[: sample_words - len(sample)]
        if len(sample) >= sample_words:
            break
    n = len(sample)
    # each distinct word once, through the few thousand distinct sets of lists the words belong to: per set its
    # words' occurrences, then per list the sum over its sets (whole numbers: the same counts in any order)
    set_of, indptr, indices = _list_sets(where)
    get = where.get
    found = [(set_of[id(ks)], c) for w, c in Counter(map(str.casefold, sample)).items() if (ks := get(w)) is not None]
    if not n or not found:
        return None
    sets, occurrences = zip(*found, strict=True)
    per_set = np.bincount(sets, weights=occurrences, minlength=len(indptr) - 1)
    used = np.flatnonzero(per_set)
    first, lengths = indptr[used], indptr[used + 1] - indptr[used]
    at = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    per_list = np.bincount(indices[at], weights=np.repeat(per_set[used], lengths), minlength=len(names))
    hit = np.flatnonzero(per_list)
    counts = dict(zip(hit.tolist(), per_list[hit].astype(np.int64).tolist(), strict=True))
    # Ties (Simple_English vs English) go to the alphabetically first name: deterministic.
    best, hits = min(counts.items(), key=lambda kv: (-kv[1], names[kv[0]]))
    # Some of jusText's long lists (built from Wikipedia) hold thousands of words, English ones among
    # them: a list that matches almost as many words (``near_tie_share``) with less than half the
    # words is the text's language, not a chance overlap of a big list (an English page read as Finnish).
    sizes = _sizes()
    near = [k for k, c in counts.items() if c >= opts.near_tie_share * hits and 2 * sizes[k] < sizes[best]]
    if near:
        best, hits = min(((k, counts[k]) for k in near), key=lambda kv: (-kv[1], names[kv[0]]))
    return names[best] if hits / n >= opts.min_list_density else None


# jusText's stoplist of each language langdetect returns (``foreign_paragraphs``); none for the languages
# without one here or written without spaces (ja, pa, so, th, zh-cn, zh-tw).
STOPLIST_OF = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech",
    "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
    "et": "Estonian", "fa": "Persian", "fi": "Finnish", "fr": "French", "gu": "Gujarati", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "kn": "Kannada",
    "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi",
    "ne": "Nepali", "nl": "Dutch", "no": "Norwegian_Bokmal", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian",
    "ur": "Urdu", "vi": "Vietnamese",
}  # fmt: skip


def foreign_paragraphs(
    paragraphs: list[str], language: str, min_chars: int = 100, ratio: float = 0.6, head_words: int = 24
) -> list[int]:
    """Positions of the paragraphs of a text detected as ``language`` that may be in another language.

    Of the paragraphs of at least ``min_chars`` characters (shorter ones are too few words to tell), those
    whose first ``head_words`` words use the language's function words at less than ``ratio`` times the
    median rate of those paragraphs (stopword density: relative, since jusText's lists are long and share
    many words, English ones among them), and are not mostly capitalised (a list of names or a line-up uses
    none either). A cheap screen before detecting those paragraphs: a record's language is detected on a
    sample of its start, which a quote or a passage in another language rarely sways. Empty for a language
    without a stoplist here (``STOPLIST_OF``) or fewer than two such paragraphs.
    """
    name = STOPLIST_OF.get(language)
    long = [k for k, p in enumerate(paragraphs) if len(p) >= min_chars]
    if name is None or len(long) < 2:
        return []
    stops = stoplist(name)
    heads = {k: paragraphs[k].split(maxsplit=head_words)[:head_words] for k in long}
    density = {k: stopword_density(" ".join(head), stops) for k, head in heads.items()}
    limit = ratio * statistics.median(density.values())
    return [k for k in long if density[k] < limit and 2 * sum(1 for w in heads[k] if w[:1].isupper()) <= len(heads[k])]


def stopword_density(text: str, stops: frozenset[str]) -> float:
    """Share of the whitespace-separated words of ``text`` that are stopwords (jusText's measure), over
    the words without a digit: figures ("$2.8", "3.5%", "2019") are neither function words nor chrome,
    and would make a sentence about money or results read as a list."""
    # (the text case-folded once, then split: the same words as each word case-folded, since case folding
    # neither makes nor removes white space)
    words = [t.strip(_WORD_EDGES) for t in text.casefold().split()]
    if _FIGURE.search(text) is None:
        if not words:
            return 0.0
        return sum(map(stops.__contains__, words)) / len(words)
    n = len(words) - len(_FIGURE_TOKEN.findall(text))
    if n <= 0:
        return 0.0
    return sum(1 for t in words if t in stops and _FIGURE.search(t) is None) / n


def initial_class(text: str, stops: frozenset[str] | None, opts: ParagraphOptions) -> str:
    """jusText's context-free class of one paragraph (see the module docstring)."""
    if "©" in text:
        return "bad"
    length = len(text)
    if length < opts.length_low:
        return "short"
    # With no stoplist for the language, a sentence-final mark stands in for function words.
    density = stopword_density(text, stops) if stops else opts.stopwords_high * bool(_SENTENCE_END.search(text))
    if density >= opts.stopwords_high:
        return "good" if length > opts.length_high else "neargood"
    if density >= opts.stopwords_low:
        return "neargood"
    return "bad"


def _neighbour(classes: list[str], i: int, step: int, ignore_neargood: bool) -> str:
    skip = ("short", "neargood") if ignore_neargood else ("short",)
    j = i + step
    while 0 <= j < len(classes):
        if classes[j] not in skip:
            return classes[j]
        j += step
    return "bad"


def revise(classes: list[str]) -> list[str]:
    """jusText's context step: short and neargood paragraphs take the class their neighbours suggest."""
    out = list(classes)
    for i, c in enumerate(classes):
        if c != "short":
            continue
        prev, nxt = _neighbour(classes, i, -1, True), _neighbour(classes, i, 1, True)
        if prev == nxt:
            out[i] = prev
        elif (prev == "bad" and _neighbour(classes, i, -1, False) == "neargood") or (
            nxt == "bad" and _neighbour(classes, i, 1, False) == "neargood"
        ):
            out[i] = "good"
        else:
            out[i] = "bad"
    final = list(out)
    for i, c in enumerate(out):
        if c != "neargood":
            continue
        prev, nxt = _neighbour(out, i, -1, True), _neighbour(out, i, 1, True)
        final[i] = "bad" if prev == nxt == "bad" else "good"
    return final


def classify(
    paragraphs: list[str],
    stops: frozenset[str] | None,
    opts: ParagraphOptions | None = None,
    chrome: list[bool] | None = None,
    cache: dict[str, str] | None = None,
) -> list[str]:
    """'good' or 'bad' for every paragraph, jusText style (initial class, then context).

    Args:
        paragraphs: the paragraphs in text order (clean text).
        stops: the stopword list of their language, or None when no list fits.
        opts: thresholds.
        chrome: per paragraph, True for a line already removed as link-like web chrome (a menu entry, a
            share row, a teaser's "By X" line): it is 'bad' whatever its text, as jusText's link density
            makes such HTML blocks bad, and it weighs on its neighbours in the context step.
        cache: initial classes by paragraph text, filled and reused across calls with the same stoplist
            and options (a splitter classifies the same paragraphs in several contexts).

    Returns:
        One of 'good' / 'bad' per paragraph.
    """
    opts = opts or ParagraphOptions()
    is_chrome = chrome or [False] * len(paragraphs)
    memo: dict[str, str] = {} if cache is None else cache
    classes = []
    for p, c in zip(paragraphs, is_chrome, strict=True):
        if c:
            classes.append("bad")
            continue
        cls = memo.get(p)
        if cls is None:
            cls = memo[p] = initial_class(p, stops, opts)
        classes.append(cls)
    if "good" not in classes:  # short-paragraph prose (wire style): its near-good paragraphs are the best it has
        classes = ["good" if c == "neargood" else c for c in classes]
    # A list of two or more bullet or numbered items is a list of links (teasers, menus): jusText's link
    # density, which plain text does not have, would mark it bad.
    bullet = [i for i, p in enumerate(paragraphs) if not is_chrome[i] and _BULLET.match(p)]
    # An item of running prose (long, good by its stopwords, ends like a sentence: an analyst's bullet
    # point) is no link: it keeps its class.
    for a, b in pairwise(bullet):
        if b - a == 1:
            for j in (a, b):
                if not (
                    classes[j] == "good" and _SENTENCE_END.search(paragraphs[j]) and not _ELLIPSIS.search(paragraphs[j])
                ):
                    classes[j] = "bad"
    for i in bullet:  # a list item holding a URL is a link, a list flattened onto one line of headlines too
        if _URL.search(paragraphs[i]) or is_flat_headline_list(paragraphs[i]):
            classes[i] = "bad"
    promote_prose_runs(classes, paragraphs, opts)
    return revise(classes)


def _title_case(text: str) -> bool:
    """Most words of four letters or more capitalised ("Customers Leave Without Paying The Bill")."""
    long = [w for w in _WORD.findall(text) if len(w) >= 4 and not w.isdigit()]
    return len(long) >= 2 and sum(w[0].isupper() for w in long) >= 0.7 * len(long)


def is_flat_headline_list(text: str) -> bool:
    """A bulleted list flattened onto one line ("* Headline one * Headline two * Headline three") whose
    items are mostly title-case headlines: a "Most read" box of links. A flattened list of sentences
    (bullet points of an article) is not one."""
    items = [t for t in _INNER_BULLET.split(text) if t.strip()]
    return len(items) >= 3 and 3 * sum(_title_case(t) for t in items) >= 2 * len(items)


def promote_prose_runs(classes: list[str], paragraphs: list[str], opts: ParagraphOptions) -> None:
    """Make good (in place) every run of ``opts.prose_run`` or more consecutive near-good paragraphs.

    Plain text breaks an article into one- or two-sentence paragraphs that are rarely longer than
    jusText's ``length_high``, so each alone is only near-good, and a body between two bad blocks (a
    menu above, a teaser list below) would turn bad as a whole. Several near-good paragraphs in a row,
    with no short line between them, are one dense block of running text (boilerpipe's text density);
    teaser lists alternate a short headline with its summary and do not form such runs.
    """
    k = 0
    n = len(classes)
    while k < n:
        if classes[k] != "neargood":
            k += 1
            continue
        end = k
        while end < n and classes[end] == "neargood":
            end += 1
        if end - k >= opts.prose_run and sum(len(paragraphs[j]) for j in range(k, end)) >= 2 * opts.length_high:
            classes[k:end] = ["good"] * (end - k)
        k = end
