INSERT INTO dq_results BY NAME SELECT * FROM stg_dq_results
