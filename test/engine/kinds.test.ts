/**
 * Conversion kinds (own window and value per event name) and click proof,
 * hand-computed, on both engines; and the default (no kinds) unchanged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { attribute, csv, memorySource } from '../helpers.ts';
import { parseConversionKinds } from '../../common/kinds.ts';
import { loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import type { RunOutputs } from '../../common/engine.ts';
import { OUTPUT_COLUMNS } from '../../common/pipeline.ts';
import { toCsv } from '../../common/csvWrite.ts';

const H = ['event_id', 'event_ts', 'event_name', 'user_id', 'session_id', 'utm_medium', 'click_token', 'revenue'];
type R = Partial<Record<(typeof H)[number], string | number>>;
const row = (r: R) => H.map((h) => (r[h] ?? '') as string | number);
const pv = (id: string, ts: string, user: string, medium: string, token = '') => row({ event_id: id, event_ts: ts, event_name: 'page_view', user_id: user, session_id: id, utm_medium: medium, click_token: token });

/** channel_summary as "model|channel|kind" -> [conversions, revenue]. */
function summary(out: RunOutputs): Record<string, [number, number]> {
  const o: Record<string, [number, number]> = {};
  for (const r of out.channel_summary) o[`${r.model}|${r.channel}|${r.conversion_kind}`] = [Number(r.attributed_conversions), Number(r.attributed_revenue)];
  return o;
}

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`conversion kinds and click proof (${name})`, () => {
    it('each kind has its own window and value; conversion_kind is on every output', async () => {
      const rows = [
        // u1 checkout (7 days): email 9 days before is outside, cpc 2 days before inside
        pv('t1', '2026-01-01T00:00:00Z', 'u1', 'email'),
        pv('t2', '2026-01-08T00:00:00Z', 'u1', 'cpc'),
        row({ event_id: 'c1', event_ts: '2026-01-10T00:00:00Z', event_name: 'checkout', user_id: 'u1', revenue: 100 }),
        // u2 signup (30 days, constant 5): affiliate 24 days and display 5 days before, both inside
        pv('t3', '2026-01-01T00:00:00Z', 'u2', 'affiliate'),
        pv('t4', '2026-01-20T00:00:00Z', 'u2', 'display'),
        row({ event_id: 'c2', event_ts: '2026-01-25T00:00:00Z', event_name: 'Signup', user_id: 'u2', revenue: 40 }),
        // u3 lead (value none: its revenue 7 is not counted), default window
        pv('t5', '2026-02-01T00:00:00Z', 'u3', 'cpc'),
        row({ event_id: 'c3', event_ts: '2026-02-02T00:00:00Z', event_name: 'lead', user_id: 'u3', revenue: 7 }),
        // u4 purchase: a conversion event by --conversion-events only, so default window and revenue
        pv('t6', '2026-02-01T00:00:00Z', 'u4', 'affiliate'),
        row({ event_id: 'c4', event_ts: '2026-03-02T00:00:00Z', event_name: 'purchase', user_id: 'u4', revenue: 10 }),
      ];
      const conversionKinds = parseConversionKinds('checkout:lookback=7,value=revenue;signup:lookback=30,value=constant:5;lead:value=none');
      const { engine, out } = await attribute(open, memorySource('kinds.csv', csv(H, rows)), {
        import: { conversionEvents: ['checkout', 'signup', 'lead', 'purchase'] },
        run: { models: ['linear', 'last_touch'], conversionKinds },
      });
      try {
        assert.deepEqual(out.conversions.map((c) => [c.conversion_id, c.conversion_kind, c.value, c.touches, c.touch_status]), [
          ['c1', 'checkout', 100, 1, 'attributed'],
          ['c2', 'signup', 5, 2, 'attributed'],
          ['c3', 'lead', 0, 1, 'attributed'],
          // t6 is 29 days before c4: inside the default 30 days
          ['c4', 'purchase', 10, 1, 'attributed'],
        ]);
        // linear: c1 paid_search 1 x 100; c2 affiliate and display 0.5 x 5 = 2.5 each; c3 paid_search 1 x 0; c4 affiliate 1 x 10
        assert.deepEqual(summary(out), {
          'linear|affiliate|purchase': [1, 10],
          'linear|affiliate|signup': [0.5, 2.5],
          'linear|display|signup': [0.5, 2.5],
          'linear|paid_search|checkout': [1, 100],
          'linear|paid_search|lead': [1, 0],
          'last_touch|affiliate|purchase': [1, 10],
          'last_touch|display|signup': [1, 5],
          'last_touch|paid_search|checkout': [1, 100],
          'last_touch|paid_search|lead': [1, 0],
        });
        assert.deepEqual(new Set(out.credits.map((c) => `${c.conversion_id}:${c.conversion_kind}`)), new Set(['c1:checkout', 'c2:signup', 'c3:lead', 'c4:purchase']));
        // Without kinds, checkout takes the default 30 days: email comes back, 0.5 each.
        const plain = await engine.run({ models: ['linear'], rules: loadRules(), params: {} });
        assert.deepEqual(summary(plain)['linear|email|checkout'], [0.5, 50]);
        assert.equal(plain.conversions.find((c) => c.conversion_id === 'c2')?.value, 40);
      } finally {
        await engine.close();
      }
    });

    it('a kind with the default window and revenue gives exactly the default outputs', async () => {
      const src = () => memorySource('tiny.csv', readFileSync(new URL('../../samples/tiny.csv', import.meta.url)));
      const a = await attribute(open, src());
      const b = await attribute(open, src(), { run: { conversionKinds: parseConversionKinds('purchase:lookback=30,value=revenue') } });
      try {
        assert.ok(a.out.credits.length > 20);
        // compared as written (10 decimals): parallel sums may differ in the last bit between any two runs
        for (const k of Object.keys(OUTPUT_COLUMNS) as (keyof typeof OUTPUT_COLUMNS)[]) {
          const cols = [...OUTPUT_COLUMNS[k], ...(k === 'conversions' ? ['has_click_proof'] : [])];
          assert.equal(toCsv(cols, b.out[k]), toCsv(cols, a.out[k]), k);
        }
      } finally {
        await a.engine.close();
        await b.engine.close();
      }
    });

    it('click proof: the latest touch with a click token outranks later ones without', async () => {
      const rows = [
        // u5: cpc with a token, then email without: last touch email, with click proof paid_search
        pv('a1', '2026-04-01T00:00:00Z', 'u5', 'cpc', 'tok1'),
        pv('a2', '2026-04-03T00:00:00Z', 'u5', 'email'),
        row({ event_id: 'c5', event_ts: '2026-04-05T00:00:00Z', event_name: 'purchase', user_id: 'u5', revenue: 20 }),
        // u6: no token anywhere: email either way, no proof
        pv('b1', '2026-04-01T00:00:00Z', 'u6', 'email'),
        row({ event_id: 'c6', event_ts: '2026-04-02T00:00:00Z', event_name: 'purchase', user_id: 'u6', revenue: 1 }),
        // u7: the only token is on a direct session: proof, but no credited touch has one, so email
        pv('d1', '2026-04-01T00:00:00Z', 'u7', 'email'),
        pv('d2', '2026-04-02T00:00:00Z', 'u7', '', 'tok2'),
        row({ event_id: 'c7', event_ts: '2026-04-03T00:00:00Z', event_name: 'purchase', user_id: 'u7', revenue: 1 }),
        // u8: two tokened touches: the later one (affiliate) wins over the untokened email after it
        pv('e1', '2026-04-01T00:00:00Z', 'u8', 'cpc', 'tok3'),
        pv('e2', '2026-04-02T00:00:00Z', 'u8', 'affiliate', 'tok4'),
        pv('e3', '2026-04-03T00:00:00Z', 'u8', 'email'),
        row({ event_id: 'c8', event_ts: '2026-04-04T00:00:00Z', event_name: 'purchase', user_id: 'u8', revenue: 1 }),
      ];
      const { engine, out } = await attribute(open, memorySource('proof.csv', csv(H, rows)), { run: { models: ['last_touch', 'first_touch'] } });
      try {
        const last = (o: RunOutputs) => Object.fromEntries(o.credits.filter((c) => c.model === 'last_touch').map((c) => [c.conversion_id, c.channel]));
        assert.deepEqual(last(out), { c5: 'email', c6: 'email', c7: 'email', c8: 'email' });
        assert.deepEqual(Object.fromEntries(out.conversions.map((c) => [c.conversion_id, c.has_click_proof])), { c5: true, c6: false, c7: true, c8: true });
        const proof = await engine.run({ models: ['last_touch', 'first_touch'], rules: loadRules(), params: { click_proof: true } });
        assert.deepEqual(last(proof), { c5: 'paid_search', c6: 'email', c7: 'email', c8: 'affiliate' });
        // other models are unchanged by click proof
        assert.deepEqual(proof.credits.filter((c) => c.model === 'first_touch'), out.credits.filter((c) => c.model === 'first_touch'));
      } finally {
        await engine.close();
      }
    });
  });
}
