"""Near-duplicate detection: word 5-gram shingles, MinHash signatures (datasketch's scheme, numpy) and LSH banding.

Pure and deterministic: the shingles are hashed with blake2b (no per-process salt), the MinHash
permutations come from a fixed seed, and the band buckets are blake2b hashes of the signature's bands.

Parameters, chosen for news rather than for web-scale training-data dedup:

- **Shingles: word 5-grams** of the body (casefolded NFKC words; see ``corpus_etl.analytics.text``).
  Long enough that two different stories on one topic share few of them, short enough that a light
  edit (a changed word, a new sentence) only touches a few shingles.
- **Similarity threshold: Jaccard >= 0.5**, verified exactly on the shingle sets of every LSH candidate
  pair. Syndicated and revised copies of a story are retitled, trimmed and updated; on the BBC corpus
  the revised versions of one story have a Jaccard of 0.56 to 0.99, while the closest pairs of
  *different* stories (follow-ups on one topic) stay at or below 0.47.
- **LSH: 32 bands x 4 rows = 128 permutations** (S-curve midpoint (1/32)^(1/4) = 0.42). A pair is a
  candidate with probability 1 - (1 - J^4)^32: 0.87 at J = 0.5, 0.99 at 0.6, 0.9998 at 0.7, but only
  0.003 at J = 0.1 and 3e-7 at 0.01. datatrove's 14 x 8 (midpoint 0.72) and NeMo Curator's 20 x 13 (at
  Jaccard 0.8) are tuned to drop near-identical web pages without verifying candidates; they would
  find only 5% resp. 0.2% of the pairs at J = 0.5 and 21% resp. 3% at J = 0.6, which is where edited
  news copies are. Because every candidate is verified exactly, a false candidate costs only CPU,
  never a false cluster, so the banding can favour recall.
- **Articles taking part:** kind = 'article' with at least 20 words (``MIN_WORDS``): shorter records
  (captions, briefs of a line) have too few shingles for a meaningful similarity.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt

# The default parameters (``params``; a run's own are its ``settings.analytics``, passed in), re-exported here.
from .params import BANDS as BANDS
from .params import INDEX_VERSION as INDEX_VERSION
from .params import MIN_WORDS as MIN_WORDS
from .params import NUM_PERM as NUM_PERM
from .params import ROWS as ROWS
from .params import SCHEME as SCHEME
from .params import SEED as SEED
from .params import SHINGLE_WORDS as SHINGLE_WORDS
from .params import THRESHOLD as THRESHOLD
from .text import words

Hashes = npt.NDArray[np.uint64]
Signature = npt.NDArray[np.uint32]


def shingles(text: str, k: int = SHINGLE_WORDS) -> list[str]:
    """The distinct word k-grams of a text, in order of first appearance.

    A text of fewer than k words (but at least one) is a single shingle of all its words; a text
    without words has none.
    """
    w = words(text)
    if not w:
        return []
    if len(w) < k:
        return [" ".join(w)]
    return list(dict.fromkeys(" ".join(w[i : i + k]) for i in range(len(w) - k + 1)))


@lru_cache(maxsize=1 << 17)  # bounded: batch workers run for a whole ingest
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def forget_words() -> None:
    """Forget the words' hashes (a batch worker calls it after each batch: ``pipeline.forget_memos``)."""
    _word_hash.cache_clear()


_MUL = np.uint64(0x9E3779B97F4A7C15)
_FMIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


def _fmix64(h: Hashes) -> Hashes:
    """MurmurHash3's 64-bit finalizer, element-wise (uint64 arithmetic wraps around by design)."""
    s, m1, m2 = _FMIX
    h = (h ^ (h >> s)) * m1
    h = (h ^ (h >> s)) * m2
    return h ^ (h >> s)


def shingle_hashes(text: str, k: int = SHINGLE_WORDS) -> Hashes:
    """The sorted, distinct 64-bit hashes of a text's word k-gram shingles (the set that is compared).

    Each word is hashed once (blake2b, 64 bits); a shingle's hash chains its words' hashes through a
    multiply and MurmurHash3's finalizer, vectorised over all positions. Equal shingles give equal
    hashes in every process (no salt); distinct shingles collide with probability about 2^-64.
    """
    return hashes_of_words(words(text), k)


def hashes_of_words(w: list[str], k: int = SHINGLE_WORDS) -> Hashes:
    """``shingle_hashes`` of a text already split into ``words``."""
    if not w:
        return np.empty(0, dtype=np.uint64)
    wh = np.fromiter(map(_word_hash, w), dtype=np.uint64, count=len(w))
    span = min(k, len(w))
    n = len(w) - span + 1
    h = np.full(n, span, dtype=np.uint64)
    for j in range(span):
        h = _fmix64(h * _MUL + wh[j : j + n])
    return np.unique(h)


def jaccard(a: Hashes, b: Hashes) -> float:
    """Exact Jaccard similarity of two sorted, distinct hash arrays (0 when both are empty)."""
    if a.size == 0 and b.size == 0:
        return 0.0
    inter = int(np.intersect1d(a, b, assume_unique=True).size)
    return inter / (a.size + b.size - inter)


