-- Schema version 5 (frozen): the SOURCE argument a file was loaded through.
ALTER TABLE "sources" ADD COLUMN "collection" VARCHAR
