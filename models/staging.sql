-- name: staging
-- version: 1
-- kind: stage
-- description: Types, normalises and checks every raw row (spec sections 1 and 2). Reads the
-- description: per-batch view `src` (canonical text columns mapped from the file) and appends to
-- description: `staged`, each row with its reject reason or NULL. Duplicates are marked after the last batch.
-- param time_unit: string = auto, how to read numeric times: auto (by magnitude), s, ms or us
-- input: src, tz_offsets, conversion_names, site_domains
-- output: staged
INSERT INTO staged
WITH t AS (
  SELECT s.*,
    trim(CAST(s.ts_raw AS VARCHAR)) AS ts_t,
    regexp_extract(trim(CAST(s.ts_raw AS VARCHAR)),
      '^(\d{4}-\d{1,2}-\d{1,2})(?:[T ](\d{1,2}:\d{2}(?::\d{2})?)(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$',
      ['d', 'hms', 'frac', 'zone']) AS iso,
    aw_norm(s.page_url) AS page_url_n,
    lower(aw_norm(s.referrer)) AS referrer_n
  FROM src s
), p AS (
  SELECT t.*,
    CASE WHEN t.ts_native IS NULL AND regexp_full_match(t.ts_t, '-?\d{1,19}(\.\d+)?') THEN TRY_CAST(t.ts_t AS DOUBLE) END AS epoch_v,
    CASE WHEN t.iso.d <> '' THEN epoch_us(TRY_CAST(
      t.iso.d || ' ' || CASE WHEN t.iso.hms = '' THEN '00:00:00' ELSE t.iso.hms END
      || CASE WHEN t.iso.frac = '' THEN '' ELSE '.' || left(t.iso.frac, 6) END AS TIMESTAMP)) END AS iso_local_us,
    CASE WHEN t.iso.zone IN ('Z', 'z', 'UTC') THEN 0
         WHEN t.iso.zone = '' THEN NULL
         ELSE (CASE WHEN left(t.iso.zone, 1) = '-' THEN -1 ELSE 1 END)
              * (CAST(substr(replace(t.iso.zone, ':', ''), 2, 2) AS BIGINT) * 60
                 + CASE WHEN length(replace(t.iso.zone, ':', '')) = 5 THEN CAST(substr(replace(t.iso.zone, ':', ''), 4, 2) AS BIGINT) ELSE 0 END)
              * 60000000 END AS zone_offset_us
  FROM t
), q AS (
  SELECT p.*,
    CASE WHEN p.epoch_v IS NULL THEN NULL
         WHEN $time_unit = 's' OR ($time_unit = 'auto' AND abs(p.epoch_v) < 1e11) THEN 's'
         WHEN $time_unit = 'ms' OR ($time_unit = 'auto' AND abs(p.epoch_v) < 1e14) THEN 'ms'
         ELSE 'us' END AS epoch_unit,
    regexp_extract(p.referrer_n, '^(?:[a-z][a-z0-9+.-]*:)?//(?:[^@/?#]*@)?([^/?#:]+)', 1) AS ref_host_scheme,
    regexp_extract(p.referrer_n, '^([^/?#:@]+)', 1) AS ref_host_bare,
    regexp_extract(lower(p.page_url_n), '^[a-z][a-z0-9+.-]*://(?:[^@/?#]*@)?([^/?#:]+)', 1) AS page_host
  FROM p
), r AS (
  SELECT q.*, z.offset_us AS naive_offset_us,
    CASE WHEN q.ts_native IS NOT NULL THEN epoch_us(q.ts_native)
         WHEN q.epoch_v IS NOT NULL THEN CAST(round(q.epoch_v * CASE q.epoch_unit WHEN 's' THEN 1e6 WHEN 'ms' THEN 1e3 ELSE 1 END) AS BIGINT)
         WHEN q.iso_local_us IS NOT NULL THEN q.iso_local_us - coalesce(q.zone_offset_us, z.offset_us)
    END AS ts_us0,
    CASE WHEN q.ts_native IS NOT NULL THEN 'native_timestamp'
         WHEN q.epoch_v IS NOT NULL THEN 'epoch_' || q.epoch_unit
         WHEN q.iso_local_us IS NOT NULL AND q.iso.zone IN ('Z', 'z', 'UTC') THEN 'iso_utc'
         WHEN q.iso_local_us IS NOT NULL AND q.zone_offset_us IS NOT NULL THEN 'iso_offset'
         WHEN q.iso_local_us IS NOT NULL THEN 'iso_naive'
         ELSE 'invalid' END AS ts_kind,
    CASE WHEN q.ref_host_scheme <> '' THEN q.ref_host_scheme WHEN q.ref_host_bare LIKE '%.%' THEN q.ref_host_bare END AS referrer_host0
  FROM q ASOF LEFT JOIN tz_offsets z ON q.iso_local_us >= z.local_from_us
), u AS (
  SELECT r.*,
    -- timestamps DuckDB cannot represent (year > 294k) or before 1900 are not real event times
    CASE WHEN r.ts_us0 BETWEEN -2208988800000000 AND 253402300799999999 THEN r.ts_us0 END AS ts_us,
    aw_norm(r.user_id) AS user_id_n,
    aw_norm(r.anon_id) AS anon_id_n,
    lower(aw_norm(r.event_name)) AS event_name_n,
    aw_norm(r.revenue_raw) AS revenue_t,
    lower(coalesce(aw_norm(r.utm_source), aw_url_param(r.page_url_n, 'utm_source'))) AS utm_source_n,
    lower(coalesce(aw_norm(r.utm_medium), aw_url_param(r.page_url_n, 'utm_medium'))) AS utm_medium_n,
    lower(coalesce(aw_norm(r.utm_campaign), aw_url_param(r.page_url_n, 'utm_campaign'))) AS utm_campaign_n,
    lower(coalesce(aw_norm(r.utm_content), aw_url_param(r.page_url_n, 'utm_content'))) AS utm_content_n,
    lower(coalesce(aw_norm(r.utm_term), aw_url_param(r.page_url_n, 'utm_term'))) AS utm_term_n
  FROM r
)
SELECT
  u._file, u._row, u._line,
  coalesce(aw_norm(u.event_id), u._file || ':' || CAST(u._row AS VARCHAR)) AS event_id,
  aw_norm(u.event_id) IS NULL AS event_id_generated,
  u.ts_us, u.ts_kind,
  u.event_name_n AS event_name,
  u.user_id_n AS user_id,
  u.anon_id_n AS anon_id,
  aw_norm(u.session_id) AS session_id,
  lower(aw_norm(u.channel)) AS channel_explicit,
  u.utm_source_n AS utm_source, u.utm_medium_n AS utm_medium, u.utm_campaign_n AS utm_campaign,
  u.utm_content_n AS utm_content, u.utm_term_n AS utm_term,
  u.referrer_host0 AS referrer_host,
  coalesce(u.referrer_host0 = u.page_host
    OR EXISTS (SELECT 1 FROM site_domains d WHERE u.referrer_host0 = d.domain OR ends_with(u.referrer_host0, '.' || d.domain)), false) AS referrer_internal,
  u.page_url_n AS page_url,
  coalesce(aw_norm(u.gclid), aw_url_param(u.page_url_n, 'gclid')) AS gclid,
  coalesce(aw_norm(u.msclkid), aw_url_param(u.page_url_n, 'msclkid')) AS msclkid,
  coalesce(aw_norm(u.fbclid), aw_url_param(u.page_url_n, 'fbclid')) AS fbclid,
  coalesce(aw_norm(u.ttclid), aw_url_param(u.page_url_n, 'ttclid')) AS ttclid,
  coalesce(aw_norm(u.li_fat_id), aw_url_param(u.page_url_n, 'li_fat_id')) AS li_fat_id,
  coalesce(aw_norm(u.rdt_cid), aw_url_param(u.page_url_n, 'rdt_cid')) AS rdt_cid,
  aw_norm(u.click_token) AS click_token,
  TRY_CAST(u.revenue_t AS DOUBLE) AS revenue,
  upper(aw_norm(u.currency)) AS currency,
  u.event_name_n IN (SELECT name FROM conversion_names) AS is_conversion,
  CASE WHEN u.ts_us IS NULL THEN 'invalid_timestamp'
       WHEN u.user_id_n IS NULL AND u.anon_id_n IS NULL THEN 'missing_identity'
       WHEN u.event_name_n IN (SELECT name FROM conversion_names) AND u.revenue_t IS NOT NULL
            AND (TRY_CAST(u.revenue_t AS DOUBLE) IS NULL OR TRY_CAST(u.revenue_t AS DOUBLE) < 0
                 OR isinf(TRY_CAST(u.revenue_t AS DOUBLE)) OR isnan(TRY_CAST(u.revenue_t AS DOUBLE))) THEN 'invalid_revenue'
  END AS reason,
  CASE WHEN u.ts_us IS NOT NULL THEN NULL
       WHEN u.ts_native IS NULL AND aw_norm(u.ts_t) IS NULL THEN 'event_ts is empty'
       WHEN u.ts_us0 IS NOT NULL THEN 'event_ts ''' || u.ts_t || ''' is out of range (before 1900 or after 9999)'
       ELSE 'event_ts ''' || u.ts_t || ''' is not an ISO 8601 date-time or an epoch number' END AS reason_detail,
  u.raw_text
FROM u
