-- name: identity
-- version: 1
-- kind: stage
-- description: person_key per event (spec section 4): the row's user_id; else the user_id of the
-- description: earliest event (event_ts, event_id) carrying this anon_id with a user_id (retroactive,
-- description: cross-device stitching; on a shared device the earliest link wins); else 'anon:' + anon_id.
-- input: events
-- output: identity_links(anon_id, user_id), events_p
CREATE OR REPLACE TABLE identity_links AS
SELECT anon_id, arg_min(user_id, (ts_us, event_id)) AS user_id, count(DISTINCT user_id) AS user_ids
FROM events WHERE anon_id IS NOT NULL AND user_id IS NOT NULL
GROUP BY anon_id;
-- a view, not a copy: it is read twice (touches, conversions) and copying every
-- event cost more than both reads' joins
CREATE OR REPLACE VIEW events_p AS
SELECT e.*, coalesce(e.user_id, l.user_id, 'anon:' || e.anon_id) AS person_key,
  CASE WHEN e.user_id IS NOT NULL THEN 'user_id' WHEN l.user_id IS NOT NULL THEN 'stitched' ELSE 'anonymous' END AS identity_source
FROM events e LEFT JOIN identity_links l ON e.anon_id = l.anon_id
