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
      const withMarkov = [...models, 'markov'];
      for (const lookback of [7, 1, 90, 45]) {
        const got = await live.run({ models: withMarkov, rules, params: { lookback_days: lookback, widest_lookback_days: 90 } });
        assert.equal(live.lastRunReusedJourneys, true, `lookback ${lookback} within the 90-day window re-cuts`);
        const fresh = new Engine(await open(), lib);
        await fresh.openFile(memorySource('tiny.csv', text));
        const want = await fresh.run({ models: withMarkov, rules, params: { lookback_days: lookback } });
        // the paths Markov saw, converting and not, person by person
        const paths = (e: Engine) => e.query(`SELECT * FROM (SELECT 'n' AS side, person_key AS id, path_id FROM non_converting_paths
          UNION ALL SELECT 'c', conversion_id, path_id FROM converting_paths) JOIN path_aggregates USING (path_id) ORDER BY side, id`);
        assert.deepEqual(await paths(live), await paths(fresh), `paths at ${lookback} days`);
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
      // a model dropped from the list leaves with its rows; the others are kept as they were
      const fewer = all.filter((m) => m !== 'linear' && m !== 'markov');
      const less = await live.run({ models: fewer, rules, params: { lookback_days: 30, half_life_days: 2 } });
      assert.deepEqual(live.lastRunRecomputed, []);
      const fresh2 = new Engine(await open(), lib);
      await fresh2.openFile(memorySource('tiny.csv', text));
      const want2 = await fresh2.run({ models: fewer, rules, params: { lookback_days: 30, half_life_days: 2 } });
      await fresh2.close();
      assert.deepEqual(less.channel_summary, want2.channel_summary);
      assert.deepEqual(less.credits, want2.credits);
      assert.deepEqual(await live.query('SELECT DISTINCT model FROM credits ORDER BY 1'), fewer.slice().sort().map((model) => ({ model })));
      assert.deepEqual(await live.query('SELECT count(*) AS n FROM model_totals'), [{ n: 0 }], "markov's totals left with it");
      await live.run({ models: all, rules, params: { lookback_days: 30, half_life_days: 2 } });
      await live.run({ models: all, rules, params: { lookback_days: 14, half_life_days: 2 } });
      assert.deepEqual(live.lastRunRecomputed, all, 'a new lookback re-cuts the journeys: every model runs');
      await live.close();
    });

    it('a lookback and a half-life moved one after the other give the hand-computed credits of a fresh run', async () => {
      // One buyer: paid search 20 days before the purchase, email 10 days before, an organic search
      // referral 2 days before; the purchase is worth 100.
      const csv = [
        'event_id,event_ts,event_name,anon_id,utm_source,utm_medium,referrer,revenue',
        'a,2026-01-01T00:00:00Z,page_view,p,google,cpc,,',
        'b,2026-01-11T00:00:00Z,page_view,p,news,email,,',
        'c,2026-01-19T00:00:00Z,page_view,p,,,https://www.google.com/,',
        'd,2026-01-21T00:00:00Z,purchase,p,,,,100',
      ].join('\n') + '\n';
      const lib = loadModelLibrary();
      const e = new Engine(await open(), lib);
      await e.openFile(memorySource('hand.csv', csv));
      const byChannel = (rows: Record<string, unknown>[], model: string) =>
        Object.fromEntries(rows.filter((r) => r.model === model).map((r) => [r.channel, Math.round(Number(r.attributed_conversions) * 1e9) / 1e9]));
      const round = (x: number) => Math.round(x * 1e9) / 1e9;
      const some = ['linear', 'time_decay', 'position_based'];
      await e.run({ models: some, rules, params: { lookback_days: 30, half_life_days: 7, widest_lookback_days: 90 } });
      // lookback 15: the paid search touch (20 days before) drops out, email and organic search stay
      const cut = await e.run({ models: some, rules, params: { lookback_days: 15, half_life_days: 7, widest_lookback_days: 90 } });
      assert.equal(e.lastRunReusedJourneys, true, 're-cut, not rebuilt');
      const w = (d: number, h: number) => 0.5 ** (d / h);
      assert.deepEqual(byChannel(cut.channel_summary, 'linear'), { email: 0.5, organic_search: 0.5 });
      assert.deepEqual(byChannel(cut.channel_summary, 'position_based'), { email: 0.5, organic_search: 0.5 }, 'two touches: 40/40 renormalised');
      assert.deepEqual(byChannel(cut.channel_summary, 'time_decay'), {
        email: round(w(10, 7) / (w(10, 7) + w(2, 7))), organic_search: round(w(2, 7) / (w(10, 7) + w(2, 7))),
      });
      // then the half-life: 3 days, on the same cut
      const decayed = await e.run({ models: some, rules, params: { lookback_days: 15, half_life_days: 3, widest_lookback_days: 90 } });
      assert.deepEqual(e.lastRunRecomputed, ['time_decay']);
      assert.deepEqual(byChannel(decayed.channel_summary, 'time_decay'), {
        email: round(w(10, 3) / (w(10, 3) + w(2, 3))), organic_search: round(w(2, 3) / (w(10, 3) + w(2, 3))),
      });
      // and back to 30 days: all three touches, 20/10/2 days before
      const wide = await e.run({ models: some, rules, params: { lookback_days: 30, half_life_days: 3, widest_lookback_days: 90 } });
      const sum = w(20, 3) + w(10, 3) + w(2, 3);
      assert.deepEqual(byChannel(wide.channel_summary, 'time_decay'), { email: round(w(10, 3) / sum), organic_search: round(w(2, 3) / sum), paid_search: round(w(20, 3) / sum) });
      assert.deepEqual(byChannel(wide.channel_summary, 'position_based'), { email: 0.2, organic_search: 0.4, paid_search: 0.4 });
      // each equals a fresh engine's run at the same numbers
      const fresh = new Engine(await open(), lib);
      await fresh.openFile(memorySource('hand.csv', csv));
      const want = await fresh.run({ models: some, rules, params: { lookback_days: 30, half_life_days: 3 } });
      assert.deepEqual(wide.channel_summary, want.channel_summary);
      assert.deepEqual(wide.credits, want.credits);
      await fresh.close();
      await e.close();
    });

    it('non-converting paths: the touches after the last conversion within the lookback of the last one (hand-checked)', async () => {
      // n1 never converts: paid_search d1, direct d6, email d11, paid_search d21 (its last touch).
      // n3's last touch is direct (d10), its paid_search 9 days before. c1 converts on d3 and comes back on d5.
      const csv = [
        'event_id,event_ts,event_name,anon_id,utm_source,utm_medium,revenue',
        'e1,2026-01-01T00:00:00Z,page_view,n1,google,cpc,',
        'e2,2026-01-06T00:00:00Z,page_view,n1,,,',
        'e3,2026-01-11T00:00:00Z,page_view,n1,news,email,',
        'e4,2026-01-21T00:00:00Z,page_view,n1,google,cpc,',
        'e5,2026-01-01T00:00:00Z,page_view,n2,,,',
        'e6,2026-01-01T00:00:00Z,page_view,n3,google,cpc,',
        'e7,2026-01-10T00:00:00Z,page_view,n3,,,',
        'e8,2026-01-02T00:00:00Z,page_view,c1,news,email,',
        'e9,2026-01-03T00:00:00Z,purchase,c1,,,10',
        'e10,2026-01-05T00:00:00Z,page_view,c1,google,cpc,',
      ].join('\n') + '\n';
      const e = new Engine(await open(), loadModelLibrary());
      await e.openFile(memorySource('nc.csv', csv));
      const at = async (lookback: number) => {
        await e.run({ models: ['markov'], rules, params: { lookback_days: lookback, widest_lookback_days: 30 } });
        const rows = await e.query(`SELECT person_key AS p, array_to_string(steps, ' > ') AS s FROM non_converting_paths JOIN path_aggregates USING (path_id) ORDER BY 1`);
        return Object.fromEntries(rows.map((r) => [String(r.p).replace(/^.*:/, ''), r.s]));
      };
      assert.deepEqual(await at(1), { c1: 'paid_search', n1: 'paid_search', n2: 'direct', n3: 'direct' });
      assert.equal(e.lastRunReusedJourneys, false);
      assert.deepEqual(await at(9), { c1: 'paid_search', n1: 'paid_search', n2: 'direct', n3: 'paid_search' });
      assert.deepEqual(await at(10), { c1: 'paid_search', n1: 'email > paid_search', n2: 'direct', n3: 'paid_search' });
      assert.deepEqual(await at(19.5), { c1: 'paid_search', n1: 'email > paid_search', n2: 'direct', n3: 'paid_search' });
      assert.deepEqual(await at(20), { c1: 'paid_search', n1: 'paid_search > email > paid_search', n2: 'direct', n3: 'paid_search' });
      assert.equal(e.lastRunReusedJourneys, true, 'every cut above came from the same candidates');
      const nulls = await e.query(`SELECT array_to_string(steps, ' > ') AS s, nulls, conversions FROM path_aggregates ORDER BY 1`);
      assert.deepEqual(nulls, [
        { s: 'email', nulls: 0, conversions: 1 },
        { s: 'paid_search', nulls: 2, conversions: 0 },
        { s: 'paid_search > email > paid_search', nulls: 1, conversions: 0 },
        { s: 'direct', nulls: 1, conversions: 0 },
      ].sort((a, b) => (a.s < b.s ? -1 : 1)));
      await e.close();
    });
  });
}
