-- name: windows
-- version: 1
-- kind: stage
-- description: Journeys of the lookback (spec section 5), cut from the candidates the conversions stage
-- description: gathered: a conversion's journey is its candidates with conversion time - lookback <= touch
-- description: time (the kind's own lookback when it has one). Models credit only non-direct touches;
-- description: direct-only and touch-less journeys credit direct (touch_status). i and n number the
-- description: journey's credited touches by time (ties by session key).
-- param lookback_days: double = 30, min 1, max 365, unit days
-- input: conversion_base, journey_candidates
-- output: conversions(conversion_id, person_key, conversion_us, value, conversion_kind, lookback_us, touches, credited, touch_status, has_click_proof)
-- output: journey_touches(conversion_id, value, session_key, touch_us, channel, days_before, i, n, has_click_token)
CREATE OR REPLACE TABLE conversions AS
WITH c AS (
  SELECT b.conversion_id, b.person_key, b.conversion_us, b.value, b.conversion_kind,
    coalesce(b.kind_lookback_us, CAST(round($lookback_days * 86400000000) AS BIGINT)) AS lookback_us
  FROM conversion_base b
), j AS (
  SELECT c.conversion_id, count(t.session_key) AS touches, count(t.session_key) FILTER (WHERE t.channel <> 'direct') AS credited,
    coalesce(bool_or(t.has_click_token), false) AS has_click_proof
  FROM c LEFT JOIN journey_candidates t ON t.conversion_id = c.conversion_id AND t.touch_us >= c.conversion_us - c.lookback_us
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
FROM conversions c JOIN journey_candidates t ON t.conversion_id = c.conversion_id
  AND t.touch_us >= c.conversion_us - c.lookback_us
WHERE t.channel <> 'direct'
