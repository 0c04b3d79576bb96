-- name: paths
-- version: 1
-- kind: stage
-- description: Paths from events for the data-driven models (spec section 7). A conversion's path is the
-- description: channels of its journey's non-direct touches by (touch time, session key); a direct-only or
-- description: touch-less journey has the path direct. A non-converting path: per person, the touches after
-- description: their last conversion (all if none), within lookback_days of their last such touch, direct
-- description: touches dropped; when only direct ones are left the path is direct (the direct rule, as for
-- description: conversions). Paths are numbered in list order and aggregated (conversions, value, nulls).
-- description: The non-converting side is cut from models/path_candidates.sql's suffixes, counted per
-- description: (person's list, suffix) before any list is built. markov_order and path_transforms are read
-- description: by the models in TypeScript (common/dataDriven.ts).
-- param lookback_days: double = 30, min 1, max 365, unit days
-- param markov_order: integer = 1, min 1, max 3, past channels in a Markov state
-- param path_transforms: string = '', transforms applied in order, e.g. exposure or first or lookback_steps(4) (none by default)
-- input: conversions, journey_touches, path_nc_full, path_nc_cuts (models/path_candidates.sql)
-- output: converting_paths(conversion_id, path_id), non_converting_paths(person_key, path_id)
-- output: path_aggregates(path_id, conversions, value, nulls), path_steps(path_id, pos, channel)
-- the lookback the non-converting paths were cut at, for the non_converting_paths view
CREATE OR REPLACE TABLE path_nc_lookback AS SELECT CAST(round($lookback_days * 86400000000) AS BIGINT) AS l_us;
CREATE OR REPLACE TEMP TABLE path_lists AS
SELECT c.conversion_id AS id, 'c' AS kind, c.value, CAST(1 AS BIGINT) AS people,
  -- the direct rule: journeys without non-direct touches have the path direct
  CASE WHEN j.steps IS NULL THEN ['direct'] ELSE j.steps END AS steps
FROM conversions c LEFT JOIN (
  SELECT conversion_id, list(channel ORDER BY touch_us, session_key) AS steps
  FROM journey_touches GROUP BY conversion_id
) j USING (conversion_id)
UNION ALL
-- a person's path is the suffix whose age range holds the lookback; no non-direct touch left: direct
SELECT NULL, 'n', CAST(0 AS DOUBLE), n.people,
  CASE WHEN n.k = 0 THEN ['direct'] ELSE list_slice(f.steps, len(f.steps) - n.k + 1, len(f.steps)) END
FROM (
  SELECT full_id, k, count(*) AS people FROM path_nc_cuts, path_nc_lookback
  WHERE age_us <= l_us AND (next_age_us IS NULL OR next_age_us > l_us)
  GROUP BY full_id, k
) n JOIN path_nc_full f USING (full_id);
-- path ids in list order, so both engines number (and report) paths the same way
CREATE OR REPLACE TABLE path_aggregates AS
SELECT row_number() OVER (ORDER BY steps) AS path_id, steps, conversions, value, nulls
FROM (
  SELECT steps, count(*) FILTER (WHERE kind = 'c') AS conversions, coalesce(fsum(value), 0) AS value,
    CAST(coalesce(sum(people) FILTER (WHERE kind = 'n'), 0) AS BIGINT) AS nulls
  FROM path_lists GROUP BY steps
);
CREATE OR REPLACE TABLE converting_paths AS
SELECT l.id AS conversion_id, a.path_id FROM path_lists l JOIN path_aggregates a USING (steps) WHERE l.kind = 'c';
-- a view: which path each person took is rarely asked, and 300k rows per slider move are not free
CREATE OR REPLACE VIEW non_converting_paths AS
SELECT c.person_key, a.path_id
FROM path_nc_cuts c CROSS JOIN path_nc_lookback b JOIN path_nc_full f USING (full_id)
JOIN path_aggregates a ON a.steps = CASE WHEN c.k = 0 THEN ['direct'] ELSE list_slice(f.steps, len(f.steps) - c.k + 1, len(f.steps)) END
WHERE c.age_us <= b.l_us AND (c.next_age_us IS NULL OR c.next_age_us > b.l_us);
CREATE OR REPLACE TABLE path_steps AS
SELECT path_id, unnest(range(1, len(steps) + 1)) AS pos, unnest(steps) AS channel FROM path_aggregates;
DROP TABLE path_lists
