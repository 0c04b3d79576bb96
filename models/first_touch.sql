-- name: first_touch
-- version: 1
-- kind: credit
-- description: The first non-direct touch of the journey gets all the credit.
-- input: journey_touches(conversion_id, channel, i, n, days_before)
-- output: credits(conversion_id, channel, credit)
SELECT conversion_id, channel, CASE WHEN i = 1 THEN 1.0 ELSE 0.0 END AS credit FROM journey_touches
