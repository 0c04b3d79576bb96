/**
 * The data-driven models on events (spec section 7, common/dataDriven.ts),
 * on a hand-computed event set, on both engines.
 *
 * Seven people, channels paid_search (cpc), email and direct (no UTM):
 *   u1  paid_search 03-01, email 03-02, purchase a3 (100) 03-03   -> converting [paid_search, email]
 *   u2  email 03-01 10:00, purchase b2 (50) 11:00, email 03-05     -> converting [email]; after it, null [email]
 *   u3  paid_search 03-01, direct 03-02                             -> null [paid_search] (direct dropped)
 *   u4  direct 03-01 10:00, purchase d2 (20) 10:30                  -> converting [direct] (direct_only)
 *   u5  direct 03-01                                                -> null [direct] (only direct left)
 *   u6  email 02-01, paid_search 03-12                              -> null [paid_search]: the email is 39 days
 *                                                                      before u6's last touch, outside 30 days
 *   u7  purchase g1 (10), no touch                                  -> converting [direct] (no_touch)
 *
 * Aggregated paths (conversions, value, nulls):
 *   [direct] 2, 30, 1 · [email] 1, 50, 1 · [paid_search] 0, 0, 2 · [paid_search, email] 1, 100, 0
 *
 * Markov order 1. Weights out of (start): paid_search 1 + 2 = 3, email 1 + 1 = 2, direct 3 (of 8).
 * paid_search -> email 1, -> (null) 2; email -> (conversion) 2, -> (null) 1; direct -> (conversion) 2, -> (null) 1.
 *   P       = 3/8 * 1/3 * 2/3 + 2/8 * 2/3 + 3/8 * 2/3 = 1/12 + 2/12 + 3/12 = 1/2   (4 conversions of 8 journeys)
 *   P_-ps   = 2/12 + 3/12 = 5/12   -> RE_ps = 1 - 5/6 = 1/6
 *   P_-em   = 3/12 = 1/4          -> RE_em = 1/2
 *   P_-di   = 1/12 + 2/12 = 1/4   -> RE_di = 1/2
 * Spec aggregate (removal_effects.csv): credit_k = RE_k / (7/6) x 4: ps 4/7, email 12/7, direct 12/7.
 * Value: mv x R per end state: email 150 / 3 = 50, direct 30 / 3 = 10; visits email 3/8, direct 3/8:
 *   V = 3/8 * 50 + 3/8 * 10 = 22.5 (= 180 / 8); V_-ps = 2/8 * 50 + 3.75 = 16.25, V_-em = 3.75, V_-di = 18.75
 *   VRE: ps 5/18, email 5/6, direct 1/6 (sum 23/18) -> value credits 180 * (5, 15, 3) / 23.
 * Per conversion (credits.csv), in proportion to RE among the path's channels:
 *   a3: ps (1/6) / (1/6 + 1/2) = 1/4, email 3/4; b2: email 1; d2, g1: direct 1
 *   -> credits.csv sums: ps 1/4 (25), email 7/4 (75 + 50 = 125), direct 2 (30); channel_summary
 *      reports the spec aggregate above instead (ps 4/7, email 12/7, direct 12/7; value 180 x (5, 15, 3) / 23).
 * Shapley: v(S) = sum of unanimity games, so per conversion an equal share of the path's channels:
 *   a3: 1/2, 1/2 -> ps 1/2 (50), email 3/2 (100), direct 2 (30).
 * Fractribution (leave-one-out): p[ps, email] = 1, p[email] = 1/2, p[ps] = 0, p[direct] = 2/3.
 *   a3: ps max(1 - p[email], 0) = 1/2, email max(1 - p[ps], 0) = 1 -> 1/3, 2/3
 *   -> ps 1/3 (100/3), email 5/3 (200/3 + 50), direct 2 (30).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../common/db.ts';
import type { RunOutputs } from '../../common/engine.ts';
import { allocate, toChannels } from '../../common/dataDriven.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { attribute, csv, memorySource } from '../helpers.ts';

const H = ['event_id', 'event_ts', 'event_name', 'user_id', 'session_id', 'utm_source', 'utm_medium', 'revenue'];
const EVENTS = csv(H, [
  ['a1', '2026-03-01T10:00:00Z', 'page_view', 'u1', 'u1a', 'g', 'cpc', ''],
  ['a2', '2026-03-02T10:00:00Z', 'page_view', 'u1', 'u1b', 'news', 'email', ''],
  ['a3', '2026-03-03T10:00:00Z', 'purchase', 'u1', '', '', '', '100'],
  ['b1', '2026-03-01T10:00:00Z', 'page_view', 'u2', 'u2a', 'news', 'email', ''],
  ['b2', '2026-03-01T11:00:00Z', 'purchase', 'u2', '', '', '', '50'],
  ['b3', '2026-03-05T10:00:00Z', 'page_view', 'u2', 'u2b', 'news', 'email', ''],
  ['c1', '2026-03-01T10:00:00Z', 'page_view', 'u3', 'u3a', 'g', 'cpc', ''],
  ['c2', '2026-03-02T10:00:00Z', 'page_view', 'u3', 'u3b', '', '', ''],
  ['d1', '2026-03-01T10:00:00Z', 'page_view', 'u4', 'u4a', '', '', ''],
  ['d2', '2026-03-01T10:30:00Z', 'purchase', 'u4', '', '', '', '20'],
  ['e1', '2026-03-01T10:00:00Z', 'page_view', 'u5', 'u5a', '', '', ''],
  ['f1', '2026-02-01T10:00:00Z', 'page_view', 'u6', 'u6a', 'news', 'email', ''],
  ['f2', '2026-03-12T10:00:00Z', 'page_view', 'u6', 'u6b', 'g', 'cpc', ''],
  ['g1', '2026-03-01T10:00:00Z', 'purchase', 'u7', '', '', '', '10'],
]);
const MODELS = ['linear', 'markov', 'shapley', 'fractribution'];

type Out = RunOutputs;
const run = async (open: () => Promise<Database>, params: Record<string, unknown> = {}, models = MODELS) => {
  const { engine, out } = await attribute(open, memorySource('dd.csv', EVENTS), { run: { models, params } });
  await engine.close();
  return out;
};

/** Credits of one conversion and model, by channel. */
const creditsOf = (out: Out, conversion: string, model: string) =>
  Object.fromEntries(out.credits.filter((c) => c.conversion_id === conversion && c.model === model).map((c) => [c.channel, Number(c.credit)]));

