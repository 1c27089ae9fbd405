-- Schema version 6 (frozen): source identity (corpus_etl/identity.py).
ALTER TABLE "quarantine" ADD COLUMN "site_source" VARCHAR
