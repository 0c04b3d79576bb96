-- name: path_candidates
-- version: 1
-- kind: stage
-- description: The lookback-free part of the non-converting paths (spec section 7), built once per set of
-- description: journeys so a lookback slider only re-cuts them (models/paths.sql). Per person: the touches
-- description: after their last conversion (all if none), their non-direct channels as one list in order
-- description: (touch time, session key), and one cut per suffix of that list: suffix k (the last k
-- description: non-direct touches; k = 0 is the direct path) is the path for a lookback L when
-- description: age_us <= L < next_age_us, where ages count back from the person's last such touch.
-- input: touches, conversion_base
-- output: path_nc_full(full_id, steps), path_nc_cuts(person_key, full_id, k, age_us, next_age_us)
CREATE OR REPLACE TEMP TABLE path_nc_tail AS
SELECT t.person_key, t.session_key, t.touch_us, t.channel, max(t.touch_us) OVER (PARTITION BY t.person_key) AS last_us
FROM touches t LEFT JOIN (SELECT person_key, max(conversion_us) AS conv_us FROM conversion_base GROUP BY person_key) l USING (person_key)
-- strictly after: a touch at the conversion's own instant belongs to its journey already
WHERE l.conv_us IS NULL OR t.touch_us > l.conv_us;
-- non-direct touches numbered from the last (k = 1)
CREATE OR REPLACE TEMP TABLE path_nc_steps AS
SELECT person_key, channel, last_us - touch_us AS age_us,
  row_number() OVER (PARTITION BY person_key ORDER BY touch_us DESC, session_key DESC) AS k
FROM path_nc_tail WHERE channel <> 'direct';
CREATE OR REPLACE TEMP TABLE path_nc_people AS
SELECT p.person_key, coalesce(s.steps, []) AS steps
FROM (SELECT DISTINCT person_key FROM path_nc_tail) p
LEFT JOIN (SELECT person_key, list(channel ORDER BY k DESC) AS steps FROM path_nc_steps GROUP BY person_key) s USING (person_key);
CREATE OR REPLACE TABLE path_nc_full AS
SELECT CAST(row_number() OVER (ORDER BY steps) AS INTEGER) AS full_id, steps FROM (SELECT DISTINCT steps FROM path_nc_people);
CREATE OR REPLACE TABLE path_nc_cuts AS
WITH cuts AS (
  SELECT person_key, 0 AS k, CAST(0 AS BIGINT) AS age_us FROM path_nc_people
  UNION ALL
  SELECT person_key, k, age_us FROM path_nc_steps
)
SELECT c.person_key, f.full_id, CAST(c.k AS INTEGER) AS k, c.age_us,
  lead(c.age_us) OVER (PARTITION BY c.person_key ORDER BY c.k) AS next_age_us
FROM cuts c JOIN path_nc_people p USING (person_key) JOIN path_nc_full f ON f.steps = p.steps;
DROP TABLE path_nc_tail;
DROP TABLE path_nc_steps;
DROP TABLE path_nc_people
