-- Records released by a replay leave quarantine (they were inserted into articles just before).
DELETE FROM quarantine WHERE article_id IN (SELECT article_id FROM stg_released)
