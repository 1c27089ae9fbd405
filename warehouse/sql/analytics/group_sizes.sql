-- Members of each changed component (an_members), by grp: the story_clusters rows are written in ranges of grp.
SELECT grp, count(*) AS n FROM an_members GROUP BY grp ORDER BY grp
