INSERT INTO removed_spans BY NAME SELECT * FROM stg_removed
