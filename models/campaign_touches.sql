-- name: campaign_touches
-- version: 1
-- kind: stage
-- description: Journey touches keyed by channel and campaign, for campaign reports: the campaign of a touch is the
-- description: utm_campaign of the event that gave its session its channel (touches.channel_event_id), '' when none.
-- description: The key is channel || chr(31) || campaign in the channel column, so every credit model's SQL runs
-- description: on it unchanged and credits each (channel, campaign) exactly as it credits channels.
-- input: journey_touches, conversions, touches, events
-- output: journey_touches_campaign (journey_touches with the composite channel), campaign_credits, campaign_models
CREATE OR REPLACE TABLE journey_touches_campaign AS
SELECT jt.conversion_id, jt.value, jt.session_key, jt.touch_us,
  jt.channel || chr(31) || coalesce(e.utm_campaign, '') AS channel,
  jt.days_before, jt.i, jt.n, jt.has_click_token
FROM journey_touches jt
JOIN conversions c USING (conversion_id)
JOIN touches t ON t.person_key = c.person_key AND t.session_key = jt.session_key
LEFT JOIN events e ON e.event_id = t.channel_event_id;
CREATE OR REPLACE TABLE campaign_credits (conversion_id VARCHAR, model VARCHAR, channel VARCHAR, campaign VARCHAR, credit DOUBLE);
CREATE OR REPLACE TABLE campaign_models (model VARCHAR)
