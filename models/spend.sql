-- name: spend
-- version: 1
-- kind: stage
-- description: Types and checks one batch of an ad spend file (common/spend.ts maps its columns to
-- description: spend_src). One reason per rejected row, first that applies: invalid_date (missing or not
-- description: YYYY-MM-DD, a time after it is ignored), missing_channel, invalid_spend (missing, not a
-- description: number, negative or not finite), invalid_count (impressions or clicks not a whole number >= 0).
-- description: Channels and campaigns are compared lower-case, like the events' UTMs.
-- param default_channel: string = '', channel of every row of a platform report (no channel column)
-- param spend_divisor: double = 1, min 1, 1000000 for spend in micros (Google cost_micros)
-- input: spend_src(_file, _row, _line, date_t, channel_t, campaign_t, spend_t, impressions_t, clicks_t, raw)
-- output: spend_staged
INSERT INTO spend_staged
WITH t AS (
  SELECT s.*,
    TRY_CAST(nullif(regexp_extract(s.date_t, '^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]*(?:Z|[+-]\d{2}(?::?\d{2})?| UTC)?)?$', 1), '') AS DATE) AS date_v,
    lower(coalesce(s.channel_t, nullif($default_channel, ''))) AS channel_v,
    TRY_CAST(s.spend_t AS DOUBLE) AS spend_v,
    TRY_CAST(s.impressions_t AS DOUBLE) AS impressions_v,
    TRY_CAST(s.clicks_t AS DOUBLE) AS clicks_v
  FROM spend_src s
), r AS (
  SELECT t.*,
    CASE WHEN date_v IS NULL THEN 'invalid_date'
         WHEN channel_v IS NULL THEN 'missing_channel'
         WHEN spend_v IS NULL OR spend_v < 0 OR isinf(spend_v) OR isnan(spend_v) THEN 'invalid_spend'
         WHEN (impressions_t IS NOT NULL AND (impressions_v IS NULL OR impressions_v < 0 OR impressions_v <> floor(impressions_v)))
           OR (clicks_t IS NOT NULL AND (clicks_v IS NULL OR clicks_v < 0 OR clicks_v <> floor(clicks_v))) THEN 'invalid_count'
    END AS reason
  FROM t
)
SELECT _file, _row, _line, date_v, channel_v, lower(campaign_t),
  spend_v / $spend_divisor, impressions_v, clicks_v, reason,
  CASE reason
    WHEN 'invalid_date' THEN CASE WHEN date_t IS NULL THEN 'date is empty' ELSE 'date ''' || date_t || ''' is not YYYY-MM-DD' END
    WHEN 'missing_channel' THEN 'channel is empty'
    WHEN 'invalid_spend' THEN CASE WHEN spend_t IS NULL THEN 'spend is empty'
      WHEN spend_v IS NULL THEN 'spend ''' || spend_t || ''' is not a number (use a dot for decimals, no thousands separators)'
      ELSE 'spend ' || spend_t || ' is negative or not finite' END
    WHEN 'invalid_count' THEN 'impressions ''' || coalesce(impressions_t, '') || ''' / clicks ''' || coalesce(clicks_t, '') || ''': counts must be whole numbers >= 0'
  END,
  CASE WHEN reason IS NOT NULL THEN raw END
FROM r
