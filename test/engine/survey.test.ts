/**
 * Self-reported attribution (common/survey.ts, models/survey.sql): answers
 * mapped to channels, compared with each model's credits. Every expected row
 * is worked out by hand from the data in the test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../common/engine.ts';
import { DEFAULT_SURVEY_MAP, loadSurveyColumn, loadSurveyResponses, parseSurveyMap, readSurveyCsv, runSurvey } from '../../common/survey.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { csv, memorySource } from '../helpers.ts';

const rules = loadRules();
const models = ['first_touch', 'last_touch', 'linear'];
// u1: email then paid_search, buys o1 and later o1b; u2: from Google (organic_search), buys o2;
// u3: paid_social, buys o3; u4: no touch, buys o4 (direct); u5: email, buys o5.
// hdyhau is the same survey as a column of the conversion events.
const events = csv(['event_id', 'event_ts', 'event_name', 'user_id', 'utm_source', 'utm_medium', 'referrer', 'revenue', 'hdyhau'], [
  ['v1', '2026-01-01T10:00:00Z', 'page_view', 'u1', 'news', 'email', null, null, null],
  ['v2', '2026-01-02T10:00:00Z', 'page_view', 'u1', 'google', 'cpc', null, null, null],
  ['o1', '2026-01-03T10:00:00Z', 'purchase', 'u1', null, null, null, 10, 'Email newsletter'],
  ['o1b', '2026-01-05T10:00:00Z', 'purchase', 'u1', null, null, null, 10, null],
  ['v3', '2026-01-01T10:00:00Z', 'page_view', 'u2', null, null, 'https://www.google.com/', null, null],
  ['o2', '2026-01-02T10:00:00Z', 'purchase', 'u2', null, null, null, 10, 'I saw a Google ad'],
  ['v4', '2026-01-01T10:00:00Z', 'page_view', 'u3', 'fb', 'paid_social', null, null, null],
  ['o3', '2026-01-02T10:00:00Z', 'purchase', 'u3', null, null, null, 10, 'A friend told me'],
  ['o4', '2026-01-02T10:00:00Z', 'purchase', 'u4', null, null, null, 10, 'Podcast (The Daily)'],
  ['v5', '2026-01-01T10:00:00Z', 'page_view', 'u5', 'news', 'email', null, null, null],
  ['o5', '2026-01-02T10:00:00Z', 'purchase', 'u5', null, null, null, 10, 'Saw it on a TV show'],
]);
// o9 is no conversion; o3's second answer comes after its first, so the first counts
const survey = 'order_id,answer\no1,Email newsletter\no2,  I saw a   Google AD \no3,A friend told me\no4,Podcast (The Daily)\no5,Saw it on a TV show\no9,tv\no3,Google\n';

const agreement = {
  // reported channel / model channel / credit over the five surveyed conversions
  first_touch: [['email', 'email', 1], ['paid_search', 'organic_search', 1], ['podcast', 'direct', 1], ['unmapped', 'email', 1], ['word_of_mouth', 'paid_social', 1]],
  last_touch: [['email', 'paid_search', 1], ['paid_search', 'organic_search', 1], ['podcast', 'direct', 1], ['unmapped', 'email', 1], ['word_of_mouth', 'paid_social', 1]],
  linear: [['email', 'email', 0.5], ['email', 'paid_search', 0.5], ['paid_search', 'organic_search', 1], ['podcast', 'direct', 1], ['unmapped', 'email', 1], ['word_of_mouth', 'paid_social', 1]],
};
const agreementRows = Object.entries(agreement).flatMap(([model, rows]) => rows.map(([s, c, v]) => ({ model, survey_channel: s, model_channel: c, conversions_credit: v })));
// only o1 agrees anywhere: first touch gives its reported email 1, linear 0.5, last touch 0
const modelRows = [['first_touch', 1], ['last_touch', 0], ['linear', 0.5]].map(([model, agree]) => ({
  model, surveyed_conversions: 5, mapped_conversions: 4, agreeing_credit: agree, agreement_rate: (agree as number) / 5, mapped_agreement_rate: (agree as number) / 4,
}));

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`self-reported attribution (${name})`, () => {
    it('maps answers (exact, longest substring, unmapped) and splits each model credit by reported channel', async () => {
      const lib = loadModelLibrary();
      const e = new Engine(await open(), lib);
      await e.openFile(memorySource('events.csv', events));
      await e.run({ models, rules, params: {} });
      await loadSurveyResponses(e.db, await readSurveyCsv(memorySource('survey.csv', survey)), parseSurveyMap(DEFAULT_SURVEY_MAP));
      const r = await runSurvey(e.db, lib.get('survey')!, models);
      assert.deepEqual(r.survey_agreement, agreementRows);
      assert.deepEqual(r.survey_models, modelRows);
      assert.deepEqual(r.survey_answers, [
        // 'google ad' (9 characters) beats 'google' (6); 'tv' is exact only, so "a tv show" is unmapped
        ['a friend told me', 'word_of_mouth', 1, 1], ['email newsletter', 'email', 1, 1], ['google', 'organic_search', 1, 0],
        ['i saw a google ad', 'paid_search', 1, 1], ['podcast (the daily)', 'podcast', 1, 1], ['saw it on a tv show', 'unmapped', 1, 1], ['tv', 'tv', 1, 0],
      ].map(([answer, channel, count, matched_conversions]) => ({ answer, channel, count, matched_conversions })));
      assert.equal(r.unmatched, 2, "o9 has no conversion; o3's second answer is not used");
      await e.close();
    });

    it('a person-keyed survey applies to the person\'s earliest conversion; a column of the events gives the same as the file', async () => {
      const lib = loadModelLibrary();
      const e = new Engine(await open(), lib);
      await e.openFile(memorySource('events.csv', events), { keepColumns: ['HDYHAU'] });
      await e.run({ models, rules, params: {} });
      const map = parseSurveyMap({ newsletter: 'email', friend: 'word_of_mouth' });
      await loadSurveyResponses(e.db, await readSurveyCsv(memorySource('people.csv', 'user_id,how did you hear\nu1,Newsletter\nu3,friend\n')), map);
      const people = await runSurvey(e.db, lib.get('survey')!, ['last_touch']);
      // u1's answer goes to o1 (not o1b): last touch paid_search; u3's to o3: paid_social
      assert.deepEqual(await e.query('SELECT conversion_id, survey_channel FROM survey_conversions ORDER BY 1'), [
        { conversion_id: 'o1', survey_channel: 'email' }, { conversion_id: 'o3', survey_channel: 'word_of_mouth' }]);
      assert.deepEqual(people.survey_models, [{ model: 'last_touch', surveyed_conversions: 2, mapped_conversions: 2, agreeing_credit: 0, agreement_rate: 0, mapped_agreement_rate: 0 }]);
      await loadSurveyColumn(e.db, 'hdyhau', parseSurveyMap(DEFAULT_SURVEY_MAP));
      const col = await runSurvey(e.db, lib.get('survey')!, models);
      assert.deepEqual(col.survey_agreement, agreementRows);
      assert.deepEqual(col.survey_models, modelRows);
      assert.equal(col.unmatched, 0);
      await e.close();
    });
  });
}

describe('survey inputs', () => {
  it('a bad map or file is one line naming the file (and line)', async () => {
    assert.throws(() => parseSurveyMap(['google'], 'map.json'), /the survey map must be a JSON object/);
    assert.throws(() => parseSurveyMap({ '= ': 'tv' }, 'map.json'), (e: Error & { oneLine(): string }) => e.oneLine() === 'map.json: empty pattern "= "');
    assert.throws(() => parseSurveyMap({ podcast: 3 }, 'map.json'), /pattern "podcast": the channel must be a non-empty string/);
    await assert.rejects(readSurveyCsv(memorySource('s.csv', 'id,answer\n1,x\n')), (e: Error & { oneLine(): string }) => e.oneLine() === 's.csv:1: no key column: name one conversion_id, order_id, event_id, user_id, person_key');
    await assert.rejects(readSurveyCsv(memorySource('s.csv', 'order_id,answer\no1,x\no2,y,z\n')), (e: Error & { oneLine(): string }) => /^s\.csv:3(:\d+)?: ragged_row/.test(e.oneLine()));
  });
});