_M32 = np.uint64(0xFFFFFFFF)
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_EMPTY = np.uint32(0xFFFFFFFF)
SIGN_CHUNK = 4096  # shingles permuted at a time: a (SIGN_CHUNK x NUM_PERM) uint32 block, 2 MiB


@cache
def permutations(seed: int = SEED, num_perm: int = NUM_PERM) -> tuple[Signature, Signature]:
    """The (a, b) parameters of datasketch 2.0.0's affine32 permutations for ``seed`` and ``num_perm``.

    The same draws as ``datasketch.MinHash._init_permutations``: ``numpy.random.RandomState(SEED)``, then
    ``a = 2 * randint(0, 2^31) + 1`` (odd: a bijection modulo 2^32) and ``b = randint(0, 2^32)``, both uint32.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: Signature) -> Signature:
    """MurmurHash3's 32-bit finalizer, element-wise (datasketch's affine32 pre-mix)."""
    s1, m1, s2, m2 = _FMIX32
    h = (h ^ (h >> s1)) * m1
    h = (h ^ (h >> s2)) * m2
    return h ^ (h >> s1)


def signature(hashes: Hashes, seed: int = SEED, num_perm: int = NUM_PERM) -> Signature:
    """The ``num_perm`` MinHash values of a shingle-hash set, as uint32 (the run's ``settings.analytics``; the
    defaults are ``params``).

    Bit for bit datasketch 2.0.0's ``MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")`` fed the low
    32 bits of each 64-bit shingle hash through an identity hash function (``tests/unit/
    test_analytics_minhash.py`` checks it against datasketch): each input is pre-mixed with MurmurHash3's
    32-bit finalizer, permuted by ``a * h + b`` modulo 2^32 and the minimum kept per permutation; an empty
    set gives 2^32 - 1 everywhere. Computed with numpy alone, vectorised over all shingles (in blocks of
    ``SIGN_CHUNK``), so the batch workers never import datasketch (nor the scipy it pulls in).
    """
    a, b = permutations(seed, num_perm)
    sig = np.full(num_perm, _EMPTY, dtype=np.uint32)
    if hashes.size == 0:
        return sig
    hv = _fmix32((hashes & _M32).astype(np.uint32))
    with np.errstate(over="ignore"):
        for i in range(0, hv.size, SIGN_CHUNK):
            block = hv[i : i + SIGN_CHUNK, None] * a + b  # uint32 arithmetic wraps: modulo 2^32
            np.minimum(sig, block.min(axis=0), out=sig)
    return sig


def band_keys(sig: Signature, bands: int = BANDS, rows: int = ROWS) -> list[int]:
    """The LSH bucket of each band of a signature: a signed 64-bit blake2b hash of the band's values.

    Two signatures share band i's bucket exactly when their values in that band are equal (up to a
    2^-64 hash collision, which the exact verification catches).
    """
    data = np.ascontiguousarray(sig[: bands * rows], dtype="<u4").reshape(bands, rows)
    return [
        int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8).digest(), "little", signed=True) for row in data
    ]


def candidate_probability(j: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """Probability that two sets of Jaccard ``j`` share at least one LSH bucket."""
    return float(1 - (1 - j**rows) ** bands)


def candidate_pairs(keys: dict[str, Sequence[int]]) -> set[tuple[str, str]]:
    """All pairs (a, b), a < b, of ids whose band keys agree in at least one band (an in-memory LSH)."""
    buckets: dict[tuple[int, int], list[str]] = {}
    for doc, ks in keys.items():
        for band, key in enumerate(ks):
            buckets.setdefault((band, key), []).append(doc)
    pairs: set[tuple[str, str]] = set()
    for members in buckets.values():
        if len(members) > 1:
            ms = sorted(members)
            pairs.update((ms[i], ms[j]) for i in range(len(ms)) for j in range(i + 1, len(ms)))
    return pairs


def similar_pairs(
    pairs: Iterable[tuple[str, str]],
    hashes: dict[str, Hashes],
    content_hash: dict[str, str] | None = None,
    threshold: float = THRESHOLD,
) -> dict[tuple[str, str], float]:
    """Verify candidate pairs: the pairs whose exact shingle Jaccard is at least ``threshold``.

    Args:
        pairs: candidate pairs of ids.
        hashes: the shingle-hash set of every id in ``pairs``.
        content_hash: ids' content hashes; a pair with equal content hashes is similar with 1.0.
        threshold: the minimum Jaccard.

    Returns:
        (a, b) with a < b -> Jaccard, for the pairs that pass.
    """
    out: dict[tuple[str, str], float] = {}
    seen: dict[tuple[str, str], float] = {}  # by content-hash pair: n copies of a story cost one comparison
    for a, b in pairs:
        key = (a, b) if a < b else (b, a)
        if key in out or a == b:
            continue
        ha, hb = (content_hash.get(a), content_hash.get(b)) if content_hash is not None else (None, None)
        if ha is not None and ha == hb:
            out[key] = 1.0
            continue
        memo = (min(ha, hb), max(ha, hb)) if ha is not None and hb is not None else None
        if memo is not None and memo in seen:
            j = seen[memo]
        else:
            j = jaccard(hashes[a], hashes[b])
            if memo is not None:
                seen[memo] = j
        if j >= threshold:
            out[key] = j
    return out
