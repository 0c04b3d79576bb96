-- name: ga4_reported
-- version: 1
-- kind: credit
-- reported: GA4
-- description: GA4's own figure, not a model of ours: each conversion's credit 1 goes to the channel GA4
-- description: exported for it, the session's last non-direct click across channels
-- description: (session_traffic_source_last_click.cross_channel_campaign on the conversion row: its
-- description: default_channel_group, else its source/medium through our channel rules; models/reported.sql).
-- description: A conversion without it counts as '(not set)'. Shown beside the models whenever a GA4
-- description: export carries the record; GA4's lookback, identity and direct handling are GA4's, not ours.
-- input: conversions, reported_conversions(conversion_id, model, channel)
-- output: credits(conversion_id, channel, credit)
SELECT c.conversion_id, coalesce(r.channel, '(not set)') AS channel, 1.0 AS credit
FROM conversions c LEFT JOIN reported_conversions r ON r.conversion_id = c.conversion_id AND r.model = 'ga4_reported'
