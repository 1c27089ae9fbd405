"""The warehouse layer: DuckDB DDL derived from ``corpus_etl.schema``, SQL in ``sql/``, the single writer."""
