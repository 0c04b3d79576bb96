/**
 * A session's touch (spec section 4): its first event's time, its earliest
 * non-direct channel, a tie on time going to the smallest event_id, and the
 * event that gave the channel (channel_event_id). Hand-checked on both
 * engines; models/touches.sql finds the winner with fixed-size aggregates, a
 * join and a window over tied rows only (arg_min over text ran out of memory
 * at 100M events), so the tie rules are checked here, row by row.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attribute, csv, memorySource } from '../helpers.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';

const T = (hms: string) => `2026-03-01T${hms}Z`;
const events = csv(['event_id', 'event_ts', 'event_name', 'user_id', 'session_id', 'utm_source', 'utm_medium', 'gclid', 'referrer', 'page_url'], [
  // s1: a direct event first, then two non-direct ones at the same instant: e_b (email) and e_a (gclid).
  // Touch time 09:59 (the first event), channel paid_search from e_a (a < b), 3 events.
  ['e_0', T('09:59:00'), 'page_view', 'p1', 's1', '', '', '', '', 'https://shop.example/'],
  ['e_b', T('10:00:00'), 'page_view', 'p1', 's1', 'news', 'email', '', '', 'https://shop.example/a'],
  ['e_a', T('10:00:00'), 'page_view', 'p1', 's1', '', '', 'G1', '', 'https://shop.example/b'],
  // s2: only direct events: channel direct, no channel event.
  ['e_c', T('11:00:00'), 'page_view', 'p1', 's2', '', '', '', '', 'https://shop.example/'],
  ['e_d', T('11:05:00'), 'page_view', 'p1', 's2', '', '', '', '', 'https://shop.example/'],
  // s3: a later non-direct event is not the earliest: referral at 12:00 (e_f) wins over email at 12:10 (e_e).
  ['e_e', T('12:10:00'), 'page_view', 'p1', 's3', 'news', 'email', '', '', 'https://shop.example/'],
  ['e_f', T('12:00:00'), 'page_view', 'p1', 's3', '', '', '', 'https://blog.example/post', 'https://shop.example/'],
  // p2 has no session ids: one derived session, a tie between e_h (email) and e_g (affiliate) at 08:00 -> e_g.
  ['e_h', T('08:00:00'), 'page_view', 'p2', '', 'news', 'email', '', '', 'https://shop.example/'],
  ['e_g', T('08:00:00'), 'page_view', 'p2', '', 'partner', 'affiliate', '', '', 'https://shop.example/'],
  ['e_i', T('08:10:00'), 'page_view', 'p2', '', '', '', '', '', 'https://shop.example/'],
  ['c_1', T('13:00:00'), 'purchase', 'p1', 's3', '', '', '', '', 'https://shop.example/thanks'],
  ['c_2', T('09:00:00'), 'purchase', 'p2', '', '', '', '', '', 'https://shop.example/thanks'],
]);

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`session touches (${name})`, () => {
    it('first time, earliest non-direct channel, ties on time to the smallest event_id', async () => {
      const { engine, out } = await attribute(open, memorySource('sessions.csv', events), { run: { models: ['first_touch', 'last_touch'] } });
      try {
        assert.deepEqual(out.rejects, []);
        const rows = await engine.db.all(`SELECT person_key, session_key, strftime(make_timestamp(touch_us), '%H:%M') AS at, channel, events, channel_event_id
          FROM touches ORDER BY person_key, touch_us`);
        assert.deepEqual(rows, [
          { person_key: 'p1', session_key: 's:s1', at: '09:59', channel: 'paid_search', events: 3, channel_event_id: 'e_a' },
          { person_key: 'p1', session_key: 's:s2', at: '11:00', channel: 'direct', events: 2, channel_event_id: null },
          { person_key: 'p1', session_key: 's:s3', at: '12:00', channel: 'referral', events: 2, channel_event_id: 'e_f' },
          { person_key: 'p2', session_key: 'd:000000001', at: '08:00', channel: 'affiliate', events: 3, channel_event_id: 'e_g' },
        ]);
        // first touch of p1's purchase is s1 (paid_search), last touch s3 (referral); p2's only touch is affiliate
        const credit = (m: string) => Object.fromEntries(out.credits.filter((c) => c.model === m).map((c) => [String(c.conversion_id), c.channel]));
        assert.deepEqual(credit('first_touch'), { c_1: 'paid_search', c_2: 'affiliate' });
        assert.deepEqual(credit('last_touch'), { c_1: 'referral', c_2: 'affiliate' });
      } finally {
        await engine.close();
      }
    });
  });
}
