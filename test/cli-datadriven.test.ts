/**
 * Data-driven models through the real `attrib attribute` command: markov,
 * shapley and fractribution on the committed samples (credits.csv summing to
 * channel_summary.csv, both engines byte-identical, Markov files written),
 * the snowplow-fractribution model preset against the package's expected
 * report, and one-line errors for options that do not fit.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toPackageTransforms } from '../cli/modelPreset.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-dd-'));
const at = (...p: string[]) => path.join(tmp, ...p);
const FR = 'test/fixtures/peers/fractribution/';

/** Splits CSV text without quoted fields into objects (header names lower-cased). */
function rows(text: string): Record<string, string>[] {
  assert.ok(!text.includes('"'), 'no quoted fields expected');
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const cols = head!.toLowerCase().split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}
const readRows = (...p: string[]) => rows(readFileSync(at(...p), 'utf8'));

describe('attrib attribute --models markov,shapley,fractribution', () => {
  const runs = [
    ['tiny-native', 'samples/tiny.csv', 'native'],
    ['tiny-wasm', 'samples/tiny.csv', 'wasm'],
    ['sample-native', 'samples/sample.parquet', 'native'],
  ] as const;
  before(() => {
    for (const [dir, file, engine] of runs) {
      const r = attrib('attribute', '--events', file, '--out', at(dir), '--engine', engine, '--models', 'markov,shapley,fractribution,linear', '--quiet');
      assert.equal(r.status, 0, r.stderr);
    }
  });

  it('credits.csv sums per model and channel equal channel_summary.csv (markov: removal_effects.csv totals); one unit per conversion', () => {
    for (const dir of ['tiny-native', 'sample-native']) {
      const summary = readRows(dir, 'channel_summary.csv');
      const credits = readRows(dir, 'credits.csv');
      const conversions = readRows(dir, 'conversions.csv').length;
      assert.ok(conversions > 5, `${dir}: has conversions`);
      // markov's channel_summary rows are the spec's totals (removal_effects.csv), not its credits' sums
      const re = readRows(dir, 'removal_effects.csv');
      const mk = summary.filter((r) => r.model === 'markov');
      assert.ok(mk.length > 0, `${dir}: markov rows`);
      for (const r of mk) {
        const e = re.find((x) => x.channel === r.channel);
        assert.ok(e, `${dir}: ${r.channel} in removal_effects.csv`);
        const reConv = Object.entries(e!).find(([k]) => /conversions/.test(k) && !/without/.test(k))?.[1];
        assert.ok(Math.abs(Number(reConv) - Number(r.attributed_conversions)) < 1e-8, `${dir} markov ${r.channel}: ${reConv} vs ${r.attributed_conversions}`);
      }
      const total = mk.reduce((a, r) => a + Number(r.attributed_conversions), 0);
      assert.ok(Math.abs(total - conversions) < 1e-6, `${dir}: markov totals sum to the conversions (${total} vs ${conversions})`);
      for (const model of ['shapley', 'fractribution']) {
        const sums = new Map<string, [number, number]>();
        const units = new Map<string, number>();
        for (const c of credits.filter((x) => x.model === model)) {
          const s = sums.get(c.channel!) ?? [0, 0];
          sums.set(c.channel!, [s[0] + Number(c.credit), s[1] + Number(c.attributed_revenue)]);
          units.set(c.conversion_id!, (units.get(c.conversion_id!) ?? 0) + Number(c.credit));
        }
        const mine = summary.filter((r) => r.model === model);
        assert.deepEqual(mine.map((r) => r.channel).sort(), [...sums.keys()].sort(), `${dir} ${model}: same channels`);
        // Each file rounds to 10 decimals: a sum of n rounded credits is within n x 5e-11 of the rounded total.
        for (const r of mine) {
          const [conv, rev] = sums.get(r.channel!)!;
          assert.ok(Math.abs(conv - Number(r.attributed_conversions)) < 1e-8, `${dir} ${model} ${r.channel}: ${conv} vs ${r.attributed_conversions}`);
          assert.ok(Math.abs(rev - Number(r.attributed_revenue)) < 1e-6, `${dir} ${model} ${r.channel} revenue: ${rev} vs ${r.attributed_revenue}`);
        }
        assert.equal(units.size, conversions, `${dir} ${model}: every conversion is credited`);
        for (const [k, v] of units) assert.ok(Math.abs(v - 1) < 1e-8, `${dir} ${model} ${k} sums to ${v}`);
      }
    }
  });

  it('writes markov_transitions.csv and removal_effects.csv; native and wasm give the same bytes', () => {
    for (const f of ['channel_summary.csv', 'credits.csv', 'conversions.csv', 'rejects.csv', 'markov_transitions.csv', 'removal_effects.csv']) {
      assert.equal(readFileSync(at('tiny-wasm', f), 'utf8'), readFileSync(at('tiny-native', f), 'utf8'), `${f}: wasm = native`);
    }
    const effects = readRows('sample-native', 'removal_effects.csv');
    assert.ok(effects.length >= 5 && effects.every((e) => e.order === '1'));
    assert.equal(readFileSync(at('sample-native', 'markov_transitions.csv'), 'utf8').split('\n')[0], 'order,from,to,weight,probability');
  });

  it('--markov-order and --path-transforms reach the models; without markov no Markov files', () => {
    let r = attrib('attribute', '--events', 'samples/tiny.csv', '--out', at('o2'), '--models', 'markov', '--markov-order', '2', '--path-transforms', 'first', '--quiet');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(readRows('o2', 'removal_effects.csv').every((e) => e.order === '2'));
    r = attrib('attribute', '--events', 'samples/tiny.csv', '--out', at('s'), '--models', 'shapley', '--quiet');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!existsSync(at('s', 'removal_effects.csv')));
  });

  it('options that do not fit: one line, exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['--models', 'linear', '--markov-order', '2'], /--markov-order needs markov in --models/],
      [['--models', 'shapley', '--path-transforms', 'sideways'], /unknown path transform 'sideways'/],
      [['--preset', 'nope'], /--preset nope: neither an import preset \(ga4.*\) nor a model preset/],
      [['--preset', 'snowplow-fractribution', '--models', 'linear'], /--models does not apply to the model preset snowplow-fractribution/],
      [['--preset', 'snowplow-fractribution', '--conversion-window', '2022-06-03'], /--conversion-window must be START\.\.END/],
    ];
    for (const [args, re] of cases) {
      const r = attrib('attribute', '--events', 'samples/tiny.csv', '--out', at('err'), ...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, re);
    }
  });
});

