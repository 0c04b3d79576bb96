/**
 * Model comparison and the lookback x half-life sweep, hand-computed, on
 * both engines; and a sweep cell equal to a normal run with its parameters.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { attribute, byChannel, csv, memorySource } from '../helpers.ts';
import { runComparison } from '../../common/compare.ts';
import { runSweep } from '../../common/sweep.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';

const lib = loadModelLibrary();
const H = ['event_id', 'event_ts', 'event_name', 'user_id', 'session_id', 'utm_medium', 'revenue'];
const round = (x: unknown) => (x === null ? null : Math.round(Number(x) * 1e9) / 1e9);

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`comparison and sweep (${name})`, () => {
    it('compares every model with a baseline per channel: delta and delta_pct', async () => {
      const events = csv(H, [
        ['t1', '2026-01-01T00:00:00Z', 'page_view', 'u1', 't1', 'email', ''],
        ['t2', '2026-01-02T00:00:00Z', 'page_view', 'u1', 't2', 'cpc', ''],
        ['c1', '2026-01-03T00:00:00Z', 'purchase', 'u1', '', '', 10],
        ['t3', '2026-01-02T00:00:00Z', 'page_view', 'u2', 't3', 'cpc', ''],
        ['c2', '2026-01-03T00:00:00Z', 'purchase', 'u2', '', '', 20],
      ]);
      const models = ['first_touch', 'last_touch', 'linear'];
      const { engine } = await attribute(open, memorySource('cmp.csv', events), { run: { models } });
      try {
        const rows = await runComparison(engine.db, lib, models, 'last_touch');
        // last touch: paid_search 2 (30). first touch: email 1 (10), paid_search 1 (20).
        // linear: email 0.5 (5), paid_search 1.5 (25). delta_pct = 100 x delta / baseline; NULL on a 0 baseline.
        assert.deepEqual(rows.map((r) => [r.model, r.channel, r.baseline_model, r.attributed_conversions, r.baseline_conversions, r.delta, round(r.delta_pct),
          r.attributed_revenue, r.baseline_revenue, r.revenue_delta, round(r.revenue_delta_pct), r.conversion_kind]), [
          ['first_touch', 'email', 'last_touch', 1, 0, 1, null, 10, 0, 10, null, 'purchase'],
          ['first_touch', 'paid_search', 'last_touch', 1, 2, -1, -50, 20, 30, -10, -33.333333333, 'purchase'],
          ['last_touch', 'email', 'last_touch', 0, 0, 0, null, 0, 0, 0, null, 'purchase'],
          ['last_touch', 'paid_search', 'last_touch', 2, 2, 0, 0, 30, 30, 0, 0, 'purchase'],
          ['linear', 'email', 'last_touch', 0.5, 0, 0.5, null, 5, 0, 5, null, 'purchase'],
          ['linear', 'paid_search', 'last_touch', 1.5, 2, -0.5, -25, 25, 30, -5, -16.666666667, 'purchase'],
        ]);
        await assert.rejects(runComparison(engine.db, lib, models, 'time_decay'), /--compare time_decay: the baseline must be one of the models run/);
      } finally {
        await engine.close();
      }
    });

    it('sweep: every cell filters the largest window and recomputes time decay, direct rule per cell', async () => {
      const events = csv(H, [
        // u1: email 20 days and cpc 5 days before a 10 conversion
        ['a1', '2026-02-01T00:00:00Z', 'page_view', 'u1', 'a1', 'email', ''],
        ['a2', '2026-02-16T00:00:00Z', 'page_view', 'u1', 'a2', 'cpc', ''],
        ['c1', '2026-02-21T00:00:00Z', 'purchase', 'u1', '', '', 10],
        // u2: one email touch 10 days before a 4 conversion
        ['b1', '2026-02-11T00:00:00Z', 'page_view', 'u2', 'b1', 'email', ''],
        ['c2', '2026-02-21T00:00:00Z', 'purchase', 'u2', '', '', 4],
      ]);
      const { engine } = await attribute(open, memorySource('sw.csv', events), { run: { models: ['time_decay'] } });
      try {
        const rows = await runSweep(engine.db, lib, { rules: loadRules(), params: {}, lookbacks: [30, 7], halfLives: [10, 5] });
        const got = rows.map((r) => [r.lookback_days, r.half_life_days, r.channel, round(r.attributed_conversions), round(r.attributed_revenue)]);
        // 7 days: u1 keeps cpc only (1); u2's email is outside, so direct (1), whatever the half-life.
        // 30 days, h = 5: u1 w = 0.5^(20/5) = 1/16 and 0.5^(5/5) = 1/2 -> email 1/9, paid_search 8/9; u2 email 1.
        // 30 days, h = 10: w = 0.5^2 = 1/4 and 0.5^0.5 -> email (1/4) / (1/4 + 0.5^0.5).
        const e10 = 0.25 / (0.25 + Math.SQRT1_2);
        assert.deepEqual(got, [
          [7, 5, 'direct', 1, 4],
          [7, 5, 'paid_search', 1, 10],
          [7, 10, 'direct', 1, 4],
          [7, 10, 'paid_search', 1, 10],
          [30, 5, 'email', round(1 + 1 / 9), round(4 + 10 / 9)],
          [30, 5, 'paid_search', round(8 / 9), round(80 / 9)],
          [30, 10, 'email', round(1 + e10), round(4 + 10 * e10)],
          [30, 10, 'paid_search', round(1 - e10), round(10 * (1 - e10))],
        ]);
        assert.ok(rows.every((r) => r.conversion_kind === 'purchase'));
      } finally {
        await engine.close();
      }
    });

    it('a sweep cell equals a normal time_decay run with its lookback and half-life', async () => {
      const src = () => memorySource('sample.csv', readFileSync(new URL('../../samples/sample.csv', import.meta.url)));
      const { engine } = await attribute(open, src(), { run: { models: ['time_decay'] } });
      try {
        const sweep = await runSweep(engine.db, lib, { rules: loadRules(), params: {}, lookbacks: [7, 14, 30, 60, 90], halfLives: [1, 3, 7, 14] });
        assert.equal(new Set(sweep.map((r) => `${r.lookback_days}/${r.half_life_days}`)).size, 20);
        for (const [lookback, half] of [[30, 7], [7, 3]]) {
          const run = await engine.run({ models: ['time_decay'], rules: loadRules(), params: { lookback_days: lookback, half_life_days: half } });
          const cell = sweep.filter((r) => r.lookback_days === lookback && r.half_life_days === half);
          const expected = byChannel(run.channel_summary, 'time_decay');
          assert.deepEqual(Object.keys(Object.fromEntries(cell.map((r) => [r.channel, 1]))), Object.keys(expected), `cell (${lookback}, ${half}) channels`);
          for (const r of cell) {
            const s = run.channel_summary.find((x) => x.channel === r.channel)!;
            assert.ok(Math.abs(Number(r.attributed_conversions) - Number(s.attributed_conversions)) < 1e-9, `(${lookback}, ${half}) ${r.channel} conversions`);
            assert.ok(Math.abs(Number(r.attributed_revenue) - Number(s.attributed_revenue)) < 1e-7, `(${lookback}, ${half}) ${r.channel} revenue`);
          }
        }
      } finally {
        await engine.close();
      }
    });
  });
}
