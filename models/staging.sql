-- name: staging
-- version: 1
-- kind: stage
-- description: Types, normalises and checks every raw row (spec sections 1 and 2). Reads the
-- description: per-batch view `src` (canonical text columns mapped from the file) and appends to
-- description: `staged`, each row with its reject reason or NULL. Duplicates are marked after the last batch.
-- param time_unit: string = auto, how to read numeric times: auto (by magnitude), s, ms or us
-- param site_domains_re: string = '', regex of the site's own domains (built from --site-domains)
-- param session_per_anon: boolean = false, session ids are unique per anon_id only (GA4): the session is anon_id.session_id
-- input: src, conversion_names
-- output: staged
INSERT INTO staged
-- Layered on purpose: each layer applies functions to plain columns only, so no
-- expression is repeated (a macro over an expression evaluates it once per use).
-- URLs and referrers repeat a lot, so their regular expressions run once per
-- distinct value (url_parts, ref_parts) and are joined back.
WITH n AS (
  -- src columns arrive trimmed (importer.ts; page_url and referrer untrimmed, see url_x),
  -- so aw_tok only maps empty-like tokens to NULL
  SELECT s._file, s._row, s._line, s.ts_native,
    s.ts_raw AS ts_t,
    aw_tok(s.event_id) AS event_id, aw_tok(s.event_name) AS event_name, aw_tok(s.user_id) AS user_id,
    aw_tok(s.anon_id) AS anon_id,
    -- src's anon_id is already pseudonymised when asked, so the composed session holds no raw id;
    -- Amplitude writes session_id -1 for events outside any session: no session, not one shared session
    CASE WHEN s.session_id = '-1' THEN NULL
         WHEN $session_per_anon AND aw_tok(s.session_id) IS NOT NULL
         THEN coalesce(aw_tok(s.anon_id), aw_tok(s.user_id)) || '.' || aw_tok(s.session_id)
         ELSE aw_tok(s.session_id) END AS session_id,
    aw_tok(s.channel) AS channel,
    aw_tok(s.utm_source) AS utm_source, aw_tok(s.utm_medium) AS utm_medium, aw_tok(s.utm_campaign) AS utm_campaign,
    aw_tok(s.utm_content) AS utm_content, aw_tok(s.utm_term) AS utm_term,
    s.referrer AS referrer_raw, s.page_url AS page_url_raw,
    aw_tok(s.gclid) AS gclid, aw_tok(s.msclkid) AS msclkid, aw_tok(s.fbclid) AS fbclid, aw_tok(s.ttclid) AS ttclid,
    aw_tok(s.li_fat_id) AS li_fat_id, aw_tok(s.rdt_cid) AS rdt_cid, aw_tok(s.click_token) AS click_token,
    aw_tok(s.dclid) AS dclid, aw_tok(s.srsltid) AS srsltid,
    aw_tok(s.revenue_raw) AS revenue_t, aw_tok(s.currency) AS currency, aw_tok(s.transaction_id) AS transaction_id,
    -- --conversion-flag: 1/true/yes is a conversion, 0/false/no/empty is not, anything else a reject;
    -- numbers compare as numbers, so a Parquet DOUBLE flag (text '1.000000') reads as 1
    CASE WHEN lower(s.conversion_flag) IN ('1', 'true', 'yes') OR TRY_CAST(s.conversion_flag AS DOUBLE) = 1 THEN true
         WHEN s.conversion_flag IS NULL OR lower(s.conversion_flag) IN ('', '0', 'false', 'no') OR TRY_CAST(s.conversion_flag AS DOUBLE) = 0 THEN false END AS flag_v,
    s.conversion_flag AS flag_t, s.conversion_flag_column AS flag_col
  FROM src s
), url_x AS (
  -- long text is trimmed here, once per distinct value; src is read again rather than n, so
  -- that n is used once and streams instead of being materialised
  SELECT page_url_raw, page_url,
    regexp_extract(page_url, '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/?#]*@)?([^/?#:]+)', 1) AS host_raw,
    -- UTM parameters and click ids inside page_url count as if given in their own columns
    -- (spec section 1); the first occurrence wins. contains() first: most URLs lack most.
    CASE WHEN contains(page_url, 'utm_source=') THEN regexp_extract(page_url, '[?&#]utm_source=([^&#]*)', 1) END AS x_utm_source,
    CASE WHEN contains(page_url, 'utm_medium=') THEN regexp_extract(page_url, '[?&#]utm_medium=([^&#]*)', 1) END AS x_utm_medium,
    CASE WHEN contains(page_url, 'utm_campaign=') THEN regexp_extract(page_url, '[?&#]utm_campaign=([^&#]*)', 1) END AS x_utm_campaign,
    CASE WHEN contains(page_url, 'utm_content=') THEN regexp_extract(page_url, '[?&#]utm_content=([^&#]*)', 1) END AS x_utm_content,
    CASE WHEN contains(page_url, 'utm_term=') THEN regexp_extract(page_url, '[?&#]utm_term=([^&#]*)', 1) END AS x_utm_term,
    CASE WHEN contains(page_url, 'gclid=') THEN regexp_extract(page_url, '[?&#]gclid=([^&#]*)', 1) END AS x_gclid,
    -- Google Ads' iOS click ids (wbraid from the web, gbraid from apps) count as a gclid
    CASE WHEN contains(page_url, 'braid=') THEN regexp_extract(page_url, '[?&#][wg]braid=([^&#]*)', 1) END AS x_braid,
    CASE WHEN contains(page_url, 'msclkid=') THEN regexp_extract(page_url, '[?&#]msclkid=([^&#]*)', 1) END AS x_msclkid,
    CASE WHEN contains(page_url, 'fbclid=') THEN regexp_extract(page_url, '[?&#]fbclid=([^&#]*)', 1) END AS x_fbclid,
    CASE WHEN contains(page_url, 'ttclid=') THEN regexp_extract(page_url, '[?&#]ttclid=([^&#]*)', 1) END AS x_ttclid,
    CASE WHEN contains(page_url, 'li_fat_id=') THEN regexp_extract(page_url, '[?&#]li_fat_id=([^&#]*)', 1) END AS x_li_fat_id,
    CASE WHEN contains(page_url, 'rdt_cid=') THEN regexp_extract(page_url, '[?&#]rdt_cid=([^&#]*)', 1) END AS x_rdt_cid,
    CASE WHEN contains(page_url, 'dclid=') THEN regexp_extract(page_url, '[?&#]dclid=([^&#]*)', 1) END AS x_dclid,
    CASE WHEN contains(page_url, 'srsltid=') THEN regexp_extract(page_url, '[?&#]srsltid=([^&#]*)', 1) END AS x_srsltid
  FROM (SELECT page_url_raw, aw_tok(trim(page_url_raw)) AS page_url
        FROM (SELECT DISTINCT page_url AS page_url_raw FROM src WHERE page_url IS NOT NULL))
), url_parts AS (
  SELECT page_url_raw, page_url, lower(host_raw) AS page_host,
    aw_norm(CASE WHEN x_utm_source <> '' THEN url_decode(replace(x_utm_source, '+', ' ')) END) AS q_utm_source,
    aw_norm(CASE WHEN x_utm_medium <> '' THEN url_decode(replace(x_utm_medium, '+', ' ')) END) AS q_utm_medium,
    aw_norm(CASE WHEN x_utm_campaign <> '' THEN url_decode(replace(x_utm_campaign, '+', ' ')) END) AS q_utm_campaign,
    aw_norm(CASE WHEN x_utm_content <> '' THEN url_decode(replace(x_utm_content, '+', ' ')) END) AS q_utm_content,
    aw_norm(CASE WHEN x_utm_term <> '' THEN url_decode(replace(x_utm_term, '+', ' ')) END) AS q_utm_term,
    aw_norm(CASE WHEN x_gclid <> '' THEN url_decode(replace(x_gclid, '+', ' ')) END) AS q_gclid,
    aw_norm(CASE WHEN x_braid <> '' THEN url_decode(replace(x_braid, '+', ' ')) END) AS q_braid,
    aw_norm(CASE WHEN x_msclkid <> '' THEN url_decode(replace(x_msclkid, '+', ' ')) END) AS q_msclkid,
    aw_norm(CASE WHEN x_fbclid <> '' THEN url_decode(replace(x_fbclid, '+', ' ')) END) AS q_fbclid,
    aw_norm(CASE WHEN x_ttclid <> '' THEN url_decode(replace(x_ttclid, '+', ' ')) END) AS q_ttclid,
    aw_norm(CASE WHEN x_li_fat_id <> '' THEN url_decode(replace(x_li_fat_id, '+', ' ')) END) AS q_li_fat_id,
    aw_norm(CASE WHEN x_rdt_cid <> '' THEN url_decode(replace(x_rdt_cid, '+', ' ')) END) AS q_rdt_cid,
    aw_norm(CASE WHEN x_dclid <> '' THEN url_decode(replace(x_dclid, '+', ' ')) END) AS q_dclid,
    aw_norm(CASE WHEN x_srsltid <> '' THEN url_decode(replace(x_srsltid, '+', ' ')) END) AS q_srsltid
  FROM url_x
), ref_x AS (
  -- one regex for both referrer forms: with a scheme (or //) any host, without one only a dotted host
  SELECT referrer_raw, referrer, regexp_extract(referrer, '^((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:[^@/?#]*@)?)?([^/?#:@]+)', ['pre', 'host']) AS m
  FROM (SELECT referrer_raw, aw_tok(trim(referrer_raw)) AS referrer
        FROM (SELECT DISTINCT referrer AS referrer_raw FROM src WHERE referrer IS NOT NULL))
), ref_parts AS (
  SELECT referrer_raw, referrer, CASE WHEN m.pre <> '' OR m.host LIKE '%.%' THEN lower(m.host) END AS referrer_host FROM ref_x
), t AS (
  SELECT n.*, up.page_url, up.page_host, rp.referrer, up.q_utm_source, up.q_utm_medium, up.q_utm_campaign, up.q_utm_content, up.q_utm_term, up.q_gclid, up.q_braid, up.q_msclkid, up.q_fbclid, up.q_ttclid, up.q_li_fat_id, up.q_rdt_cid, up.q_dclid, up.q_srsltid, rp.referrer_host,
    CASE WHEN n.ts_native IS NULL THEN regexp_extract(n.ts_t,
      '^(\d{4}-\d{1,2}-\d{1,2})(?:[T ](\d{1,2}:\d{2}(?::\d{2})?)(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$',
      ['d', 'hms', 'frac', 'zone']) END AS iso
  FROM n LEFT JOIN url_parts up ON up.page_url_raw = n.page_url_raw LEFT JOIN ref_parts rp ON rp.referrer_raw = n.referrer_raw
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
         ELSE 'us' END AS epoch_unit
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
    cn.name IS NOT NULL OR coalesce(q.flag_v, false) AS is_conv,
    TRY_CAST(q.revenue_t AS DOUBLE) AS revenue_v
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
  coalesce(u.gclid, u.q_gclid, u.q_braid) AS gclid,
  coalesce(u.msclkid, u.q_msclkid) AS msclkid,
  coalesce(u.fbclid, u.q_fbclid) AS fbclid,
  coalesce(u.ttclid, u.q_ttclid) AS ttclid,
  coalesce(u.li_fat_id, u.q_li_fat_id) AS li_fat_id,
  coalesce(u.rdt_cid, u.q_rdt_cid) AS rdt_cid,
  u.click_token,
  coalesce(u.dclid, u.q_dclid) AS dclid,
  coalesce(u.srsltid, u.q_srsltid) AS srsltid,
  u.revenue_v AS revenue,
  upper(u.currency) AS currency,
  u.transaction_id,
  u.is_conv AS is_conversion,
  CASE WHEN u.ts_us IS NULL THEN 'invalid_timestamp'
       WHEN u.user_id IS NULL AND u.anon_id IS NULL THEN 'missing_identity'
       WHEN u.flag_v IS NULL THEN 'bad_conversion_flag'
       WHEN u.is_conv AND u.revenue_t IS NOT NULL AND (u.revenue_v IS NULL OR u.revenue_v < 0 OR isinf(u.revenue_v) OR isnan(u.revenue_v)) THEN 'invalid_revenue'
  END AS reason,
  CASE WHEN u.ts_us IS NULL AND u.ts_native IS NULL AND aw_norm(u.ts_t) IS NULL THEN 'event_ts is empty'
       WHEN u.ts_us IS NULL AND u.ts_us0 IS NOT NULL THEN 'event_ts ''' || coalesce(u.ts_t, CAST(u.ts_native AS VARCHAR)) || ''' is out of range (before 1900 or after 9999)'
       WHEN u.ts_us IS NULL THEN 'event_ts ''' || u.ts_t || ''' is not an ISO 8601 date-time or an epoch number'
       WHEN u.user_id IS NULL AND u.anon_id IS NULL THEN 'user_id and anon_id are both empty'
       WHEN u.flag_v IS NULL THEN u.flag_col || ' ''' || u.flag_t || ''' is not a conversion flag (1, true, yes or 0, false, no, empty)'
       WHEN u.is_conv AND u.revenue_t IS NOT NULL AND u.revenue_v IS NULL THEN 'revenue ''' || u.revenue_t || ''' is not a number (use a dot for decimals, no thousands separators)'
       WHEN u.is_conv AND u.revenue_t IS NOT NULL AND (u.revenue_v < 0 OR isinf(u.revenue_v) OR isnan(u.revenue_v)) THEN 'revenue ' || u.revenue_t || ' is negative or not finite'
  END AS reason_detail,
  -- the raw row is added by importer.ts for rejected rows only (most rows never need it)
  CAST(NULL AS VARCHAR) AS raw_text
FROM u
