/**
 * The engine conformance suite: hand-computed cases for identity, sessions,
 * channel rules, window edges, rejects and every rule-based model. It is a
 * function of a database factory so the same suite runs on both engines.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../common/db.ts';
import { RULE_BASED_MODELS } from '../../common/pipeline.ts';
import { attribute, byChannel, csv, memorySource } from '../helpers.ts';

const H = ['event_id', 'event_ts', 'event_name', 'user_id', 'anon_id', 'session_id', 'utm_source', 'utm_medium', 'referrer', 'page_url', 'gclid', 'msclkid', 'revenue', 'channel'];
type R = Partial<Record<(typeof H)[number], string | number>>;
const row = (r: R) => H.map((h) => (r[h] ?? '') as string | number);

/** Credits of one conversion per model and channel, from credits rows. */
function credits(out: { credits: Record<string, unknown>[] }, conversion: string, model: string): Record<string, number> {
  const o: Record<string, number> = {};
  for (const c of out.credits) if (c.conversion_id === conversion && c.model === model) o[String(c.channel)] = Number(c.credit);
  return o;
}

function near(actual: number | undefined, expected: number, tol: number, what: string) {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tol, `${what}: expected ${expected} ± ${tol}, got ${actual}`);
}

export function conformanceSuite(engineName: string, openDb: () => Promise<Database>): void {
  describe(`engine conformance (${engineName})`, () => {
    const closers: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of closers) await c();
    });

    it("Adobe's worked example: time decay, J-curve, linear, first, last, position", async () => {
      // $50 order; touches 9 and 6 days before, two at the conversion instant.
      const rows = [
        row({ event_id: 'p1', event_ts: '2026-01-01T12:00:00Z', event_name: 'page_view', user_id: 'u1', session_id: 's1', utm_source: 'google', utm_medium: 'cpc' }),
        row({ event_id: 'p2', event_ts: '2026-01-04T12:00:00Z', event_name: 'page_view', user_id: 'u1', session_id: 's2', referrer: 'https://www.facebook.com/' }),
        row({ event_id: 'p3', event_ts: '2026-01-10T12:00:00Z', event_name: 'page_view', user_id: 'u1', session_id: 's3', utm_source: 'news', utm_medium: 'email' }),
        row({ event_id: 'p4', event_ts: '2026-01-10T12:00:00Z', event_name: 'page_view', user_id: 'u1', session_id: 's4', utm_source: 'ads', utm_medium: 'display' }),
        row({ event_id: 'c1', event_ts: '2026-01-10T12:00:00Z', event_name: 'purchase', user_id: 'u1', revenue: 50 }),
      ];
      const { engine, out } = await attribute(openDb, memorySource('adobe.csv', csv(H, rows), 7), { run: { models: RULE_BASED_MODELS } });
      closers.push(() => engine.close());
      // Hand computation: w = 0.5^(days/7), normalised.
      const w = [Math.pow(0.5, 9 / 7), Math.pow(0.5, 6 / 7), 1, 1];
      const s = w.reduce((a, b) => a + b);
      const td = credits(out, 'c1', 'time_decay');
      const chans = ['paid_search', 'organic_social', 'email', 'display'];
      chans.forEach((c, i) => near(td[c], w[i] / s, 1e-9, `time_decay ${c}`));
      // Adobe publishes 13.8%, 18.6%, 33.8%, 33.8% and $6.92, $9.32, $16.88, $16.88.
      [0.138, 0.186, 0.338, 0.338].forEach((e, i) => near(td[chans[i]], e, 0.0006, `Adobe share ${chans[i]}`));
      const rev = Object.fromEntries(out.credits.filter((c) => c.model === 'time_decay').map((c) => [c.channel, Number(c.attributed_revenue)]));
      [6.92, 9.32, 16.88, 16.88].forEach((e, i) => near(rev[chans[i]], e, 0.006, `Adobe value ${chans[i]}`));
      assert.deepEqual(credits(out, 'c1', 'j_curve'), { paid_search: 0.2, organic_social: 0.1, email: 0.1, display: 0.6 });
      assert.deepEqual(credits(out, 'c1', 'inverse_j'), { paid_search: 0.6, organic_social: 0.1, email: 0.1, display: 0.2 });
      assert.deepEqual(credits(out, 'c1', 'linear'), { paid_search: 0.25, organic_social: 0.25, email: 0.25, display: 0.25 });
      assert.deepEqual(credits(out, 'c1', 'first_touch'), { paid_search: 1 });
      assert.deepEqual(credits(out, 'c1', 'last_touch'), { display: 1 });
      assert.deepEqual(credits(out, 'c1', 'position_based'), { paid_search: 0.4, organic_social: 0.1, email: 0.1, display: 0.4 });
      assert.deepEqual(credits(out, 'c1', 'participation'), { paid_search: 1, organic_social: 1, email: 1, display: 1 });
      assert.deepEqual(out.conversions.map((c) => [c.conversion_id, c.person_key, c.conversion_ts, c.value, c.touch_status, c.touches]), [
        ['c1', 'u1', '2026-01-10T12:00:00.000000Z', 50, 'attributed', 4],
      ]);
    });

    it('window edges: conversion - lookback and the conversion instant are inside, a µs outside is not', async () => {
      const rows = [
        row({ event_id: 'e0', event_ts: '2026-01-02T00:00:00Z', event_name: 'page_view', user_id: 'u2', session_id: 'x1', utm_medium: 'email' }),
        row({ event_id: 'e1', event_ts: '2026-01-01T23:59:59.999999Z', event_name: 'page_view', user_id: 'u2', session_id: 'x0', utm_medium: 'affiliate' }),
        row({ event_id: 'e2', event_ts: '2026-02-01T00:00:00Z', event_name: 'page_view', user_id: 'u2', session_id: 'x2', referrer: 'https://blog.example.org/post' }),
        row({ event_id: 'e3', event_ts: '2026-02-01T00:00:00.000001Z', event_name: 'page_view', user_id: 'u2', session_id: 'x3', utm_medium: 'cpc' }),
        row({ event_id: 'c2', event_ts: '2026-02-01T00:00:00Z', event_name: 'purchase', user_id: 'u2', revenue: '10.5' }),
      ];
      const { engine, out } = await attribute(openDb, memorySource('edges.csv', csv(H, rows)), { run: { models: ['linear', 'first_touch', 'last_touch'] } });
      closers.push(() => engine.close());
      assert.deepEqual(credits(out, 'c2', 'linear'), { email: 0.5, referral: 0.5 });
      assert.deepEqual(credits(out, 'c2', 'first_touch'), { email: 1 });
      assert.deepEqual(credits(out, 'c2', 'last_touch'), { referral: 1 });
      assert.equal(out.conversions[0].touches, 2);
      // A 29-day window leaves only the referral.
      const narrow = await engine.run({ models: ['linear'], rules: (await import('../../worker/node/library.ts')).loadRules(), params: { lookback_days: 29 } });
      assert.deepEqual(credits(narrow, 'c2', 'linear'), { referral: 1 });
    });

    it('direct rule: direct-only and touch-less journeys credit direct; direct touches are not counted', async () => {
      const rows = [
        row({ event_id: 'd1', event_ts: '2026-03-01T10:00:00Z', event_name: 'page_view', user_id: 'u3', session_id: 'a' }),
        row({ event_id: 'c3', event_ts: '2026-03-01T10:05:00Z', event_name: 'purchase', user_id: 'u3', revenue: 20 }),
        row({ event_id: 'c4', event_ts: '2026-03-01T10:05:00Z', event_name: 'purchase', user_id: 'u4', revenue: '' }),
        row({ event_id: 'd2', event_ts: '2026-03-01T08:00:00Z', event_name: 'page_view', user_id: 'u5', session_id: 'b' }),
        row({ event_id: 'd3', event_ts: '2026-03-01T09:00:00Z', event_name: 'page_view', user_id: 'u5', session_id: 'c', utm_medium: 'Email ' }),
        row({ event_id: 'd4', event_ts: '2026-03-01T09:30:00Z', event_name: 'page_view', user_id: 'u5', session_id: 'd', utm_source: '(not set)', utm_medium: '(none)' }),
        row({ event_id: 'c5', event_ts: '2026-03-01T10:00:00Z', event_name: 'PURCHASE', user_id: 'u5', revenue: 30 }),
      ];
      const { engine, out } = await attribute(openDb, memorySource('direct.csv', csv(H, rows)), { run: { models: ['linear', 'time_decay', 'participation'] } });
      closers.push(() => engine.close());
      const status = Object.fromEntries(out.conversions.map((c) => [c.conversion_id, [c.touch_status, c.touches, c.value]]));
      assert.deepEqual(status, { c3: ['direct_only', 1, 20], c4: ['no_touch', 0, 0], c5: ['attributed', 3, 30] });
      for (const m of ['linear', 'time_decay', 'participation']) {
        assert.deepEqual(credits(out, 'c3', m), { direct: 1 });
        assert.deepEqual(credits(out, 'c4', m), { direct: 1 });
        assert.deepEqual(credits(out, 'c5', m), { email: 1 });
      }
      assert.deepEqual(byChannel(out.channel_summary, 'linear'), { direct: 2, email: 1 });
      const rev = out.channel_summary.find((r) => r.model === 'linear' && r.channel === 'direct');
      assert.equal(rev?.attributed_revenue, 20);
    });

    it('identity: retroactive and cross-device stitching, earliest link wins on a shared device', async () => {
      const rows = [
        row({ event_id: 'i1', event_ts: '2026-04-01T10:00:00Z', event_name: 'page_view', anon_id: 'a9', session_id: 'k1', utm_medium: 'cpc' }),
        row({ event_id: 'i2', event_ts: '2026-04-02T10:00:00Z', event_name: 'login', anon_id: 'a9', user_id: 'u9', session_id: 'k2' }),
        row({ event_id: 'i3', event_ts: '2026-04-03T10:00:00Z', event_name: 'page_view', anon_id: 'a10', user_id: 'u9', session_id: 'k3' }),
        row({ event_id: 'c9', event_ts: '2026-04-03T10:01:00Z', event_name: 'purchase', anon_id: 'a10', revenue: 9 }),
        row({ event_id: 'i4', event_ts: '2026-04-01T09:00:00Z', event_name: 'page_view', anon_id: 'a11' }),
        row({ event_id: 'i5', event_ts: '2026-04-01T09:05:00Z', event_name: 'page_view', anon_id: 'a11', user_id: 'u11' }),
        row({ event_id: 'i6', event_ts: '2026-04-01T09:06:00Z', event_name: 'page_view', anon_id: 'a11', user_id: 'u12' }),
        row({ event_id: 'i7', event_ts: '2026-04-01T09:07:00Z', event_name: 'page_view', anon_id: 'a12' }),
      ];
      const { engine, out } = await attribute(openDb, memorySource('identity.csv', csv(H, rows)), { run: { models: ['last_touch'] } });
      closers.push(() => engine.close());
      const keys = Object.fromEntries((await engine.query('SELECT event_id, person_key FROM events_p ORDER BY event_id')).map((r) => [r.event_id, r.person_key]));
      assert.deepEqual(keys, { c9: 'u9', i1: 'u9', i2: 'u9', i3: 'u9', i4: 'u11', i5: 'u11', i6: 'u12', i7: 'anon:a12' });
      // The anonymous cpc visit on device a9 now belongs to u9, whose purchase on a10 it wins.
      assert.deepEqual(credits(out, 'c9', 'last_touch'), { paid_search: 1 });
    });

    it('sessions: a gap of exactly the timeout stays in the session, one second more starts a new one', async () => {
      const rows = [
        row({ event_id: 's1', event_ts: '2026-05-01T10:00:00Z', event_name: 'page_view', user_id: 'u6', utm_medium: 'cpc' }),
        row({ event_id: 's2', event_ts: '2026-05-01T10:30:00Z', event_name: 'page_view', user_id: 'u6', utm_medium: 'affiliate' }),
        row({ event_id: 's3', event_ts: '2026-05-01T11:00:01Z', event_name: 'page_view', user_id: 'u6', utm_medium: 'email' }),
        row({ event_id: 'c6', event_ts: '2026-05-01T11:05:00Z', event_name: 'purchase', user_id: 'u6', revenue: 1 }),
        row({ event_id: 's4', event_ts: '2026-05-01T09:00:00Z', event_name: 'page_view', user_id: 'u7' }),
        row({ event_id: 's5', event_ts: '2026-05-01T09:10:00Z', event_name: 'page_view', user_id: 'u7', utm_medium: 'affiliate' }),
        row({ event_id: 'c7', event_ts: '2026-05-01T09:20:00Z', event_name: 'purchase', user_id: 'u7', revenue: 1 }),
      ];
      const { engine, out } = await attribute(openDb, memorySource('sessions.csv', csv(H, rows)), { run: { models: ['linear'] } });
      closers.push(() => engine.close());
      // u6: session 1 = s1+s2 (channel of its earliest non-direct event: paid_search), session 2 = s3.
      assert.deepEqual(credits(out, 'c6', 'linear'), { paid_search: 0.5, email: 0.5 });
      // u7: one session whose first event is direct takes its first non-direct channel.
      assert.deepEqual(credits(out, 'c7', 'linear'), { affiliate: 1 });
      const t = await engine.query("SELECT person_key, count(*) AS n FROM touches GROUP BY 1 ORDER BY 1");
      assert.deepEqual(t, [{ person_key: 'u6', n: 2 }, { person_key: 'u7', n: 1 }]);
      // With a 20-minute timeout u6 has three sessions.
      const { loadRules } = await import('../../worker/node/library.ts');
      const out2 = await engine.run({ models: ['linear'], rules: loadRules(), params: { session_timeout_minutes: 20 } });
      const c6 = credits(out2, 'c6', 'linear');
      assert.deepEqual(Object.keys(c6).sort(), ['affiliate', 'email', 'paid_search']);
    });

    it('channel rules: every default rule, UTMs in page_url, self-referrals, explicit channel', async () => {
      const cases: [R, string, string][] = [
        [{ gclid: 'Cj0' }, 'paid_search', 'click_id_search'],
        [{ msclkid: 'm1', utm_medium: 'email' }, 'paid_search', 'click_id_search'],
        [{ utm_medium: 'PPC' }, 'paid_search', 'medium_cpc'],
        [{ utm_medium: 'paid_social', utm_source: 'facebook' }, 'paid_social', 'medium_paid_social'],
        [{ utm_medium: ' Email ' }, 'email', 'medium_email'],
        [{ utm_medium: 'newsletter' }, 'email', 'medium_email'],
        [{ utm_medium: 'affiliate' }, 'affiliate', 'medium_affiliate'],
        [{ utm_medium: 'banner' }, 'display', 'medium_display'],
        [{ referrer: 'https://www.google.co.uk/search?q=x' }, 'organic_search', 'search_engine_referrer'],
        [{ referrer: 'https://duckduckgo.com/' }, 'organic_search', 'search_engine_referrer'],
        [{ referrer: 'https://t.co/abc' }, 'organic_social', 'social_referrer'],
        [{ referrer: 'https://bt.com/news' }, 'referral', 'other_referrer'],
        [{ referrer: 'https://shop.example.com/cart', page_url: 'https://shop.example.com/p/1' }, 'direct', 'own_site_referrer'],
        [{ referrer: 'https://blog.mysite.com/x', page_url: 'https://shop.example.com/p/1' }, 'direct', 'own_site_referrer'],
        [{ utm_source: 'foo' }, 'other', 'other_utm'],
        [{ utm_source: '(not set)', utm_medium: '(none)' }, 'direct', 'fallback'],
        [{ page_url: 'https://shop.example.com/?utm_source=nl&utm_medium=e-mail&x=1' }, 'email', 'medium_email'],
        [{ page_url: 'https://shop.example.com/?gclid=abc' }, 'paid_search', 'click_id_search'],
        [{ channel: 'TV', utm_medium: 'cpc' }, 'tv', 'explicit'],
        [{}, 'direct', 'fallback'],
        // URL text is trimmed, decoded ('%2D' is '-', '+' a space), first occurrence wins
        [{ page_url: '  https://shop.example.com/?utm_medium=e%2Dmail  ' }, 'email', 'medium_email'],
        [{ page_url: 'https://shop.example.com/?utm_medium=paid%5Fsocial&utm_medium=email' }, 'paid_social', 'medium_paid_social'],
        [{ page_url: 'https://shop.example.com/?utm_source=my+list' }, 'other', 'other_utm'],
        // referrers: case, a bare dotted host, a dotless bare host (not a host), empty tokens
        [{ referrer: 'HTTPS://WWW.BING.COM/' }, 'organic_search', 'search_engine_referrer'],
        [{ referrer: 'google.com/search' }, 'organic_search', 'search_engine_referrer'],
        [{ referrer: 'localhost:3000/x' }, 'direct', 'fallback'],
        [{ referrer: ' (not set) ' }, 'direct', 'fallback'],
      ];
      const rows = cases.map(([r], i) => row({ event_id: `r${String(i).padStart(2, '0')}`, event_ts: `2026-06-01T10:${String(i).padStart(2, '0')}:00Z`, event_name: 'page_view', user_id: `u${i}`, ...r }));
      const { engine } = await attribute(openDb, memorySource('rules.csv', csv(H, rows)), { import: { siteDomains: ['mysite.com'] }, run: { models: ['linear'] } });
      closers.push(() => engine.close());
      const got = await engine.query('SELECT event_id, channel, rule_id FROM touch_events ORDER BY event_id');
      assert.deepEqual(got.map((r) => [r.channel, r.rule_id]), cases.map(([, c, id]) => [c, id]));
    });

    it('rejects: one reason per row, with row numbers; rejected rows are used nowhere', async () => {
      const rows = [
        row({ event_id: 'ok1', event_ts: '2026-07-01T10:00:00Z', event_name: 'page_view', user_id: 'u1', utm_medium: 'cpc' }),
        row({ event_id: 'ok1', event_ts: '2026-07-01T10:01:00Z', event_name: 'page_view', user_id: 'u1', utm_medium: 'email' }),
        row({ event_id: 'bad_ts', event_ts: 'not-a-date', event_name: 'page_view', user_id: 'u1' }),
        row({ event_id: 'no_ts', event_ts: '', event_name: 'page_view', user_id: 'u1' }),
        row({ event_id: 'bad_day', event_ts: '2026-02-30T10:00:00Z', event_name: 'page_view', user_id: 'u1' }),
        row({ event_id: 'no_id', event_ts: '2026-07-01T10:02:00Z', event_name: 'page_view', user_id: ' ', anon_id: 'null' }),
        row({ event_id: 'neg', event_ts: '2026-07-01T10:03:00Z', event_name: 'purchase', user_id: 'u1', revenue: '-10' }),
        row({ event_id: 'nan', event_ts: '2026-07-01T10:03:00Z', event_name: 'purchase', user_id: 'u1', revenue: '33,4386' }),
        row({ event_id: 'ok2', event_ts: '2026-07-01T10:04:00Z', event_name: 'purchase', user_id: 'u1', revenue: '12.5' }),
        row({ event_id: 'pv_text_revenue', event_ts: '2026-07-01T10:04:00Z', event_name: 'page_view', user_id: 'u1', revenue: 'n/a' }),
      ];
      const { engine, out, report } = await attribute(openDb, memorySource('rejects.csv', csv(H, rows)), { run: { models: ['linear'] } });
      closers.push(() => engine.close());
      assert.deepEqual(
        out.rejects.map((r) => [r.row_number, r.line, r.reason]),
        [[2, 3, 'duplicate_event_id'], [3, 4, 'invalid_timestamp'], [4, 5, 'invalid_timestamp'], [5, 6, 'invalid_timestamp'], [6, 7, 'missing_identity'], [7, 8, 'invalid_revenue'], [8, 9, 'invalid_revenue']],
      );
      assert.equal(out.rejects[0].raw, 'event_id=ok1, event_ts=2026-07-01T10:01:00.000000Z, event_name=page_view, user_id=u1');
      assert.equal(out.rejects[0].detail, 'event_id ok1 first seen at row 1');
      assert.equal(out.rejects[1].raw, 'bad_ts,not-a-date,page_view,u1,,,,,,,,,,');
      assert.equal(out.rejects[6].detail, "revenue '33,4386' is not a number (use a dot for decimals, no thousands separators)");
      assert.deepEqual(report.rejectsByReason, { duplicate_event_id: 1, invalid_timestamp: 3, invalid_revenue: 2, missing_identity: 1 });
      assert.equal(report.rowsRead, 10);
      assert.equal(report.rowsLoaded, 3);
      // Only ok2 converts; the duplicate's email touch is not used.
      assert.deepEqual(out.conversions.map((c) => c.conversion_id), ['ok2']);
      assert.deepEqual(credits(out, 'ok2', 'linear'), { paid_search: 1 });
    });

    it('timestamps: offsets, Z, naive as UTC or a named zone, epoch s/ms/µs by magnitude', async () => {
      const ts = [
        ['t1', '2020-01-01T00:00:00'], ['t2', '2020-01-01T00:00:00-08'], ['t3', '2020-01-01T00:00:00+00'], ['t4', '2020-01-01T00:00:00Z'],
        ['t5', '2020-01-01T00:00:00+08:00'], ['t6', '2020-01-01T00:00:00+05:30'], ['t7', '2020-01-01T00:00:00+13:45'], ['t8', '2020-01-01 00:00:00.5-0330'],
        ['t9', '1577836800'], ['ta', '1577836800000'], ['tb', '1577836800000000'], ['tc', '2020-07-01T12:00:00'],
      ];
      const rows = ts.map(([id, t]) => row({ event_id: id, event_ts: t, event_name: 'page_view', anon_id: 'x' }));
      const q = "SELECT event_id, strftime(make_timestamp(ts_us), '%Y-%m-%dT%H:%M:%S.%f') AS t FROM events ORDER BY event_id";
      const { engine, report } = await attribute(openDb, memorySource('ts.csv', csv(H, rows)), { run: { models: ['linear'] } });
      closers.push(() => engine.close());
      const got = Object.fromEntries((await engine.query(q)).map((r) => [r.event_id, r.t]));
      assert.deepEqual(got, {
        t1: '2020-01-01T00:00:00.000000', t2: '2020-01-01T08:00:00.000000', t3: '2020-01-01T00:00:00.000000', t4: '2020-01-01T00:00:00.000000',
        t5: '2019-12-31T16:00:00.000000', t6: '2019-12-31T18:30:00.000000', t7: '2019-12-31T10:15:00.000000', t8: '2020-01-01T03:30:00.500000',
        t9: '2020-01-01T00:00:00.000000', ta: '2020-01-01T00:00:00.000000', tb: '2020-01-01T00:00:00.000000', tc: '2020-07-01T12:00:00.000000',
      });
      assert.deepEqual(report.timestampKinds, { epoch_ms: 1, epoch_s: 1, epoch_us: 1, iso_naive: 2, iso_offset: 6, iso_utc: 1 });
      // Naive times in Los Angeles: winter is UTC-8, summer UTC-7 (DST from the zone table, no ICU).
      const la = await attribute(openDb, memorySource('ts.csv', csv(H, rows)), { import: { timezone: 'America/Los_Angeles' }, run: { models: ['linear'] } });
      closers.push(() => la.engine.close());
      const got2 = Object.fromEntries((await la.engine.query(q)).map((r) => [r.event_id, r.t]));
      assert.equal(got2.t1, '2020-01-01T08:00:00.000000');
      assert.equal(got2.tc, '2020-07-01T19:00:00.000000');
      assert.equal(got2.t4, '2020-01-01T00:00:00.000000');
    });
  });
}
