/**
 * Fraud filter (models/touches.sql, fraud_max_repeats / fraud_window_minutes):
 * campaign touch events repeating more than N times within the window, per
 * person or per device and campaign, are dropped and listed in fraud_dropped.
 * Every expected row below is counted by hand from the CSV in the test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../common/engine.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { byChannel, csv, memorySource } from '../helpers.ts';

const rules = loadRules();
const models = ['first_touch', 'last_touch', 'linear'];
const at = (sec: number) => new Date(Date.UTC(2026, 0, 10, 12, 0, 0) + sec * 1000).toISOString().replace('.000Z', 'Z');
const rows: (string | number | null)[][] = [];
const ev = (id: string, ts: string, o: { name?: string; user?: string; anon?: string; session?: string; medium?: string; campaign?: string; gclid?: string; revenue?: number } = {}) =>
  rows.push([id, ts, o.name ?? 'page_view', o.user ?? null, o.anon ?? null, o.session ?? null, o.medium ? 'src' : null, o.medium ?? null, o.campaign ?? null, o.gclid ?? null, o.revenue ?? null]);

// bot: an email visit the day before, then 12 paid_social clicks on 'promo' 25 s apart (4 min 35 s),
// each in its own session, one click on another campaign in the middle, and a purchase an hour later.
ev('bot-email', '2026-01-09T12:00:00Z', { anon: 'bot', session: 'be', medium: 'email' });
for (let i = 1; i <= 12; i++) ev(`bot-${String(i).padStart(2, '0')}`, at(25 * (i - 1)), { anon: 'bot', session: `b${i}`, medium: 'paid_social', campaign: 'promo' });
ev('bot-other', at(100), { anon: 'bot', session: 'bo', medium: 'paid_social', campaign: 'other' });
ev('bot-buy', at(3600), { name: 'purchase', anon: 'bot', revenue: 100 });
// normal: 6 'promo' clicks 2 minutes apart, the 6th 1 microsecond after 10 minutes past the 1st:
// its window starts just after the 1st, so it is the 5th -> kept.
for (let i = 1; i <= 5; i++) ev(`ok-${i}`, at(120 * (i - 1)), { user: 'u_ok', anon: 'a_ok', session: `o${i}`, medium: 'cpc', campaign: 'promo' });
ev('ok-6', '2026-01-10T12:10:00.000001Z', { user: 'u_ok', anon: 'a_ok', session: 'o6', medium: 'cpc', campaign: 'promo' });
ev('ok-buy', at(3600), { name: 'purchase', user: 'u_ok', anon: 'a_ok', revenue: 50 });
// edge: the same, but the 6th exactly 10 minutes after the 1st: both ends count -> 6th in the window, dropped.
for (let i = 1; i <= 6; i++) ev(`edge-${i}`, at(120 * (i - 1)), { user: 'u_edge', session: `e${i}`, medium: 'cpc', campaign: 'promo' });
// device: one anon_id logged in as 6 different users, one click each within a minute (per person 1,
// per device 1..6 -> the 6th dropped, repeats 6).
for (let i = 1; i <= 6; i++) ev(`dev-${i}`, at(10 * (i - 1)), { user: `x${i}`, anon: 'shared', session: `d${i}`, medium: 'cpc', campaign: 'promo' });
// click id without a campaign: 7 gclid clicks at the same instant (ties ordered by event_id) -> 6th and 7th dropped.
for (let i = 1; i <= 7; i++) ev(`g-${i}`, at(0), { user: 'u_g', session: `g${i}`, gclid: `x${i}` });
const text = csv(['event_id', 'event_ts', 'event_name', 'user_id', 'anon_id', 'session_id', 'utm_source', 'utm_medium', 'utm_campaign', 'gclid', 'revenue'], rows);

const us = (iso: string) => Date.parse(iso) * 1000;

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`fraud filter (${name})`, () => {
    it('drops the repeats past N within the window, per person and per device; attribution follows', async () => {
      const e = new Engine(await open(), loadModelLibrary());
      await e.openFile(memorySource('fraud.csv', text));
      const off = await e.run({ models, rules, params: {} });
      assert.deepEqual(await e.query('SELECT count(*) AS n FROM fraud_dropped'), [{ n: 0 }], 'off: the table exists and is empty');
      const on = await e.run({ models, rules, params: { fraud_max_repeats: 5 } });
      const dropped = await e.query('SELECT event_id, person_key, anon_id, campaign, event_ts_us, repeats_in_window FROM fraud_dropped ORDER BY event_id');
      const bot = (i: number) => ({ event_id: `bot-${String(i).padStart(2, '0')}`, person_key: 'anon:bot', anon_id: 'bot', campaign: 'promo', event_ts_us: us(at(25 * (i - 1))), repeats_in_window: i });
      assert.deepEqual(dropped, [
        ...[6, 7, 8, 9, 10, 11, 12].map(bot),
        { event_id: 'dev-6', person_key: 'x6', anon_id: 'shared', campaign: 'promo', event_ts_us: us(at(50)), repeats_in_window: 6 },
        { event_id: 'edge-6', person_key: 'u_edge', anon_id: null, campaign: 'promo', event_ts_us: us(at(600)), repeats_in_window: 6 },
        { event_id: 'g-6', person_key: 'u_g', anon_id: null, campaign: '(gclid)', event_ts_us: us(at(0)), repeats_in_window: 6 },
        { event_id: 'g-7', person_key: 'u_g', anon_id: null, campaign: '(gclid)', event_ts_us: us(at(0)), repeats_in_window: 7 },
      ]);
      // dropped events are not touches: the bot keeps its email session, 5 promo sessions and 'other'
      const sessions = await e.query(`SELECT count(*) AS n FROM touches WHERE person_key = 'anon:bot'`);
      assert.deepEqual(sessions, [{ n: 7 }]);
      // the normal person is untouched: 6 touches either way
      const ok = (r: typeof on) => r.conversions.filter((c) => c.person_key === 'u_ok').map((c) => c.touches);
      assert.deepEqual([ok(off), ok(on)], [[6], [6]]);
      const credit = (r: typeof on, m: string) =>
        Object.fromEntries(r.credits.filter((c) => c.person_key === 'anon:bot' && c.model === m).map((c) => [c.channel, Math.round(Number(c.credit) * 1e9) / 1e9]));
      // linear: email + 13 paid_social sessions (12 promo, 1 other) -> 1/14 and 13/14; filtered: 1/7 and 6/7
      assert.deepEqual(credit(off, 'linear'), { email: +(1 / 14).toFixed(9), paid_social: +(13 / 14).toFixed(9) });
      assert.deepEqual(credit(on, 'linear'), { email: +(1 / 7).toFixed(9), paid_social: +(6 / 7).toFixed(9) });
      assert.deepEqual([credit(on, 'first_touch'), credit(on, 'last_touch')], [{ email: 1 }, { paid_social: 1 }]);
      // the bot's 100 of revenue moves from paid_social to email by 100 x (1/7 - 1/14)
      const rev = (r: typeof on) => Math.round(r.credits.filter((c) => c.person_key === 'anon:bot' && c.model === 'linear' && c.channel === 'email').reduce((a, c) => a + Number(c.attributed_revenue), 0) * 1e6) / 1e6;
      assert.deepEqual([rev(off), rev(on)], [7.142857, 14.285714]);
      // other people's credits did not move
      const others = (r: typeof on) => r.credits.filter((c) => c.person_key !== 'anon:bot');
      assert.deepEqual(others(on), others(off));
      // a narrower window: the bot's clicks 25 s apart, 60 s window -> 3 in any window, none dropped with N = 5
      await e.run({ models, rules, params: { fraud_max_repeats: 5, fraud_window_minutes: 1 } });
      const narrow = await e.query(`SELECT event_id FROM fraud_dropped ORDER BY 1`);
      assert.deepEqual(narrow.map((r) => r.event_id), ['dev-6', 'g-6', 'g-7'], 'only the clicks within one minute of each other');
      // back off: the same outputs as the first run, whatever the window
      const offAgain = await e.run({ models, rules, params: { fraud_max_repeats: 0, fraud_window_minutes: 1 } });
      assert.deepEqual(offAgain.credits, off.credits);
      assert.deepEqual(offAgain.conversions, off.conversions);
      assert.deepEqual(byChannel(offAgain.channel_summary, 'linear'), byChannel(off.channel_summary, 'linear'));
      await e.close();
    });

    it('refuses out-of-range values naming the parameter', async () => {
      const e = new Engine(await open(), loadModelLibrary());
      await e.openFile(memorySource('fraud.csv', text));
      await assert.rejects(e.run({ models, rules, params: { fraud_max_repeats: 2.5 } }), /touches: fraud_max_repeats must be a whole number, got 2.5/);
      await assert.rejects(e.run({ models, rules, params: { fraud_max_repeats: 5, fraud_window_minutes: 0 } }), /touches: fraud_window_minutes must be between 0.001 and 10080 minutes, got 0/);
      await e.close();
    });
  });
}
