-- name: audit
-- version: 1
-- kind: stage
-- description: Health of the attribution pipeline itself (attrib audit, the Data audit notebook). Days are UTC
-- description: days of the conversion (health_daily) or of the event (health_inputs_daily). A paid touch is a
-- description: journey touch whose channel starts with paid_ or is display; it has a click id when the event
-- description: that gave its session the channel carries one (gclid, msclkid, fbclid, ttclid, li_fat_id, rdt_cid,
-- description: click_token). A conversion is identified when its event's person is a user_id or an anon_id
-- description: stitched to one. UTM-complete: a touch event with any UTM value has source, medium and campaign.
-- description: health_xmr: XmR process limits per metric and kind (centre = mean, limits = centre +- 2.66 x mean
-- description: moving range, moving-range limit 3.268 x mean moving range); signals: a point beyond the limits,
-- description: and the 8th and later points of a run on one side of the centre line.
-- input: staged, struct_rejects, rejects, events, events_p, touch_events, touches, conversions, journey_candidates
-- output: health_daily(date, conversion_kind, conversions, attributed, direct_only, no_touch, coverage_rate, direct_only_rate, click_id_rate, identified_rate)
-- output: health_inputs_daily(date, events, touch_events, utm_touch_events, utm_complete_rate, rejected)
-- output: health_xmr(metric, conversion_kind, date, value, centre, lower, upper, moving_range, mr_upper, signal)
-- output: pipeline_trace(k, lane, step, rows_in, rows_out, dropped, reason, kind)
-- output: unattributable(field, value, channel, events, people, first_seen, last_seen)
CREATE OR REPLACE TEMP TABLE audit_paid AS
SELECT c.conversion_id,
  count(*) AS paid,
  count(*) FILTER (WHERE e.gclid IS NOT NULL OR e.msclkid IS NOT NULL OR e.fbclid IS NOT NULL OR e.ttclid IS NOT NULL
    OR e.li_fat_id IS NOT NULL OR e.rdt_cid IS NOT NULL OR e.click_token IS NOT NULL OR e.dclid IS NOT NULL) AS paid_with_click
FROM conversions c
JOIN journey_candidates j ON j.conversion_id = c.conversion_id AND j.touch_us >= c.conversion_us - c.lookback_us
JOIN touches t ON t.person_key = c.person_key AND t.session_key = j.session_key
LEFT JOIN events e ON e.event_id = t.channel_event_id
WHERE j.channel LIKE 'paid\_%' ESCAPE '\' OR j.channel = 'display'
GROUP BY c.conversion_id;
CREATE OR REPLACE TABLE health_daily AS
SELECT CAST(make_timestamp(c.conversion_us) AS DATE) AS date, c.conversion_kind,
  count(*) AS conversions,
  count(*) FILTER (WHERE c.touch_status = 'attributed') AS attributed,
  count(*) FILTER (WHERE c.touch_status = 'direct_only') AS direct_only,
  count(*) FILTER (WHERE c.touch_status = 'no_touch') AS no_touch,
  count(*) FILTER (WHERE c.touch_status = 'attributed') / count(*) AS coverage_rate,
  count(*) FILTER (WHERE c.touch_status = 'direct_only') / count(*) AS direct_only_rate,
  -- NULL, not 0, on a day without paid touches: nothing was there to capture
  CAST(sum(p.paid_with_click) AS DOUBLE) / nullif(sum(p.paid), 0) AS click_id_rate,
  count(*) FILTER (WHERE e.identity_source <> 'anonymous') / count(*) AS identified_rate
