/**
 * `attrib attribute --survey FILE | --survey-column NAME [--survey-map FILE]`:
 * the three survey files, hand-checked, byte-identical across engines and
 * between a survey file and the same answers in a column; one-line errors.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-cli-survey-'));
const at = (...p: string[]) => path.join(tmp, ...p);
const read = (...p: string[]) => readFileSync(at(...p), 'utf8');
const FILES = ['survey_agreement.csv', 'survey_models.csv', 'survey_answers.csv'];

// u1: email then paid_search, says "a friend"; u2: paid_search, says "Google Ads" (the map below: paid_search)
const events = [
  'event_id,event_ts,event_name,user_id,utm_source,utm_medium,revenue,hdyhau',
  'v1,2026-01-01T10:00:00Z,page_view,u1,news,email,,',
  'v2,2026-01-02T10:00:00Z,page_view,u1,google,cpc,,',
  'o1,2026-01-03T10:00:00Z,purchase,u1,,,10,From a FRIEND',
  'v3,2026-01-01T10:00:00Z,page_view,u2,google,cpc,,',
  'o2,2026-01-02T10:00:00Z,purchase,u2,,,10,Google Ads',
].join('\n') + '\n';

describe('attrib attribute --survey', () => {
  before(() => {
    writeFileSync(at('events.csv'), events);
    writeFileSync(at('survey.csv'), 'order_id,answer\no1,From a FRIEND\no2,Google Ads\n');
    writeFileSync(at('map.json'), JSON.stringify({ friend: 'word_of_mouth', google: 'organic_search', 'google ads': 'paid_search' }));
  });
  const run = (out: string, ...extra: string[]) => {
    const r = attrib('attribute', '--events', at('events.csv'), '--out', at(out), '--models', 'first_touch,linear', '--survey-map', at('map.json'), ...extra);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  it('writes the agreement matrix, the rates and the answers (hand-checked), alike on both engines and from a column', () => {
    const stdout = run('native', '--survey', at('survey.csv'));
    run('wasm', '--quiet', '--survey', at('survey.csv'), '--engine', 'wasm');
    run('column', '--quiet', '--survey-column', 'hdyhau');
    assert.match(stdout, /survey: 2 surveyed conversions \(0 with an unmapped answer\)\n {2}survey agreement: first_touch 50%, linear 50%\n/);
    // o1 (word_of_mouth): first touch email; linear email 0.5, paid_search 0.5. o2 (paid_search): paid_search 1 in both.
    assert.equal(read('native', 'survey_agreement.csv'), [
      'model,survey_channel,model_channel,conversions_credit',
      'first_touch,paid_search,paid_search,1', 'first_touch,word_of_mouth,email,1',
      'linear,paid_search,paid_search,1', 'linear,word_of_mouth,email,0.5', 'linear,word_of_mouth,paid_search,0.5',
    ].join('\n') + '\n');
    assert.equal(read('native', 'survey_models.csv'), [
      'model,surveyed_conversions,mapped_conversions,agreeing_credit,agreement_rate,mapped_agreement_rate',
      'first_touch,2,2,1,0.5,0.5', 'linear,2,2,1,0.5,0.5',
    ].join('\n') + '\n');
    assert.equal(read('native', 'survey_answers.csv'), 'answer,channel,count,matched_conversions\nfrom a friend,word_of_mouth,1,1\ngoogle ads,paid_search,1,1\n');
    for (const f of FILES) {
      assert.equal(read('wasm', f), read('native', f), `wasm ${f}`);
      assert.equal(read('column', f), read('native', f), `column ${f}`);
    }
  });
  it('a wrong survey option is one line, exit code 2', () => {
    writeFileSync(at('bad.json'), '{"podcast": ""}');
    for (const [args, msg] of [
      [['--survey', at('survey.csv'), '--survey-column', 'hdyhau'], 'attrib: --survey and --survey-column: give one of them\n'],
      [['--survey-column', 'nope'], 'attrib: events.csv: --survey-column nope: the events file has no such column\n'],
      [['--survey', at('survey.csv'), '--survey-map', at('bad.json')], 'attrib: bad.json: pattern "podcast": the channel must be a non-empty string\n'],
    ] as const) {
      const r = attrib('attribute', '--events', at('events.csv'), '--out', at('bad'), ...args);
      assert.deepEqual([r.status, r.stderr], [2, msg]);
    }
  });
});
