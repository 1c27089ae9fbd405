INSERT INTO dq_runs BY NAME SELECT * FROM stg_dq_runs
