-- Schema version 6 (frozen): source identity (corpus_etl/identity.py).
ALTER TABLE "articles" ADD COLUMN "url" VARCHAR
