"""langdetect's detection, computed with numpy: the same answers (bit for bit), a fraction of the time.

langdetect spends most of its time in two pure-Python loops: ``Detector._extract_ngrams`` (one
``NGram.add_char`` and ``NGram.normalize`` call per character) and ``Detector._update_lang_prob`` (a
Python loop over the 55 languages for every sampled n-gram, about 440 times per text). This module runs
the same algorithm with the same profiles, the same seeded ``random.Random`` call sequence and the same
IEEE double operations in the same order:

- n-grams: the characters' normalisation (``NGram.normalize``, a pure function of the character) is
  memoised; the n-gram window logic is ``NGram.add_char`` inlined;
- ``prob[i] *= weight + p[i]`` for every language is one numpy expression on float64 vectors (element-wise
  add then multiply: exactly the Python arithmetic);
- normalisation sums the probabilities left to right with Python's ``sum`` (as langdetect does; numpy's
  pairwise sum would round differently) and divides element-wise;
- ``random.choice``, ``random.gauss`` and the trial loop are langdetect's own, on the same generator.

``tests/unit/test_langfast.py`` checks languages *and* probabilities against ``Detector.get_probabilities``
on real text in many languages. Text cleaning (``Detector.append``, ``cleaning_text``) and the final
sorting are langdetect's own code.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import threading
from array import array
from types import SimpleNamespace
from typing import Any

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

_lock = threading.Lock()
_tables: tuple[dict[str, int], _SparseRows, list[str]] | None = None


def _profile_tables() -> tuple[dict[str, int], _SparseRows, list[str]]:
    """langdetect's profiles as numpy: n-gram -> row of a (n-grams x languages) float64 matrix (kept as
    sparse rows), and the language list.

    Read from langdetect's profile files the way ``DetectorFactory.load_profile`` reads them (the same
    file order, hence the same language order; ``prob = 1.0 * freq / n_words[len - 1]``), without building
    its dict of Python float lists (about 250 MB per process): the fast engine never initialises
    langdetect's own factory.
    """
    global _tables
    with _lock:
        if _tables is None:
            files = os.listdir(PROFILES_DIRECTORY)
            langsize = len(files)
            langlist: list[str] = []
            index: dict[str, int] = {}
            cells: tuple[list[int], list[int], list[float]] = ([], [], [])
            for name in files:
                path = os.path.join(PROFILES_DIRECTORY, name)
                if name.startswith(".") or not os.path.isfile(path):
                    continue
                with open(path, encoding="utf-8") as fh:
                    profile = json.load(fh)
                col = len(langlist)
                if profile["name"] in langlist:
                    raise ValueError(f"duplicate language profile {profile['name']}")
                langlist.append(profile["name"])
                n_words = profile["n_words"]
                for word, freq in profile["freq"].items():
                    row = index.setdefault(word, len(index))
                    if 1 <= len(word) <= 3:
                        cells[0].append(row)
                        cells[1].append(col)
                        cells[2].append(1.0 * freq / n_words[len(word) - 1])
            del langsize  # langdetect sizes its rows by the files; the columns past the languages stay zero
            _tables = (index, _SparseRows(cells, len(index), len(langlist)), langlist)
        return _tables


class _SparseRows:
    """The profile matrix in compressed sparse rows: 4 % of its cells are not zero, so this holds ~2 MB
    instead of the dense 38 MB (per worker process). ``dense(rows)`` gives the dense float64 rows (the same
    values, bit for bit) of the n-grams one text uses."""

    def __init__(self, cells: tuple[list[int], list[int], list[float]], n_rows: int, n_cols: int) -> None:
        rows, cols, vals = (np.asarray(c) for c in cells)
        keep = vals != 0.0
        order = np.lexsort((cols[keep], rows[keep]))  # each row's cells together, by column
        self.n_cols = n_cols
        self.cols = cols[keep][order].astype(np.intp)
        self.vals = np.ascontiguousarray(vals[keep][order], dtype=np.float64)
        self.indptr = np.zeros(n_rows + 1, dtype=np.intp)
        np.cumsum(np.bincount(rows[keep], minlength=n_rows), out=self.indptr[1:])

    def dense(self, rows: Any) -> Any:
        """The dense (len(rows) x languages) float64 matrix of ``rows``."""
        starts = self.indptr[rows]
        lens = self.indptr[np.asarray(rows) + 1] - starts
        out = np.zeros((len(rows), self.n_cols), dtype=np.float64)
        total = int(lens.sum())
        if total:
            offsets = np.cumsum(lens) - lens
            cell = np.arange(total) - np.repeat(offsets - starts, lens)
            out[np.repeat(np.arange(len(rows)), lens), self.cols[cell]] = self.vals[cell]
        return out


def new_detector(seed: Any) -> Any:
    """A langdetect ``Detector`` (its constants, text handling and sorting) for this engine: it carries
    the language list and the seed, not langdetect's profile dict."""
    _, _, langlist = _profile_tables()
    return Detector(SimpleNamespace(word_lang_prob_map={}, langlist=list(langlist), seed=seed))


