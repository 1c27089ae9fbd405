"""Prefect tasks: thin wrappers (retries, logging) over the pure functions of ``corpus_etl``."""
