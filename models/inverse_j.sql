-- name: inverse_j
-- version: 1
-- kind: credit
-- description: Inverse J: 60% first, 20% middle, 20% last (two touches: 75/25).
-- description: One touch: 1. Two touches: first and last weights renormalised to sum 1.
-- description: Three or more: first, last, and the middle weight shared equally by the middle touches.
-- param first_weight: double = 0.6, min 0, max 1
-- param middle_weight: double = 0.2, min 0, max 1
-- param last_weight: double = 0.2, min 0, max 1
-- check: first_weight + middle_weight + last_weight = 1
-- input: journey_touches(conversion_id, channel, i, n, days_before)
-- output: credits(conversion_id, channel, credit)
SELECT conversion_id, channel,
  CASE WHEN n = 1 THEN 1.0
       WHEN n = 2 THEN CASE WHEN $first_weight + $last_weight = 0 THEN 0.5
                            WHEN i = 1 THEN $first_weight / ($first_weight + $last_weight)
                            ELSE $last_weight / ($first_weight + $last_weight) END
       WHEN i = 1 THEN $first_weight
       WHEN i = n THEN $last_weight
       ELSE $middle_weight / (n - 2) END AS credit
FROM journey_touches
