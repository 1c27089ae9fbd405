-- One row: the fingerprint of the DDL just applied and the digest of the catalog it left.
INSERT INTO schema_fingerprint (code, catalog) VALUES (?, ?)
