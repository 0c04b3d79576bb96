/**
 * Paths and data-driven models (spec section 7): the path file reader, the
 * transforms against Snowplow's expectations, Markov against the toy peers
 * and hand-derived fractions, Shapley against coalition arithmetic, and the
 * rule-based models per occurrence.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttribError } from '../../common/errors.ts';
import { openCsv } from '../../common/import/csv.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { memorySource } from '../helpers.ts';
import {
  applyDirectRule,
  applyTransforms,
  checkPathModels,
  markov,
  parseTransforms,
  pathStates,
  readPaths,
  ruleBased,
  runPathModels,
  shapley,
  shapleyValues,
  solveInPlace,
  subsetSums,
  transformSteps,
  MAX_SHAPLEY_CHANNELS,
  type AggregatedPath,
  type ChannelCredit,
  type PathTransform,
} from '../../common/paths/index.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/peers');

/** Reads a fixture CSV into objects keyed by header. */
async function readRows(file: string): Promise<Record<string, string>[]> {
  const r = await openCsv(fileSourceFromPath(file));
  const rows: Record<string, string>[] = [];
  for await (const b of r.batches()) {
    for (let i = 0; i < b.rowCount; i++) rows.push(Object.fromEntries(r.header.map((h, c) => [h, b.columns[c]![i]!])));
  }
  return rows;
}

/** A path from 'a > b' notation. */
const P = (steps: string, conversions: number, value = 0, nulls = 0): AggregatedPath => ({
  steps: steps.split('>').map((s) => s.trim()),
  conversions,
  value,
  nulls,
});

const near = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);

const byChannel = <T extends { channel: string }>(rows: T[]) => Object.fromEntries(rows.map((r) => [r.channel, r]));

/** The toy datasets of eeghor/mta (test/fixtures/peers/toy), as paths per dataset. */
async function toyPaths(): Promise<Record<string, AggregatedPath[]>> {
  const table = await readPaths(fileSourceFromPath(path.join(fixtures, 'toy/toy_paths.csv')));
  const rows = await readRows(path.join(fixtures, 'toy/toy_paths.csv'));
  const out: Record<string, AggregatedPath[]> = {};
  rows.forEach((r, i) => (out[r.dataset!] ??= []).push(table.paths[i]!));
  return out;
}

