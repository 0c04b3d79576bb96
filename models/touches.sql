-- name: touches
-- version: 2
-- kind: stage
-- description: Channels and sessions (spec sections 3 and 4). Every non-conversion event gets a
-- description: channel from the compiled rules ({{channel_case}}); sessions come from session_id, else
-- description: from gaps of more than session_timeout_minutes between a person's rows without one.
-- description: A session is one touch: its first event's time, its earliest non-direct channel.
-- param session_timeout_minutes: double = 30, min 1, max 1440, unit minutes
-- input: events_p
-- description: has_click_token: some event of the session carries a click_token (for --click-proof);
-- description: channel_event_id: the event that gave the session its channel (campaign reports join it).
-- output: touch_events, touches(person_key, session_key, touch_us, channel, events, has_click_token, channel_event_id)
CREATE OR REPLACE TABLE touch_events AS
SELECT e.person_key, e.event_id, e.ts_us, e.session_id,
  {{channel_case}} AS channel,
  {{rule_case}} AS rule_id,
  e.click_token IS NOT NULL AS has_click_token
FROM events_p e
WHERE NOT e.is_conversion;
CREATE OR REPLACE TABLE touches AS
WITH with_id AS (
  SELECT person_key, 's:' || session_id AS session_key, ts_us, event_id, channel, has_click_token
  FROM touch_events WHERE session_id IS NOT NULL
), no_id AS (
  SELECT person_key, ts_us, event_id, channel, has_click_token,
    ts_us - lag(ts_us) OVER (PARTITION BY person_key ORDER BY ts_us, event_id) AS gap_us
  FROM touch_events WHERE session_id IS NULL
), numbered AS (
  SELECT person_key, ts_us, event_id, channel, has_click_token,
    sum(CASE WHEN gap_us IS NULL OR gap_us > CAST(round($session_timeout_minutes * 60000000) AS BIGINT) THEN 1 ELSE 0 END)
      OVER (PARTITION BY person_key ORDER BY ts_us, event_id ROWS UNBOUNDED PRECEDING) AS n
  FROM no_id
), all_rows AS (
  SELECT person_key, session_key, ts_us, event_id, channel, has_click_token FROM with_id
  UNION ALL
  SELECT person_key, 'd:' || lpad(CAST(n AS VARCHAR), 9, '0'), ts_us, event_id, channel, has_click_token FROM numbered
)
SELECT person_key, session_key, min(ts_us) AS touch_us,
  coalesce(arg_min(channel, (ts_us, event_id)) FILTER (WHERE channel <> 'direct'), 'direct') AS channel,
  count(*) AS events,
  bool_or(has_click_token) AS has_click_token,
  arg_min(event_id, (ts_us, event_id)) FILTER (WHERE channel <> 'direct') AS channel_event_id
FROM all_rows
GROUP BY person_key, session_key
