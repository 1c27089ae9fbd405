-- Schema version 7 (frozen): why a related record is not an article (corpus_etl/kinds.py).
ALTER TABLE "quarantine" ADD COLUMN "kind_reason" VARCHAR