describe('reading path files', () => {
  it('reads ChannelAttribution layout: steps trimmed, extra columns ignored, numbers as given', async () => {
    const t = await readPaths(memorySource('p.csv', 'Path,total_conversions,total_conversion_value,total_null,extra\n  a >b>  c ,2,20.5,3,x\nd,0,0,1,y\n'));
    assert.deepEqual(t.paths, [
      { steps: ['a', 'b', 'c'], conversions: 2, value: 20.5, nulls: 3 },
      { steps: ['d'], conversions: 0, value: 0, nulls: 1 },
    ]);
    assert.deepEqual(t.lines, [2, 3]);
    assert.deepEqual(t.columns, { path: 'Path', conversions: 'total_conversions', value: 'total_conversion_value', nulls: 'total_null' });
  });
  it('takes a separator and column names; value and null columns may be absent under their default names', async () => {
    const t = await readPaths(memorySource('p.tsv', 'journey\tconv\nsearch | email\t3\n'), { sep: '|', tsv: true, columns: { path: 'journey', conversions: 'conv' } });
    assert.deepEqual(t.paths, [{ steps: ['search', 'email'], conversions: 3, value: 0, nulls: 0 }]);
    assert.equal(t.columns.value, null);
    assert.equal(t.columns.nulls, null);
  });
  const refuse = async (text: string, code: string, where: { line?: number; column?: number }, msg: RegExp, opts = {}) => {
    await assert.rejects(readPaths(memorySource('bad.csv', text), opts), (e: AttribError) => {
      assert.equal(e.code, code, e.message);
      assert.equal(e.where.file, 'bad.csv');
      if (where.line !== undefined) assert.equal(e.where.line, where.line, e.oneLine());
      if (where.column !== undefined) assert.equal(e.where.column, where.column, e.oneLine());
      assert.match(e.message, msg);
      return true;
    });
  };
  const H = 'path,total_conversions,total_conversion_value,total_null\n';
  it('refuses a bad number with its line and column', async () => {
    await refuse(H + 'a,1,1,0\na > b,abc,0,0\n', 'file_bad_row', { line: 3, column: 2 }, /total_conversions: 'abc' is not a number/);
    await refuse(H + 'a,1,"1,5",0\n', 'file_bad_row', { line: 2, column: 3 }, /not a number/);
    await refuse(H + 'a,1,1,-2\n', 'file_bad_row', { line: 2, column: 4 }, /total_null: -2 is negative/);
    await refuse(H + 'a,1,1,\n', 'file_bad_row', { line: 2, column: 4 }, /empty; write 0/);
    await refuse(H + 'a,1,Infinity,0\n', 'file_bad_row', { line: 2, column: 3 }, /not a number/);
  });
  it('refuses empty paths and empty steps', async () => {
    await refuse(H + ' ,1,1,0\n', 'file_bad_row', { line: 2, column: 1 }, /the path is empty/);
    await refuse(H + 'a,1,1,0\n\na >> b,1,1,0\n', 'file_bad_row', { line: 4, column: 1 }, /step 2 of 'a >> b' is empty/);
    await refuse(H + 'a > b >,1,1,0\n', 'file_bad_row', { line: 2, column: 1 }, /step 3/);
  });
  it('refuses value without conversions, ragged rows and missing columns', async () => {
    await refuse(H + 'a,0,5,1\n', 'file_bad_row', { line: 2, column: 3 }, /5 with no conversions/);
    await refuse(H + 'a,1,1,0\nb,1,1\n', 'file_bad_row', { line: 3 }, /cannot read this row: 3 fields, header has 4/);
    await refuse('path,conversions\na,1\n', 'file_missing_column', { line: 1 }, /no column 'total_conversions'.*--conversions-col/);
    await refuse('path,total_conversions\na,1\n', 'file_missing_column', {}, /no column 'value'/, { columns: { value: 'value' } });
    await refuse(H, 'file_header_only', {}, /no data rows/);
  });
});

