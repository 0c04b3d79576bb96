/**
 * `attrib audit` through the real command on the bundled sample: the three
 * files the issue names (plus the XmR and input tables), their totals
 * reconciling with `attrib attribute`'s conversions.csv, byte-identical
 * across engines and runs, one-line errors for bad options.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsvText } from './helpers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-audit-'));
const FILES = ['health_daily.csv', 'pipeline_trace.csv', 'unattributable.csv', 'health_xmr.csv', 'health_inputs_daily.csv'];
const read = (dir: string, f: string) => readFileSync(path.join(tmp, dir, f), 'utf8');
/** A CSV as objects by header. */
const rows = (text: string) => {
  const [head, ...body] = parseCsvText(text).filter((r) => r.length > 1 || r[0] !== '');
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
};

describe('attrib audit on the sample', () => {
  before(() => {
    for (const [dir, engine] of [['native', 'native'], ['wasm', 'wasm'], ['native-2', 'native']]) {
      const r = attrib('audit', '--events', 'samples/sample.parquet', '--out', path.join(tmp, dir), '--engine', engine);
      assert.equal(r.status, 0, r.stderr);
      if (dir === 'native') assert.match(r.stdout, /conversions 204, attributed \d+/);
    }
    const r = attrib('attribute', '--events', 'samples/sample.parquet', '--out', path.join(tmp, 'attr'), '--quiet');
    assert.equal(r.status, 0, r.stderr);
  });

  it('writes the files with their documented columns', () => {
    assert.equal(read('native', 'health_daily.csv').split('\n')[0], 'date,conversion_kind,conversions,attributed,direct_only,no_touch,coverage_rate,direct_only_rate,click_id_rate,identified_rate');
    assert.equal(read('native', 'pipeline_trace.csv').split('\n')[0], 'step,rows_in,rows_out,dropped,reason,kind,lane');
    assert.equal(read('native', 'unattributable.csv').split('\n')[0], 'field,value,channel,events,people,first_seen,last_seen');
  });

  it("reconciles with attrib attribute's conversions.csv", () => {
    const conv = rows(read('attr', 'conversions.csv'));
    const health = rows(read('native', 'health_daily.csv'));
    const sum = (k: string) => health.reduce((a, r) => a + Number(r[k]), 0);
    const status = (s: string) => conv.filter((c) => c.touch_status === s).length;
    assert.equal(sum('conversions'), conv.length);
    assert.deepEqual([sum('attributed'), sum('direct_only'), sum('no_touch')], [status('attributed'), status('direct_only'), status('no_touch')]);
    // per day too: each conversion counted on its UTC day
    const byDay = new Map<string, number>();
    for (const c of conv) byDay.set(c.conversion_ts.slice(0, 10), (byDay.get(c.conversion_ts.slice(0, 10)) ?? 0) + 1);
    assert.deepEqual(new Map(health.map((h) => [h.date, Number(h.conversions)])), byDay);
    const trace = rows(read('native', 'pipeline_trace.csv'));
    assert.equal(Number(trace.find((t) => t.step === 'attributed')!.rows_out), status('attributed'));
    const rejects = rows(read('attr', 'rejects.csv'));
    assert.equal(trace.filter((t) => t.kind === 'data loss' || t.step.startsWith('rejected')).reduce((a, t) => a + Number(t.dropped), 0), rejects.length, 'every reject is a drop of the trace');
  });

  it('gives byte-identical files across engines and runs', () => {
    for (const f of FILES) {
      assert.equal(read('wasm', f), read('native', f), `${f}: wasm = native`);
      assert.equal(read('native-2', f), read('native', f), `${f}: run twice`);
    }
  });

  it('says what is wrong in one line, exit 2', () => {
    const r = attrib('audit', '--events', 'samples/sample.parquet');
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim(), 'attrib: audit needs --out DIR');
    const bad = attrib('audit', '--events', 'samples/sample.parquet', '--out', path.join(tmp, 'x'), '--lookback-days', 'soon');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--lookback-days must be a number, got 'soon'/);
    assert.match(attrib('audit', '--help').stdout, /health_daily\.csv/);
  });
});
