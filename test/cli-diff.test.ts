/**
 * `attrib diff` through the real command: the three files for a rule that
 * gives utm_medium=newsletter its own channel (hand-computed), byte-identical
 * across runs and engines, rule paths relative to the configuration,
 * identical configurations move nothing, one-line errors naming the file.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-cli-diff-'));
const at = (...p: string[]) => path.join(tmp, ...p);
const read = (...p: string[]) => readFileSync(at(...p), 'utf8');
const FILES = ['diff_conversions.csv', 'diff_matrix.csv', 'diff_totals.csv'];

// p1: paid_search, then a newsletter mail, buys c1; p2: an email, buys c2; p3: a newsletter then an email, buys c3
const EVENTS = [
  'event_id,event_ts,event_name,anon_id,utm_source,utm_medium,revenue',
  'a1,2026-01-01T00:00:00Z,page_view,p1,google,cpc,',
  'a2,2026-01-03T00:00:00Z,page_view,p1,news,newsletter,',
  'c1,2026-01-04T00:00:00Z,purchase,p1,,,100',
  'b1,2026-01-01T00:00:00Z,page_view,p2,news,email,',
  'c2,2026-01-02T00:00:00Z,purchase,p2,,,20',
  'd1,2026-01-01T00:00:00Z,page_view,p3,news,newsletter,',
  'd2,2026-01-02T00:00:00Z,page_view,p3,news,email,',
  'c3,2026-01-03T00:00:00Z,purchase,p3,,,30',
].join('\n') + '\n';

const diff = (baseline: string, proposed: string, out: string, ...more: string[]) =>
  attrib('diff', '--events', at('events.csv'), '--baseline', at(baseline), '--proposed', at(proposed), '--out', at(out), ...more);

describe('attrib diff', () => {
  before(() => {
    writeFileSync(at('events.csv'), EVENTS);
    // the proposed rules live next to their configuration, which names them by a relative path
    mkdirSync(at('configs'));
    const rules = JSON.parse(readFileSync(path.join(root, 'models/channel_rules.json'), 'utf8'));
    rules.rules.unshift({ id: 'medium_newsletter', channel: 'newsletter', all: [{ field: 'utm_medium', op: 'in', values: ['newsletter'] }] });
    writeFileSync(at('configs', 'newsletter_rules.json'), JSON.stringify(rules));
    writeFileSync(at('configs', 'proposed.json'), JSON.stringify({ description: 'newsletter is its own channel', rules: 'newsletter_rules.json', model: 'linear' }));
    writeFileSync(at('baseline.json'), '{}');
    writeFileSync(at('linear.json'), JSON.stringify({ model: 'linear', params: { lookback_days: 30 } }));
    for (const [out, engine] of [['native', 'native'], ['native-2', 'native'], ['wasm', 'wasm']]) {
      const r = diff('baseline.json', 'configs/proposed.json', out, '--engine', engine);
      assert.equal(r.status, 0, r.stderr);
    }
  });

  it('writes what the newsletter rule moves (hand-computed, linear)', () => {
    // c1: paid_search 1/2 + email 1/2 -> paid_search 1/2 + newsletter 1/2; c2 stays email 1;
    // c3: email 1/2 + 1/2 -> newsletter 1/2 + email 1/2
    assert.equal(read('native', 'diff_conversions.csv'), [
      'conversion_id,channel,baseline_credit,proposed_credit,delta',
      'c1,email,0.5,0,-0.5',
      'c1,newsletter,0,0.5,0.5',
      'c3,email,1,0.5,-0.5',
      'c3,newsletter,0,0.5,0.5',
    ].join('\n') + '\n');
    assert.equal(read('native', 'diff_matrix.csv'), 'from_channel,to_channel,credit,conversions\nemail,newsletter,1,2\n');
    assert.equal(read('native', 'diff_totals.csv'), [
      'channel,baseline,proposed,delta,delta_pct,kept,lost,gained',
      'email,2.5,1.5,-1,-40,1.5,1,0',
      'newsletter,0,1,1,,0,0,1',
      'paid_search,0.5,0.5,0,0,0.5,0,0',
    ].join('\n') + '\n');
  });

  it('same inputs give byte-identical files, run twice and on either engine', () => {
    for (const f of FILES) {
      assert.equal(read('native-2', f), read('native', f), `${f}: second run`);
      assert.equal(read('wasm', f), read('native', f), `${f}: wasm = native`);
    }
  });

  it('identical configurations (defaults spelled out or not) move nothing', () => {
    const r = diff('baseline.json', 'linear.json', 'same', '--quiet');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(read('same', 'diff_conversions.csv'), 'conversion_id,channel,baseline_credit,proposed_credit,delta\n');
    assert.equal(read('same', 'diff_matrix.csv'), 'from_channel,to_channel,credit,conversions\n');
    assert.equal(read('same', 'diff_totals.csv'), [
      'channel,baseline,proposed,delta,delta_pct,kept,lost,gained',
      'email,2.5,2.5,0,0,2.5,0,0',
      'paid_search,0.5,0.5,0,0,0.5,0,0',
    ].join('\n') + '\n');
  });

  it('bad configuration files: one line naming the file, exit 2, before any data is read', () => {
    const bad = (name: string, text: string, want: RegExp) => {
      writeFileSync(at(name), text);
      const r = diff('baseline.json', name, 'bad');
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, want);
    };
    bad('unknown_field.json', '{"modle": "linear"}', /^attrib: .*unknown_field\.json: unknown field 'modle' \(allowed: description, rules, model, params\)\n$/);
    bad('flat_param.json', '{"lookback_days": 7}', /flat_param\.json: unknown field 'lookback_days' .*put it under "params"/);
    bad('bad_json.json', '{"model": "linear",}', /^attrib: .*bad_json\.json: not valid JSON \(/);
    bad('unknown_model.json', '{"model": "magic"}', /unknown_model\.json: unknown model 'magic' \(available: .*linear/);
    bad('unknown_param.json', '{"params": {"lookbak_days": 7}}', /unknown_param\.json: params: unknown parameter 'lookbak_days'/);
    bad('out_of_range.json', '{"params": {"lookback_days": 400}}', /out_of_range\.json: .*lookback_days must be between 1 and 365 days, got 400/);
    bad('inline_rules.json', '{"rules": {"format": "attribution-channel-rules/1", "rules": [{"id": "x", "channel": "Bad"}]}}', /inline_rules\.json: rules: rule 1 \(x\): "channel" must be/);
    bad('missing_rules.json', '{"rules": "nowhere.json"}', /nowhere\.json: cannot read the rule file/);
    let r = diff('baseline.json', 'does_not_exist.json', 'bad');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^attrib: .*does_not_exist\.json: cannot read the configuration file\n$/);
    r = attrib('diff', '--events', at('events.csv'), '--baseline', at('baseline.json'), '--out', at('bad'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^attrib: diff needs --proposed CONFIG\.json/);
  });

  it('--help and attrib help diff describe the files and the configuration', () => {
    for (const r of [attrib('diff', '--help'), attrib('help', 'diff')]) {
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^attrib diff --events FILE --baseline CONFIG\.json --proposed CONFIG\.json --out DIR/);
      for (const w of ['diff_conversions.csv', 'diff_matrix.csv', 'diff_totals.csv', '"rules"', '"model"', '"params"', '(none)']) assert.ok(r.stdout.includes(w), w);
    }
    assert.match(attrib('help').stdout, /attrib diff --events FILE --baseline/);
  });
});