describe('path transforms', () => {
  it("match Snowplow's expected outputs (dbt-snowplow-fractribution unit tests) exactly", async () => {
    const rows = await readRows(path.join(fixtures, 'fractribution/unit_path_transformations_expected.csv'));
    assert.equal(rows.length, 7);
    const columns: Record<string, PathTransform> = {
      trim_long_path_1: { kind: 'lookback_steps', steps: 1 },
      trim_long_path_2: { kind: 'lookback_steps', steps: 2 },
      unique_path: { kind: 'unique' },
      frequency_path: { kind: 'frequency' },
      exposure_path: { kind: 'exposure' },
      first_path: { kind: 'first' },
      remove_if_not_all_Direct: { kind: 'remove_if_not_all', channels: ['Direct'] },
      remove_if_last_and_not_all_Direct: { kind: 'remove_if_last_and_not_all', channels: ['Direct'] },
    };
    let checked = 0;
    for (const r of rows) {
      // Snowplow's paths are arrays written with ' > '; '' and a trailing ' > ' hold empty elements.
      const raw = r.raw_array!.split(' > ');
      for (const [col, t] of Object.entries(columns)) {
        assert.equal(transformSteps(raw, t).join(' > '), r[col], `${col} of '${r.raw_array}'`);
        checked++;
      }
    }
    assert.equal(checked, 56);
  });
  it("match the examples in Snowplow's UDF documentation", () => {
    const p = 'D A B B C D C C'.split(' ');
    assert.deepEqual(transformSteps(p, { kind: 'exposure' }), 'D A B C D C'.split(' '));
    assert.deepEqual(transformSteps(p, { kind: 'first' }), 'D A B C'.split(' '));
    assert.deepEqual(transformSteps(p, { kind: 'unique' }), p);
    assert.deepEqual(transformSteps(p, { kind: 'frequency' }), ['D(2)', 'A(1)', 'B(2)', 'C(3)']);
    assert.deepEqual(transformSteps(['A', 'B', 'A', 'A'], { kind: 'remove_if_not_all', channels: ['A'] }), ['B']);
    assert.deepEqual(transformSteps(['A', 'B', 'A', 'A'], { kind: 'remove_if_last_and_not_all', channels: ['A'] }), ['A', 'B']);
  });
  it('take several channels, and keep an all-removable path whole', () => {
    const t: PathTransform = { kind: 'remove_if_last_and_not_all', channels: ['direct', 'email'] };
    assert.deepEqual(transformSteps(['a', 'email', 'b', 'direct', 'email'], t), ['a', 'email', 'b']);
    assert.deepEqual(transformSteps(['email', 'direct'], t), ['email', 'direct']);
    assert.deepEqual(transformSteps(['email', 'a', 'direct'], { kind: 'remove_if_not_all', channels: ['direct', 'email'] }), ['a']);
  });
  it('apply in the order given and sum paths that become equal', () => {
    const paths = [P('a > a > b > b > b', 1, 10, 1), P('a > b', 2, 5, 0), P('b > a > b', 0, 0, 4)];
    assert.deepEqual(applyTransforms(paths, parseTransforms('exposure,lookback_steps(2)')), [
      { steps: ['a', 'b'], conversions: 3, value: 15, nulls: 5 }, // a>b, a>b and (b>a>b -> a>b)
    ]);
    // The other order: the last two steps first, then collapse.
    assert.deepEqual(
      applyTransforms(paths, parseTransforms('lookback_steps(2),exposure')).map((p) => p.steps.join('>')),
      ['b', 'a>b'],
    );
  });
  it('parse with parameters and Snowplow aliases, and refuse bad ones', () => {
    assert.deepEqual(parseTransforms(' exposure_path , remove_if_not_all(direct, email),trim_long_path(3),unique'), [
      { kind: 'exposure' },
      { kind: 'remove_if_not_all', channels: ['direct', 'email'] },
      { kind: 'lookback_steps', steps: 3 },
      { kind: 'unique' },
    ]);
    assert.deepEqual(parseTransforms(''), []);
    for (const [bad, msg] of [
      ['lookback_steps(0)', /whole number of steps >= 1/],
      ['lookback_steps', /whole number/],
      ['remove_if_not_all()', /needs the channels/],
      ['exposure(2)', /takes no parameters/],
      ['shuffle', /unknown path transform 'shuffle'/],
      ['first,remove_if_not_all(a', /unbalanced/],
    ] as const) {
      assert.throws(() => parseTransforms(bad), (e: AttribError) => e.code === 'bad_parameter' && msg.test(e.message), bad);
    }
  });
  it('direct rule: direct steps go, a direct-only path becomes direct', () => {
    const out = applyDirectRule([P('Direct > a > direct > b', 1), P('direct > DIRECT', 2), P('direct', 3), P('a > b', 4)]);
    assert.deepEqual(out.map((p) => [p.steps.join('>'), p.conversions]), [['a>b', 5], ['direct', 5]]);
  });
});