/** channel_summary of one model: channel -> [conversions, revenue]. */
const summaryOf = (out: Out, model: string) =>
  Object.fromEntries(out.channel_summary.filter((r) => r.model === model).map((r) => [r.channel, [Number(r.attributed_conversions), Number(r.attributed_revenue)]]));

function near(actual: Record<string, number | number[]>, expected: Record<string, number | number[]>, what: string) {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${what}: channels`);
  for (const [k, e] of Object.entries(expected)) {
    const a = [actual[k]].flat();
    [e].flat().forEach((x, i) => assert.ok(Math.abs(a[i]! - x) < 1e-12, `${what} ${k}[${i}]: expected ${x}, got ${a[i]}`));
  }
}

const ENGINES = [
  ['native', openNativeDatabase],
  ['wasm', openWasmDatabaseInNode],
] as const;

const outs: Record<string, Out> = {};

for (const [name, open] of ENGINES) {
  describe(`data-driven models on events (${name})`, () => {
    let out: Out;
    before(async () => {
      out = outs[name] = await run(open);
    });

    it('builds the paths: direct rule, after the last conversion, lookback from the last touch', () => {
      const dd = out.dataDriven!;
      assert.deepEqual(dd.paths.map((p) => [p.steps.join('>'), p.conversions, p.value, p.nulls]), [
        ['direct', 2, 30, 1],
        ['email', 1, 50, 1],
        ['paid_search', 0, 0, 2],
        ['paid_search>email', 1, 100, 0],
      ]);
      assert.deepEqual(out.conversions.map((c) => [c.conversion_id, c.touch_status]), [
        ['a3', 'attributed'], ['b2', 'attributed'], ['d2', 'direct_only'], ['g1', 'no_touch'],
      ]);
    });

    it('markov: removal effects by hand, credits per conversion in proportion to them', () => {
      const mk = out.dataDriven!.markov!;
      assert.ok(Math.abs(mk.conversionProbability - 1 / 2) < 1e-12);
      const re = Object.fromEntries(mk.channels.map((c) => [c.channel, [c.removalEffect, c.conversionProbabilityWithout, c.conversions, c.valueRemovalEffect, c.value]]));
      near(re, {
        direct: [1 / 2, 1 / 4, 12 / 7, 1 / 6, (180 * 3) / 23],
        email: [1 / 2, 1 / 4, 12 / 7, 5 / 6, (180 * 15) / 23],
        paid_search: [1 / 6, 5 / 12, 4 / 7, 5 / 18, (180 * 5) / 23],
      }, 'removal effects');
      near(creditsOf(out, 'a3', 'markov'), { paid_search: 1 / 4, email: 3 / 4 }, 'a3');
      near(creditsOf(out, 'b2', 'markov'), { email: 1 }, 'b2');
      near(creditsOf(out, 'd2', 'markov'), { direct: 1 }, 'd2');
      near(creditsOf(out, 'g1', 'markov'), { direct: 1 }, 'g1');
      near(summaryOf(out, 'markov'), { paid_search: [4 / 7, (180 * 5) / 23], email: [12 / 7, (180 * 15) / 23], direct: [12 / 7, (180 * 3) / 23] }, 'markov summary = spec totals');
    });

    it('shapley: an equal share per conversion, summing to the exact Shapley values', () => {
      near(creditsOf(out, 'a3', 'shapley'), { paid_search: 1 / 2, email: 1 / 2 }, 'a3');
      near(summaryOf(out, 'shapley'), { paid_search: [1 / 2, 50], email: [3 / 2, 100], direct: [2, 30] }, 'shapley summary');
      const phi = Object.fromEntries(out.dataDriven!.shapley!.channels.map((c) => [c.channel, [c.conversions, c.value]]));
      near(phi, summaryOf(out, 'shapley'), 'Shapley values of the whole game = sums of the per-conversion ones');
    });

    it('fractribution: leave-one-out credits of each path', () => {
      near(creditsOf(out, 'a3', 'fractribution'), { paid_search: 1 / 3, email: 2 / 3 }, 'a3');
      near(summaryOf(out, 'fractribution'), { paid_search: [1 / 3, 100 / 3], email: [5 / 3, 200 / 3 + 50], direct: [2, 30] }, 'fractribution summary');
    });

    it('credits per channel sum to channel_summary (markov: to its hand-computed allocation); one unit per conversion', () => {
      for (const model of MODELS) {
        const sums: Record<string, number[]> = {};
        const perConversion = new Map<string, number>();
        for (const c of out.credits.filter((x) => x.model === model)) {
          const s = (sums[String(c.channel)] ??= [0, 0]);
          s[0] += Number(c.credit);
          s[1] += Number(c.attributed_revenue);
          perConversion.set(String(c.conversion_id), (perConversion.get(String(c.conversion_id)) ?? 0) + Number(c.credit));
        }
        // markov's channel_summary is the spec aggregate; its credits are the allocation computed in the header
        if (model === 'markov') near(sums, { paid_search: [1 / 4, 25], email: [7 / 4, 125], direct: [2, 30] }, 'markov credits allocation');
        else near(sums, summaryOf(out, model), `${model}: credits vs channel_summary`);
        assert.equal(perConversion.size, 4);
        for (const [k, v] of perConversion) assert.ok(Math.abs(v - 1) < 1e-12, `${model} ${k} sums to ${v}`);
      }
    });

    it('order 2: each of these paths is one state', async () => {
      // States (paid_search, email), (email), (paid_search), (direct); removing a channel removes every state holding it:
      // P_-ps = 1/8 + 2/8 -> RE 1/4; P_-em = 2/8 -> 1/2; P_-di = 2/8 -> 1/2. a3: ps (1/4) / (3/4) = 1/3, email 2/3.
      const o2 = await run(open, { markov_order: 2 }, ['markov']);
      assert.equal(o2.dataDriven!.order, 2);
      near(Object.fromEntries(o2.dataDriven!.markov!.channels.map((c) => [c.channel, c.removalEffect])), { direct: 1 / 2, email: 1 / 2, paid_search: 1 / 4 }, 'RE order 2');
      near(creditsOf(o2, 'a3', 'markov'), { paid_search: 1 / 3, email: 2 / 3 }, 'a3 order 2');
    });

    it('path transforms: lookback_steps(1) keeps the last channel; frequency credits the channels, not the counts', async () => {
      const last = await run(open, { path_transforms: 'lookback_steps(1)' }, ['shapley']);
      near(summaryOf(last, 'shapley'), { email: [2, 150], direct: [2, 30] }, 'lookback_steps(1)');
      const freq = await run(open, { path_transforms: 'frequency' }, ['shapley', 'markov']);
      assert.deepEqual(freq.dataDriven!.paths.map((p) => p.steps.join('>')), ['direct(1)', 'email(1)', 'paid_search(1)', 'paid_search(1)>email(1)']);
      near(creditsOf(freq, 'a3', 'shapley'), { paid_search: 1 / 2, email: 1 / 2 }, 'frequency');
      near(creditsOf(freq, 'a3', 'markov'), { paid_search: 1 / 4, email: 3 / 4 }, 'frequency markov');
    });
  });
}

describe('data-driven models: both engines agree', () => {
  it('the same rows from native and wasm', () => {
    const round = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1e10) / 1e10 : v])));
    for (const k of ['channel_summary', 'credits', 'conversions'] as const) assert.deepEqual(round(outs.wasm![k]), round(outs.native![k]), k);
    assert.deepEqual(outs.wasm!.dataDriven!.markov!.channels, outs.native!.dataDriven!.markov!.channels);
  });
});

describe('per-conversion allocation helpers', () => {
  it('allocate: proportional over distinct steps, equal shares when every weight is 0', () => {
    assert.deepEqual(allocate(['a', 'b', 'a'], (s) => (s === 'a' ? 3 : 1)), new Map([['a', 0.75], ['b', 0.25]]));
    assert.deepEqual(allocate(['a', 'b'], () => 0), new Map([['a', 0.5], ['b', 0.5]]));
  });
  it('toChannels drops a frequency count only when the frequency transform ran', () => {
    assert.deepEqual(toChannels(new Map([['tv (brand)(2)', 1]]), true), new Map([['tv (brand)', 1]]));
    assert.deepEqual(toChannels(new Map([['tv(2)', 1]]), false), new Map([['tv(2)', 1]]));
  });
  it('an unknown transform or order is refused before the models run', async () => {
    await assert.rejects(run(openNativeDatabase, { path_transforms: 'sideways' }, ['markov']), /unknown path transform 'sideways'/);
    await assert.rejects(run(openNativeDatabase, { markov_order: 4 }, ['markov']), /markov_order must be between 1 and 3/);
  });
});

