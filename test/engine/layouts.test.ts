/**
 * Vendors' real export layouts attribute with no --map, on both engines
 * (issue 12): Mixpanel's raw export (seconds and milliseconds) and its
 * Fivetran table, Segment's JSON messages and RudderStack's upper-case
 * warehouse table, PostHog's CSV and NDJSON, Amplitude's export, and a
 * journey file whose conversions are a 0/1 column (--conversion-flag).
 * Each fixture (test/fixtures/layouts, hand-written after the vendor's
 * documented shape) has credits worked out by hand in the comments below.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { attribute, byChannel, csv, memorySource } from '../helpers.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { toCsv } from '../../common/csvWrite.ts';
import { OUTPUT_COLUMNS } from '../../common/pipeline.ts';
import type { ImportOptions } from '../../common/import/importer.ts';

const dir = fileURLToPath(new URL('../fixtures/layouts/', import.meta.url));
const third = 1 / 3;

/** One fixture: how to read it and what a hand count says it gives. */
interface Case {
  file: string;
  import?: ImportOptions;
  preset: string;
  /** model -> channel -> attributed conversions */
  credits: Record<'first_touch' | 'last_touch' | 'linear' | 'position_based', Record<string, number>>;
  /** linear's attributed revenue per channel */
  linearRevenue: Record<string, number>;
  /** conversion_id -> [person_key, value, touches] */
  conversions: Record<string, [string, number, number]>;
  rejects: Record<string, number>;
}

