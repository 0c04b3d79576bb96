-- name: participation
-- version: 1
-- kind: credit
-- description: Every distinct channel of the journey gets 1 (reported apart: it does not sum to 1).
-- input: journey_touches(conversion_id, channel, i, n, days_before)
-- output: credits(conversion_id, channel, credit)
SELECT DISTINCT conversion_id, channel, 1.0 AS credit FROM journey_touches
