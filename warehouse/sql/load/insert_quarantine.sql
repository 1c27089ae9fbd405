INSERT INTO quarantine BY NAME SELECT * FROM stg_quarantine