describe('markov: exact absorbing chain', () => {
  it('solveInPlace solves a system that needs pivoting', () => {
    // [0 2 1; 1 1 1; 2 1 0] x = [5 4 4] has x = (1, 2, 1); a zero first pivot forces a row swap.
    const x = solveInPlace(new Float64Array([0, 2, 1, 1, 1, 1, 2, 1, 0]), 3, new Float64Array([5, 4, 4]));
    [1, 2, 1].forEach((v, i) => near(x[i]!, v, 1e-12, `x${i}`));
    assert.throws(() => solveInPlace(new Float64Array([1, 2, 2, 4]), 2, new Float64Array([1, 1])), /singular/);
  });

  it('order 1 matches the toy peers (toy_expected.csv, 6 decimals) and the exact fractions', async () => {
    const toy = await toyPaths();
    const expected = (await readRows(path.join(fixtures, 'toy/toy_expected.csv'))).filter((r) => r.model === 'markov_order1_with_null_exact');
    assert.equal(expected.length, 7);
    for (const e of expected) {
      const r = byChannel(markov(toy[e.dataset!]!).channels)[e.channel!]!;
      near(r.removalEffect, Number(e.removal_effect), 1e-6, `${e.dataset} ${e.channel} removal effect`);
      near(r.conversions, Number(e.conversions), 1e-6, `${e.dataset} ${e.channel} conversions`);
      near(r.value, Number(e.value), 1e-6, `${e.dataset} ${e.channel} value`);
    }
    // eeghor_conftest by hand. Transition weights (conversions + nulls per step):
    // start->direct 3, start->search 5+9=14; direct->conv 2, ->null 1;
    // search->email 5, search->social 9; social->email 9; email->conv 8, ->null 6.
    // P = 3/17 * 2/3 + 14/17 * (5/14 + 9/14) * 8/14 = 2/17 + 8/17 = 10/17.
    // Without direct: 8/17 (RE 1/5). Without search or email: 2/17 (RE 4/5).
    // Without social: 2/17 + 14/17 * 5/14 * 8/14 = 2/7 (RE 1 - 34/70 = 18/35).
    // sum RE = 81/35, so credit = RE * 35/81 * 10 conversions; value is 10 per conversion.
    const c = markov(toy.eeghor_conftest!);
    near(c.conversionProbability, 10 / 17, 1e-12, 'P');
    const exact: Record<string, [number, number, number]> = {
      direct: [8 / 17, 1 / 5, 70 / 81],
      search: [2 / 17, 4 / 5, 280 / 81],
      email: [2 / 17, 4 / 5, 280 / 81],
      social: [2 / 7, 18 / 35, 20 / 9],
    };
    const got = byChannel(c.channels);
    for (const [ch, [pWithout, re, conv]] of Object.entries(exact)) {
      near(got[ch]!.conversionProbabilityWithout, pWithout, 1e-9, `${ch} P_-k`);
      near(got[ch]!.removalEffect, re, 1e-9, `${ch} RE`);
      near(got[ch]!.conversions, conv, 1e-9, `${ch} conversions`);
      near(got[ch]!.value, conv * 10, 1e-9, `${ch} value`);
    }
    // eeghor_markov: a>b (3 conv, 1 null), a>c (1, 1). P = 4/6. Without b: 2/6 * 1/2 = 1/6 (RE 3/4);
    // without c: 4/6 * 3/4 = 1/2 (RE 1/4); without a: 0 (RE 1). sum RE = 2, 4 conversions.
    const m = byChannel(markov(toy.eeghor_markov!).channels);
    near(m.a!.conversions, 2, 1e-9, 'a');
    near(m.b!.conversions, 4 * (3 / 4) / 2, 1e-9, 'b');
    near(m.c!.conversions, 4 * (1 / 4) / 2, 1e-9, 'c');
  });

  it('exposes the transition matrix: observed weights, rows summing to 1', async () => {
    const toy = await toyPaths();
    const r = markov(toy.eeghor_conftest!);
    const t = Object.fromEntries(r.transitions.map((x) => [`${x.from}|${x.to}`, x]));
    assert.equal(t['(start)|search']!.weight, 14);
    assert.equal(t['search|social']!.weight, 9);
    near(t['email|(conversion)']!.probability, 8 / 14, 1e-15, 'email -> conversion');
    assert.equal(r.transitions[0]!.from, '(start)');
    const rowSum = new Map<string, number>();
    for (const x of r.transitions) rowSum.set(x.from, (rowSum.get(x.from) ?? 0) + x.probability);
    for (const [from, s] of rowSum) near(s, 1, 1e-12, `row ${from}`);
  });

  it('order 2 on a chain with a loop, conversions and value by hand', () => {
    // States are pairs. Walks (weight 1 each unless said):
    //   a>b>a>c  conv 1, value 10:  start->(a,b)->(b,a)->(a,c)->conv
    //   a>b>c    null 1:            start->(a,b)->(b,c)->null
    //   b>a>b>c  conv 1, value 2:   start->(b,a)->(a,b)->(b,c)->conv
    //   c>d      conv 1, null 1, value 4 (weight 2): start->(c,d)->conv|null
    // start: (a,b) 2/5, (b,a) 1/5, (c,d) 2/5. (a,b): (b,a) 1/3, (b,c) 2/3.
    // (b,a): (a,c) 1/2, (a,b) 1/2. (b,c): conv 1/2. (a,c): conv 1. (c,d): conv 1/2.
    // h = P(convert | state): h(a,b) = h(b,a)/3 + 1/3, h(b,a) = 1/2 + h(a,b)/2
    //   => h(a,b) = 3/5, h(b,a) = 4/5; P = 2/5*3/5 + 1/5*4/5 + 2/5*1/2 = 3/5.
    // Without a (drops (a,b),(b,a),(a,c)): 2/5*1/2 = 1/5, RE 2/3. Same for b.
    // Without c: the loop never leaves, P 0, RE 1. Without d: 2/5, RE 1/3.
    // sum RE = 8/3; 3 conversions: a 3/4, b 3/4, c 9/8, d 3/8.
    // Value per conversion at the last state: (a,c) 10, (b,c) 2, (c,d) 4.
    // g = expected value: g(a,b) = g(b,a)/3 + 2/3*1/2*2, g(b,a) = 10/2 + g(a,b)/2
    //   => g(a,b) = 14/5, g(b,a) = 32/5; V = 28/25 + 32/25 + 20/25 = 16/5.
    // Without a or b: V = 2/5*2 = 4/5 (VRE 3/4); without c: 0 (1); without d: 12/5 (1/4).
    // sum VRE = 11/4; 16 of value: a 48/11, b 48/11, c 64/11, d 16/11.
    const paths = [P('a > b > a > c', 1, 10), P('a > b > c', 0, 0, 1), P('b > a > b > c', 1, 2), P('c > d', 1, 4, 1)];
    const r = markov(paths, { order: 2 });
    assert.deepEqual(r.states.map((t) => t.join('')), ['ab', 'ac', 'ba', 'bc', 'cd']);
    near(r.conversionProbability, 3 / 5, 1e-12, 'P');
    near(r.expectedValue, 16 / 5, 1e-12, 'V');
    const want: Record<string, [number, number, number, number]> = {
      a: [2 / 3, 3 / 4, 3 / 4, 48 / 11],
      b: [2 / 3, 3 / 4, 3 / 4, 48 / 11],
      c: [1, 1, 9 / 8, 64 / 11],
      d: [1 / 3, 1 / 4, 3 / 8, 16 / 11],
    };
    const got = byChannel(r.channels);
    for (const [ch, [re, vre, conv, value]] of Object.entries(want)) {
      near(got[ch]!.removalEffect, re, 1e-12, `${ch} RE`);
      near(got[ch]!.valueRemovalEffect, vre, 1e-12, `${ch} VRE`);
      near(got[ch]!.conversions, conv, 1e-12, `${ch} conversions`);
      near(got[ch]!.value, value, 1e-12, `${ch} value`);
    }
  });

  it('order 2 remembers where a journey came from; order 1 does not', () => {
    // a>c converts, b>c does not. Order 1 merges both into state c (conv 1/2), so
    // removing b loses 1/4 of journeys' conversions: RE a = RE b = 1/2, RE c = 1.
    // Order 2 keeps (a,c) and (b,c) apart: RE a = 1, RE b = 0, RE c = 1.
    const paths = [P('a > c', 1, 0, 0), P('b > c', 0, 0, 1)];
    const c1 = byChannel(markov(paths, { order: 1 }).channels);
    const c2 = byChannel(markov(paths, { order: 2 }).channels);
    assert.deepEqual([c1.a!.conversions, c1.b!.conversions, c1.c!.conversions], [0.25, 0.25, 0.5]);
    assert.deepEqual([c2.a!.conversions, c2.b!.conversions, c2.c!.conversions], [0.5, 0, 0.5]);
  });

  it('order 3 states are windows of three; with paths no longer than the order, RE is the share of conversions on paths with the channel', () => {
    assert.deepEqual(pathStates(['a', 'b', 'c', 'd'], 3), [['a', 'b', 'c'], ['b', 'c', 'd']]);
    assert.deepEqual(pathStates(['a', 'b'], 3), [['a', 'b']]);
    // Each path is one state, so the chain reproduces the paths: P_-k = conversions on paths without k / weight.
    const rand = lcg(7);
    const paths: AggregatedPath[] = [];
    for (let i = 0; i < 60; i++) {
      const steps = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => 'abcde'[Math.floor(rand() * 5)]!);
      paths.push({ steps, conversions: Math.floor(rand() * 4), value: 0, nulls: 1 + Math.floor(rand() * 3) });
    }
    const total = paths.reduce((s, p) => s + p.conversions, 0);
    const r = markov(paths, { order: 3 });
    for (const ch of r.channels) {
      const on = paths.filter((p) => p.steps.includes(ch.channel)).reduce((s, p) => s + p.conversions, 0);
      near(ch.removalEffect, on / total, 1e-12, ch.channel);
    }
  });

  it('expected visits are the observed visits per journey, so P = conversions / journeys (flow conservation)', () => {
    const rand = lcg(3);
    const paths: AggregatedPath[] = [];
    for (let i = 0; i < 200; i++) {
      const steps = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => 'pqrstu'[Math.floor(rand() ** 2 * 6)]!);
      const conversions = Math.floor(rand() * 3);
      paths.push({ steps, conversions, value: conversions * (1 + rand() * 50), nulls: Math.floor(rand() * 5) });
    }
    for (const order of [1, 2, 3]) {
      const r = markov(paths, { order });
      const journeys = paths.reduce((s, p) => s + p.conversions + p.nulls, 0);
      const totals = paths.reduce((s, p) => ({ c: s.c + p.conversions, v: s.v + p.value }), { c: 0, v: 0 });
      near(r.conversionProbability, totals.c / journeys, 1e-9, `order ${order} P`);
      near(r.expectedValue, totals.v / journeys, 1e-9, `order ${order} V`);
      const visits = new Map<string, number>();
      for (const p of paths) {
        if (p.conversions + p.nulls === 0) continue;
        for (const s of pathStates(p.steps, order)) visits.set(s.join('>'), (visits.get(s.join('>')) ?? 0) + p.conversions + p.nulls);
      }
      r.states.forEach((s, i) => near(r.expectedVisits[i]!, visits.get(s.join('>'))! / journeys, 1e-9, `order ${order} visits ${s}`));
      near(sum(r.channels.map((c) => c.conversions)), totals.c, 1e-9, 'credits sum to conversions');
      near(sum(r.channels.map((c) => c.value)), totals.v, 1e-6, 'value credits sum to value');
    }
  });

  it('degenerate inputs give defined numbers, never NaN', () => {
    const none = markov([P('a > b', 0, 0, 3), P('b', 0, 0, 1)]);
    assert.equal(none.conversionProbability, 0);
    for (const c of none.channels) assert.deepEqual([c.removalEffect, c.valueRemovalEffect, c.conversions, c.value], [0, 0, 0, 0]);
    const single = markov([P('a > a', 3, 0, 1), P('a', 1, 0, 0)]);
    assert.deepEqual(single.channels.map((c) => [c.channel, c.removalEffect, c.conversions, c.value]), [['a', 1, 4, 0]]);
    const empty = markov([]);
    assert.deepEqual([empty.channels, empty.states, empty.conversionProbability], [[], [], 0]);
    // A path with neither conversions nor nulls adds no state, but its channel is listed with 0.
    const ghost = byChannel(markov([P('a', 1, 1, 0), P('z', 0, 0, 0)]).channels);
    assert.deepEqual([ghost.z!.removalEffect, ghost.z!.conversions, ghost.a!.conversions], [0, 0, 1]);
    for (const r of [none, single, empty]) for (const c of r.channels) for (const v of Object.values(c)) if (typeof v === 'number') assert.ok(Number.isFinite(v));
    assert.throws(() => markov([P('a', 1)], { order: 4 }), (e: AttribError) => e.code === 'bad_parameter');
  });

  it('reports one step per solve and stops when cancelled', () => {
    const seen: string[] = [];
    markov([P('a > b', 1, 0, 1), P('c', 1)], { onProgress: (d, t) => seen.push(`${d}/${t}`) });
    assert.deepEqual(seen, ['0/4', '1/4', '2/4', '3/4', '4/4']);
    const ac = new AbortController();
    ac.abort();
    assert.throws(() => markov([P('a', 1)], { signal: ac.signal }), (e: AttribError) => e.code === 'cancelled');
  });
});

