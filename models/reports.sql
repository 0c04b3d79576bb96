-- name: reports
-- version: 1
-- kind: stage
-- description: Report tables (attrib attribute --report DIR), all per conversion kind. A journey here is every
-- description: touch in the conversion's window, direct ones included (as conversions.touches counts them); paths
-- description: and first / last / linear credits follow the spec's direct rule (a journey without a non-direct
-- description: touch is the path 'direct'). Days are whole days elapsed, floor((conversion - first touch) / 24 h).
-- param click_proof: boolean = false, last touch prefers the latest touch with a click token (as last_touch)
-- input: conversions, journey_touches, touches
-- output: report_first_touch, report_last_touch, report_client_journeys, report_channel_performance
-- output: report_top_paths, report_time_to_convert, report_touches_to_convert
CREATE OR REPLACE TEMP TABLE report_journey_all AS
SELECT c.conversion_id, t.session_key, t.touch_us, t.channel, (c.conversion_us - t.touch_us) / 86400000000.0 AS days_before
FROM conversions c JOIN touches t ON t.person_key = c.person_key
  AND t.touch_us <= c.conversion_us AND t.touch_us >= c.conversion_us - c.lookback_us;
-- first, last and linear credit per conversion and channel, direct rule included
CREATE OR REPLACE TEMP TABLE report_rule_credits AS
WITH lt AS (
  SELECT conversion_id, channel, i, n,
    coalesce(CASE WHEN $click_proof THEN max(CASE WHEN has_click_token THEN i END) OVER (PARTITION BY conversion_id) END, n) AS last_i
  FROM journey_touches
)
-- DOUBLE throughout: a sum of DECIMAL literals is a DECIMAL, which the wasm engine hands over as scaled text
SELECT conversion_id, channel, CAST(sum(CASE WHEN i = 1 THEN 1 ELSE 0 END) AS DOUBLE) AS first_touch,
  CAST(sum(CASE WHEN i = last_i THEN 1 ELSE 0 END) AS DOUBLE) AS last_touch, sum(1 / CAST(n AS DOUBLE)) AS linear
FROM lt GROUP BY conversion_id, channel
UNION ALL
SELECT conversion_id, 'direct', CAST(1 AS DOUBLE), CAST(1 AS DOUBLE), CAST(1 AS DOUBLE) FROM conversions WHERE touch_status <> 'attributed';
CREATE OR REPLACE TABLE report_first_touch AS
WITH a AS (
  SELECT r.channel, c.conversion_kind, aw_sum(r.first_touch) AS conversions, aw_sum(r.first_touch * c.value) AS revenue
  FROM report_rule_credits r JOIN conversions c USING (conversion_id)
  GROUP BY r.channel, c.conversion_kind HAVING aw_sum(r.first_touch) <> 0
)
SELECT channel, conversions AS attributed_conversions, revenue AS attributed_revenue,
  conversions / sum(conversions) OVER (PARTITION BY conversion_kind) AS share_of_conversions,
  CASE WHEN sum(revenue) OVER (PARTITION BY conversion_kind) <> 0 THEN revenue / sum(revenue) OVER (PARTITION BY conversion_kind) END AS share_of_revenue,
  conversion_kind
FROM a;
CREATE OR REPLACE TABLE report_last_touch AS
WITH a AS (
  SELECT r.channel, c.conversion_kind, aw_sum(r.last_touch) AS conversions, aw_sum(r.last_touch * c.value) AS revenue
  FROM report_rule_credits r JOIN conversions c USING (conversion_id)
  GROUP BY r.channel, c.conversion_kind HAVING aw_sum(r.last_touch) <> 0
)
SELECT channel, conversions AS attributed_conversions, revenue AS attributed_revenue,
  conversions / sum(conversions) OVER (PARTITION BY conversion_kind) AS share_of_conversions,
  CASE WHEN sum(revenue) OVER (PARTITION BY conversion_kind) <> 0 THEN revenue / sum(revenue) OVER (PARTITION BY conversion_kind) END AS share_of_revenue,
  conversion_kind
FROM a;
CREATE OR REPLACE TABLE report_client_journeys AS
SELECT c.conversion_id, c.person_key,
  (c.conversion_us - min(j.touch_us)) / 86400000000.0 AS journey_length_days,
  count(j.session_key) AS touches,
  coalesce(string_agg(j.channel, '>' ORDER BY j.touch_us, j.session_key), '') AS channels,
  c.value AS total_revenue, c.conversion_kind