describe('--path-transforms for a model preset', () => {
  it("becomes the package's form; what the package cannot do is refused", () => {
    assert.equal(toPackageTransforms('exposure,remove_if_last_and_not_all(Direct)'), 'exposure_path,remove_if_last_and_not_all:Direct');
    assert.equal(toPackageTransforms('exposure_path,remove_if_not_all:Direct'), 'exposure_path,remove_if_not_all:Direct');
    assert.throws(() => toPackageTransforms('remove_if_not_all(a,b)'), /takes one channel/);
    assert.throws(() => toPackageTransforms('lookback_steps(3)'), /use --path-lookback-steps 3/);
  });
});

describe('attrib attribute --preset snowplow-fractribution on the package fixture', () => {
  before(() => {
    // The package's integration test: window 2022-06-03..2022-08-01, run with shapley and last_touch.
    const r = attrib('attribute', '--events', FR + 'snowplow_fractribution_events.csv', '--out', at('fr'), '--preset', 'snowplow-fractribution',
      '--conversion-window', '2022-06-03..2022-08-01', '--attribution-models', 'shapley,last_touch');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /conversion window 2022-06-03\.\.2022-08-01/);
  });

  it('report_table.csv matches the expected report', () => {
    // test/engine/fractribution.test.ts's rules: rows as multisets; numbers within 1e-9 relative or half a unit
    // of the expected file's last decimal, whichever is larger; plus half a unit of the 10th decimal our files
    // are written with (e.g. ROAS 0.01701541577 expected, 0.0170154158 written).
    const expected = rows(readFileSync(path.join(root, FR, 'snowplow_fractribution_report_table_expected.csv'), 'utf8'));
    const actual = readRows('fr', 'report_table.csv');
    assert.deepEqual(Object.keys(actual[0]!), Object.keys(expected[0]!), 'the package columns, in its order');
    const num = (a: string, e: string) => {
      if (e === '') return a === '';
      const decimals = e.includes('.') ? e.split('.')[1]!.length : 0;
      return Math.abs(Number(a) - Number(e)) <= Math.max(1e-9 * Math.abs(Number(e)), 0.5 * 10 ** -decimals) + 5e-11;
    };
    const text = ['channel', 'conversion_window_start_date', 'conversion_window_end_date', 'attribution_type'];
    assert.equal(actual.length, expected.length);
    const left = [...actual];
    for (const e of expected) {
      const i = left.findIndex((a) => Object.keys(e).every((k) => (text.includes(k) ? a[k] === e[k] : num(a[k]!, e[k]!))));
      assert.ok(i >= 0, `no row matches ${JSON.stringify(e)}`);
      left.splice(i, 1);
    }
  });

  it('writes the package outputs and rejects.csv', () => {
    for (const f of ['channel_attribution', 'path_summary', 'paths_to_conversion', 'paths_to_non_conversion', 'rejects']) assert.ok(existsSync(at('fr', `${f}.csv`)), f);
    const summary = readRows('fr', 'path_summary.csv');
    const expected = rows(readFileSync(path.join(root, FR, 'snowplow_fractribution_path_summary_expected.csv'), 'utf8'));
    const key = (r: Record<string, string>) => [r.transformed_path, Number(r.conversions), Number(r.non_conversions), r.revenue === '' ? '' : Number(r.revenue)].join('|');
    assert.deepEqual(summary.map(key).sort(), expected.map(key).sort());
    assert.equal(readRows('fr', 'paths_to_conversion.csv').length, 6);
    assert.equal(readRows('fr', 'rejects.csv').length, 0);
  });

  it('--spend FILE and --default-spend none: ROAS where spend is known, empty elsewhere', () => {
    writeFileSync(at('spend.csv'), 'channel,spend\nDirect,500\nVideo,0\n');
    const r = attrib('attribute', '--events', FR + 'snowplow_fractribution_events.csv', '--out', at('fr-spend'), '--preset', 'snowplow-fractribution',
      '--conversion-window', '2022-06-03..2022-08-01', '--spend', at('spend.csv'), '--default-spend', 'none', '--path-transforms', 'exposure', '--quiet');
    assert.equal(r.status, 0, r.stderr);
    const report = Object.fromEntries(readRows('fr-spend', 'report_table.csv').map((x) => [x.channel, x]));
    assert.equal(report.Direct!.spend, '500');
    assert.ok(Math.abs(Number(report.Direct!.roas) - Number(report.Direct!.revenue) / 500) < 1e-9);
    assert.deepEqual([report.Video!.spend, report.Video!.roas], ['0', '0'], 'zero spend: ROAS 0 (DIV0)');
    assert.deepEqual([report.Referral!.spend, report.Referral!.roas], ['', ''], 'unknown spend');
    writeFileSync(at('bad-spend.csv'), 'channel,spend\nDirect,1.200,50\n');
    const bad = attrib('attribute', '--events', FR + 'snowplow_fractribution_events.csv', '--out', at('x'), '--preset', 'snowplow-fractribution', '--spend', at('bad-spend.csv'));
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stderr, /^attrib: bad-spend\.csv:2:/);
  });
});
