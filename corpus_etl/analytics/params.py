"""The near-duplicate index's parameters (why these values: ``corpus_etl.analytics.minhash``).

Plain constants with no numpy: the warehouse writer reads ``INDEX_VERSION`` and ``MIN_WORDS`` on every run
(an unchanged rerun included) to find what to index, without importing the MinHash code.
"""

from __future__ import annotations

SHINGLE_WORDS = 5
NUM_PERM = 128
BANDS = 32
ROWS = 4
SEED = 1
SCHEME = "affine32"
THRESHOLD = 0.5
MIN_WORDS = 20
# Changing any parameter above changes this string; stored signatures of another version are rebuilt.
INDEX_VERSION = f"w{SHINGLE_WORDS}-blake2b64-fmix-datasketch-{SCHEME}-seed{SEED}-p{NUM_PERM}-b{BANDS}x{ROWS}"

assert BANDS * ROWS == NUM_PERM
