-- name: conversions
-- version: 2
-- kind: stage
-- description: Conversions and journeys (spec section 5). A conversion is an event whose name is in
-- description: the conversion set; its journey is its person's touches with
-- description: conversion time - lookback <= touch time <= conversion time (both ends inclusive).
-- description: Models credit only non-direct touches; direct-only and touch-less journeys credit direct.
-- description: conversion_kinds (one row per event name with its own window and value rule, written by
-- description: common/kinds.ts) overrides lookback_days and the revenue value per kind; it is empty by default.
-- param lookback_days: double = 30, min 1, max 365, unit days
-- input: events_p, touches, conversion_kinds(kind, lookback_us, value_rule, value_constant)
-- output: conversions(conversion_id, person_key, conversion_us, value, conversion_kind, lookback_us, touches, credited, touch_status, has_click_proof)
-- output: journey_touches(conversion_id, value, session_key, touch_us, channel, days_before, i, n, has_click_token)
CREATE OR REPLACE TABLE conversions AS
WITH c AS (
  SELECT e.event_id AS conversion_id, e.person_key, e.ts_us AS conversion_us,
    CASE k.value_rule WHEN 'none' THEN 0 WHEN 'constant' THEN k.value_constant ELSE coalesce(e.revenue, 0) END AS value,
    e.event_name AS conversion_kind,
    coalesce(k.lookback_us, CAST(round($lookback_days * 86400000000) AS BIGINT)) AS lookback_us
  FROM events_p e LEFT JOIN conversion_kinds k ON k.kind = e.event_name
  WHERE e.is_conversion
), j AS (
  SELECT c.conversion_id, count(t.session_key) AS touches, count(t.session_key) FILTER (WHERE t.channel <> 'direct') AS credited,
    coalesce(bool_or(t.has_click_token), false) AS has_click_proof
  FROM c LEFT JOIN touches t ON t.person_key = c.person_key
    AND t.touch_us <= c.conversion_us
    AND t.touch_us >= c.conversion_us - c.lookback_us
  GROUP BY c.conversion_id
)
SELECT c.*, j.touches, j.credited,
  CASE WHEN j.credited > 0 THEN 'attributed' WHEN j.touches > 0 THEN 'direct_only' ELSE 'no_touch' END AS touch_status,
  j.has_click_proof
FROM c JOIN j USING (conversion_id);
CREATE OR REPLACE TABLE journey_touches AS
SELECT c.conversion_id, c.value, t.session_key, t.touch_us, t.channel,
  (c.conversion_us - t.touch_us) / 86400000000.0 AS days_before,
  row_number() OVER (PARTITION BY c.conversion_id ORDER BY t.touch_us, t.session_key) AS i,
  count(*) OVER (PARTITION BY c.conversion_id) AS n,
  t.has_click_token
FROM conversions c JOIN touches t ON t.person_key = c.person_key
  AND t.touch_us <= c.conversion_us
  AND t.touch_us >= c.conversion_us - c.lookback_us
WHERE t.channel <> 'direct'
