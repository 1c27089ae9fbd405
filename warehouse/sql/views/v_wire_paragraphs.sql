-- Wire copy: every paragraph of running text (8+ words, ending a sentence, not a list item) of an article
-- (kind = 'article': related-story teasers are not copy) that appears, by paragraph_hash (case and spacing
-- ignored), in more than one source file, with the files and outlets that carry it. Left out as chrome:
-- boilerplate-looking text (rights and permission notices, sign-up, cookie, browser and comment notices,
-- follow prompts, notices about this site, archive copies and crawls), and a paragraph that one site or
-- outlet repeats on 3+ of its own pages or that only one site or outlet carries (the publisher: `site`, else
-- the outlet of its copyright line or masthead unless a wire agency). Lines the learned boilerplate
-- (`line_hashes`) holds are already cut out of the bodies; it counts no running text.
CREATE OR REPLACE VIEW v_wire_paragraphs AS
WITH p AS (
    SELECT
        p.paragraph_hash,
        p.text,
        p.n_words,
        p.source_id,
        p.article_id,
        s.path,
        nullif(trim(a.outlet), '') AS outlet,
        -- who published the page: its site, else the outlet its copyright line or masthead names, unless that
        -- is a wire agency (whose copy many outlets carry, each with the agency's notice)
        coalesce(
            a.site,
            CASE
                WHEN a.outlet_source IN ('copyright', 'masthead', 'jsonl_field')
                    AND NOT regexp_matches(
                        a.outlet,
                        '(?i)associated press|reuters|agence france|canadian press|\bafp\b|\bupi\b|united press|\bdpa\b|bloomberg'
                    )
                    THEN nullif(trim(a.outlet), '')
            END
        ) AS publisher
    FROM paragraphs AS p
    JOIN sources AS s ON s.source_id = p.source_id
    JOIN articles AS a ON a.article_id = p.article_id
    WHERE p.n_words >= 8
        AND a.kind = 'article'
        AND regexp_matches(p.text, '[.!?]["”’'')]*$')
        AND NOT regexp_matches(p.text, '^\s*[*+•·>-]\s')
        AND NOT regexp_matches(
            p.text,
            '(?i)©|\ball rights reserved|\bcopyright (\(c\) )?(19|20)\d\d|may not be (re)?(published|reproduced|broadcast|rewritten|redistributed)|prior written permission|\bterms of (use|service)\b|privacy policy|cookies? policy|\b(use|accept|enable) cookies|javascript (is )?(disabled|enabled|required)|enable javascript|(update|upgrade) your (web )?browser|\bsign (up|in) (for|to|now|here)\b|\blog ?in to\b|\bsubscribe (now|to (our|the))\b|\bnewsletter\b|\bclick (here|the link)\b|\bfollow (us|@\w+)|\byour tweets\b|\bcomments? (may|are|will|must) be\b|\bleave a (comment|reply)\b|\b(this|our) (site|website|blog)\b|\barchived? (copy|version|page)\b|wayback machine|\bcrawl(ed|er) (by|on|at)\b|licen[cs]ed under|creative commons|\bsponsored (content|post|links?)\b|\bdisclaimer\b|views expressed (in|on|here)|(instant|unlimited) access to|for your personal,? non-?commercial use'
        )
),
own AS (  -- paragraphs a site or outlet repeats on 3+ of its own pages: its chrome
    SELECT DISTINCT paragraph_hash
    FROM p
    WHERE publisher IS NOT NULL
    GROUP BY paragraph_hash, publisher
    HAVING count(DISTINCT source_id) >= 3
)
SELECT
    paragraph_hash,
    arg_min(text, path) AS text,
    max(n_words) AS n_words,
    count(DISTINCT source_id) AS n_sources,
    count(DISTINCT article_id) AS n_articles,
    list(DISTINCT path ORDER BY path) AS source_paths,
    coalesce(list(DISTINCT outlet ORDER BY outlet) FILTER (WHERE outlet IS NOT NULL), []) AS outlets
FROM p
WHERE paragraph_hash NOT IN (SELECT paragraph_hash FROM own)
GROUP BY paragraph_hash
HAVING count(DISTINCT source_id) >= 2 AND count(DISTINCT coalesce(publisher, source_id)) >= 2
