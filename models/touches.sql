-- name: touches
-- version: 4
-- kind: stage
-- description: Channels and sessions (spec sections 3 and 4). Every non-conversion event gets a
-- description: channel from the compiled rules ({{channel_case}}); sessions come from session_id, else
-- description: from gaps of more than session_timeout_minutes between a person's rows without one.
-- description: A session is one touch: its first event's time, its earliest non-direct channel.
-- param session_timeout_minutes: double = 30, min 1, max 1440, unit minutes
-- param fraud_max_repeats: integer = 0, min 0, max 1000000, fraud filter: drop a campaign touch event that is more than the N-th within fraud_window_minutes (0 = off)
-- param fraud_window_minutes: double = 10, min 0.001, max 10080, unit minutes
-- input: events_p
-- description: Fraud filter (off when fraud_max_repeats = 0): a campaign touch event is a non-conversion event
-- description: with a utm_campaign or a click id (its campaign: utm_campaign, else '(gclid)', '(msclkid)', ...).
-- description: Its repeats are counted twice, per person (person_key) and per device (anon_id), each with the same
-- description: campaign: the events of that group at times t - window <= time <= t (both ends inclusive) that come
-- description: no later than it in (time, event_id) order, itself included. It is dropped when either count is
-- description: more than fraud_max_repeats; dropped events still count for later ones (a bot that keeps clicking
-- description: stays dropped). Dropped events are neither touches nor channels; they are listed in fraud_dropped
-- description: (always created; empty when off), repeats_in_window being the larger of the two counts.
-- description: has_click_token: some event of the session carries a click_token (for --click-proof);
-- description: channel_event_id: the event that gave the session its channel (campaign reports join it).
-- output: fraud_dropped(event_id, person_key, anon_id, campaign, event_ts_us, repeats_in_window)
-- output: touch_events, touches(person_key, session_key, touch_us, channel, events, has_click_token, channel_event_id)
CREATE OR REPLACE TABLE fraud_dropped AS
WITH c AS (
  -- the parameter test comes first: with the filter off nothing below is computed
  SELECT event_id, person_key, anon_id, ts_us,
    coalesce(utm_campaign, CASE WHEN gclid IS NOT NULL THEN '(gclid)' WHEN msclkid IS NOT NULL THEN '(msclkid)'
      WHEN fbclid IS NOT NULL THEN '(fbclid)' WHEN ttclid IS NOT NULL THEN '(ttclid)'
      WHEN li_fat_id IS NOT NULL THEN '(li_fat_id)' WHEN rdt_cid IS NOT NULL THEN '(rdt_cid)'
      WHEN dclid IS NOT NULL THEN '(dclid)' END) AS campaign
  FROM events_p
  WHERE $fraud_max_repeats > 0 AND NOT is_conversion
), k AS (
  -- (time, event_id) rank minus the events more than the window before: the window's count up to this
  -- event. ts_us is whole microseconds, so "before t - window" is "at or before t - window - 1".
  SELECT *,
    row_number() OVER (PARTITION BY person_key, campaign ORDER BY ts_us, event_id)
      - count(*) OVER (PARTITION BY person_key, campaign ORDER BY ts_us
          RANGE BETWEEN UNBOUNDED PRECEDING AND CAST(round($fraud_window_minutes * 60000000) AS BIGINT) + 1 PRECEDING) AS by_person,
    CASE WHEN anon_id IS NOT NULL THEN
      row_number() OVER (PARTITION BY anon_id, campaign ORDER BY ts_us, event_id)
      - count(*) OVER (PARTITION BY anon_id, campaign ORDER BY ts_us
          RANGE BETWEEN UNBOUNDED PRECEDING AND CAST(round($fraud_window_minutes * 60000000) AS BIGINT) + 1 PRECEDING) END AS by_device
  FROM c WHERE campaign IS NOT NULL
)
SELECT event_id, person_key, anon_id, campaign, ts_us AS event_ts_us, greatest(by_person, coalesce(by_device, 0)) AS repeats_in_window
FROM k
WHERE greatest(by_person, coalesce(by_device, 0)) > $fraud_max_repeats;
CREATE OR REPLACE TABLE touch_events AS
SELECT e.person_key, e.event_id, e.ts_us, e.session_id,
  {{channel_case}} AS channel,
  {{rule_case}} AS rule_id,
  e.click_token IS NOT NULL AS has_click_token
FROM events_p e ANTI JOIN fraud_dropped f ON f.event_id = e.event_id
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
), g AS (
  -- fixed-size aggregate states only: DuckDB spills them past its memory limit; arg_min over
  -- text (the channel, the event id) did not, and 100M events ran out of memory here at 4 GB
  SELECT person_key, session_key, min(ts_us) AS touch_us, count(*) AS events, bool_or(has_click_token) AS has_click_token,
    min(ts_us) FILTER (WHERE channel <> 'direct') AS first_us
  FROM all_rows GROUP BY person_key, session_key
), cand AS (
  -- the session's earliest non-direct events: nearly always one per session
  SELECT a.person_key, a.session_key, a.channel, a.event_id
  FROM all_rows a JOIN g ON g.person_key = a.person_key AND g.session_key = a.session_key AND g.first_us = a.ts_us
  WHERE a.channel <> 'direct'
), tied AS (
  SELECT person_key, session_key FROM cand GROUP BY person_key, session_key HAVING count(*) > 1
), first AS (
  SELECT c.* FROM cand c ANTI JOIN tied t ON t.person_key = c.person_key AND t.session_key = c.session_key
  UNION ALL
  -- a tie on time goes to the smallest event_id; the window runs over the few tied rows only
  -- (over every candidate it too ran out of memory where the rest fitted)
  SELECT * FROM (SELECT c.* FROM cand c SEMI JOIN tied t ON t.person_key = c.person_key AND t.session_key = c.session_key)
  QUALIFY row_number() OVER (PARTITION BY person_key, session_key ORDER BY event_id) = 1
)
SELECT g.person_key, g.session_key, g.touch_us, coalesce(f.channel, 'direct') AS channel, g.events, g.has_click_token,
  f.event_id AS channel_event_id
FROM g LEFT JOIN first f ON f.person_key = g.person_key AND f.session_key = g.session_key;
