-- name: touches
-- version: 1
-- kind: stage
-- description: Channels and sessions (spec sections 3 and 4). Every non-conversion event gets a
-- description: channel from the compiled rules ({{channel_case}}); sessions come from session_id, else
-- description: from gaps of more than session_timeout_minutes between a person's rows without one.
-- description: A session is one touch: its first event's time, its earliest non-direct channel.
-- param session_timeout_minutes: double = 30, min 1, max 1440, unit minutes
-- input: events_p
-- output: touch_events, touches(person_key, session_key, touch_us, channel, events)
CREATE OR REPLACE TABLE touch_events AS
SELECT e.person_key, e.event_id, e.ts_us, e.session_id,
  {{channel_case}} AS channel,
  {{rule_case}} AS rule_id
FROM events_p e
WHERE NOT e.is_conversion;
CREATE OR REPLACE TABLE touches AS
WITH with_id AS (
  SELECT person_key, 's:' || session_id AS session_key, ts_us, event_id, channel
  FROM touch_events WHERE session_id IS NOT NULL
), no_id AS (
  SELECT person_key, ts_us, event_id, channel,
    ts_us - lag(ts_us) OVER (PARTITION BY person_key ORDER BY ts_us, event_id) AS gap_us
  FROM touch_events WHERE session_id IS NULL
), numbered AS (
  SELECT person_key, ts_us, event_id, channel,
    sum(CASE WHEN gap_us IS NULL OR gap_us > CAST(round($session_timeout_minutes * 60000000) AS BIGINT) THEN 1 ELSE 0 END)
      OVER (PARTITION BY person_key ORDER BY ts_us, event_id ROWS UNBOUNDED PRECEDING) AS n
  FROM no_id
), all_rows AS (
  SELECT person_key, session_key, ts_us, event_id, channel FROM with_id
  UNION ALL
  SELECT person_key, 'd:' || lpad(CAST(n AS VARCHAR), 9, '0'), ts_us, event_id, channel FROM numbered
)
SELECT person_key, session_key, min(ts_us) AS touch_us,
  coalesce(arg_min(channel, (ts_us, event_id)) FILTER (WHERE channel <> 'direct'), 'direct') AS channel,
  count(*) AS events
FROM all_rows
GROUP BY person_key, session_key
