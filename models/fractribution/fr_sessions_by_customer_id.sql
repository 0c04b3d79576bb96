-- name: fractribution_sessions_by_customer_id
-- version: 1
-- kind: stage
-- description: Marketing touches of dbt-snowplow-fractribution (models/snowplow_fractribution_sessions_by_customer_id.sql):
-- description: one row per session, from its first touch event (page_view by default; the package reads
-- description: snowplow_web page views with page_view_in_session_index = 1), classified by the channel
-- description: rules ({{channel_case}}, shown with the rule file's labels). customer_id is 'u' + user_id,
-- description: else (with use_user_mapping) 'u' + the latest user_id seen with the anon_id, else 'f' + anon_id.
-- description: Kept when its calendar day (UTC) lies in [window start - path_lookback_days, window end].
-- description: Rows without a session_id form sessions by gaps of more than session_timeout_minutes.
-- param conversion_window_start_date: string = '', first day of the conversion window (YYYY-MM-DD; '' = automatic, resolved before this runs)
-- param conversion_window_end_date: string = '', last day of the conversion window (YYYY-MM-DD; '' = automatic)
-- param path_lookback_days: integer = 30, min 1, max 365, unit days, calendar days a touch may precede its conversion
-- param touch_events: string = page_view, event names that can start a session (comma list; '' = every event)
-- param conversion_hosts: string = '', hosts of page_url a session's first touch must be on (comma list; '' = any)
-- param consider_intrasession_channels: boolean = false, true = every touch event with a medium is a touch, not only the first of each session
-- param channels_to_exclude: string = '', channel labels to drop (comma list)
-- param channels_to_include: string = '', channel labels to keep, dropping all others (comma list; '' = all)
-- param use_user_mapping: boolean = false, map anon_id to the latest user_id seen with it (snowplow_web's user mapping)
-- param session_timeout_minutes: double = 30, min 1, max 1440, unit minutes, for rows without a session_id
-- description: referral_path, campaign, source and medium are shown as the view fractribution_fields gives them
-- description: (the file's own values where the preset keeps its columns; else the normalised event fields).
-- input: events, fractribution_channel_labels(id, label), fractribution_fields(_file, _row, referral_path, campaign, source, medium)
-- output: fractribution_events, fractribution_sessions_by_customer_id(customer_id, session_key, visit_start_us, visit_start_tstamp, channel, referral_path, campaign, source, medium)
CREATE OR REPLACE TABLE fractribution_events AS
WITH links AS (
  SELECT anon_id, (list(user_id ORDER BY ts_us DESC, event_id DESC))[1] AS user_id
  FROM events WHERE $use_user_mapping AND anon_id IS NOT NULL AND user_id IS NOT NULL
  GROUP BY anon_id
), classified AS (
  SELECT e.event_id, e.ts_us, e.event_name, e.session_id, e.revenue,
    coalesce('u' || e.user_id, 'u' || l.user_id, 'f' || e.anon_id) AS customer_id,
    e.utm_campaign, e.utm_source, e.utm_medium,
    ff.referral_path AS shown_referral_path, ff.campaign AS shown_campaign, ff.source AS shown_source, ff.medium AS shown_medium,
    regexp_extract(lower(e.page_url), '^[a-z][a-z0-9+.-]*://(?:[^@/?#]*@)?([^/?#:]+)', 1) AS page_host,
    {{channel_case}} AS channel_id,
    {{rule_case}} AS rule_id
  FROM events e LEFT JOIN links l ON l.anon_id = e.anon_id
    LEFT JOIN fractribution_fields ff ON ff._file = e._file AND ff._row = e._row
)
SELECT c.* EXCLUDE (channel_id, rule_id), c.channel_id, coalesce(lab.label, c.channel_id) AS channel, c.rule_id
FROM classified c LEFT JOIN fractribution_channel_labels lab ON lab.id = c.channel_id;
CREATE OR REPLACE TABLE fractribution_sessions_by_customer_id AS
WITH lists AS (
  SELECT list_transform(string_split(lower($touch_events), ','), x -> trim(x)) AS touch_names,
    list_transform(string_split(lower($conversion_hosts), ','), x -> trim(x)) AS hosts,
    list_transform(string_split($channels_to_exclude, ','), x -> trim(x)) AS excluded,
    list_transform(string_split($channels_to_include, ','), x -> trim(x)) AS included
), touch AS (
  SELECT f.* FROM fractribution_events f, lists
  WHERE trim($touch_events) = '' OR list_contains(lists.touch_names, f.event_name)
), gaps AS (
  SELECT t.*, t.ts_us - lag(t.ts_us) OVER (PARTITION BY t.customer_id ORDER BY t.ts_us, t.event_id) AS gap_us
  FROM touch t WHERE t.session_id IS NULL
), keyed AS (
  SELECT t.*, 's:' || t.session_id AS session_key FROM touch t WHERE t.session_id IS NOT NULL
  UNION ALL
  SELECT g.* EXCLUDE (gap_us),
    'd:' || g.customer_id || ':' || CAST(sum(CASE WHEN g.gap_us IS NULL OR g.gap_us > CAST(round($session_timeout_minutes * 60000000) AS BIGINT) THEN 1 ELSE 0 END)
      OVER (PARTITION BY g.customer_id ORDER BY g.ts_us, g.event_id ROWS UNBOUNDED PRECEDING) AS VARCHAR)
  FROM gaps g
), ranked AS (
  SELECT k.*, row_number() OVER (PARTITION BY k.session_key ORDER BY k.ts_us, k.event_id) AS index_in_session
  FROM keyed k
)
SELECT r.customer_id,
  CASE WHEN $consider_intrasession_channels THEN r.session_key || '#' || r.event_id ELSE r.session_key END AS session_key,
  r.event_id,
  r.ts_us AS visit_start_us,
  strftime(make_timestamp(r.ts_us), '%Y-%m-%d %H:%M:%S') AS visit_start_tstamp,
  CAST(make_timestamp(r.ts_us) AS DATE) AS visit_date,
  r.channel, r.rule_id,
  r.shown_referral_path AS referral_path, r.shown_campaign AS campaign, r.shown_source AS source, r.shown_medium AS medium
FROM ranked r, lists
WHERE (CASE WHEN $consider_intrasession_channels THEN r.utm_medium IS NOT NULL ELSE r.index_in_session = 1 END)
  AND (trim($conversion_hosts) = '' OR list_contains(lists.hosts, r.page_host))
  AND CAST(make_timestamp(r.ts_us) AS DATE) >= CAST($conversion_window_start_date AS DATE) - CAST($path_lookback_days AS INTEGER)
  AND CAST(make_timestamp(r.ts_us) AS DATE) <= CAST($conversion_window_end_date AS DATE)
  AND (trim($channels_to_exclude) = '' OR NOT list_contains(lists.excluded, r.channel))
  AND (trim($channels_to_include) = '' OR list_contains(lists.included, r.channel))