class _NormTable(dict[int, str]):
    """``str.translate`` table of ``NGram.normalize``, filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        out = self[code] = NGram.normalize(chr(code))
        return out


_NORM = _NormTable()
# A word's profile rows as packed int32 (``bytes``: about 220 bytes an entry with its key, where a list of
# ints took 670, i.e. 63 MB per worker process at the cap)
_WORD_CACHE: dict[str, bytes] = {}
_WORD_CACHE_MAX = 100_000  # cleared when full: bounded memory in long-running workers


def forget_words() -> None:
    """Forget the words' profile rows (a batch worker calls it after each batch: ``pipeline.forget_memos``)."""
    _WORD_CACHE.clear()


def _word_ngrams(chars: str, index: dict[str, int]) -> list[int]:
    """``NGram.add_char`` and the n-gram loop of ``Detector._extract_ngrams`` over ``chars`` (normalised
    characters), starting after a space."""
    result: list[int] = []
    grams = " "
    capital = False
    for ch in chars:
        last = grams[-1]
        if last == " ":
            grams = " "
            capital = False
            if ch == " ":
                continue
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        n = len(grams)
        for w in (grams[-1], grams[-2:] if n >= 2 else None, grams if n >= 3 else None):
            if w is not None and w != " ":
                row = index.get(w)
                if row is not None:
                    result.append(row)
    return result


def extract_ngrams(text: str, index: dict[str, int]) -> list[int]:
    """``Detector._extract_ngrams`` as profile rows: the 1-, 2- and 3-grams of ``text`` that have a
    profile, in the same order (``ngram_rows`` as a list)."""
    return ngram_rows(text, index).tolist()


def ngram_rows(text: str, index: dict[str, int]) -> Any:
    """``extract_ngrams`` as an int32 array.

    langdetect's n-gram window starts afresh after every space of the normalised text (``NGram.add_char``
    resets it, and the capital-word flag, when the previous character was a space), so the n-grams are
    those of each space-separated word of the normalised text (with its trailing space, except at the
    very end), concatenated: each distinct word is worked out once and cached.
    """
    norm = text.translate(_NORM)
    words = norm.split(" ")
    last = len(words) - 1
    cache = _WORD_CACHE
    if len(cache) > _WORD_CACHE_MAX:
        cache.clear()
    parts: list[bytes] = []
    for k, w in enumerate(words):
        if not w:
            continue
        key = w + " " if k < last else w
        rows = cache.get(key)
        if rows is None:
            rows = cache[key] = array("i", _word_ngrams(key, index)).tobytes()
        parts.append(rows)
    return np.frombuffer(b"".join(parts), dtype=np.int32)


_SPACES = re.compile(" {2,}")
_LATIN = re.compile("[A-z]")  # langdetect's 'A' <= ch <= 'z' (the ASCII range, [\\]^_` included)
# langdetect means ">= U+0300 and not Latin Extended Additional", but it compares unicode_block()'s int with a
# string, so every character from U+0300 on counts: so do we.
_NON_LATIN = re.compile("[\u0300-\U0010ffff]")


