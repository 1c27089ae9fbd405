"""The near-duplicate index's default parameters (why these values: ``corpus_etl.analytics.minhash``): the
defaults of ``settings.AnalyticsSettings``, whose values of a run the MinHash code and the writer use.

Plain constants with no numpy: the settings model reads them without importing the MinHash code.
"""

from __future__ import annotations

from typing import Final

SHINGLE_WORDS = 5
NUM_PERM = 128
BANDS = 32
ROWS = 4
SEED = 1
SCHEME: Final = "affine32"
THRESHOLD = 0.5
MIN_WORDS = 20


def index_version(shingle_words: int, scheme: str, seed: int, num_perm: int, bands: int, rows: int) -> str:
    """The version of signatures made with these parameters (``AnalyticsSettings.index_version`` adds the rest)."""
    return f"w{shingle_words}-blake2b64-fmix-datasketch-{scheme}-seed{seed}-p{num_perm}-b{bands}x{rows}"


# The defaults' version; stored signatures of another version are rebuilt.
INDEX_VERSION = index_version(SHINGLE_WORDS, SCHEME, SEED, NUM_PERM, BANDS, ROWS)

assert BANDS * ROWS == NUM_PERM
