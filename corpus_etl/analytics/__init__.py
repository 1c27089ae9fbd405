"""Pure analytics over article rows: near-duplicate detection (MinHash LSH), story clusters and search.

No I/O and no DuckDB here; ``warehouse.analytics`` keeps the warehouse's analytics tables up to date with
these functions.
"""