def append_text(detector: Any, text: str) -> None:
    """``detector.append(text)`` then ``detector.cleaning_text()``, with regular expressions instead of
    langdetect's character loops (same result: URLs and e-mails blanked, Vietnamese normalised, the text
    cut at ``max_text_length``, runs of spaces made one; Latin letters dropped from a mostly non-Latin
    text)."""
    text = detector.URL_RE.sub(" ", text)
    text = detector.MAIL_RE.sub(" ", text)
    text = NGram.normalize_vi(text)
    text = detector.text + _SPACES.sub(" ", text[: detector.max_text_length])
    if len(_LATIN.findall(text)) * 2 < len(_NON_LATIN.findall(text)):
        text = _LATIN.sub("", text)
    detector.text = text


def get_probabilities(detector: Any) -> list[Any]:
    """``get_probabilities()`` of a langdetect ``Detector`` for the text given to ``append_text`` (a detector
    from ``new_detector``, or from langdetect's factory): ``get_probabilities_many`` of that one detector.

    Raises:
        LangDetectException: the text has no n-gram with a profile (as langdetect does).
    """
    result = get_probabilities_many([detector])[0]
    if isinstance(result, BaseException):
        raise result
    return list(result)


GROUP = 256  # texts run side by side (get_probabilities_many)


def get_probabilities_many(detectors: list[Any], group: int = GROUP) -> list[Any]:
    """``get_probabilities`` of many detectors at once: each element is the detector's sorted
    ``Language`` list, or the exception its own ``get_probabilities`` would raise (``LangDetectException``
    for a text with no n-gram, ``ZeroDivisionError`` as in langdetect).

    The texts run side by side: every step of the trial loop (one n-gram update, or a run of five, then
    the normalisation and the convergence test) is one numpy operation over all texts still running, so
    the cost of a step is shared by them instead of paid per text. Each text keeps its own random stream,
    trials, iteration count and convergence, and every probability is computed with the same operations
    in the same order as ``get_probabilities`` (tested bit for bit against langdetect): only the loop
    around them changes.

    Args:
        detectors: detectors from ``new_detector`` (or langdetect's factory) after ``append_text``.
        group: at most this many texts run side by side (bounds the memory of the dense profile rows).
    """
    out: list[Any] = []
    for start in range(0, len(detectors), group):
        out += _many(detectors[start : start + group])
    return out


# Choices held per text at first: langdetect's trials mostly converge within a few dozen updates (7 trials of
# ~50), so 1,024 cover most texts; a text that runs long gets more of its stream when it needs them.
_FIRST_CHOICES = 1024


