-- Schema version 7 (frozen): the record model's probability for a record it made related (corpus_etl/kinds.py).
ALTER TABLE "quarantine" ADD COLUMN "kind_prob" DOUBLE