describe('shapley: exact over channel coalitions', () => {
  it('matches the coalition arithmetic of a 3-channel example', () => {
    // Converting paths by channel set: {a} 2 conversions (value 20), {a,b} 3 (6), {b,c} 1 (10);
    // 'c' alone never converts (5 nulls): it is not part of v.
    // v(S) = conversions of paths whose set is inside S:
    //   v() = 0, v(a) = 2, v(b) = 0, v(c) = 0, v(ab) = 5, v(ac) = 2, v(bc) = 1, v(abc) = 6.
    // Weights for 3 players: |S| = 0 -> 1/3, 1 -> 1/6, 2 -> 1/3.
    // phi_a = 1/3 (2-0) + 1/6 (5-0) + 1/6 (2-0) + 1/3 (6-1) = 4/6 + 5/6 + 2/6 + 10/6 = 21/6
    // phi_b = 1/3 (0-0) + 1/6 (5-2) + 1/6 (1-0) + 1/3 (6-2) = 3/6 + 1/6 + 8/6 = 12/6
    // phi_c = 1/3 (0-0) + 1/6 (2-2) + 1/6 (1-0) + 1/3 (6-5) = 1/6 + 2/6 = 3/6; sum 6.
    // Value: v(a) = 20, v(ab) = 26, v(ac) = 20, v(bc) = 10, v(abc) = 36, others 0:
    // phi_a = 20/3 + 26/6 + 20/6 + 26/3 = 23, phi_b = 6/6 + 10/6 + 16/3 = 8, phi_c = 10/6 + 10/3 = 5.
    const r = shapley([P('a', 2, 20), P('a > b', 3, 6), P('b > c > b', 1, 10), P('c', 0, 0, 5)]);
    assert.deepEqual(r.players, ['a', 'b', 'c']);
    const want: Record<string, [number, number]> = { a: [21 / 6, 23], b: [12 / 6, 8], c: [3 / 6, 5] };
    for (const c of r.channels) {
      near(c.conversions, want[c.channel]![0], 1e-12, `${c.channel} conversions`);
      near(c.value, want[c.channel]![1], 1e-12, `${c.channel} value`);
    }
  });

  it('shapleyValues is right on a non-additive game (airport game: v(S) = largest cost in S)', () => {
    // Costs 1, 2, 4: player 1 pays 1/3; player 2: 1/3 + 1/2; player 3: 1/3 + 1/2 + 2.
    const cost = [1, 2, 4];
    const v = new Float64Array(8).map((_, mask) => Math.max(0, ...cost.filter((_, i) => mask & (1 << i))));
    const [phi] = shapleyValues(3, [v]);
    [1 / 3, 5 / 6, 17 / 6].forEach((x, i) => near(phi![i]!, x, 1e-12, `player ${i + 1}`));
  });

  it('subsetSums sums over subsets', () => {
    const f = new Float64Array([1, 2, 4, 8]); // f(0), f(1), f(2), f(3) over 2 bits
    subsetSums(f, 2);
    assert.deepEqual([...f], [1, 3, 5, 15]);
  });

  it('equals an equal split of each converting path among its distinct channels (v is a sum of unanimity games)', () => {
    const rand = lcg(11);
    const names = Array.from({ length: 9 }, (_, i) => `ch${i}`);
    const paths: AggregatedPath[] = [];
    for (let i = 0; i < 300; i++) {
      const steps = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => names[Math.floor(rand() * names.length)]!);
      const conversions = rand() < 0.3 ? 0 : Math.floor(rand() * 5);
      paths.push({ steps, conversions, value: conversions * 7.5, nulls: 1 });
    }
    const split = new Map<string, number>();
    for (const p of paths) {
      const set = [...new Set(p.steps)];
      for (const s of set) split.set(s, (split.get(s) ?? 0) + p.conversions / set.length);
    }
    for (const c of shapley(paths).channels) {
      near(c.conversions, split.get(c.channel) ?? 0, 1e-9, c.channel);
      near(c.value, (split.get(c.channel) ?? 0) * 7.5, 1e-8, c.channel);
    }
  });

  it('runs 20 channels in well under a few seconds, summing to the totals', () => {
    const rand = lcg(5);
    const paths: AggregatedPath[] = [];
    for (let i = 0; i < 5000; i++) {
      const steps = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => `c${Math.floor(rand() * 20)}`);
      paths.push({ steps, conversions: 1 + Math.floor(rand() * 3), value: 10, nulls: 2 });
    }
    const t0 = performance.now();
    const r = shapley(paths);
    const ms = performance.now() - t0;
    assert.equal(r.players.length, 20);
    assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
    near(sum(r.channels.map((c) => c.conversions)), sum(paths.map((p) => p.conversions)), 1e-6, 'sum');
  });

  it(`refuses more than ${MAX_SHAPLEY_CHANNELS} channels on converting paths, and ignores channels that never convert`, () => {
    const converting = Array.from({ length: 21 }, (_, i) => P(`c${i}`, 1));
    assert.throws(() => shapley(converting), (e: AttribError) => e.code === 'too_many_channels' && /21 channels .* limited to 20/.test(e.message));
    assert.throws(() => runPathModels(converting, { models: ['first_touch', 'shapley'] }), (e: AttribError) => e.code === 'too_many_channels');
    const r = shapley([...converting.slice(0, 20), P('c20 > c1', 0, 0, 3)]);
    assert.equal(r.players.length, 20);
    assert.equal(byChannel(r.channels).c20!.conversions, 0);
  });
});

