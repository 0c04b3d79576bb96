/**
 * Vendors' real export layouts attribute with no --map, on both engines
 * (issue 12): Mixpanel's raw export (seconds and milliseconds) and its
 * Fivetran table (properties JSON), Fivetran's GA4 Export table (param_*),
 * Segment's JSON messages and RudderStack's upper-case warehouse table,
 * PostHog's CSV and NDJSON (and $identify links without person_id),
 * Amplitude's export, Snowplow's atomic events with ecommerce entities as
 * JSON contexts and as the BigQuery loader's columns, and a journey file
 * whose conversions are a 0/1 column (--conversion-flag).
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
import { loadRules } from '../../worker/node/library.ts';
import { toCsv } from '../../common/csvWrite.ts';
import { OUTPUT_COLUMNS } from '../../common/pipeline.ts';
import type { ImportOptions } from '../../common/import/importer.ts';

const dir = fileURLToPath(new URL('../fixtures/layouts/', import.meta.url));
const third = 1 / 3;

/** One fixture: how to read it and what a hand count says it gives. */
interface Case {
  file: string;
  import?: ImportOptions;
  /** a channel rule file of models/ other than the default (spec section 3's) */
  rules?: string;
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
    // Fivetran's Mixpanel event table, the properties JSON read (its UTMs, $referrer, $current_url,
    // $insert_id, revenue), the table's own insert_id / current_url / referrer where the JSON lacks them.
    // dev-f: 07-01 cpc (URL and JSON: paid_search), 07-02 linkedin referrer column (organic_social),
    // Purchase 07-02 10:30, revenue 75 from the JSON. [paid_search, organic_social]: 37.5 each linear.
    // dev-g: 07-03 UTMs only in the JSON (newsletter/email -> email), 07-05 $referrer only in the JSON
    // (duckduckgo -> organic_search), Purchase 09:20 40 ($insert_id mpf-06 only in the JSON), its
    // resend at 09:20 (same $insert_id, event, person and time: duplicate_event_id, Mixpanel's rule). [email, organic_search]: 20 each.
    file: 'mixpanel_fivetran_event.csv',
    preset: 'mixpanel',
    credits: {
      first_touch: { paid_search: 1, email: 1 },
      last_touch: { organic_social: 1, organic_search: 1 },
      linear: { paid_search: 0.5, organic_social: 0.5, email: 0.5, organic_search: 0.5 },
      position_based: { paid_search: 0.5, organic_social: 0.5, email: 0.5, organic_search: 0.5 },
    },
    linearRevenue: { paid_search: 37.5, organic_social: 37.5, email: 20, organic_search: 20 },
    conversions: { 'mpf-03': ['anon:dev-f', 75, 2], 'mpf-06': ['anon:dev-g', 40, 2] },
    rejects: { duplicate_event_id: 1 },
  },
  {
    // Fivetran's GA4 Export EVENT table (param_* columns). Sessions are user_pseudo_id.param_ga_session_id.
    // 111.1: 09-01 UTMs in param_page_location (email); 09-03 srsltid in the URL, google referrer
    // (organic_shopping: the Merchant Center tag decides before the referrer); 09-04 gclid and srsltid
    // (paid_search: the gclid outranks it); purchase T-1 90 (ecommerce_*) at 12:10, sent again at
    // 12:15 (duplicate_transaction). [email, organic_shopping, paid_search]: linear 1/3 each (30),
    // position 0.4 / 0.2 / 0.4. 222.2: 09-05 dclid in the URL (display), 09-06 param_source/medium
    // partner/affiliate (affiliate); purchase T-2 with param_value 40 only (the fallback). [display,
    // affiliate]. 333.3: a direct visit, purchase T-3 25: direct_only; its traffic_source_* (google /
    // cpc, first acquisition, on every row of 222.2 and 333.3) is no touch.
    // Channels by the Google auto-tag rules (models/channel_rules_google_tags.json); by the
    // default rules dclid and srsltid decide nothing (test/engine/layoutsNested.test.ts).
    file: 'ga4_fivetran_event.csv',
    preset: 'ga4_fivetran',
    rules: 'channel_rules_google_tags.json',
    credits: {
      first_touch: { email: 1, display: 1, direct: 1 },
      last_touch: { paid_search: 1, affiliate: 1, direct: 1 },
      linear: { email: third, organic_shopping: third, paid_search: third, display: 0.5, affiliate: 0.5, direct: 1 },
      position_based: { email: 0.4, organic_shopping: 0.2, paid_search: 0.4, display: 0.5, affiliate: 0.5, direct: 1 },
    },
    linearRevenue: { email: 30, organic_shopping: 30, paid_search: 30, display: 20, affiliate: 20, direct: 25 },
    conversions: { 'ga4_fivetran_event.csv:4': ['anon:111.1', 90, 3], 'ga4_fivetran_event.csv:8': ['anon:222.2', 40, 2], 'ga4_fivetran_event.csv:10': ['anon:333.3', 25, 1] },
    rejects: { duplicate_transaction: 1 },
  },
  ...['posthog_identify.csv', 'posthog_identify.ndjson'].map((file): Case => ({
    // PostHog without person_id. anon-1: s-10 05-10 (cpc URL -> paid_search), s-11 05-12 (reddit ->
    // organic_social); $identify as user-bob with $anon_distinct_id anon-1 (the link). user-bob: s-12
    // 05-14 (email URL), purchase 90: user-bob's rows and anon-1's are one person, user-bob.
    // [paid_search, organic_social, email]: linear 30 each, position 0.4 / 0.2 / 0.4. anon-2, never
    // identified: s-20 bing (organic_search), purchase 10. Without the link: one touch (email) for 90.
    file,
    preset: 'posthog',
    credits: {
      first_touch: { paid_search: 1, organic_search: 1 },
      last_touch: { email: 1, organic_search: 1 },
      linear: { paid_search: third, organic_social: third, email: third, organic_search: 1 },
      position_based: { paid_search: 0.4, organic_social: 0.2, email: 0.4, organic_search: 1 },
    },
    linearRevenue: { paid_search: 30, organic_social: 30, email: 30, organic_search: 10 },
    conversions: { 'ph-5': ['user-bob', 90, 3], 'ph-7': ['anon:anon-2', 10, 1] },
    rejects: {},
  })),
  ...['snowplow_atomic_contexts.csv', 'snowplow_bigquery.ndjson'].map((file): Case => ({
    // Snowplow atomic events: contexts / unstruct_event as self-describing JSON text (CSV), and the
    // BigQuery loader's per-schema columns (NDJSON). No --conversion-events: the layout's conversion is
    // `transaction`. du-1: ds-1 10-01 google/cpc (paid_search); ds-2 10-03 news.ycombinator referrer
    // (referral), product_view and add_to_cart actions (no conversions), the transaction action at 14:20
    // with its transaction entity T-100, 120 USD (beside web_page and product entities), sent again at
    // 14:21 (duplicate_transaction). [paid_search, referral]: 60 each. du-2: ds-3 10-05 newsletter/email;
    // a legacy `transaction` event (tr_orderid L-7, tr_total 35.50) with its transaction_item row
    // (not a conversion). [email].
    file,
    preset: 'snowplow',
    credits: {
      first_touch: { paid_search: 1, email: 1 },
      last_touch: { referral: 1, email: 1 },
      linear: { paid_search: 0.5, referral: 0.5, email: 1 },
      position_based: { paid_search: 0.5, referral: 0.5, email: 1 },
    },
    linearRevenue: { paid_search: 60, referral: 60, email: 35.5 },
    conversions: { 'sp-05': ['anon:du-1', 120, 2], 'sp-09': ['anon:du-2', 35.5, 1] },
    rejects: { duplicate_transaction: 1 },
  })),
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
        const { engine, report, out } = await attribute(open, fileSourceFromPath(dir + c.file), { import: c.import, ...(c.rules ? { run: { rules: loadRules(fileURLToPath(new URL(`../../models/${c.rules}`, import.meta.url))) } } : {}) });
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
