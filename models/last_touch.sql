-- name: last_touch
-- version: 2
-- kind: credit
-- description: The last non-direct touch before the conversion gets all the credit. With click_proof,
-- description: the latest touch whose session carried a click_token outranks later touches without one.
-- param click_proof: boolean = false, a touch with a click token outranks later ones without (--click-proof)
-- input: journey_touches(conversion_id, channel, i, n, days_before, has_click_token)
-- output: credits(conversion_id, channel, credit)
-- Two branches filtered on the parameter, so the default pays for no window over the journeys.
SELECT conversion_id, channel, CASE WHEN i = n THEN 1.0 ELSE 0.0 END AS credit FROM journey_touches WHERE NOT $click_proof
UNION ALL
SELECT conversion_id, channel,
  CASE WHEN i = coalesce(max(CASE WHEN has_click_token THEN i END) OVER (PARTITION BY conversion_id), n) THEN 1.0 ELSE 0.0 END AS credit
FROM journey_touches WHERE $click_proof