FROM conversions c LEFT JOIN report_journey_all j USING (conversion_id)
GROUP BY c.conversion_id, c.person_key, c.conversion_us, c.value, c.conversion_kind;
CREATE OR REPLACE TABLE report_channel_performance AS
WITH tj AS (
  SELECT j.channel, c.conversion_kind, count(*) AS touches, count(DISTINCT j.conversion_id) AS journeys, avg(j.days_before) AS avg_days_before
  FROM report_journey_all j JOIN conversions c USING (conversion_id) GROUP BY j.channel, c.conversion_kind
), cr AS (
  SELECT r.channel, c.conversion_kind, aw_sum(r.first_touch) AS first_touch, aw_sum(r.last_touch) AS last_touch,
    aw_sum(r.linear) AS linear, aw_sum(r.linear * c.value) AS linear_revenue
  FROM report_rule_credits r JOIN conversions c USING (conversion_id) GROUP BY r.channel, c.conversion_kind
), keys AS (
  SELECT channel, conversion_kind FROM tj UNION SELECT channel, conversion_kind FROM cr
)
SELECT k.channel, coalesce(tj.touches, 0) AS touches, coalesce(tj.journeys, 0) AS journeys,
  coalesce(cr.first_touch, 0) AS first_touch_conversions, coalesce(cr.last_touch, 0) AS last_touch_conversions,
  coalesce(cr.linear, 0) AS linear_conversions, coalesce(cr.linear_revenue, 0) AS linear_revenue,
  tj.avg_days_before, k.conversion_kind
FROM keys k
LEFT JOIN tj ON tj.channel = k.channel AND tj.conversion_kind = k.conversion_kind
LEFT JOIN cr ON cr.channel = k.channel AND cr.conversion_kind = k.conversion_kind;
CREATE OR REPLACE TABLE report_top_paths AS
WITH p AS (
  SELECT c.conversion_kind, c.value, coalesce(x.path, 'direct') AS path, coalesce(x.steps, 1) AS steps
  FROM conversions c
  LEFT JOIN (SELECT conversion_id, string_agg(channel, '>' ORDER BY i) AS path, count(*) AS steps FROM journey_touches GROUP BY conversion_id) x
    USING (conversion_id)
), a AS (
  SELECT conversion_kind, path, any_value(steps) AS steps, count(*) AS conversions, aw_sum(value) AS revenue FROM p GROUP BY conversion_kind, path
), r AS (
  SELECT *, row_number() OVER (PARTITION BY conversion_kind ORDER BY conversions DESC, revenue DESC, path) AS rank,
    conversions / sum(conversions) OVER (PARTITION BY conversion_kind) AS share_of_conversions
  FROM a
)
SELECT rank, path, steps, conversions, revenue, share_of_conversions, conversion_kind FROM r WHERE rank <= 50;
CREATE OR REPLACE TEMP TABLE report_day_buckets AS
SELECT * FROM (VALUES (1, '0', 0, 0), (2, '1', 1, 1), (3, '2-3', 2, 3), (4, '4-7', 4, 7), (5, '8-14', 8, 14), (6, '15-30', 15, 30),
  (7, '31-60', 31, 60), (8, '61-90', 61, 90), (9, '91+', 91, NULL), (10, 'no_touch', NULL, NULL)) b(k, bucket, min_days, max_days);
CREATE OR REPLACE TABLE report_time_to_convert AS
WITH d AS (
  SELECT c.conversion_kind, c.value, CAST(floor((c.conversion_us - min(j.touch_us)) / 86400000000.0) AS BIGINT) AS days
  FROM conversions c LEFT JOIN report_journey_all j USING (conversion_id)
  GROUP BY c.conversion_id, c.conversion_kind, c.value, c.conversion_us
), kinds AS (SELECT conversion_kind, count(*) AS total FROM conversions GROUP BY conversion_kind)
SELECT b.bucket, b.min_days, b.max_days, count(d.conversion_kind) AS conversions, coalesce(aw_sum(d.value), 0) AS revenue,
  count(d.conversion_kind) / kinds.total AS share_of_conversions, kinds.conversion_kind, b.k
FROM kinds CROSS JOIN report_day_buckets b
LEFT JOIN d ON d.conversion_kind = kinds.conversion_kind
  AND CASE WHEN d.days IS NULL THEN b.bucket = 'no_touch' ELSE d.days >= b.min_days AND (b.max_days IS NULL OR d.days <= b.max_days) END
GROUP BY b.k, b.bucket, b.min_days, b.max_days, kinds.conversion_kind, kinds.total;
CREATE OR REPLACE TEMP TABLE report_touch_buckets AS
SELECT * FROM (VALUES (1, '0', 0, 0), (2, '1', 1, 1), (3, '2', 2, 2), (4, '3', 3, 3), (5, '4', 4, 4), (6, '5', 5, 5),
  (7, '6-10', 6, 10), (8, '11-20', 11, 20), (9, '21+', 21, NULL)) b(k, bucket, min_touches, max_touches);
CREATE OR REPLACE TABLE report_touches_to_convert AS
WITH kinds AS (SELECT conversion_kind, count(*) AS total FROM conversions GROUP BY conversion_kind)
SELECT b.bucket, b.min_touches, b.max_touches, count(c.conversion_id) AS conversions, coalesce(aw_sum(c.value), 0) AS revenue,
  count(c.conversion_id) / kinds.total AS share_of_conversions, kinds.conversion_kind, b.k
FROM kinds CROSS JOIN report_touch_buckets b
LEFT JOIN conversions c ON c.conversion_kind = kinds.conversion_kind
  AND c.touches >= b.min_touches AND (b.max_touches IS NULL OR c.touches <= b.max_touches)
GROUP BY b.k, b.bucket, b.min_touches, b.max_touches, kinds.conversion_kind, kinds.total
