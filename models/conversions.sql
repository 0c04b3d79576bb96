-- name: conversions
-- version: 1
-- kind: stage
-- description: Conversions and journeys (spec section 5). A conversion is an event whose name is in
-- description: the conversion set; its journey is its person's touches with
-- description: conversion time - lookback <= touch time <= conversion time (both ends inclusive).
-- description: Models credit only non-direct touches; direct-only and touch-less journeys credit direct.
-- param lookback_days: double = 30, min 1, max 365, unit days
-- input: events_p, touches
-- output: conversions, journey_touches
CREATE OR REPLACE TABLE conversions AS
WITH c AS (
  SELECT event_id AS conversion_id, person_key, ts_us AS conversion_us, coalesce(revenue, 0) AS value, event_name AS conversion_kind
  FROM events_p WHERE is_conversion
), j AS (
  SELECT c.conversion_id, count(t.session_key) AS touches, count(t.session_key) FILTER (WHERE t.channel <> 'direct') AS credited
  FROM c LEFT JOIN touches t ON t.person_key = c.person_key
    AND t.touch_us <= c.conversion_us
    AND t.touch_us >= c.conversion_us - CAST(round($lookback_days * 86400000000) AS BIGINT)
  GROUP BY c.conversion_id
)
SELECT c.*, j.touches, j.credited,
  CASE WHEN j.credited > 0 THEN 'attributed' WHEN j.touches > 0 THEN 'direct_only' ELSE 'no_touch' END AS touch_status
FROM c JOIN j USING (conversion_id);
CREATE OR REPLACE TABLE journey_touches AS
SELECT c.conversion_id, c.value, t.session_key, t.touch_us, t.channel,
  (c.conversion_us - t.touch_us) / 86400000000.0 AS days_before,
  row_number() OVER (PARTITION BY c.conversion_id ORDER BY t.touch_us, t.session_key) AS i,
  count(*) OVER (PARTITION BY c.conversion_id) AS n
FROM conversions c JOIN touches t ON t.person_key = c.person_key
  AND t.touch_us <= c.conversion_us
  AND t.touch_us >= c.conversion_us - CAST(round($lookback_days * 86400000000) AS BIGINT)
WHERE t.channel <> 'direct'
