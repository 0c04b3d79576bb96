-- name: fractribution_paths
-- version: 1
-- kind: stage
-- description: Channel paths of dbt-snowplow-fractribution (models/snowplow_fractribution_paths_to_conversion.sql
-- description: and _paths_to_non_conversion.sql), as lists before the path transforms run. A conversion's path:
-- description: its customer's sessions whose calendar day is 0..path_lookback_days days before the conversion's
-- description: day (a session later on the conversion's own day counts too), in visit order; a conversion
-- description: without one has no path (inner join, as in the package). A non-converting path: customers with
-- description: no conversion in the window, their sessions 0..path_lookback_days days before their last one.
-- description: path is trimmed to the last path_lookback_steps channels; transformed_path starts untrimmed
-- description: (the package's order) unless trim_before_transforms (google/fractribution's order).
-- param path_lookback_days: integer = 30, min 1, max 365, unit days, calendar days a touch may precede its conversion
-- param path_lookback_steps: integer = 0, min 0, max 1000, keep only the last N channels of a path (0 = all)
-- param trim_before_transforms: boolean = false, trim transformed_path too before the transforms (google/fractribution) instead of only path (Snowplow)
-- input: fractribution_sessions_by_customer_id, fractribution_conversions_by_customer_id
-- output: fractribution_conversion_lists, fractribution_non_conversion_lists
CREATE OR REPLACE TABLE fractribution_conversion_lists AS
SELECT l.*, fr_trim_long_path(l.raw_path, CAST($path_lookback_steps AS INTEGER)) AS path,
  CASE WHEN $trim_before_transforms THEN fr_trim_long_path(l.raw_path, CAST($path_lookback_steps AS INTEGER)) ELSE l.raw_path END AS transformed
FROM (
  SELECT c.customer_id, c.conversion_id, c.conversion_us, c.conversion_tstamp, c.revenue,
    list(s.channel ORDER BY s.visit_start_us, s.session_key) AS raw_path
  FROM fractribution_conversions_by_customer_id c
  JOIN fractribution_sessions_by_customer_id s ON s.customer_id = c.customer_id
    AND c.conversion_date - s.visit_date BETWEEN 0 AND CAST($path_lookback_days AS INTEGER)
  GROUP BY c.customer_id, c.conversion_id, c.conversion_us, c.conversion_tstamp, c.revenue
) l;
CREATE OR REPLACE TABLE fractribution_non_conversion_lists AS
SELECT l.*, fr_trim_long_path(l.raw_path, CAST($path_lookback_steps AS INTEGER)) AS path,
  CASE WHEN $trim_before_transforms THEN fr_trim_long_path(l.raw_path, CAST($path_lookback_steps AS INTEGER)) ELSE l.raw_path END AS transformed
FROM (
  SELECT n.customer_id, list(s.channel ORDER BY s.visit_start_us, s.session_key) AS raw_path
  FROM (
    SELECT s.customer_id, max(s.visit_date) AS last_date
    FROM fractribution_sessions_by_customer_id s
    WHERE NOT EXISTS (SELECT 1 FROM fractribution_conversions_by_customer_id c WHERE c.customer_id = s.customer_id)
    GROUP BY s.customer_id
  ) n
  JOIN fractribution_sessions_by_customer_id s ON s.customer_id = n.customer_id
    AND n.last_date - s.visit_date BETWEEN 0 AND CAST($path_lookback_days AS INTEGER)
  GROUP BY n.customer_id
) l
