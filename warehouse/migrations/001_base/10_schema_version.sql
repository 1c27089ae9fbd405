-- Schema version 1 (frozen): the ingest tables as first released. Applied only to build a version-1 baseline.
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
