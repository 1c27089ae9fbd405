-- Whether a run of this id was ever recorded (dq --run names an unknown one).
SELECT count(*) AS n FROM runs WHERE run_id = ?
