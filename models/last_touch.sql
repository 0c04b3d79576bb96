-- name: last_touch
-- version: 1
-- kind: credit
-- description: The last non-direct touch before the conversion gets all the credit.
-- input: journey_touches(conversion_id, channel, i, n, days_before)
-- output: credits(conversion_id, channel, credit)
SELECT conversion_id, channel, CASE WHEN i = n THEN 1.0 ELSE 0.0 END AS credit FROM journey_touches