describe('rule-based models on paths (per occurrence)', () => {
  it('match the toy peers (eeghor/mta heuristic models)', async () => {
    const toy = await toyPaths();
    const expected = (await readRows(path.join(fixtures, 'toy/toy_expected.csv'))).filter((r) =>
      ['first_touch', 'last_touch', 'linear', 'position_based'].includes(r.model!),
    );
    assert.equal(expected.length, 12);
    for (const model of ['first_touch', 'last_touch', 'linear', 'position_based'] as const) {
      const got = byChannel(ruleBased(toy.eeghor_conftest!, model));
      const rows = expected.filter((r) => r.model === model);
      for (const e of rows) {
        near(got[e.channel!]!.conversions, Number(e.conversions), 1e-6, `${model} ${e.channel}`);
        near(got[e.channel!]!.value, Number(e.value), 1e-6, `${model} ${e.channel} value`);
      }
      // Channels the peers leave out get nothing.
      for (const c of Object.values(got)) if (!rows.some((e) => e.channel === c.channel)) assert.equal(c.conversions, 0);
    }
  });
  it('credit each occurrence: a repeated channel gets every share', () => {
    const paths = [P('a > b > a > c', 4, 40)];
    const conv = (m: 'linear' | 'position_based') => Object.fromEntries(ruleBased(paths, m).map((c: ChannelCredit) => [c.channel, c.conversions]));
    assert.deepEqual(conv('linear'), { a: 2, b: 1, c: 1 }); // 4 conversions x (1/4 + 1/4), 1/4, 1/4
    // 40/20/40 over 4 touches: a 0.4 + 0.1, b 0.1, c 0.4.
    const pb = conv('position_based');
    near(pb.a!, 4 * 0.5, 1e-12, 'a');
    near(pb.b!, 4 * 0.1, 1e-12, 'b');
    near(pb.c!, 4 * 0.4, 1e-12, 'c');
  });
  it('refuse time_decay with the reason', () => {
    assert.throws(() => checkPathModels(['linear', 'time_decay']), (e: AttribError) => e.code === 'bad_parameter' && /needs the time of each touch/.test(e.message));
    assert.throws(() => checkPathModels(['nonesuch']), /does not run on paths/);
  });
});

describe('runPathModels', () => {
  it('runs the models in the order asked, every channel in sorted order, after the direct rule and transforms', () => {
    const run = runPathModels([P('direct > search > email', 2, 20, 1), P('direct', 1, 5, 3), P('email > email', 1, 1, 0)], {
      models: ['markov', 'last_touch', 'markov'],
      excludeDirect: true,
      transforms: parseTransforms('exposure'),
    });
    assert.deepEqual(run.paths.map((p) => p.steps.join('>')), ['search>email', 'direct', 'email']);
    assert.deepEqual(run.summary.map((r) => `${r.model}:${r.channel}`), [
      'markov:direct', 'markov:email', 'markov:search', 'last_touch:direct', 'last_touch:email', 'last_touch:search',
    ]);
    const last = run.summary.filter((r) => r.model === 'last_touch').map((r) => r.attributed_conversions);
    assert.deepEqual(last, [1, 3, 0]);
    assert.ok(run.markov && !run.shapley);
    assert.deepEqual(checkPathModels(['all']), ['first_touch', 'last_touch', 'linear', 'position_based', 'markov', 'shapley']);
  });
});

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** A small seeded generator, so the random cases are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
