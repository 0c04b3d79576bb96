-- name: time_decay
-- version: 1
-- kind: credit
-- description: Credit halves every half_life_days before the conversion:
-- description: w = 0.5 ^ (days before conversion / half_life_days), normalised to sum 1.
-- param half_life_days: double = 7, min 0.01, max 365, unit days
-- input: journey_touches(conversion_id, channel, i, n, days_before)
-- output: credits(conversion_id, channel, credit)
SELECT conversion_id, channel, w / sum(w) OVER (PARTITION BY conversion_id) AS credit
FROM (SELECT conversion_id, channel, pow(0.5, days_before / $half_life_days) AS w FROM journey_touches)
