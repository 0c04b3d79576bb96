/**
 * The report tables of `attrib attribute --report`, hand-computed on five
 * conversions, on both engines.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attribute, csv, memorySource } from '../helpers.ts';
import { runReports } from '../../common/reports.ts';
import type { Row } from '../../common/db.ts';
import { loadModelLibrary } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';

const H = ['event_id', 'event_ts', 'event_name', 'user_id', 'session_id', 'utm_medium', 'click_token', 'revenue'];
const round = (x: unknown) => (x === null ? null : Math.round(Number(x) * 1e9) / 1e9);
const vals = (rows: Row[], cols: string[]) => rows.map((r) => cols.map((c) => (typeof r[c] === 'number' ? round(r[c]) : r[c])));

// u1: direct (5 days before), email (4 days), cpc (12 h, with a click token); converts 50.
// u2: email 6 h before a 20 conversion. u3: a direct session 1 h before a 10 conversion (direct_only).
// u4: converts 5 with no touch. u5: email exactly 1 day before a 30 conversion.
const EVENTS = csv(H, [
  ['a1', '2026-06-01T00:00:00Z', 'page_view', 'u1', 'a1', '', '', ''],
  ['a2', '2026-06-02T00:00:00Z', 'page_view', 'u1', 'a2', 'email', '', ''],
  ['a3', '2026-06-05T12:00:00Z', 'page_view', 'u1', 'a3', 'cpc', 'tok', ''],
  ['c1', '2026-06-06T00:00:00Z', 'purchase', 'u1', '', '', '', 50],
  ['b1', '2026-06-10T00:00:00Z', 'page_view', 'u2', 'b1', 'email', '', ''],
  ['c2', '2026-06-10T06:00:00Z', 'purchase', 'u2', '', '', '', 20],
  ['d1', '2026-06-01T00:00:00Z', 'page_view', 'u3', 'd1', '', '', ''],
  ['c3', '2026-06-01T01:00:00Z', 'purchase', 'u3', '', '', '', 10],
  ['c4', '2026-06-01T01:00:00Z', 'purchase', 'u4', '', '', '', 5],
  ['e1', '2026-06-01T00:00:00Z', 'page_view', 'u5', 'e1', 'email', '', ''],
  ['c5', '2026-06-02T00:00:00Z', 'purchase', 'u5', '', '', '', 30],
]);

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`report tables (${name})`, () => {
    it('first / last touch, journeys, channel performance, paths and distributions', async () => {
      const { engine, out } = await attribute(open, memorySource('rep.csv', EVENTS), { run: { models: ['first_touch', 'last_touch'] } });
      try {
        const r = await runReports(engine.db, loadModelLibrary());
        const share = ['channel', 'attributed_conversions', 'attributed_revenue', 'share_of_conversions', 'share_of_revenue', 'conversion_kind'];
        // first touch: email u1, u2, u5 (50 + 20 + 30 = 100); direct u3, u4 (15). 5 conversions, 115 revenue.
        assert.deepEqual(vals(r.first_touch_attribution, share), [
          ['direct', 2, 15, 0.4, round(15 / 115), 'purchase'],
          ['email', 3, 100, 0.6, round(100 / 115), 'purchase'],
        ]);
        // last touch: paid_search u1 (50), email u2, u5 (50), direct u3, u4 (15)
        assert.deepEqual(vals(r.last_touch_attribution, share), [
          ['direct', 2, 15, 0.4, round(15 / 115), 'purchase'],
          ['email', 2, 50, 0.4, round(50 / 115), 'purchase'],
          ['paid_search', 1, 50, 0.2, round(50 / 115), 'purchase'],
        ]);
        // the same numbers as the models' channel_summary
        for (const [file, model] of [['first_touch_attribution', 'first_touch'], ['last_touch_attribution', 'last_touch']]) {
          assert.deepEqual(vals(r[file], ['channel', 'attributed_conversions', 'attributed_revenue']),
            vals(out.channel_summary.filter((x) => x.model === model), ['channel', 'attributed_conversions', 'attributed_revenue']));
        }
        // journeys: every touch in the window, direct included, oldest first; length from the first touch
        assert.deepEqual(vals(r.client_journeys, ['conversion_id', 'person_key', 'journey_length_days', 'touches', 'channels', 'total_revenue', 'conversion_kind']), [
          ['c1', 'u1', 5, 3, 'direct>email>paid_search', 50, 'purchase'],
          ['c2', 'u2', 0.25, 1, 'email', 20, 'purchase'],
          ['c3', 'u3', round(1 / 24), 1, 'direct', 10, 'purchase'],
          ['c4', 'u4', null, 0, '', 5, 'purchase'],
          ['c5', 'u5', 1, 1, 'email', 30, 'purchase'],
        ]);
        // touches and journeys over all touches; first / last / linear with the direct rule.
        // direct: u1 (5 days before), u3 (1/24); email: u1 (4), u2 (0.25), u5 (1); paid_search u1 (0.5).
        // linear: u1 splits email / paid_search 0.5 / 0.5 of 50.
        assert.deepEqual(vals(r.channel_performance, ['channel', 'touches', 'journeys', 'first_touch_conversions', 'last_touch_conversions',
          'linear_conversions', 'linear_revenue', 'avg_days_before', 'conversion_kind']), [
          ['direct', 2, 2, 2, 2, 2, 15, round((5 + 1 / 24) / 2), 'purchase'],
          ['email', 3, 3, 3, 2, 2.5, 75, round((4 + 0.25 + 1) / 3), 'purchase'],
          ['paid_search', 1, 1, 0, 1, 0.5, 25, 0.5, 'purchase'],
        ]);
        // paths (direct rule): email twice (20 + 30), direct twice (10 + 5), email>paid_search once (50);
        // ties on conversions go to the larger revenue
        assert.deepEqual(vals(r.top_paths, ['rank', 'path', 'steps', 'conversions', 'revenue', 'share_of_conversions', 'conversion_kind']), [
          [1, 'email', 1, 2, 50, 0.4, 'purchase'],
          [2, 'direct', 1, 2, 15, 0.4, 'purchase'],
          [3, 'email>paid_search', 2, 1, 50, 0.2, 'purchase'],
        ]);
        // whole days from the first touch: c2 (0.25) and c3 (1/24) -> 0, c5 exactly 1 -> 1, c1 5 -> 4-7, c4 no touch
        assert.deepEqual(vals(r.time_to_convert, ['bucket', 'min_days', 'max_days', 'conversions', 'revenue', 'share_of_conversions']), [
          ['0', 0, 0, 2, 30, 0.4], ['1', 1, 1, 1, 30, 0.2], ['2-3', 2, 3, 0, 0, 0], ['4-7', 4, 7, 1, 50, 0.2], ['8-14', 8, 14, 0, 0, 0],
          ['15-30', 15, 30, 0, 0, 0], ['31-60', 31, 60, 0, 0, 0], ['61-90', 61, 90, 0, 0, 0], ['91+', 91, null, 0, 0, 0], ['no_touch', null, null, 1, 5, 0.2],
        ]);
        // touches in the window (as conversions.touches): c4 0; c2, c3, c5 1; c1 3
        assert.deepEqual(vals(r.touches_to_convert, ['bucket', 'min_touches', 'max_touches', 'conversions', 'revenue']), [
          ['0', 0, 0, 1, 5], ['1', 1, 1, 3, 60], ['2', 2, 2, 0, 0], ['3', 3, 3, 1, 50], ['4', 4, 4, 0, 0], ['5', 5, 5, 0, 0],
          ['6-10', 6, 10, 0, 0], ['11-20', 11, 20, 0, 0], ['21+', 21, null, 0, 0],
        ]);
        // click proof moves nothing here: the tokened cpc is already u1's last touch
        const proof = await runReports(engine.db, loadModelLibrary(), { clickProof: true });
        assert.deepEqual(proof.last_touch_attribution, r.last_touch_attribution);
      } finally {
        await engine.close();
      }
    });
  });
}