def _many(detectors: list[Any]) -> list[Any]:
    index, table, _ = _profile_tables()
    results: list[Any] = [None] * len(detectors)
    texts: list[int] = []  # positions of the detectors with n-grams
    grams: list[Any] = []  # (int32: profile rows; the arrays below stay int32 too, half the memory of intp)
    for k, det in enumerate(detectors):
        ngrams = ngram_rows(det.text, index)
        if not ngrams.size:
            results[k] = LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        else:
            texts.append(k)
            grams.append(ngrams)
    if not texts:
        return results
    n_lang = len(detectors[texts[0]].langlist)
    # one dense matrix for the distinct n-grams of all texts; each text's n-grams as rows of it
    sizes = [g.size for g in grams]
    every = np.concatenate(grams)
    del grams
    seen = np.zeros(table.indptr.size - 1, dtype=bool)  # np.unique without sorting: the rows are bounded
    seen[every] = True
    distinct = np.flatnonzero(seen)
    lookup = np.empty(seen.size, dtype=np.int32)
    lookup[distinct] = np.arange(distinct.size, dtype=np.int32)
    inverse = lookup[every]
    del every, lookup, seen
    matrix = table.dense(distinct)
    bounds = np.cumsum([0, *sizes])
    rows_of = [inverse[bounds[t] : bounds[t + 1]] for t in range(len(texts))]
    streams = [_Stream(detectors[k].seed, size, _FIRST_CHOICES) for k, size in zip(texts, sizes, strict=True)]
    n = len(texts)
    n_trial = np.array([detectors[k].n_trial for k in texts])
    conv = np.array([detectors[k].CONV_THRESHOLD for k in texts], dtype=np.float64)
    limit = np.array([detectors[k].ITERATION_LIMIT for k in texts])
    # chosen[t, :have[t]]: the matrix row of each of text t's choices that its stream has drawn so far
    chosen = np.empty((n, _FIRST_CHOICES), dtype=np.int32)  # (widened for the texts that run long)
    have = np.empty(n, dtype=np.intp)

    def fill(t: int, upto: int = 0) -> None:
        s = streams[t]
        while s.values.size < upto:
            s._more()
        have[t] = m = min(s.values.size, chosen.shape[1])
        chosen[t, :m] = rows_of[t][s.values[:m]]

    for t in range(n):
        fill(t)
    prob = np.empty((n, n_lang), dtype=np.float64)
    langprob = np.zeros((n, n_lang), dtype=np.float64)
    weight = np.empty(n, dtype=np.float64)
    j = np.zeros(n, dtype=np.intp)  # each text's next choice (index into its stream's accepted outputs)
    i = np.zeros(n, dtype=np.intp)  # langdetect's iteration counter
    take = np.ones(n, dtype=np.intp)  # updates before the next check: 1 at a trial's start, then 5
    trial = np.zeros(n, dtype=np.intp)
    failed: dict[int, BaseException] = {}

    def start_trial(t: int) -> None:
        det, s = detectors[texts[t]], streams[t]
        if det.prior_map is not None:
            prob[t] = np.array(det.prior_map, dtype=np.float64)
        else:
            prob[t] = np.full(n_lang, 1.0 / n_lang, dtype=np.float64)
        alpha = det.alpha + s.gauss() * det.ALPHA_WIDTH
        weight[t] = alpha / det.BASE_FREQ
        j[t] = np.searchsorted(s.accepted, s.pos)  # the choices after the outputs random() took
        i[t] = 0
        take[t] = 1

    for t in range(n):
        start_trial(t)
    active = np.arange(n)
    while active.size:
        short = active[j[active] + take[active] > have[active]]
        if short.size:  # a text runs long: more of its stream (and a wider table when it is full)
            need = int((j[short] + take[short]).max())
            if need > chosen.shape[1]:
                wider = np.empty((n, max(need, 2 * chosen.shape[1])), dtype=np.int32)
                wider[:, : chosen.shape[1]] = chosen
                chosen = wider
            for t in short.tolist():
                fill(t, min(chosen.shape[1], int(j[t] + take[t]) + _FIRST_CHOICES))
        w = weight[active][:, None]
        p = prob[active]
        p *= matrix[chosen[active, j[active]]] + w
        five = take[active] == 5
        if five.any():
            a5 = active[five]
            q = p[five]
            w5 = weight[a5][:, None]
            for s in range(1, 5):
                q *= matrix[chosen[a5, j[a5] + s]] + w5
            p[five] = q
        j[active] += take[active]
        i[active] += take[active] - 1
        total = np.cumsum(p, axis=1)[:, -1]  # left to right, as langdetect's sum()
        zero = total == 0.0
        if zero.any():
            for t in active[zero].tolist():
                failed[t] = ZeroDivisionError("float division by zero")
            keep = ~zero
            active, p, total = active[keep], p[keep], total[keep]
        p /= total[:, None]
        prob[active] = p
        done = (p.max(axis=1) > conv[active]) | (i[active] >= limit[active])
        going = active[~done]
        i[going] += 1
        take[going] = 5
        if done.any():
            finished = active[done]
            langprob[finished] += prob[finished] / n_trial[finished, None]
            trial[finished] += 1
            for t in finished.tolist():
                s = streams[t]
                s.j = int(j[t])
                s.pos = int(s.accepted[j[t] - 1]) + 1
                if trial[t] < n_trial[t]:
                    start_trial(t)
            active = active[trial[active] < n_trial[active]]
    for t, k in enumerate(texts):
        if t in failed:
            results[k] = failed[t]
        else:
            results[k] = list(detectors[k]._sort_probability(langprob[t].tolist()))
    return results