const CASES: Case[] = [
  {
    // Mixpanel raw export (properties.*), times in s (9 rows) and ms (rows 2, 11).
    // user-1: dev-a's Page Views 03-01 (utm cpc -> paid_search), 03-03 (facebook referrer ->
    //   organic_social), Sign Up 03-05 12:00 with user-1 + dev-a (URL utm email -> email; links
    //   dev-a to user-1); Purchase 12:10, 100; its repeat (same $insert_id mp-04) is rejected.
    //   Journey [paid_search, organic_social, email]: first paid_search, last email,
    //   linear 1/3 each, position 0.4/0.2/0.4.
    // user-2: dev-b 03-10 (google referrer -> organic_search), 03-11 logged in with ?gclid
    //   (paid_search; links dev-b), server-side Purchase with $user_id only, 50.
    //   [organic_search, paid_search]: 1/0, 0/1, 0.5/0.5, 0.5/0.5.
    // dev-c: 03-19 a row with distinct_id only (no $device_id: the fallback keys it dev-c),
    //   utm display; 03-20 10:00 affiliate; Purchase 10:15 (ms), 30.
    //   [display, affiliate]: 1/0, 0/1, 0.5/0.5, 0.5/0.5.
    // Totals: linear paid_search 1/3 + 1/2 = 5/6; position paid_search 0.4 + 0.5 = 0.9.
    // Linear revenue: paid_search 100/3 + 25, organic_social = email = 100/3, organic_search 25,
    //   display = affiliate = 15.
    file: 'mixpanel_export.ndjson',
    preset: 'mixpanel',
    credits: {
      first_touch: { paid_search: 1, organic_search: 1, display: 1 },
      last_touch: { email: 1, paid_search: 1, affiliate: 1 },
      linear: { paid_search: third + 0.5, organic_social: third, email: third, organic_search: 0.5, display: 0.5, affiliate: 0.5 },
      position_based: { paid_search: 0.9, organic_social: 0.2, email: 0.4, organic_search: 0.5, display: 0.5, affiliate: 0.5 },
    },
    linearRevenue: { paid_search: 100 / 3 + 25, organic_social: 100 / 3, email: 100 / 3, organic_search: 25, display: 15, affiliate: 15 },
    conversions: { 'mp-04': ['user-1', 100, 3], 'mp-08': ['user-2', 50, 2], 'mp-11': ['anon:dev-c', 30, 2] },
    rejects: { duplicate_event_id: 1 },
  },
  {
    // Fivetran's Mixpanel event table: UTMs only in current_url (the properties JSON is not read),
    // so no revenue column: value 0. dev-f: 07-01 cpc (paid_search), 07-02 linkedin referrer
    // (organic_social), Purchase 07-02 10:30. [paid_search, organic_social].
    file: 'mixpanel_fivetran_event.csv',
    preset: 'mixpanel',
    credits: {
      first_touch: { paid_search: 1 },
      last_touch: { organic_social: 1 },
      linear: { paid_search: 0.5, organic_social: 0.5 },
      position_based: { paid_search: 0.5, organic_social: 0.5 },
    },
    linearRevenue: { paid_search: 0, organic_social: 0 },
    conversions: { 'mpf-03': ['anon:dev-f', 0, 2] },
    rejects: {},
  },
  // Segment's messages as JSON lines, and the same messages as RudderStack's Snowflake table (upper-case names, event slugs)
  ...['segment_messages.jsonl', 'rudderstack_tracks_upper.csv'].map((file): Case => ({
    // Segment JSON messages. anon-a1: page 04-01 (context.campaign cpc -> paid_search), page 04-02
    // (news.ycombinator referrer -> referral), identify 04-02 09:05 with userId user-1 (same
    // session; links anon-a1), Order Completed 04-03 revenue 80 (total 95 not used). [paid_search,
    // referral]. anon-b2: page 04-05 (campaign email), Order Completed with total 40 only (the
    // fallback), its page sent twice (messageId seg-05: rejected). [email].
    file,
    import: { conversionEvents: ['order completed', 'order_completed'] },
    preset: 'segment',
    credits: {
      first_touch: { paid_search: 1, email: 1 },
      last_touch: { referral: 1, email: 1 },
      linear: { paid_search: 0.5, referral: 0.5, email: 1 },
      position_based: { paid_search: 0.5, referral: 0.5, email: 1 },
    },
    linearRevenue: { paid_search: 40, referral: 40, email: 40 },
    conversions: { 'seg-04': ['user-1', 80, 2], 'seg-06': ['anon:anon-b2', 40, 1] },
    rejects: { duplicate_event_id: 1 },
  })),
  ...['posthog_events.csv', 'posthog_events.ndjson'].map((file): Case => ({
    // PostHog, person pp-1: session s-1 05-01 (utm bing/cpc -> paid_search; a second $direct page
    // view in it), s-2 05-04 as user-alice (instagram referrer -> organic_social), purchase 60.
    // [paid_search, organic_social]. pp-2: s-3 05-06 (duckduckgo -> organic_search), s-4 05-07
    // ($direct -> direct, not credited), purchase 20: touches 2, credited [organic_search].
    // A row timed 'yesterday' is rejected.
    file,
    preset: 'posthog',
    credits: {
      first_touch: { paid_search: 1, organic_search: 1 },
      last_touch: { organic_social: 1, organic_search: 1 },
      linear: { paid_search: 0.5, organic_social: 0.5, organic_search: 1 },
      position_based: { paid_search: 0.5, organic_social: 0.5, organic_search: 1 },
    },
    linearRevenue: { paid_search: 30, organic_social: 30, organic_search: 20 },
    conversions: { '0190a1b2-0000-7000-8000-000000000004': ['pp-1', 60, 2], '0190a1b2-0000-7000-8000-000000000007': ['pp-2', 20, 2] },
    rejects: { invalid_timestamp: 1 },
  })),
  {
    // Amplitude. dev-100: session 1717232400000 (06-01 09:00 and 09:40, user_properties
    // facebook/paid_social -> paid_social), session 1717444800000 logged in as amp-user-1
    // (links dev-100; event_properties email wins over the stale user_properties) -> email,
    // checkout $revenue 120. [paid_social, email].
    // dev-200: session_id -1 is no session, so 06-10 (user_properties bing referrer ->
    // organic_search) and 06-12 (gclid -> paid_search) are two derived sessions; checkout
    // without $insert_id (uuid is its id) 45; a repeat of amp-ins-06 is rejected. The per-device
    // event_id counters (1, 2... on both devices) are not ids. [organic_search, paid_search].
    file: 'amplitude_export.jsonl',
    import: { conversionEvents: ['checkout'] },
    preset: 'amplitude',
    credits: {
      first_touch: { paid_social: 1, organic_search: 1 },
      last_touch: { email: 1, paid_search: 1 },
      linear: { paid_social: 0.5, email: 0.5, organic_search: 0.5, paid_search: 0.5 },
      position_based: { paid_social: 0.5, email: 0.5, organic_search: 0.5, paid_search: 0.5 },
    },
    linearRevenue: { paid_social: 60, email: 60, organic_search: 22.5, paid_search: 22.5 },
    conversions: { 'amp-ins-04': ['amp-user-1', 120, 2], '5f1c0000-0000-4000-8000-000000000007': ['anon:dev-200', 45, 2] },
    rejects: { duplicate_event_id: 1 },
  },
  {
    // A journey file: explicit channels, conversions flagged in is_conversion_purchase.
    // c1: paid_search 08-01, email 08-03, flag 1 on 08-04 (90): [paid_search, email].
    // c2: display (FALSE) 08-05, flag Yes 08-06 (30): [display]. c3: 'maybe' is rejected
    // (bad_conversion_flag), 'no' and an empty flag are touches; c3 never converts.
    file: 'journeys_flag.csv',
    import: { conversionFlag: 'is_conversion_purchase' },
    preset: 'generic',
    credits: {
      first_touch: { paid_search: 1, display: 1 },
      last_touch: { email: 1, display: 1 },
      linear: { paid_search: 0.5, email: 0.5, display: 1 },
      position_based: { paid_search: 0.5, email: 0.5, display: 1 },
    },
    linearRevenue: { paid_search: 45, email: 45, display: 30 },
    conversions: { 'journeys_flag.csv:3': ['c1', 90, 2], 'journeys_flag.csv:5': ['c2', 30, 1] },
    rejects: { bad_conversion_flag: 1 },
  },
];

