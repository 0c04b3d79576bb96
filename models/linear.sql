-- name: linear
-- version: 1
-- kind: credit
-- description: Every non-direct touch gets an equal share, 1/n.
-- input: journey_touches(conversion_id, channel, i, n, days_before)
-- output: credits(conversion_id, channel, credit)
SELECT conversion_id, channel, 1.0 / n AS credit FROM journey_touches
