"""Article boundaries by a trained model: where in a text of concatenated articles a new article starts.

Pure functions over plain data (no I/O but reading the packaged model file). Each block-opening line of a
text (the first logical line after a blank line) is a *candidate*; ``boundary_features`` describes it with
cheap, corpus-independent numbers (the blank-line gap before it compared with the text's usual gap, how
headline-like it and its neighbours are, whether the text after it opens an article with a byline, date
or dateline, and how much the topic changes there: the cosine of the words before and after at two
window sizes and a TextTiling depth score), and ``boundary_probabilities`` scores them with a logistic
regression trained by ``scripts/train_boundary.py`` (``make train``) on concatenations of the dev corpora
(BBC, Reuters, Multi-News) built with known joins. The splitter (``corpus_etl.split``) asks it whether a line opens
a new article; its rules stay as features and as the overrides for what is certain (separators).

The model file ``models/boundary.json`` holds the feature names, the standardisation, the coefficients
and the decision thresholds; ``MODEL_VERSION`` is its version string, recorded with each run's rules.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import logit

if TYPE_CHECKING:
    from .rules import Rules
    from .split import Line, SplitOptions

MODEL_PATH = Path(__file__).with_name("models") / "boundary.json"

FEATURES: tuple[str, ...] = (
    "bias",
    "gap",  # blank lines before the line (capped at 4)
    "gap_above_usual",  # the gap is larger than the text's median gap between blocks
    "gap_below_usual",
    "headline",  # split.is_headline
    "headline_x_gap_above",
    "upper_share",  # share of upper-case letters
    "log_words",
    "ends_sentence",
    "prev_ends_sentence",
    "prev_headline",  # the line before is headline-like (this one would be its body)
    "next_opener",  # the next line is a byline, a date line or opens with a dateline
    "next_prose",  # the next line reads as running text
    "dateline_start",  # the line opens with a dateline ("LONDON, March 3 - ...")
    "cos_short",  # topic cosine of the ~40 content words before and after
    "cos_long",  # ... of the ~150 words before and after
    "depth",  # TextTiling depth of cos_long among the candidates
    "no_words_before",  # no content before it (the text's first block)
    "log_words_before",  # words since the previous candidate with a gap above usual or a headline
    "headline_share",  # share of the text's candidates that are headline-like (does it use headlines?)
    "opens_with_headline",  # the text opens with a headline-like line over running text
    "untitled_in_headlined_text",  # not headline-like, in a text that opens with a headline
)


@dataclass(frozen=True)
class BoundaryModel:
    """A logistic regression over ``FEATURES``: standardised inputs, coefficients, thresholds."""

    version: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    threshold: float  # a headline-like line opens an article at this probability
    threshold_untitled: float  # a line that is not headline-like opens an (untitled) article at this one

    def probability(self, x: list[float]) -> float:
        """P(the candidate opens an article) for one feature row in ``features`` order."""
        return logit.probability(x, self.mean, self.scale, self.coef)


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> BoundaryModel:
    """Read a model file (the packaged one by default); it must describe exactly ``FEATURES``."""
    data = logit.read_model_file(Path(path or MODEL_PATH), FEATURES, "corpus_etl.boundary")
    return BoundaryModel(
        data["version"],
        data["features"],
        data["mean"],
        data["scale"],
        data["coef"],
        float(data["threshold"]),
        float(data["threshold_untitled"]),
    )


def model_version() -> str:
    """The packaged model's version string (recorded with a run's settings)."""
    return load_model().version


_TOPIC_WORD = re.compile(r"[^\W\d_]{5,}")
_TOPIC_WORD_LOWER_ASCII = re.compile(r"[a-z]{5,}")  # (the same words in a lower-cased ASCII text: twice as fast)


def _gap(text: str, lines: list[Line], i: int) -> int:
    """Blank lines between line ``i`` and the line before it (at most 4)."""
    if i == 0:
        return 0
    return min(text.count("\n", lines[i - 1].end, lines[i].start), 4)


def candidates(lines: list[Line]) -> list[int]:
    """Indices of the lines that open a blank-line block (the first line of the text included)."""
    return [i for i, ln in enumerate(lines) if i == 0 or ln.block != lines[i - 1].block]


_NOT_ASCII_LETTER = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))
_NOT_ASCII_UPPER = bytes(b for b in range(256) if not 65 <= b <= 90)


def _letters_upper(text: str) -> tuple[int, int]:
    """(letters, upper-case characters) of ``text``, as ``str.isalpha`` and ``str.isupper`` count them (an
    ASCII text through ``bytes.translate``: the same answer, faster)."""
    if text.isascii():
        b = text.encode("ascii")
        return len(b.translate(None, _NOT_ASCII_LETTER)), len(b.translate(None, _NOT_ASCII_UPPER))
    return sum(1 for c in text if c.isalpha()), sum(1 for c in text if c.isupper())


class BoundaryScorer:
    """Features and probabilities of a text's candidate lines, computed when first asked for.

    The splitter asks only about the lines where it has a decision to make (a headline-like line or a
    block of running text after enough body), so most lines of a web page are never described.
    """

    def __init__(self, text: str, lines: list[Line], rules: Rules, opts: SplitOptions, model: BoundaryModel | None):
        from . import split  # cycle: split imports this module
        from .split import words  # cycle: split imports this module

        self._split = split
        self.text, self.lines, self.rules, self.opts, self.model = text, lines, rules, opts, model
        self.cands = candidates(lines)
        self.rank = {i: k for k, i in enumerate(self.cands)}
        self.gaps = [_gap(text, lines, i) for i in self.cands]
        if len(self.gaps) > 1 and not any(self.gaps[1:]):
            self.gaps[1:] = [1] * (len(self.gaps) - 1)  # a text with no blank line (each line a block): read as one
        inner = sorted(self.gaps[1:])
        self.usual = inner[len(inner) // 2] if inner else 1
        self.counts = [words(ln.text) for ln in lines]
        self.cum = [0]
        for c in self.counts:
            self.cum.append(self.cum[-1] + c)
        self._ids: list[int] | None = None  # the topic words of all lines as vocabulary ids, in order
        self._tok_off: list[int] = []  # where each line's words start in _ids (and the end)
        self._head: list[bool | None] = [None] * len(lines)
        self._cos_long: dict[int, float] = {}
        self._last_strong: list[int] | None = None
        self._prob: dict[int, float] = {}
        self._headline_share: float | None = None
        self._opens_with_headline: bool | None = None

    def _topic_ids(self) -> list[int]:
        if self._ids is None:
            vocab: dict[str, int] = {}
            ids: list[int] = []
            self._tok_off = [0]
            for ln in self.lines:
                t = ln.text
                if t.isascii():  # (casefolding ASCII is lowering it, and keeps its letters letters: once a line)
                    ids.extend([vocab.setdefault(w, len(vocab)) for w in _TOPIC_WORD_LOWER_ASCII.findall(t.lower())])
                else:
                    ids.extend([vocab.setdefault(w.casefold(), len(vocab)) for w in _TOPIC_WORD.findall(t)])
                self._tok_off.append(len(ids))
            self._ids = ids
        return self._ids

    def _headline(self, j: int) -> bool:
        h = self._head[j]
        if h is None:
            h = self._head[j] = self._split.is_headline(self.lines[j].text, self.opts)
        return h

    def _cos(self, i: int, limit: int) -> float:
        """Topic cosine of the lines before line ``i`` and the lines from it on, each side as many whole
        lines as reach ``limit`` words (a window is a slice of the text's topic words: one C-level count)."""
        ids = self._topic_ids()
        cum = self.cum
        # before: lines lo..i-1 with cum[i] - cum[lo] >= limit (or from the start)
        lo = bisect.bisect_right(cum, cum[i] - limit) - 1
        lo = max(0, min(lo, i - 1)) if i else 0
        # after: lines i..hi-1 with cum[hi] - cum[i] >= limit (or to the end)
        hi = bisect.bisect_left(cum, cum[i] + limit)
        hi = max(i + 1, min(hi, len(self.lines)))
        off = self._tok_off
        a, b = Counter(ids[off[lo] : off[i]]), Counter(ids[off[i] : off[hi]])
        if not a or not b:
            return 0.0
        # the counts over the words of the two windows only (a Counter of each: a window is a few hundred words,
        # where numpy's per-call cost was most of the time); the dot products are sums of integer products, exact
        # as Python ints, so the cosine is the same to the bit as over the text's whole vocabulary
        get = b.get
        dot = sum([n * get(w, 0) for w, n in a.items()])
        den = math.sqrt(float(sum([n * n for n in a.values()])) * float(sum([n * n for n in b.values()])))
        return float(dot) / den if den else 0.0

    def cos_long(self, k: int) -> float:
        """Topic cosine of the ~150 words before and after the ``k``-th candidate."""
        c = self._cos_long.get(k)
        if c is None:
            c = self._cos_long[k] = self._cos(self.cands[k], 150)
        return c

    def _words_since_strong(self, k: int) -> int:
        """Words between the last 'strong' candidate before the ``k``-th (a headline or a gap above the
        usual one) and it."""
        if self._last_strong is None:
            last, out = 0, []
            for kk, i in enumerate(self.cands):
                out.append(last)
                if self.gaps[kk] > self.usual or self._headline(i):
                    last = i
            self._last_strong = out
        i = self.cands[k]
        return self.cum[i] - self.cum[self._last_strong[k]]

    def words_from(self, i: int) -> int:
        """Words of the text from line ``i`` to its end."""
        return self.cum[-1] - self.cum[i]

    def opens_with_headline(self) -> bool:
        """Whether the text's first line is headline-like with running text after it (a text of stories
        with headlines, as opposed to paragraphs with none)."""
        if self._opens_with_headline is None:
            self._opens_with_headline = (
                len(self.lines) > 1 and self._headline(0) and self._split.is_prose(self.lines[1].text)
            )
        return self._opens_with_headline

    def first_line_headline(self) -> bool:
        """Whether the text's first line is headline-like (a file of stories under their headlines, or one story
        under its own; not an article given without its headline)."""
        return bool(self.lines) and self._headline(0)

    def headline_share(self) -> float:
        """Share of the text's candidates that are headline-like."""
        if self._headline_share is None:
            n = len(self.cands)
            self._headline_share = sum(1 for i in self.cands if self._headline(i)) / n if n else 0.0
        return self._headline_share

    def features(self, i: int) -> list[float]:
        """The feature row (``FEATURES`` order) of candidate line ``i``."""
        sp = self._split
        k = self.rank[i]
        t = self.lines[i].text
        head_text = t[:200]  # (the share of capitals of a long line's opening is enough)
        n_letters, n_upper = _letters_upper(head_text)
        upper = n_upper / n_letters if n_letters else 0.0
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        head = self._headline(i)
        opener = False
        if nxt is not None and head:
            nt = nxt.text
            opener = bool(
                sp.parse_byline(nt, self.rules) is not None
                or (sp.words(nt) <= 16 and sp.parse_date_line(nt, self.rules) is not None)
                or self.rules.dateline.match(nt)
            )
        gap = self.gaps[k]
        cos_long = self.cos_long
        cl = cos_long(k)
        left = max([cos_long(kk) for kk in range(max(0, k - 3), k + 1)])
        right = max([cos_long(kk) for kk in range(k, min(len(self.cands), k + 4))])
        prev = self.lines[i - 1].text if i else ""
        opens = self.opens_with_headline()
        sentence_end = sp._SENTENCE_END
        return [
            1.0,
            float(gap),
            float(gap > self.usual),
            float(gap < self.usual),
            float(head),
            float(head and gap > self.usual),
            upper,
            math.log1p(self.counts[i]),
            float(bool(sentence_end.search(t))),
            float(bool(sentence_end.search(prev))) if i else 1.0,
            float(self._headline(i - 1)) if i else 0.0,
            float(opener),
            float(nxt is not None and sp.is_prose(nxt.text)),
            float(bool(self.rules.dateline.match(t))),
            self._cos(i, 40),
            cl,
            (left - cl) + (right - cl),
            float(i == 0),
            math.log1p(self._words_since_strong(k)),
            self.headline_share(),
            float(opens),
            float(not head and opens),
        ]

    def probability(self, i: int) -> float:
        """P(line ``i`` opens an article); 0 for a line that is not a candidate."""
        if i not in self.rank or self.model is None:
            return 0.0
        if i not in self._prob:
            self._prob[i] = self.model.probability(self.features(i))
        return self._prob[i]


def boundary_features(
    text: str, lines: list[Line], rules: Rules, opts: SplitOptions, cands: list[int] | None = None
) -> list[list[float]]:
    """One feature row (``FEATURES`` order) per candidate line ``cands`` (default: ``candidates(lines)``)."""
    scorer = BoundaryScorer(text, lines, rules, opts, None)
    return [scorer.features(i) for i in (scorer.cands if cands is None else cands)]


def boundary_probabilities(
    text: str, lines: list[Line], rules: Rules, opts: SplitOptions, model: BoundaryModel | None = None
) -> dict[int, float]:
    """P(opens an article) of every candidate line, by line index (other lines are not candidates)."""
    scorer = BoundaryScorer(text, lines, rules, opts, model or load_model())
    return {i: scorer.probability(i) for i in scorer.cands}
