-- name: survey
-- version: 1
-- kind: stage
-- description: Self-reported attribution ("how did you hear about us"). Answers are compared lower-case, trimmed,
-- description: inner whitespace collapsed; each distinct answer gets the channel of its best mapping entry: an exact
-- description: entry that equals it, else the longest substring entry it contains (ties: the earlier entry), else
-- description: 'unmapped' (listed with its count, never dropped). A conversion-keyed answer applies to that
-- description: conversion; a person-keyed one to the person's earliest conversion (conversion time, then id); a
-- description: conversion with several answers takes the first in the file. Per model and reported channel, the
-- description: credit each model gave to each channel over the surveyed conversions; agreement_rate = credit on
-- description: the reported channel / surveyed conversions (unmapped ones included: no model credits 'unmapped').
-- input: survey_responses(key_kind, key, answer, line), survey_map(pattern, exact, channel, k), conversions, credits, model_order
-- output: survey_answer_channels(answer, channel), survey_conversions(conversion_id, answer, survey_channel)
-- output: survey_answers(answer, channel, count, matched_conversions)
-- output: survey_agreement(model, survey_channel, model_channel, conversions_credit)
-- output: survey_models(model, surveyed_conversions, mapped_conversions, agreeing_credit, agreement_rate, mapped_agreement_rate)
CREATE OR REPLACE TEMP TABLE survey_norm AS
SELECT key_kind, key, line, lower(trim(regexp_replace(answer, '\s+', ' ', 'g'))) AS answer
FROM survey_responses
WHERE key IS NOT NULL AND trim(coalesce(answer, '')) <> '';
CREATE OR REPLACE TABLE survey_answer_channels AS
SELECT a.answer, coalesce(arg_max(m.channel, (m.exact, length(m.pattern), -m.k)), 'unmapped') AS channel
FROM (SELECT DISTINCT answer FROM survey_norm) a
LEFT JOIN survey_map m ON CASE WHEN m.exact THEN a.answer = m.pattern ELSE contains(a.answer, m.pattern) END
GROUP BY a.answer;
CREATE OR REPLACE TABLE survey_conversions AS
WITH first_conv AS (
  SELECT person_key, arg_min(conversion_id, (conversion_us, conversion_id)) AS conversion_id FROM conversions GROUP BY person_key
), matched AS (
  SELECT c.conversion_id, s.answer, s.line FROM survey_norm s JOIN conversions c ON s.key_kind = 'conversion' AND c.conversion_id = s.key
  UNION ALL
  SELECT f.conversion_id, s.answer, s.line FROM survey_norm s JOIN first_conv f ON s.key_kind = 'person' AND f.person_key = s.key
)
SELECT m.conversion_id, m.answer, a.channel AS survey_channel
FROM (SELECT conversion_id, arg_min(answer, line) AS answer FROM matched GROUP BY conversion_id) m
JOIN survey_answer_channels a USING (answer);
CREATE OR REPLACE TABLE survey_answers AS
SELECT a.answer, a.channel, n.count, coalesce(c.matched, 0) AS matched_conversions
FROM survey_answer_channels a
JOIN (SELECT answer, count(*) AS count FROM survey_norm GROUP BY answer) n USING (answer)
LEFT JOIN (SELECT answer, count(*) AS matched FROM survey_conversions GROUP BY answer) c USING (answer);
CREATE OR REPLACE TABLE survey_agreement AS
-- exact sums, as channel_summary: byte-identical files whatever the aggregation order
SELECT r.model, s.survey_channel, r.channel AS model_channel, CAST(sum(CAST(r.credit AS DECIMAL(38, 15))) AS DOUBLE) AS conversions_credit
FROM survey_conversions s JOIN credits r USING (conversion_id)
GROUP BY r.model, s.survey_channel, r.channel;
CREATE OR REPLACE TABLE survey_models AS
SELECT o.model, n.surveyed AS surveyed_conversions, n.mapped AS mapped_conversions, coalesce(a.agree, 0) AS agreeing_credit,
  CASE WHEN n.surveyed > 0 THEN coalesce(a.agree, 0) / n.surveyed END AS agreement_rate,
  CASE WHEN n.mapped > 0 THEN coalesce(a.agree, 0) / n.mapped END AS mapped_agreement_rate
FROM model_order o
CROSS JOIN (SELECT count(*) AS surveyed, count(*) FILTER (WHERE survey_channel <> 'unmapped') AS mapped FROM survey_conversions) n
LEFT JOIN (SELECT model, sum(conversions_credit) AS agree FROM survey_agreement WHERE model_channel = survey_channel GROUP BY model) a
  ON a.model = o.model
