-- name: staging
-- version: 1
-- kind: stage
-- description: Types, normalises and checks every raw row (spec sections 1 and 2). Reads the
-- description: per-batch view `src` (canonical text columns mapped from the file) and appends to
-- description: `staged`, each row with its reject reason or NULL. Duplicates are marked after the last batch.
-- param time_unit: string = auto, how to read numeric times: auto (by magnitude), s, ms or us
-- param site_domains_re: string = '', regex of the site's own domains (built from --site-domains)
-- input: src, conversion_names
-- output: staged
INSERT INTO staged
-- Layered on purpose: each layer applies functions to plain columns only, so no
-- expression is repeated (a macro over an expression evaluates it once per use).
WITH n AS (
  SELECT s._file, s._row, s._line, s.raw_text, s.ts_native,
    trim(CAST(s.ts_raw AS VARCHAR)) AS ts_t,
    aw_norm(s.event_id) AS event_id, aw_norm(s.event_name) AS event_name, aw_norm(s.user_id) AS user_id,
    aw_norm(s.anon_id) AS anon_id, aw_norm(s.session_id) AS session_id, aw_norm(s.channel) AS channel,
    aw_norm(s.utm_source) AS utm_source, aw_norm(s.utm_medium) AS utm_medium, aw_norm(s.utm_campaign) AS utm_campaign,
    aw_norm(s.utm_content) AS utm_content, aw_norm(s.utm_term) AS utm_term,
    aw_norm(s.referrer) AS referrer, aw_norm(s.page_url) AS page_url,
    aw_norm(s.gclid) AS gclid, aw_norm(s.msclkid) AS msclkid, aw_norm(s.fbclid) AS fbclid, aw_norm(s.ttclid) AS ttclid,
    aw_norm(s.li_fat_id) AS li_fat_id, aw_norm(s.rdt_cid) AS rdt_cid, aw_norm(s.click_token) AS click_token,
    aw_norm(s.revenue_raw) AS revenue_t, aw_norm(s.currency) AS currency
  FROM src s
), t AS (
  SELECT n.*,
    regexp_extract(n.ts_t,
      '^(\d{4}-\d{1,2}-\d{1,2})(?:[T ](\d{1,2}:\d{2}(?::\d{2})?)(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$',
      ['d', 'hms', 'frac', 'zone']) AS iso,
    lower(n.referrer) AS referrer_l,
    lower(n.page_url) AS page_url_l,
    -- UTM parameters and click ids inside page_url count as if given in their own columns (spec section 1).
    CASE WHEN contains(n.page_url, '=') THEN
      regexp_extract_all(n.page_url, '[?&#]((?:utm_source|utm_medium|utm_campaign|utm_content|utm_term|gclid|msclkid|fbclid|ttclid|li_fat_id|rdt_cid)=[^&#]*)', 1) END AS url_params
  FROM n
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
              * 60000000 END AS zone_offset_us,
    regexp_extract(t.referrer_l, '^(?:[a-z][a-z0-9+.-]*:)?//(?:[^@/?#]*@)?([^/?#:]+)', 1) AS ref_host_scheme,
    regexp_extract(t.referrer_l, '^([^/?#:@]+)', 1) AS ref_host_bare,
    regexp_extract(t.page_url_l, '^[a-z][a-z0-9+.-]*://(?:[^@/?#]*@)?([^/?#:]+)', 1) AS page_host,
    CASE WHEN len(t.url_params) > 0 THEN list_transform(t.url_params, x -> [split_part(x, '=', 1), url_decode(replace(substr(x, strpos(x, '=') + 1), '+', ' '))]) END AS qp
  FROM t
), q AS (
  SELECT p.*,
    CASE WHEN p.epoch_v IS NULL THEN NULL
         WHEN $time_unit = 's' OR ($time_unit = 'auto' AND abs(p.epoch_v) < 1e11) THEN 's'
         WHEN $time_unit = 'ms' OR ($time_unit = 'auto' AND abs(p.epoch_v) < 1e14) THEN 'ms'
         ELSE 'us' END AS epoch_unit,
    CASE WHEN p.ref_host_scheme <> '' THEN p.ref_host_scheme WHEN p.ref_host_bare LIKE '%.%' THEN p.ref_host_bare END AS referrer_host,
    -- the first occurrence of each parameter wins
    list_filter(p.qp, x -> x[1] = 'utm_source')[1][2] AS q_utm_source0,
    list_filter(p.qp, x -> x[1] = 'utm_medium')[1][2] AS q_utm_medium0,
    list_filter(p.qp, x -> x[1] = 'utm_campaign')[1][2] AS q_utm_campaign0,
    list_filter(p.qp, x -> x[1] = 'utm_content')[1][2] AS q_utm_content0,
    list_filter(p.qp, x -> x[1] = 'utm_term')[1][2] AS q_utm_term0,
    list_filter(p.qp, x -> x[1] = 'gclid')[1][2] AS q_gclid0,
    list_filter(p.qp, x -> x[1] = 'msclkid')[1][2] AS q_msclkid0,
    list_filter(p.qp, x -> x[1] = 'fbclid')[1][2] AS q_fbclid0,
    list_filter(p.qp, x -> x[1] = 'ttclid')[1][2] AS q_ttclid0,
    list_filter(p.qp, x -> x[1] = 'li_fat_id')[1][2] AS q_li_fat_id0,
    list_filter(p.qp, x -> x[1] = 'rdt_cid')[1][2] AS q_rdt_cid0
  FROM p
), r AS (
  SELECT q.*,
    CASE WHEN q.ts_native IS NOT NULL THEN epoch_us(q.ts_native)
         WHEN q.epoch_v IS NOT NULL THEN CAST(round(q.epoch_v * CASE q.epoch_unit WHEN 's' THEN 1e6 WHEN 'ms' THEN 1e3 ELSE 1 END) AS BIGINT)
         -- naive times are read as UTC here; importer.ts shifts them when a zone is set
         WHEN q.iso_local_us IS NOT NULL THEN q.iso_local_us - coalesce(q.zone_offset_us, 0)
    END AS ts_us0,
    CASE WHEN q.ts_native IS NOT NULL THEN 'native_timestamp'
         WHEN q.epoch_v IS NOT NULL THEN 'epoch_' || q.epoch_unit
         WHEN q.iso_local_us IS NOT NULL AND q.iso.zone IN ('Z', 'z', 'UTC') THEN 'iso_utc'
         WHEN q.iso_local_us IS NOT NULL AND q.zone_offset_us IS NOT NULL THEN 'iso_offset'
         WHEN q.iso_local_us IS NOT NULL THEN 'iso_naive'
         ELSE 'invalid' END AS ts_kind,
    lower(q.event_name) AS event_name_l,
    cn.name IS NOT NULL AS is_conv,
    TRY_CAST(q.revenue_t AS DOUBLE) AS revenue_v,
    aw_norm(q.q_utm_source0) AS q_utm_source, aw_norm(q.q_utm_medium0) AS q_utm_medium, aw_norm(q.q_utm_campaign0) AS q_utm_campaign,
    aw_norm(q.q_utm_content0) AS q_utm_content, aw_norm(q.q_utm_term0) AS q_utm_term,
    aw_norm(q.q_gclid0) AS q_gclid, aw_norm(q.q_msclkid0) AS q_msclkid, aw_norm(q.q_fbclid0) AS q_fbclid,
    aw_norm(q.q_ttclid0) AS q_ttclid, aw_norm(q.q_li_fat_id0) AS q_li_fat_id, aw_norm(q.q_rdt_cid0) AS q_rdt_cid
  FROM q LEFT JOIN conversion_names cn ON cn.name = lower(q.event_name)
), u AS (
  SELECT r.*,
    -- before 1900 or after 9999 is not a real event time
    CASE WHEN r.ts_us0 BETWEEN -2208988800000000 AND 253402300799999999 THEN r.ts_us0 END AS ts_us
  FROM r
)
SELECT
  u._file, u._row, u._line,
  coalesce(u.event_id, u._file || ':' || CAST(u._row AS VARCHAR)) AS event_id,
  u.event_id IS NULL AS event_id_generated,
  u.ts_us, u.ts_kind,
  u.event_name_l AS event_name,
  u.user_id, u.anon_id, u.session_id,
  lower(u.channel) AS channel_explicit,
  lower(coalesce(u.utm_source, u.q_utm_source)) AS utm_source,
  lower(coalesce(u.utm_medium, u.q_utm_medium)) AS utm_medium,
  lower(coalesce(u.utm_campaign, u.q_utm_campaign)) AS utm_campaign,
  lower(coalesce(u.utm_content, u.q_utm_content)) AS utm_content,
  lower(coalesce(u.utm_term, u.q_utm_term)) AS utm_term,
  u.referrer_host,
  coalesce(u.referrer_host = u.page_host OR ($site_domains_re <> '' AND regexp_matches(u.referrer_host, $site_domains_re)), false) AS referrer_internal,
  u.page_url,
  coalesce(u.gclid, u.q_gclid) AS gclid,
  coalesce(u.msclkid, u.q_msclkid) AS msclkid,
  coalesce(u.fbclid, u.q_fbclid) AS fbclid,
  coalesce(u.ttclid, u.q_ttclid) AS ttclid,
  coalesce(u.li_fat_id, u.q_li_fat_id) AS li_fat_id,
  coalesce(u.rdt_cid, u.q_rdt_cid) AS rdt_cid,
  u.click_token,
  u.revenue_v AS revenue,
  upper(u.currency) AS currency,
  u.is_conv AS is_conversion,
  CASE WHEN u.ts_us IS NULL THEN 'invalid_timestamp'
       WHEN u.user_id IS NULL AND u.anon_id IS NULL THEN 'missing_identity'
       WHEN u.is_conv AND u.revenue_t IS NOT NULL AND (u.revenue_v IS NULL OR u.revenue_v < 0 OR isinf(u.revenue_v) OR isnan(u.revenue_v)) THEN 'invalid_revenue'
  END AS reason,
  CASE WHEN u.ts_us IS NULL AND u.ts_native IS NULL AND aw_norm(u.ts_t) IS NULL THEN 'event_ts is empty'
       WHEN u.ts_us IS NULL AND u.ts_us0 IS NOT NULL THEN 'event_ts ''' || coalesce(u.ts_t, CAST(u.ts_native AS VARCHAR)) || ''' is out of range (before 1900 or after 9999)'
       WHEN u.ts_us IS NULL THEN 'event_ts ''' || u.ts_t || ''' is not an ISO 8601 date-time or an epoch number'
       WHEN u.user_id IS NULL AND u.anon_id IS NULL THEN 'user_id and anon_id are both empty'
       WHEN u.is_conv AND u.revenue_t IS NOT NULL AND u.revenue_v IS NULL THEN 'revenue ''' || u.revenue_t || ''' is not a number (use a dot for decimals, no thousands separators)'
       WHEN u.is_conv AND u.revenue_t IS NOT NULL AND (u.revenue_v < 0 OR isinf(u.revenue_v) OR isnan(u.revenue_v)) THEN 'revenue ' || u.revenue_t || ' is negative or not finite'
  END AS reason_detail,
  -- the raw row is kept only for rows rejected here: keeping it for all would
  -- double the wasm heap; duplicates (found after the last batch) show their key fields
  CASE WHEN u.ts_us IS NULL OR (u.user_id IS NULL AND u.anon_id IS NULL)
         OR (u.is_conv AND u.revenue_t IS NOT NULL AND (u.revenue_v IS NULL OR u.revenue_v < 0 OR isinf(u.revenue_v) OR isnan(u.revenue_v)))
       THEN u.raw_text END AS raw_text
FROM u
