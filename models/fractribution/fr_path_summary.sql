-- name: fractribution_path_summary
-- version: 1
-- kind: stage
-- description: After the path transforms: the path tables as ' > '-joined text, the path summary of
-- description: dbt-snowplow-fractribution (models/snowplow_fractribution_path_summary.sql: conversions, non-conversions
-- description: and revenue per transformed path, full outer join, revenue NULL without conversions) and
-- description: channel_counts (sessions per channel, campaign, source, medium).
-- input: fractribution_conversion_lists, fractribution_non_conversion_lists, fractribution_sessions_by_customer_id
-- output: fractribution_paths_to_conversion, fractribution_paths_to_non_conversion, fractribution_path_summary, fractribution_channel_counts
CREATE OR REPLACE TABLE fractribution_paths_to_conversion AS
SELECT customer_id, conversion_id, conversion_us, conversion_tstamp, revenue,
  array_to_string(path, ' > ') AS path, array_to_string(transformed, ' > ') AS transformed_path
FROM fractribution_conversion_lists;
CREATE OR REPLACE TABLE fractribution_paths_to_non_conversion AS
SELECT customer_id, array_to_string(path, ' > ') AS path, array_to_string(transformed, ' > ') AS transformed_path
FROM fractribution_non_conversion_lists;
CREATE OR REPLACE TABLE fractribution_path_summary AS
WITH c AS (
  SELECT transformed_path, count(*) AS conversions, sum(revenue) AS revenue
  FROM fractribution_paths_to_conversion GROUP BY transformed_path
), n AS (
  SELECT transformed_path, count(*) AS non_conversions
  FROM fractribution_paths_to_non_conversion GROUP BY transformed_path
)
SELECT coalesce(c.transformed_path, n.transformed_path) AS transformed_path,
  coalesce(c.conversions, 0) AS conversions,
  coalesce(n.non_conversions, 0) AS non_conversions,
  c.revenue
FROM c FULL OUTER JOIN n ON c.transformed_path = n.transformed_path;
CREATE OR REPLACE TABLE fractribution_channel_counts AS
SELECT channel, campaign, source, medium, count(*) AS number_of_sessions
FROM fractribution_sessions_by_customer_id
GROUP BY channel, campaign, source, medium
