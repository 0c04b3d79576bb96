-- name: sweep
-- version: 1
-- kind: stage
-- description: Sensitivity of time_decay to the lookback window and the half-life. Journeys are built once,
-- description: for the largest lookback of sweep_grid; each (lookback_days, half_life_days) cell keeps the touches
-- description: with conversion time - touch time <= its lookback (the window of conversions.sql, to the µs), then
-- description: recomputes w = 0.5 ^ (days before / half-life), normalised per conversion, with the direct rule
-- description: (no non-direct touch in the cell's window: credit 1 to direct), all cells in one GROUP BY.
-- input: journey_touches, conversions, sweep_grid(lookback_days, half_life_days)
-- output: sweep(lookback_days, half_life_days, channel, attributed_conversions, attributed_revenue, conversion_kind)
CREATE OR REPLACE TABLE sweep AS
WITH cell_touches AS (
  SELECT g.lookback_days, g.half_life_days, jt.conversion_id, jt.channel, pow(0.5, jt.days_before / g.half_life_days) AS w
  FROM journey_touches jt JOIN conversions c USING (conversion_id) CROSS JOIN sweep_grid g
  WHERE c.conversion_us - jt.touch_us <= CAST(round(g.lookback_days * 86400000000) AS BIGINT)
), cell_credits AS (
  -- as runCreditModels: per touch, then per conversion and channel
  SELECT lookback_days, half_life_days, conversion_id, channel, sum(credit) AS credit
  FROM (SELECT lookback_days, half_life_days, conversion_id, channel,
          w / sum(w) OVER (PARTITION BY lookback_days, half_life_days, conversion_id) AS credit FROM cell_touches)
  GROUP BY lookback_days, half_life_days, conversion_id, channel HAVING sum(credit) <> 0
  UNION ALL
  SELECT g.lookback_days, g.half_life_days, c.conversion_id, 'direct', 1.0
  FROM conversions c CROSS JOIN sweep_grid g
  WHERE NOT EXISTS (SELECT 1 FROM cell_touches x
                    WHERE x.conversion_id = c.conversion_id AND x.lookback_days = g.lookback_days AND x.half_life_days = g.half_life_days)
)
SELECT x.lookback_days, x.half_life_days, x.channel,
  sum(x.credit) AS attributed_conversions, sum(x.credit * c.value) AS attributed_revenue, c.conversion_kind
FROM cell_credits x JOIN conversions c USING (conversion_id)
GROUP BY x.lookback_days, x.half_life_days, x.channel, c.conversion_kind
