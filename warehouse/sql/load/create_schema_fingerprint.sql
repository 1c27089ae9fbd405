-- What the last ensure_schema left: the fingerprint of the DDL it ran (this corpus-etl's tables, comments and
-- views) and a digest of the catalog it left (read/catalog_digest). Both still equal: nothing to do.
CREATE TABLE IF NOT EXISTS schema_fingerprint (
    code VARCHAR NOT NULL,
    catalog VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
