-- name: paths
-- version: 1
-- kind: stage
-- description: Paths from events for the data-driven models (spec section 7). A conversion's path is the
-- description: channels of its journey's non-direct touches by (touch time, session key); a direct-only or
-- description: touch-less journey has the path direct. A non-converting path: per person, the touches after
-- description: their last conversion (all if none), within lookback_days of their last such touch, direct
-- description: touches dropped; when only direct ones are left the path is direct (the direct rule, as for
-- description: conversions). Paths are numbered in list order and aggregated (conversions, value, nulls).
-- description: markov_order and path_transforms are read by the models in TypeScript (common/dataDriven.ts).
-- param lookback_days: double = 30, min 1, max 365, unit days
-- param markov_order: integer = 1, min 1, max 3, past channels in a Markov state
-- param path_transforms: string = '', transforms applied in order, e.g. exposure or first or lookback_steps(4) (none by default)
-- input: conversions, journey_touches, touches
-- output: converting_paths(conversion_id, path_id), non_converting_paths(person_key, path_id)
-- output: path_aggregates(path_id, conversions, value, nulls), path_steps(path_id, pos, channel)
CREATE OR REPLACE TEMP TABLE path_lists AS
SELECT c.conversion_id AS id, 'c' AS kind, c.value,
  -- the direct rule: journeys without non-direct touches have the path direct
  CASE WHEN j.steps IS NULL THEN ['direct'] ELSE j.steps END AS steps
FROM conversions c LEFT JOIN (
  SELECT conversion_id, list(channel ORDER BY touch_us, session_key) AS steps
  FROM journey_touches GROUP BY conversion_id
) j USING (conversion_id)
UNION ALL
SELECT person_key, 'n', CAST(0 AS DOUBLE),
  CASE WHEN count(*) FILTER (WHERE channel <> 'direct') = 0 THEN ['direct']
    ELSE list(channel ORDER BY touch_us, session_key) FILTER (WHERE channel <> 'direct') END
FROM (
  SELECT t.person_key, t.session_key, t.touch_us, t.channel, max(t.touch_us) OVER (PARTITION BY t.person_key) AS last_us
  FROM touches t LEFT JOIN (SELECT person_key, max(conversion_us) AS conv_us FROM conversions GROUP BY person_key) l USING (person_key)
  -- strictly after: a touch at the conversion's own instant belongs to its journey already
  WHERE l.conv_us IS NULL OR t.touch_us > l.conv_us
) a
WHERE touch_us >= last_us - CAST(round($lookback_days * 86400000000) AS BIGINT)
GROUP BY person_key;
-- path ids in list order, so both engines number (and report) paths the same way
CREATE OR REPLACE TABLE path_aggregates AS
SELECT row_number() OVER (ORDER BY steps) AS path_id, steps, conversions, value, nulls
FROM (
  SELECT steps, count(*) FILTER (WHERE kind = 'c') AS conversions, coalesce(fsum(value), 0) AS value,
    count(*) FILTER (WHERE kind = 'n') AS nulls
  FROM path_lists GROUP BY steps
);
CREATE OR REPLACE TABLE converting_paths AS
SELECT l.id AS conversion_id, a.path_id FROM path_lists l JOIN path_aggregates a USING (steps) WHERE l.kind = 'c';
CREATE OR REPLACE TABLE non_converting_paths AS
SELECT l.id AS person_key, a.path_id FROM path_lists l JOIN path_aggregates a USING (steps) WHERE l.kind = 'n';
CREATE OR REPLACE TABLE path_steps AS
SELECT path_id, unnest(range(1, len(steps) + 1)) AS pos, unnest(steps) AS channel FROM path_aggregates;
DROP TABLE path_lists
