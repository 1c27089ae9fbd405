INSERT INTO articles BY NAME SELECT * FROM stg_articles