const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 1e9) / 1e9]));

describe('vendor export layouts attribute with no --map', () => {
  for (const c of CASES) {
    it(`${c.file}: hand-checked credits, same on both engines`, async () => {
      const rendered: string[] = [];
      for (const open of [openNativeDatabase, () => openWasmDatabaseInNode()]) {
        const { engine, report, out } = await attribute(open, fileSourceFromPath(dir + c.file), { import: c.import });
        try {
          assert.equal(report.preset, c.preset);
          assert.deepEqual(report.rejectsByReason, c.rejects);
          for (const [model, want] of Object.entries(c.credits)) assert.deepEqual(byChannel(out.channel_summary, model), round(want), `${c.file} ${model}`);
          const revenue: Record<string, number> = {};
          for (const r of out.channel_summary) if (r.model === 'linear') revenue[String(r.channel)] = Math.round(Number(r.attributed_revenue) * 1e6) / 1e6;
          assert.deepEqual(revenue, Object.fromEntries(Object.entries(c.linearRevenue).map(([k, v]) => [k, Math.round(v * 1e6) / 1e6])), `${c.file} linear revenue`);
          const convs = Object.fromEntries(out.conversions.map((r) => [String(r.conversion_id), [String(r.person_key), Number(r.value), Number(r.touches)]]));
          assert.deepEqual(convs, c.conversions);
          rendered.push(toCsv([...OUTPUT_COLUMNS.channel_summary], out.channel_summary) + toCsv([...OUTPUT_COLUMNS.credits], out.credits) + toCsv([...OUTPUT_COLUMNS.rejects], out.rejects));
        } finally {
          await engine.close();
        }
      }
      assert.equal(rendered[1], rendered[0], 'wasm = native');
    });
  }

  it('a bad conversion flag names the column and the value; a missing flag column stops the import', async () => {
    const { engine, out } = await attribute(openNativeDatabase, fileSourceFromPath(dir + 'journeys_flag.csv'), { import: { conversionFlag: 'IS_CONVERSION_PURCHASE' } });
    try {
      assert.equal(out.rejects.length, 1);
      assert.equal(out.rejects[0].reason, 'bad_conversion_flag');
      assert.match(String(out.rejects[0].detail), /is_conversion_purchase 'maybe' is not a conversion flag/);
    } finally {
      await engine.close();
    }
    await assert.rejects(attribute(openNativeDatabase, fileSourceFromPath(dir + 'journeys_flag.csv'), { import: { conversionFlag: 'converted' } }), /--conversion-flag converted: the file has no column 'converted'/);
  });

  it('a numeric flag compares as a number (1.0, 0.000000), on both engines', async () => {
    const text = csv(['user_id', 'event_ts', 'channel', 'converted'], [
      ['u1', '2024-08-01T10:00:00Z', 'email', '0.000000'],
      ['u1', '2024-08-02T10:00:00Z', '', '1.0'],
      ['u2', '2024-08-02T10:00:00Z', '', '2'],
    ]);
    for (const open of [openNativeDatabase, () => openWasmDatabaseInNode()]) {
      const { engine, out } = await attribute(open, memorySource('flags.csv', text), { import: { conversionFlag: 'converted' } });
      await engine.close();
      assert.deepEqual(byChannel(out.channel_summary, 'linear'), { email: 1 });
      assert.deepEqual(out.rejects.map((r) => r.reason), ['bad_conversion_flag']);
    }
  });

  it('fallback columns are reported; a flag column is not "unused"', async () => {
    const { engine, report } = await attribute(openNativeDatabase, fileSourceFromPath(dir + 'segment_messages.jsonl'));
    await engine.close();
    assert.deepEqual(report.fallbacks, { event_name: ['type'], revenue: ['properties.total'] });
    const flagged = await attribute(openNativeDatabase, fileSourceFromPath(dir + 'journeys_flag.csv'), { import: { conversionFlag: 'is_conversion_purchase' } });
    await flagged.engine.close();
    assert.ok(!flagged.report.unusedColumns.includes('is_conversion_purchase'));
  });
});
