"""Throughput benchmark of the ingest on large reproducible corpora (``python -m bench.run``)."""
