/**
 * Live lookback: journeys gathered once for the widest window are re-cut for
 * a narrower lookback (the windows stage only), and give exactly what a fresh
 * run at that lookback gives. A wider lookback, or other rules, rebuild.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../common/engine.ts';
import { RULE_BASED_MODELS } from '../../common/pipeline.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { memorySource } from '../helpers.ts';

const text = readFileSync(fileURLToPath(new URL('../../samples/tiny.csv', import.meta.url)), 'utf8');
const rules = loadRules();
const models = [...RULE_BASED_MODELS];

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`journeys re-cut for a narrower lookback (${name})`, () => {
    it('equals a fresh run at each lookback; rebuilds only when it must', async () => {
      const lib = loadModelLibrary();
      const live = new Engine(await open(), lib);
      await live.openFile(memorySource('tiny.csv', text));
      const first = await live.run({ models, rules, params: { lookback_days: 30, widest_lookback_days: 90 } });
      assert.equal(live.lastRunReusedJourneys, false, 'the first run builds');
      for (const lookback of [7, 1, 90, 45]) {
        const got = await live.run({ models, rules, params: { lookback_days: lookback, widest_lookback_days: 90 } });
        assert.equal(live.lastRunReusedJourneys, true, `lookback ${lookback} within the 90-day window re-cuts`);
        const fresh = new Engine(await open(), lib);
        await fresh.openFile(memorySource('tiny.csv', text));
        const want = await fresh.run({ models, rules, params: { lookback_days: lookback } });
        await fresh.close();
        assert.deepEqual(got.channel_summary, want.channel_summary, `channel_summary at ${lookback} days`);
        assert.deepEqual(got.credits, want.credits, `credits at ${lookback} days`);
        assert.deepEqual(got.conversions, want.conversions, `conversions at ${lookback} days`);
      }
      // a narrower lookback changes numbers on this sample (the test can fail)
      const week = await live.run({ models, rules, params: { lookback_days: 7, widest_lookback_days: 90 } });
      assert.notDeepEqual(week.channel_summary, first.channel_summary);
      await live.run({ models, rules, params: { lookback_days: 120, widest_lookback_days: 90 } });
      assert.equal(live.lastRunReusedJourneys, false, 'wider than the gathered window: rebuilt');
      await live.run({ models, rules, params: { lookback_days: 30, session_timeout_minutes: 10 } });
      assert.equal(live.lastRunReusedJourneys, false, 'another session timeout: rebuilt');
      const summary = await live.run({ models: ['linear'], rules, params: { lookback_days: 20, session_timeout_minutes: 10 }, outputs: 'summary' });
      assert.equal(live.lastRunReusedJourneys, true);
      assert.ok(summary.channel_summary.length > 0);
      assert.deepEqual([summary.credits.length, summary.conversions.length], [0, 0], 'summary only: the big tables stay in the engine');
      await live.close();
    });

    it('a half-life change recomputes time_decay only, and equals a fresh run', async () => {
      const lib = loadModelLibrary();
      const live = new Engine(await open(), lib);
      await live.openFile(memorySource('tiny.csv', text));
      const all = [...models, 'markov'];
      await live.run({ models: all, rules, params: { lookback_days: 30, half_life_days: 7 } });
      assert.deepEqual(live.lastRunRecomputed, all);
      const got = await live.run({ models: all, rules, params: { lookback_days: 30, half_life_days: 2 } });
      assert.deepEqual(live.lastRunRecomputed, ['time_decay'], 'only the model whose parameter moved');
      const same = await live.run({ models: all, rules, params: { lookback_days: 30, half_life_days: 2 } });
      assert.deepEqual(live.lastRunRecomputed, [], 'nothing changed: nothing recomputed');
      assert.deepEqual(same.channel_summary, got.channel_summary);
      const fresh = new Engine(await open(), lib);
      await fresh.openFile(memorySource('tiny.csv', text));
      const want = await fresh.run({ models: all, rules, params: { lookback_days: 30, half_life_days: 2 } });
      await fresh.close();
      assert.deepEqual(got.channel_summary, want.channel_summary);
      assert.deepEqual(got.credits, want.credits);
      assert.ok(got.dataDriven?.markov, 'the kept Markov result is still reported');
      await live.run({ models: all, rules, params: { lookback_days: 14, half_life_days: 2 } });
      assert.deepEqual(live.lastRunRecomputed, all, 'a new lookback re-cuts the journeys: every model runs');
      await live.close();
    });
  });
}
