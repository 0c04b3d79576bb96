-- name: conversions
-- version: 3
-- kind: stage
-- description: Conversions and their candidate touches (spec section 5). A conversion is an event whose name
-- description: is in the conversion set; its candidates are its person's touches (direct ones too) with
-- description: conversion time - window <= touch time <= conversion time (both ends inclusive), where the
-- description: window is the kind's own lookback or max(lookback_days, widest_lookback_days). The journeys
-- description: of the actual lookback are cut from these by the windows stage, so a narrower lookback later
-- description: (a slider) re-runs only that stage. conversion_kinds (one row per event name with its own
-- description: window and value rule, written by common/kinds.ts) is empty by default.
-- param lookback_days: double = 30, min 1, max 365, unit days
-- param widest_lookback_days: double = 0, min 0, max 365, unit days, gather touches for this window too (0 = lookback_days), so narrower lookbacks need only the windows stage
-- input: events_p, touches, conversion_kinds(kind, lookback_us, value_rule, value_constant)
-- output: conversion_base(conversion_id, person_key, conversion_us, value, conversion_kind, kind_lookback_us)
-- output: journey_candidates(conversion_id, session_key, touch_us, channel, has_click_token)
CREATE OR REPLACE TABLE conversion_base AS
SELECT e.event_id AS conversion_id, e.person_key, e.ts_us AS conversion_us,
  CASE k.value_rule WHEN 'none' THEN 0 WHEN 'constant' THEN k.value_constant ELSE coalesce(e.revenue, 0) END AS value,
  e.event_name AS conversion_kind,
  k.lookback_us AS kind_lookback_us
FROM events_p e LEFT JOIN conversion_kinds k ON k.kind = e.event_name
WHERE e.is_conversion;
CREATE OR REPLACE TABLE journey_candidates AS
SELECT c.conversion_id, t.session_key, t.touch_us, t.channel, t.has_click_token
FROM conversion_base c JOIN touches t ON t.person_key = c.person_key
  AND t.touch_us <= c.conversion_us
  AND t.touch_us >= c.conversion_us - coalesce(c.kind_lookback_us, CAST(round(greatest($lookback_days, $widest_lookback_days) * 86400000000) AS BIGINT))
