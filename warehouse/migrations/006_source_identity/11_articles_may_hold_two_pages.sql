-- Schema version 6 (frozen): whether a record may hold two glued pages (corpus_etl/glued.py).
ALTER TABLE "articles" ADD COLUMN "may_hold_two_pages" BOOLEAN
