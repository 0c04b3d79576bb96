-- name: compare
-- version: 1
-- kind: stage
-- description: Every model against a baseline model, per channel and conversion kind: attributed conversions
-- description: and revenue, the baseline's, delta = model - baseline and delta_pct = 100 x delta / baseline
-- description: (NULL when the baseline is 0). Every channel credited by any model gets a row in every model.
-- param baseline: string = last_touch, the model the others are compared with
-- input: credits, conversions, model_order
-- output: model_comparison
CREATE OR REPLACE TABLE model_comparison AS
WITH s AS (
  SELECT c.model, c.channel, v.conversion_kind, sum(c.credit) AS conversions, sum(c.credit * v.value) AS revenue
  FROM credits c JOIN conversions v USING (conversion_id) GROUP BY c.model, c.channel, v.conversion_kind
), keys AS (
  SELECT o.model, x.channel, x.conversion_kind FROM model_order o CROSS JOIN (SELECT DISTINCT channel, conversion_kind FROM s) x
), m AS (
  SELECT k.model, k.channel, k.conversion_kind, coalesce(s.conversions, 0) AS conversions, coalesce(s.revenue, 0) AS revenue,
    coalesce(b.conversions, 0) AS base_conversions, coalesce(b.revenue, 0) AS base_revenue
  FROM keys k
  LEFT JOIN s ON s.model = k.model AND s.channel = k.channel AND s.conversion_kind = k.conversion_kind
  LEFT JOIN s b ON b.model = $baseline AND b.channel = k.channel AND b.conversion_kind = k.conversion_kind
)
SELECT model, channel, $baseline AS baseline_model,
  conversions AS attributed_conversions, base_conversions AS baseline_conversions,
  conversions - base_conversions AS delta,
  CASE WHEN base_conversions <> 0 THEN 100 * (conversions - base_conversions) / base_conversions END AS delta_pct,
  revenue AS attributed_revenue, base_revenue AS baseline_revenue,
  revenue - base_revenue AS revenue_delta,
  CASE WHEN base_revenue <> 0 THEN 100 * (revenue - base_revenue) / base_revenue END AS revenue_delta_pct,
  conversion_kind
FROM m
