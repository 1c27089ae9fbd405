-- What the warehouse remembers of each file, for the incremental plan.
SELECT source_id, size_bytes, mtime, sha256, status FROM sources
