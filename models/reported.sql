-- name: reported
-- version: 1
-- kind: stage
-- description: A vendor's own attribution of each conversion, read from its export at import (the layout's
-- description: `reported` columns into reported_attribution; GA4: session_traffic_source_last_click.cross_channel_campaign),
-- description: given a channel comparable with our models': the vendor's channel group in our ids' spelling
-- description: (GA4 'Paid Search' -> paid_search, 'Affiliates' -> affiliate, 'Cross-network' -> cross_network), else
-- description: its source/medium/campaign through our channel rules ({{channel_case}}). Never a touch.
-- input: conversion_base, events_p, reported_attribution(_file, _row, model, channel_group, source, medium, campaign)
-- output: reported_conversions(conversion_id, model, channel_group, source, medium, campaign, channel)
-- Created empty when the import made none (tables built by hand, older sessions): no figure, no rows.
CREATE TABLE IF NOT EXISTS reported_attribution (_file VARCHAR, _row INTEGER, model VARCHAR,
  channel_group VARCHAR, source VARCHAR, medium VARCHAR, campaign VARCHAR);
CREATE OR REPLACE TABLE reported_conversions AS
WITH r AS (
  SELECT c.conversion_id, a.model, a.channel_group, a.source, a.medium, a.campaign,
    -- GA4 writes '(direct)', '(none)', '(not set)' for "no such value": no value to our rules
    CASE WHEN lower(a.source) NOT IN ('(direct)', '(none)', '(not set)') THEN lower(a.source) END AS src,
    CASE WHEN lower(a.medium) NOT IN ('(none)', '(not set)') THEN lower(a.medium) END AS med,
    CASE WHEN lower(a.campaign) NOT IN ('(direct)', '(none)', '(not set)', '(organic)', '(referral)') THEN lower(a.campaign) END AS camp,
    CASE WHEN lower(trim(a.channel_group)) NOT IN ('', '(not set)') THEN lower(trim(a.channel_group)) END AS grp
  FROM conversion_base c
  JOIN events_p ev ON ev.event_id = c.conversion_id
  JOIN reported_attribution a ON a._file = ev._file AND a._row = ev._row
), e AS (
  -- What our rules read. GA4's source/medium are UTMs, except its own marks of untagged visits:
  -- medium 'referral' has the referring host as source, medium 'organic' the search engine's name
  -- ('google'): our rules match engines by a host's first label ('google.'), so the name plus a dot.
  SELECT r.*,
    CASE WHEN med IN ('referral', 'organic') THEN NULL ELSE src END AS utm_source,
    CASE WHEN med IN ('referral', 'organic') THEN NULL ELSE med END AS utm_medium,
    CASE WHEN med IN ('referral', 'organic') THEN NULL ELSE camp END AS utm_campaign,
    CAST(NULL AS VARCHAR) AS utm_content, CAST(NULL AS VARCHAR) AS utm_term,
    CASE WHEN med = 'referral' THEN src WHEN med = 'organic' THEN src || '.' END AS referrer_host,
    false AS referrer_internal, CAST(NULL AS VARCHAR) AS page_url,
    CAST(NULL AS VARCHAR) AS gclid, CAST(NULL AS VARCHAR) AS msclkid, CAST(NULL AS VARCHAR) AS fbclid,
    CAST(NULL AS VARCHAR) AS ttclid, CAST(NULL AS VARCHAR) AS li_fat_id, CAST(NULL AS VARCHAR) AS rdt_cid,
    CAST(NULL AS VARCHAR) AS click_token, CAST(NULL AS VARCHAR) AS dclid, CAST(NULL AS VARCHAR) AS srsltid,
    CAST(NULL AS VARCHAR) AS event_name, CAST(NULL AS VARCHAR) AS channel_explicit
  FROM r
)
SELECT e.conversion_id, e.model, e.channel_group, e.source, e.medium, e.campaign,
  CASE WHEN e.grp = 'affiliates' THEN 'affiliate'
       WHEN e.grp IS NOT NULL THEN trim(regexp_replace(e.grp, '[^a-z0-9]+', '_', 'g'), '_')
       ELSE {{channel_case}} END AS channel
FROM e