FROM conversions c
LEFT JOIN audit_paid p USING (conversion_id)
LEFT JOIN events_p e ON e.event_id = c.conversion_id
GROUP BY ALL;
CREATE OR REPLACE TABLE health_inputs_daily AS
WITH ev AS (
  SELECT CAST(make_timestamp(ts_us) AS DATE) AS date, count(*) AS events,
    count(*) FILTER (WHERE NOT is_conversion) AS touch_events,
    count(*) FILTER (WHERE NOT is_conversion AND (utm_source IS NOT NULL OR utm_medium IS NOT NULL OR utm_campaign IS NOT NULL)) AS utm_touch_events,
    count(*) FILTER (WHERE NOT is_conversion AND utm_source IS NOT NULL AND utm_medium IS NOT NULL AND utm_campaign IS NOT NULL) AS utm_complete
  FROM events GROUP BY 1
), rj AS (
  -- rejected rows whose time could be read; the others have no day (pipeline_trace counts every one)
  SELECT CAST(make_timestamp(ts_us) AS DATE) AS date, count(*) AS rejected
  FROM staged WHERE reason IS NOT NULL AND ts_us IS NOT NULL GROUP BY 1
)
SELECT date, coalesce(ev.events, 0) AS events, coalesce(ev.touch_events, 0) AS touch_events,
  coalesce(ev.utm_touch_events, 0) AS utm_touch_events,
  CAST(ev.utm_complete AS DOUBLE) / nullif(ev.utm_touch_events, 0) AS utm_complete_rate,
  coalesce(rj.rejected, 0) AS rejected
FROM ev FULL JOIN rj USING (date);
-- XmR charts of the daily health metrics, per conversion kind (days without conversions are not points)
CREATE OR REPLACE TEMP TABLE audit_series AS
SELECT m.metric, h.conversion_kind, h.date,
  CASE m.metric WHEN 'conversions' THEN CAST(h.conversions AS DOUBLE) WHEN 'coverage_rate' THEN h.coverage_rate
    WHEN 'direct_only_rate' THEN h.direct_only_rate WHEN 'click_id_rate' THEN h.click_id_rate ELSE h.identified_rate END AS value
FROM health_daily h CROSS JOIN (VALUES ('conversions'), ('coverage_rate'), ('direct_only_rate'), ('click_id_rate'), ('identified_rate')) m(metric);
CREATE OR REPLACE TEMP TABLE audit_mr AS
SELECT metric, conversion_kind, date, value,
  abs(value - lag(value) OVER (PARTITION BY metric, conversion_kind ORDER BY date)) AS moving_range
FROM audit_series WHERE value IS NOT NULL;
CREATE OR REPLACE TEMP TABLE audit_limits AS
SELECT metric, conversion_kind, date, value, moving_range,
  avg(value) OVER w AS centre, avg(moving_range) OVER w AS mr_bar
FROM audit_mr
WINDOW w AS (PARTITION BY metric, conversion_kind);
CREATE OR REPLACE TEMP TABLE audit_runs AS
SELECT *, sign(round(value - centre, 12)) AS side,
  -- runs: consecutive points on the same side (a point on the centre line breaks a run)
  row_number() OVER (PARTITION BY metric, conversion_kind ORDER BY date)
    - row_number() OVER (PARTITION BY metric, conversion_kind, sign(round(value - centre, 12)) ORDER BY date) AS run_id
FROM audit_limits;
CREATE OR REPLACE TABLE health_xmr AS
SELECT metric, conversion_kind, date, value, centre,
  centre - 2.66 * mr_bar AS lower, centre + 2.66 * mr_bar AS upper,
  moving_range, 3.268 * mr_bar AS mr_upper,
  CASE
    WHEN value > centre + 2.66 * mr_bar + 1e-12 THEN 'above upper limit'
    WHEN value < centre - 2.66 * mr_bar - 1e-12 THEN 'below lower limit'
    WHEN side <> 0 AND row_number() OVER (PARTITION BY metric, conversion_kind, side, run_id ORDER BY date) >= 8
      THEN CASE WHEN side > 0 THEN '8 in a row above centre' ELSE '8 in a row below centre' END
  END AS signal
