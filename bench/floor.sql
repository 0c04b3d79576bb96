-- The benchmark floor: a minimal hand-written DuckDB query of the same credits
-- (all nine rule-based models' channel totals) straight from the file (the source:
-- read_parquet, or read_csv with DuckDB's own sniffing; bench/floor.mjs),
-- with the spec's defaults hard-coded: no rejects table, no staging, no rule
-- compiler, no per-step tables. The bench checks its totals equal the pipeline's.
CREATE OR REPLACE MACRO nz(x) AS CASE WHEN lower(trim(x)) IN ('', '(not set)', '(none)', '(direct)', 'null', 'none') THEN NULL ELSE trim(x) END;
CREATE OR REPLACE TABLE floor_summary AS
WITH r0 AS (
  SELECT file_row_number AS rn, nz(event_id) AS eid, epoch_us(event_ts) AS ts, lower(nz(event_name)) AS name,
    nz(user_id) AS uid, nz(anon_id) AS aid, nz(session_id) AS sid, lower(nz(utm_source)) AS us0, lower(nz(utm_medium)) AS um0,
    nz(gclid) AS g0, nz(msclkid) AS m0, lower(nz(referrer)) AS ref, nz(page_url) AS url, revenue
  FROM {{source}}
), r1 AS (
  SELECT *, regexp_extract(url, '[?&#]utm_source=([^&#]*)', 1) AS qs, regexp_extract(url, '[?&#]utm_medium=([^&#]*)', 1) AS qm FROM r0
), src AS (
  SELECT rn, coalesce(eid, 'f:' || rn) AS event_id, ts, name, uid, aid, sid,
    coalesce(us0, lower(nz(url_decode(qs)))) AS us,
    coalesce(um0, lower(nz(url_decode(qm)))) AS um,
    coalesce(g0, nullif(regexp_extract(url, '[?&#]gclid=([^&#]*)', 1), '')) AS gclid,
    coalesce(m0, nullif(regexp_extract(url, '[?&#]msclkid=([^&#]*)', 1), '')) AS msclkid,
    regexp_extract(ref, '^[a-z]+://([^/?#:]+)', 1) AS rh, regexp_extract(lower(url), '^[a-z]+://([^/?#:]+)', 1) AS ph, revenue
  FROM r1
), valid AS (
  SELECT * FROM src QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY rn) = 1
), ok AS (
  SELECT * FROM valid WHERE ts IS NOT NULL AND (uid IS NOT NULL OR aid IS NOT NULL) AND NOT (name = 'purchase' AND coalesce(revenue, 0) < 0)
), links AS (
  SELECT aid, arg_min(uid, ts) AS uid FROM ok WHERE aid IS NOT NULL AND uid IS NOT NULL GROUP BY aid
), p AS (
  SELECT o.*, coalesce(o.uid, l.uid, 'anon:' || o.aid) AS pk FROM ok o LEFT JOIN links l ON o.aid = l.aid
), t AS (
  SELECT pk, event_id, ts, sid, CASE
    WHEN gclid IS NOT NULL OR msclkid IS NOT NULL THEN 'paid_search'
    WHEN um IN ('cpc', 'ppc', 'paidsearch', 'paid_search') THEN 'paid_search'
    WHEN um IN ('paid_social', 'paidsocial', 'social_paid') THEN 'paid_social'
    WHEN um IN ('email', 'e-mail', 'e_mail', 'newsletter') THEN 'email'
    WHEN um = 'affiliate' THEN 'affiliate'
    WHEN um IN ('display', 'banner', 'cpm') THEN 'display'
    WHEN us IS NULL AND um IS NULL AND rh <> '' AND rh = ph THEN 'direct'
    WHEN us IS NULL AND um IS NULL AND regexp_matches(rh, '(^|\.)(google|bing|duckduckgo|yahoo|baidu|yandex|ecosia)\.') THEN 'organic_search'
    WHEN us IS NULL AND um IS NULL AND regexp_matches(rh, '((^|\.)(facebook|instagram|twitter|linkedin|reddit|youtube|tiktok|pinterest)\.)|((^|\.)(t\.co|x\.com)$)') THEN 'organic_social'
    WHEN us IS NULL AND um IS NULL AND rh <> '' THEN 'referral'
    WHEN us IS NOT NULL OR um IS NOT NULL THEN 'other'
    ELSE 'direct' END AS ch
  FROM p WHERE name <> 'purchase'
), nd AS (
  SELECT pk, ts, ch, 'd:' || sum(CASE WHEN prev IS NULL OR ts - prev > 1800000000 THEN 1 ELSE 0 END) OVER (PARTITION BY pk ORDER BY ts, event_id) AS sk
  FROM (SELECT *, lag(ts) OVER (PARTITION BY pk ORDER BY ts, event_id) AS prev FROM t WHERE sid IS NULL)
), s AS (
  SELECT pk, sk, min(ts) AS tt, coalesce(arg_min(ch, ts) FILTER (WHERE ch <> 'direct'), 'direct') AS ch
  FROM (SELECT pk, 's:' || sid AS sk, ts, ch FROM t WHERE sid IS NOT NULL UNION ALL SELECT pk, sk, ts, ch FROM nd)
  GROUP BY pk, sk
), c AS (
  SELECT event_id AS cid, pk, ts, coalesce(revenue, 0) AS val FROM p WHERE name = 'purchase'
), j AS (
  SELECT c.cid, c.val, s.ch, (c.ts - s.tt) / 86400e6 AS d,
    row_number() OVER (PARTITION BY c.cid ORDER BY s.tt, s.sk) AS i, count(*) OVER (PARTITION BY c.cid) AS n
  FROM c JOIN s ON s.pk = c.pk AND s.tt BETWEEN c.ts - 2592000000000 AND c.ts
  WHERE s.ch <> 'direct'
), cr AS (
  SELECT cid, ch, val,
    CASE WHEN i = 1 THEN 1.0 ELSE 0 END AS first_touch,
    CASE WHEN i = n THEN 1.0 ELSE 0 END AS last_touch,
    1.0 / n AS linear,
    pow(0.5, d / 7) / sum(pow(0.5, d / 7)) OVER (PARTITION BY cid) AS time_decay,
    CASE WHEN n = 1 THEN 1 WHEN n = 2 THEN 0.5 WHEN i = 1 OR i = n THEN 0.4 ELSE 0.2 / (n - 2) END AS position_based,
    CASE WHEN n = 1 THEN 1 WHEN n = 2 THEN (CASE WHEN i = 1 THEN 0.25 ELSE 0.75 END) WHEN i = 1 THEN 0.2 WHEN i = n THEN 0.6 ELSE 0.2 / (n - 2) END AS j_curve,
    CASE WHEN n = 1 THEN 1 WHEN n = 2 THEN (CASE WHEN i = 1 THEN 0.75 ELSE 0.25 END) WHEN i = 1 THEN 0.6 WHEN i = n THEN 0.2 ELSE 0.2 / (n - 2) END AS inverse_j,
    CASE WHEN n = 1 THEN 1 WHEN n = 2 THEN 0.5 WHEN i = 1 OR i = n THEN 0.3 ELSE 0.4 / (n - 2) END AS custom
  FROM j
), per_model AS (
  UNPIVOT cr ON first_touch, last_touch, linear, time_decay, position_based, j_curve, inverse_j, custom INTO NAME model VALUE credit
), direct AS (
  SELECT count(*) AS k, sum(val) AS v FROM c ANTI JOIN (SELECT DISTINCT cid FROM j) jj USING (cid)
)
SELECT model, ch AS channel, sum(credit) AS conv, sum(credit * val) AS rev FROM per_model GROUP BY ALL
UNION ALL SELECT 'participation', ch, count(*), sum(val) FROM (SELECT DISTINCT cid, ch, val FROM j) GROUP BY ALL
UNION ALL SELECT m, 'direct', k, v FROM direct, (VALUES ('first_touch'), ('last_touch'), ('linear'), ('time_decay'), ('position_based'), ('j_curve'), ('inverse_j'), ('custom'), ('participation')) x(m) WHERE k > 0
