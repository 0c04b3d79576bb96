/**
 * Issue 12 through the real `attrib` command: a journey file whose
 * conversions are a 0/1 column (`--conversion-flag`), a Mixpanel raw
 * export read with no --map, and a GA4 export whose own attribution is
 * written beside the models (ga4_reported); both engines write the same bytes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-cli-layouts-'));
const read = (dir: string, f: string) => readFileSync(path.join(tmp, dir, f), 'utf8');
const FILES = ['channel_summary.csv', 'credits.csv', 'conversions.csv', 'rejects.csv'];

describe('attrib attribute --conversion-flag', () => {
  it('attributes a journey file flagged 0/1, rejects a bad flag, same bytes on both engines', () => {
    for (const engine of ['native', 'wasm']) {
      const r = attrib('attribute', '--events', 'test/fixtures/layouts/journeys_flag.csv', '--conversion-flag', 'is_conversion_purchase',
        '--models', 'first_touch,last_touch,linear', '--out', path.join(tmp, `flag-${engine}`), '--engine', engine);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /conversions 2 \(attributed 2\)/);
      assert.match(r.stdout, /bad_conversion_flag 1/);
    }
    for (const f of FILES) assert.equal(read('flag-wasm', f), read('flag-native', f), f);
    // c1: [paid_search, email], 90; c2: [display], 30 (test/engine/layouts.test.ts works them out)
    const linear = read('flag-native', 'channel_summary.csv').split('\n').filter((l) => l.startsWith('linear,'));
    assert.deepEqual(linear, ['linear,display,1,30,', 'linear,email,0.5,45,', 'linear,paid_search,0.5,45,']);
    assert.match(read('flag-native', 'rejects.csv'), /bad_conversion_flag,.*is_conversion_purchase 'maybe' is not a conversion flag/);
  });

  it('is checked: one column, present in the file; documented in the help', () => {
    let r = attrib('attribute', '--events', 'test/fixtures/layouts/journeys_flag.csv', '--conversion-flag', 'a,b', '--out', path.join(tmp, 'x'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--conversion-flag takes one column name/);
    r = attrib('attribute', '--events', 'test/fixtures/layouts/journeys_flag.csv', '--conversion-flag', 'converted', '--out', path.join(tmp, 'x'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /journeys_flag\.csv:1: --conversion-flag converted: the file has no column 'converted'/);
    for (const cmd of ['attribute', 'sweep', 'audit', 'diff']) assert.match(attrib('help', cmd).stdout, /--conversion-flag COLUMN/, cmd);
  });
});

describe('attrib on vendor exports with no --map', () => {
  it('reads a Mixpanel raw export (properties.time in s and ms) on both engines', () => {
    for (const engine of ['native', 'wasm']) {
      const r = attrib('attribute', '--events', 'test/fixtures/layouts/mixpanel_export.ndjson', '--out', path.join(tmp, `mp-${engine}`), '--engine', engine);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /preset mixpanel/);
      assert.match(r.stdout, /epoch_ms 2, epoch_s 9/);
    }
    for (const f of FILES) assert.equal(read('mp-wasm', f), read('mp-native', f), f);
    const presets = attrib('presets').stdout;
    assert.match(presets, /amplitude/);
    assert.match(presets, /mixpanel .*properties\.distinct_id, properties\.time/);
  });

  it('reads Snowplow ecommerce transactions from JSON contexts (no --map, no --conversion-events), same bytes on both engines', () => {
    for (const engine of ['native', 'wasm']) {
      const r = attrib('attribute', '--events', 'test/fixtures/layouts/snowplow_atomic_contexts.csv', '--models', 'linear', '--out', path.join(tmp, `sp-${engine}`), '--engine', engine);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /preset snowplow/);
      assert.match(r.stdout, /duplicate_transaction 1/);
    }
    for (const f of FILES) assert.equal(read('sp-wasm', f), read('sp-native', f), f);
    // du-1 [paid_search, referral] 120, du-2 [email] 35.5 (test/engine/layouts.test.ts works them out)
    const linear = read('sp-native', 'channel_summary.csv').split('\n').filter((l) => l.startsWith('linear,'));
    assert.deepEqual(linear, ['linear,email,1,35.5,transaction', 'linear,paid_search,0.5,60,transaction', 'linear,referral,0.5,60,transaction']);
  });

  it('a header that repeats a column name stops with one line naming the file, line 1 and both columns', () => {
    const file = path.join(tmp, 'dup_header.csv');
    writeFileSync(file, 'user_id,event_ts,event_name,utm_source,UTM_SOURCE\nu1,2024-01-01T00:00:00Z,purchase,a,b\n');
    const r = attrib('attribute', '--events', file, '--out', path.join(tmp, 'dup'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /dup_header\.csv:1: the header repeats a column name: column 4 'utm_source' and column 5 'UTM_SOURCE'/);
  });
});

describe("attrib attribute on a GA4 export: GA4's own attribution beside the models", () => {
  it('writes ga4_reported into channel_summary.csv and credits.csv, same bytes on both engines', () => {
    for (const engine of ['native', 'wasm']) {
      const r = attrib('attribute', '--events', 'test/fixtures/ga4/events_20260301.ndjson', '--models', 'last_touch',
        '--out', path.join(tmp, `ga4-${engine}`), '--engine', engine);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /ga4_reported: the export's own attribution, on 3 of 4 conversions \(the rest '\(not set\)'\), written beside the models; not a model of ours/);
    }
    for (const f of FILES) assert.equal(read('ga4-wasm', f), read('ga4-native', f), f);
    // test/engine/ga4.test.ts works these out: GA4 gives T4004 ($30, a direct visit) to paid search, our last_touch to direct
    const summary = read('ga4-native', 'channel_summary.csv').trim().split('\n');
    assert.deepEqual(summary, [
      'model,channel,attributed_conversions,attributed_revenue,conversion_kind',
      'last_touch,direct,1,30,purchase', 'last_touch,paid_search,1,120,purchase', 'last_touch,paid_social,1,45.5,purchase', 'last_touch,referral,1,80,purchase',
      'ga4_reported,(not set),1,45.5,purchase', 'ga4_reported,paid_search,2,150,purchase', 'ga4_reported,referral,1,80,purchase',
    ]);
    const credits = read('ga4-native', 'credits.csv').split('\n').filter((l) => /,ga4_reported,/.test(l));
    assert.equal(credits.length, 4, 'one row per conversion, (not set) included');
    assert.ok(credits.some((l) => /:24,.*,ga4_reported,paid_search,1,30,purchase$/.test(l)), credits.join('\n'));
  });
});
