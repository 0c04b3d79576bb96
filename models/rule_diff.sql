-- name: rule_diff
-- version: 1
-- kind: stage
-- description: Rule-change diff: one model's per-conversion credits under a baseline and a proposed configuration
-- description: (channel rules, lookback, half-life, model), compared. Credits arrive rounded to 10 decimals (as the
-- description: files write them), so noise below that never shows as a move. Per conversion and channel:
-- description: lost = max(baseline - proposed, 0), gained = max(proposed - baseline, 0), kept = min(baseline, proposed).
-- description: From-to matrix: in each conversion, moved = max(sum lost, sum gained); every losing channel i
-- description: gives lost_i x gained_j / moved to every gaining channel j. When a model does not conserve credit
-- description: (participation), the side with less is topped up by the pseudo-channel '(none)' (credit created
-- description: from nothing, or removed to nothing), so a row of the matrix always sums to the channel's loss and
-- description: a column to its gain. An imbalance below 1e-9 is the 10-decimal rounding of credits that sum to 1
-- description: (time_decay's thirds), not credit created: it gets no '(none)' row. Kept credit is not in the matrix (a channel never both loses and gains in
-- description: one conversion, so the diagonal is empty): diff_totals reports it, with baseline = kept + lost and
-- description: proposed = kept + gained per channel.
-- input: diff_baseline_credits(conversion_id, channel, credit), diff_proposed_credits(conversion_id, channel, credit)
-- output: diff_credits(conversion_id, channel, baseline_credit, proposed_credit)
-- output: diff_conversions(conversion_id, channel, baseline_credit, proposed_credit, delta)
-- output: diff_matrix(from_channel, to_channel, credit, conversions)
-- output: diff_totals(channel, baseline, proposed, delta, delta_pct, kept, lost, gained)
CREATE OR REPLACE TABLE diff_credits AS
-- every credit pair, as exact DECIMALs: sums and differences cannot depend on aggregation order
SELECT coalesce(b.conversion_id, p.conversion_id) AS conversion_id, coalesce(b.channel, p.channel) AS channel,
  coalesce(b.credit, 0) AS baseline_credit, coalesce(p.credit, 0) AS proposed_credit
FROM diff_baseline_credits b FULL OUTER JOIN diff_proposed_credits p ON p.conversion_id = b.conversion_id AND p.channel = b.channel;
CREATE OR REPLACE TABLE diff_conversions AS
SELECT conversion_id, channel, CAST(baseline_credit AS DOUBLE) AS baseline_credit, CAST(proposed_credit AS DOUBLE) AS proposed_credit,
  CAST(proposed_credit - baseline_credit AS DOUBLE) AS delta
FROM diff_credits WHERE proposed_credit <> baseline_credit;
CREATE OR REPLACE TABLE diff_matrix AS
WITH per AS (
  SELECT conversion_id, channel, greatest(baseline_credit - proposed_credit, 0) AS lost, greatest(proposed_credit - baseline_credit, 0) AS gained
  FROM diff_credits WHERE proposed_credit <> baseline_credit
), conv AS (
  SELECT conversion_id, sum(lost) AS total_lost, sum(gained) AS total_gained, greatest(sum(lost), sum(gained)) AS moved
  FROM per GROUP BY conversion_id
), losers AS (
  SELECT conversion_id, channel, lost AS amount FROM per WHERE lost > 0
  UNION ALL
  -- credit that appeared without any channel losing it
  SELECT conversion_id, '(none)', moved - total_lost FROM conv WHERE moved - total_lost > 0.000000001
), gainers AS (
  SELECT conversion_id, channel, gained AS amount FROM per WHERE gained > 0
  UNION ALL
  -- credit that disappeared without any channel gaining it
  SELECT conversion_id, '(none)', moved - total_gained FROM conv WHERE moved - total_gained > 0.000000001
), flows AS (
  SELECT l.conversion_id, l.channel AS from_channel, g.channel AS to_channel,
    CAST(l.amount AS DOUBLE) * CAST(g.amount AS DOUBLE) / CAST(c.moved AS DOUBLE) AS credit
  FROM losers l JOIN gainers g ON g.conversion_id = l.conversion_id JOIN conv c ON c.conversion_id = l.conversion_id
)
SELECT from_channel, to_channel, CAST(sum(CAST(credit AS DECIMAL(38, 15))) AS DOUBLE) AS credit, count(*) AS conversions
FROM flows GROUP BY from_channel, to_channel;
CREATE OR REPLACE TABLE diff_totals AS
WITH t AS (
  SELECT channel, sum(baseline_credit) AS baseline, sum(proposed_credit) AS proposed,
    sum(least(baseline_credit, proposed_credit)) AS kept,
    sum(greatest(baseline_credit - proposed_credit, 0)) AS lost,
    sum(greatest(proposed_credit - baseline_credit, 0)) AS gained
  FROM diff_credits GROUP BY channel
)
SELECT channel, CAST(baseline AS DOUBLE) AS baseline, CAST(proposed AS DOUBLE) AS proposed, CAST(proposed - baseline AS DOUBLE) AS delta,
  CASE WHEN baseline <> 0 THEN 100 * CAST(proposed - baseline AS DOUBLE) / CAST(baseline AS DOUBLE) END AS delta_pct,
  CAST(kept AS DOUBLE) AS kept, CAST(lost AS DOUBLE) AS lost, CAST(gained AS DOUBLE) AS gained
FROM t;
