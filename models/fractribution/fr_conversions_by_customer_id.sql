-- name: fractribution_conversions_by_customer_id
-- version: 1
-- kind: stage
-- description: Conversions of dbt-snowplow-fractribution (models/snowplow_fractribution_conversions_by_customer_id.sql,
-- description: macros conversion_clause and conversion_value): by default every event with revenue > 0 (the
-- description: package's tr_total > 0), a page view included; optionally only the named events. Kept when
-- description: its calendar day (UTC) lies in [window start, window end]; revenue is the event's revenue.
-- param conversion_window_start_date: string = '', first day of the conversion window (YYYY-MM-DD)
-- param conversion_window_end_date: string = '', last day of the conversion window (YYYY-MM-DD)
-- param conversion_events: string = '', event names that convert (comma list; '' = any event)
-- param require_revenue: boolean = true, a conversion needs revenue > 0 (the package's tr_total > 0)
-- input: fractribution_events
-- output: fractribution_conversions_by_customer_id(customer_id, conversion_id, conversion_us, conversion_tstamp, revenue)
CREATE OR REPLACE TABLE fractribution_conversions_by_customer_id AS
WITH names AS (
  SELECT list_transform(string_split(lower($conversion_events), ','), x -> trim(x)) AS l
)
SELECT f.customer_id, f.event_id AS conversion_id, f.ts_us AS conversion_us,
  strftime(make_timestamp(f.ts_us), '%Y-%m-%d %H:%M:%S') AS conversion_tstamp,
  CAST(make_timestamp(f.ts_us) AS DATE) AS conversion_date,
  f.revenue
FROM fractribution_events f, names
WHERE (trim($conversion_events) = '' OR list_contains(names.l, f.event_name))
  AND (NOT $require_revenue OR f.revenue > 0)
  AND CAST(make_timestamp(f.ts_us) AS DATE) >= CAST($conversion_window_start_date AS DATE)
  AND CAST(make_timestamp(f.ts_us) AS DATE) <= CAST($conversion_window_end_date AS DATE)
