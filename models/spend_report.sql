-- name: spend_report
-- version: 1
-- kind: stage
-- description: Spend against attributed results, per model, channel and conversion kind (spend_report) and per
-- description: model, channel, campaign and kind (campaign_report): attributed conversions and revenue, spend,
-- description: impressions, clicks, ROAS = revenue / spend, CPA = spend / conversions. Spend is the channel's
-- description: (campaign's) total over the spend files, the same for every model and kind. ROAS and CPA are NULL
-- description: with the reason in note when there is no spend row, spend is 0, or (CPA) no conversion is credited.
-- description: Every channel with credit or spend gets a row in every model and kind.
-- input: credits, campaign_credits, campaign_models, conversions, conversion_names, spend, model_order
-- output: spend_report, campaign_report
CREATE OR REPLACE TABLE spend_report AS
WITH kinds AS (
  SELECT name AS conversion_kind FROM conversion_names UNION SELECT conversion_kind FROM conversions
), att AS (
  SELECT c.model, c.channel, v.conversion_kind, aw_sum(c.credit) AS conversions, aw_sum(c.credit * v.value) AS revenue
  FROM credits c JOIN conversions v USING (conversion_id) GROUP BY c.model, c.channel, v.conversion_kind
), sp AS (
  SELECT channel, aw_sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks FROM spend GROUP BY channel
), keys AS (
  SELECT model, channel, conversion_kind FROM att
  UNION SELECT o.model, s.channel, k.conversion_kind FROM model_order o CROSS JOIN sp s CROSS JOIN kinds k
)
SELECT k.model, k.channel, k.conversion_kind,
  coalesce(a.conversions, 0) AS attributed_conversions, coalesce(a.revenue, 0) AS attributed_revenue,
  coalesce(s.spend, 0) AS spend, s.impressions, s.clicks,
  CASE WHEN s.spend > 0 THEN coalesce(a.revenue, 0) / s.spend END AS roas,
  CASE WHEN s.spend > 0 AND a.conversions > 0 THEN s.spend / a.conversions END AS cpa,
  CASE WHEN s.channel IS NULL THEN 'no spend rows for this channel'
       WHEN s.spend = 0 THEN 'spend is 0'
       WHEN coalesce(a.conversions, 0) <= 0 THEN 'no attributed conversions: CPA undefined' END AS note
FROM keys k
LEFT JOIN att a ON a.model = k.model AND a.channel = k.channel AND a.conversion_kind = k.conversion_kind
LEFT JOIN sp s ON s.channel = k.channel;
CREATE OR REPLACE TABLE campaign_report AS
WITH kinds AS (
  SELECT name AS conversion_kind FROM conversion_names UNION SELECT conversion_kind FROM conversions
), att AS (
  SELECT c.model, c.channel, c.campaign, v.conversion_kind, aw_sum(c.credit) AS conversions, aw_sum(c.credit * v.value) AS revenue
  FROM campaign_credits c JOIN conversions v USING (conversion_id) GROUP BY c.model, c.channel, c.campaign, v.conversion_kind
), sp AS (
  SELECT channel, campaign, aw_sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks FROM spend GROUP BY channel, campaign
), keys AS (
  SELECT model, channel, campaign, conversion_kind FROM att
  UNION SELECT m.model, s.channel, s.campaign, k.conversion_kind FROM campaign_models m CROSS JOIN sp s CROSS JOIN kinds k
)
SELECT k.model, k.channel, k.campaign, k.conversion_kind,
  coalesce(a.conversions, 0) AS attributed_conversions, coalesce(a.revenue, 0) AS attributed_revenue,
  coalesce(s.spend, 0) AS spend, s.impressions, s.clicks,
  CASE WHEN s.spend > 0 THEN coalesce(a.revenue, 0) / s.spend END AS roas,
  CASE WHEN s.spend > 0 AND a.conversions > 0 THEN s.spend / a.conversions END AS cpa,
  CASE WHEN s.channel IS NULL THEN 'no spend rows for this campaign'
       WHEN s.spend = 0 THEN 'spend is 0'
       WHEN coalesce(a.conversions, 0) <= 0 THEN 'no attributed conversions: CPA undefined' END AS note
FROM keys k
LEFT JOIN att a ON a.model = k.model AND a.channel = k.channel AND a.campaign = k.campaign AND a.conversion_kind = k.conversion_kind
LEFT JOIN sp s ON s.channel = k.channel AND s.campaign = k.campaign
