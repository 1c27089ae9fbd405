-- The schema version and what the last ensure_schema recorded (no row: never recorded).
SELECT (SELECT max(version) FROM schema_version) AS version, code, catalog FROM schema_fingerprint