_SEEDED: dict[Any, tuple[Any, Any]] = {}
_TWOPI = 2.0 * math.pi


class _Stream:
    """The draws langdetect's ``Detector.random`` makes after ``seed(seed)``, from numpy's MT19937.

    Python's ``Random`` and numpy's ``MT19937`` are the same Mersenne Twister: started from the state
    ``random.Random().seed(seed)`` leaves, numpy's raw 32-bit outputs are the ones Python's generator
    would produce, in order. ``choice(seq)`` is ``seq[r]`` with ``r`` the first ``getrandbits(k) < n``
    (``k`` the bit length of ``n``; ``getrandbits(k)`` is one output shifted right by ``32 - k``), and
    ``random()`` is two outputs (``(a >> 5) * 2**26 + (b >> 6)``, over ``2**53``): both are replayed here
    from blocks of raw outputs, so whole runs of choices are found with one vectorised comparison.
    """

    BLOCK = 8192

    def __init__(self, seed: Any, n: int, start: int = BLOCK) -> None:
        """``start``: how many raw outputs to decode at first (more are decoded when needed: a smaller start
        keeps the many streams of ``get_probabilities_many`` small)."""
        if n >= 1 << 32:
            raise ValueError("too many n-grams")
        first: tuple[Any, Any] | None = _SEEDED.get(seed)
        if first is None:  # every detection replays the same stream: its first block is made once
            rnd = random.Random()
            rnd.seed(seed)
            internal = rnd.getstate()[1]
            gen = np.random.MT19937()
            gen.state = {
                "bit_generator": "MT19937",
                "state": {"key": np.array(internal[:624], dtype=np.uint32), "pos": int(internal[624])},
            }
            first = (gen.random_raw(self.BLOCK), gen.state)
            _SEEDED[seed] = first
        self.after_first = first[1]
        self.gen: Any = None
        self.n = n
        self.shift = np.uint64(32 - n.bit_length())
        self.first = first[0]
        self.raw = first[0][:start]  # (a view of the cached block)
        shifted = self.raw >> self.shift
        self.accepted = np.flatnonzero(shifted < n)  # positions in raw of the outputs that are choices
        self.values = shifted[self.accepted].astype(np.int64)  # the choice each of them makes
        self.pos = 0  # next unused raw output
        self.j = 0  # next entry of accepted that may be unused
        self.gauss_next: float | None = None

    def _more(self) -> None:
        if self.raw.size < self.first.size:  # the rest of the cached first block, then the generator's
            more = self.first[self.raw.size : 2 * self.raw.size]
        else:
            if self.gen is None:
                self.gen = np.random.MT19937()
                self.gen.state = self.after_first
            more = self.gen.random_raw(self.BLOCK)
        self.raw = np.concatenate((self.raw, more))
        shifted = self.raw >> self.shift
        self.accepted = np.flatnonzero(shifted < self.n)
        self.values = shifted[self.accepted].astype(np.int64)

    def _next_raw(self) -> int:
        while self.pos >= self.raw.size:
            self._more()
        self.pos += 1
        return int(self.raw[self.pos - 1])

    def random(self) -> float:
        a, b = self._next_raw() >> 5, self._next_raw() >> 6
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)

    def gauss(self) -> float:
        """``Random.gauss(0.0, 1.0)``."""
        z = self.gauss_next
        self.gauss_next = None
        if z is None:
            x2pi = self.random() * _TWOPI
            g2rad = math.sqrt(-2.0 * math.log(1.0 - self.random()))
            z = math.cos(x2pi) * g2rad
            self.gauss_next = math.sin(x2pi) * g2rad
        return 0.0 + z * 1.0

    def choices(self, count: int) -> Any:
        """The next ``count`` results of ``choice`` over ``n`` items."""
        j = self.j
        accepted = self.accepted
        while j < accepted.size and accepted[j] < self.pos:  # outputs taken by random() in between
            j += 1
        while j + count > accepted.size:
            self._more()
            accepted = self.accepted
        self.j = j + count
        self.pos = int(accepted[j + count - 1]) + 1
        return self.values[j : j + count]
