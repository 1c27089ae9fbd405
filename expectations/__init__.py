"""Great Expectations suites of the warehouse, as reviewed JSON (one file per suite)."""

from pathlib import Path

SUITES_DIR = Path(__file__).parent
SUITE_NAMES = ("articles", "sources", "batches")
