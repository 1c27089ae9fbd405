-- Schema version 7 (frozen): the record model's probability for a record it made related (corpus_etl/kinds.py).
ALTER TABLE "articles" ADD COLUMN "kind_prob" DOUBLE
