-- The database file's block size and block count (what its size must be at least).
PRAGMA database_size