FROM audit_runs;
-- The trace: two lanes, each step's rows_out the next step's rows_in; the events lane's
-- conversion step hands its rows to the conversions lane.
CREATE OR REPLACE TEMP TABLE audit_counts AS
SELECT
  (SELECT count(*) FROM staged) + (SELECT count(*) FROM struct_rejects) AS rows_read,
  (SELECT count(*) FROM struct_rejects) AS structural,
  (SELECT count(*) FROM events) AS events,
  (SELECT count(*) FROM events_p WHERE identity_source = 'stitched') AS stitched,
  (SELECT count(*) FROM events WHERE is_conversion) AS conversion_events,
  (SELECT count(*) FROM touch_events) AS touch_events,
  (SELECT count(*) FROM touches) AS touches,
  (SELECT count(*) FROM (SELECT DISTINCT c.person_key, j.session_key FROM conversions c
     JOIN journey_candidates j ON j.conversion_id = c.conversion_id AND j.touch_us >= c.conversion_us - c.lookback_us)) AS window_touches,
  (SELECT count(*) FROM (SELECT DISTINCT c.person_key, j.session_key FROM conversions c
     JOIN journey_candidates j ON j.conversion_id = c.conversion_id AND j.touch_us >= c.conversion_us - c.lookback_us
     WHERE j.channel <> 'direct')) AS credited_touches,
  (SELECT count(*) FROM conversions) AS conversions,
  (SELECT count(*) FROM conversions WHERE touch_status <> 'no_touch') AS with_touch,
  (SELECT count(*) FROM conversions WHERE touch_status = 'attributed') AS attributed;
CREATE OR REPLACE TEMP TABLE audit_reject_steps AS
SELECT row_number() OVER (ORDER BY reason = 'duplicate_event_id', reason) AS r, reason, count(*) AS n
FROM staged WHERE reason IS NOT NULL GROUP BY reason;
CREATE OR REPLACE TABLE pipeline_trace AS
WITH structural AS (
  SELECT string_agg(reason || ' ' || n, ', ' ORDER BY reason) AS reasons
  FROM (SELECT reason, count(*) AS n FROM struct_rejects GROUP BY reason)
), rejected AS (
  -- each reason a step: rows_in is what the earlier reasons left
  SELECT r, reason, n, (SELECT rows_read - structural FROM audit_counts) - coalesce(sum(n) OVER (ORDER BY r ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS rows_in
  FROM audit_reject_steps
), steps AS (
  SELECT 1 AS k, 'events' AS lane, 'read' AS step, rows_read AS rows_in, rows_read AS rows_out, 'rows in the file' AS reason, 'kept' AS kind FROM audit_counts
  UNION ALL
  SELECT 2, 'events', 'parsed', rows_read, rows_read - structural,
    CASE WHEN structural = 0 THEN 'every row parsed' ELSE 'rows the reader could not split into fields: ' || (SELECT reasons FROM structural) END,
    CASE WHEN structural = 0 THEN 'kept' ELSE 'data loss' END
  FROM audit_counts
  UNION ALL
  SELECT 2 + r, 'events', 'rejected: ' || reason, rows_in, rows_in - n,
    CASE WHEN reason = 'duplicate_event_id' THEN 'a repeated event_id: the first is kept' ELSE 'rows with ' || replace(reason, '_', ' ') || ' (see rejects)' END,
    CASE WHEN reason = 'duplicate_event_id' THEN 'expected filter' ELSE 'data loss' END
  FROM rejected
  UNION ALL
  SELECT 100, 'events', 'staged', events, events, 'typed, checked events', 'kept' FROM audit_counts
  UNION ALL
  SELECT 101, 'events', 'stitched', events, events, stitched || ' anonymous events joined to a user_id by their anon_id', 'kept' FROM audit_counts
  UNION ALL
  SELECT 102, 'events', 'conversions set aside', events, events - conversion_events, 'conversion events go to the conversions lane', 'expected filter' FROM audit_counts
  UNION ALL
  SELECT 103, 'events', 'fraud filter', events - conversion_events, touch_events,
    CASE WHEN touch_events = events - conversion_events THEN 'off, or nothing matched' ELSE 'repeated clicks on one campaign in a short window' END, 'expected filter' FROM audit_counts
  UNION ALL
  SELECT 104, 'events', 'sessions', touch_events, touches, 'events of one session make one touch', 'expected filter' FROM audit_counts
  UNION ALL
  SELECT 105, 'events', 'in a lookback window', touches, window_touches, 'touches outside every conversion''s lookback window', 'expected filter' FROM audit_counts
  UNION ALL
  SELECT 106, 'events', 'credited', window_touches, credited_touches, 'direct touches get no credit (the direct rule)', 'expected filter' FROM audit_counts
  UNION ALL
  SELECT 200, 'conversions', 'conversions', conversion_events, conversions, 'one per conversion event', 'kept' FROM audit_counts
  UNION ALL
  SELECT 201, 'conversions', 'journeys in window', conversions, with_touch, 'conversions without any touch in their lookback credit direct', 'expected filter' FROM audit_counts
  UNION ALL
  SELECT 202, 'conversions', 'attributed', with_touch, attributed, 'journeys of direct touches only credit direct', 'expected filter' FROM audit_counts
)
-- BIGINT: sums of counts are HUGEINT, which the wasm engine hands over as text
SELECT CAST(k AS INTEGER) AS k, lane, step, CAST(rows_in AS BIGINT) AS rows_in, CAST(rows_out AS BIGINT) AS rows_out,
  CAST(rows_in - rows_out AS BIGINT) AS dropped, reason,
  CASE WHEN rows_in = rows_out AND kind <> 'data loss' THEN 'kept' ELSE kind END AS kind
FROM steps;
-- Campaign values and click ids no rule classifies: they fall to other or direct
CREATE OR REPLACE TABLE unattributable AS
WITH t AS (
  SELECT te.channel, te.person_key, e.ts_us, e.utm_campaign, e.utm_source,
    [CASE WHEN e.gclid IS NOT NULL THEN 'gclid' END, CASE WHEN e.msclkid IS NOT NULL THEN 'msclkid' END,
     CASE WHEN e.fbclid IS NOT NULL THEN 'fbclid' END, CASE WHEN e.ttclid IS NOT NULL THEN 'ttclid' END,
     CASE WHEN e.li_fat_id IS NOT NULL THEN 'li_fat_id' END, CASE WHEN e.rdt_cid IS NOT NULL THEN 'rdt_cid' END,
     CASE WHEN e.click_token IS NOT NULL THEN 'click_token' END, CASE WHEN e.dclid IS NOT NULL THEN 'dclid' END,
     CASE WHEN e.srsltid IS NOT NULL THEN 'srsltid' END] AS clicks
  FROM touch_events te JOIN events e ON e.event_id = te.event_id
  WHERE te.channel IN ('other', 'direct')
), v AS (
  SELECT 'utm_campaign' AS field, utm_campaign AS value, channel, person_key, ts_us FROM t WHERE utm_campaign IS NOT NULL
  UNION ALL
  SELECT 'utm_source', utm_source, channel, person_key, ts_us FROM t WHERE utm_source IS NOT NULL
  UNION ALL
  SELECT 'click_id', c, channel, person_key, ts_us FROM (SELECT unnest(clicks) AS c, channel, person_key, ts_us FROM t) WHERE c IS NOT NULL
)
SELECT field, value, channel, count(*) AS events, count(DISTINCT person_key) AS people,
  strftime(make_timestamp(min(ts_us)), '%Y-%m-%dT%H:%M:%S.%fZ') AS first_seen,
  strftime(make_timestamp(max(ts_us)), '%Y-%m-%dT%H:%M:%S.%fZ') AS last_seen
FROM v GROUP BY ALL;
DROP TABLE audit_paid;
DROP TABLE audit_series;
DROP TABLE audit_mr;
DROP TABLE audit_limits;
DROP TABLE audit_runs;
DROP TABLE audit_counts;
DROP TABLE audit_reject_steps
