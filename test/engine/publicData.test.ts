/**
 * The layouts tried on files we did not write (issue 12): other projects'
 * public test data, copied byte for byte into test/fixtures/public with
 * their licence notes (Apache-2.0: Fivetran's dbt packages' integration-test
 * seeds, in each connector's own table layout). Every figure below is worked
 * out by hand from the rows, on both engines, and wasm's output equals
 * native's byte for byte.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { attribute, byChannel } from '../helpers.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { toCsv } from '../../common/csvWrite.ts';
import { OUTPUT_COLUMNS } from '../../common/pipeline.ts';
import type { ImportOptions } from '../../common/import/importer.ts';

const dir = fileURLToPath(new URL('../fixtures/public/', import.meta.url));
const ENGINES = [['native', openNativeDatabase], ['wasm', () => openWasmDatabaseInNode()]] as const;

/** What one file gives: the detected layout, rows, rejects, conversions and credits. */
interface Case {
  name: string;
  file: string;
  import?: (d: string) => ImportOptions;
  preset: string;
  loaded: number;
  rejects: Record<string, number>;
  /** conversion_id -> [person_key, value, touch_status, touches] */
  conversions: Record<string, [string, number, string, number]>;
  /** model -> channel -> attributed conversions (each default model gives the same here) */
  credits: Record<string, number>;
}

const CASES: Case[] = [
  {
    // fivetran/dbt_ga4_export integration_tests/seeds/event.csv: the connector's EVENT table, whose
    // columns are `name` and `timestamp` (not event_name / event_timestamp) and whose revenue is only
    // ecommerce_purchase_revenue_in_usd. Before: read as generic, no param_* touch, revenue 0.
    // user_123's rows (user_id on each, across pseudo_123/124/125): purchases at rows 1 (12:35,
    // 29.99), 7 (14:05, 29.99), 10 (15:35, 99.99); its other events are touches, one session each
    // (user_pseudo_id.param_ga_session_id): row 4 view_item 13:05 (session_124), row 5 checkout 13:15
    // (session_125), row 8 scroll 14:35 (session_127). Every one carries param_gclid, which outranks
    // its organic / email / social tags: paid_search.
    //   row 1: nothing before 12:35 -> no_touch, direct 1.
    //   row 7: sessions 124, 125 -> 2 touches, paid_search 1.
    //   row 10: 124, 125, 127 -> 3 touches, paid_search 1.
    // user_456 / user_789 have no purchase (row 6 add_to_cart carries txn_125 but is no purchase).
    // Every model: direct 1, paid_search 2.
    name: 'Fivetran GA4 Export EVENT table',
    file: 'fivetran_ga4_export/event.csv',
    preset: 'ga4_fivetran',
    loaded: 10,
    rejects: {},
    conversions: {
      'event.csv:1': ['user_123', 29.99, 'no_touch', 0],
      'event.csv:7': ['user_123', 29.99, 'attributed', 2],
      'event.csv:10': ['user_123', 99.99, 'attributed', 3],
    },
    credits: { direct: 1, paid_search: 2 },
  },
  {
    // fivetran/dbt_amplitude integration_tests/seeds/amplitude_event_data.csv: CRLF line ends, JSON
    // text in event_properties / user_properties / data, session_id -1 (no session), _insert_id empty
    // (so uuid is the event id: 10 distinct), device_id and user_id (an e-mail) on every row. Its
    // event types are test names (watch_test_amplitude..., a 260-character 'aaa...', test_event_01):
    // no purchase, so 10 rows loaded, 0 rejects, 0 conversions (the run warns about it).
    name: 'Fivetran Amplitude EVENT table',
    file: 'fivetran_amplitude/amplitude_event_data.csv',
    preset: 'amplitude',
    loaded: 10,
    rejects: {},
    conversions: {},
    credits: {},
  },
  {
    // fivetran/dbt_shopify_source integration_tests/seeds/shopify_order_data.csv as --conversions beside
    // the GA4 file above: created_at '2020-09-11 19:35:42.000 ' (a trailing space), order_number as the
    // id, total_price as the value, customer_id as the buyer (user_id, Shopify's staff member, is
    // empty: before, all 3 orders were rejected missing_identity). Customers 3584045351009 (orders
    // 5065, 5066) and 3589760876641 (5135) have no events: no_touch, direct. The events' own 3
    // purchases count as before. Every model: direct 1 + 3 = 4, paid_search 2.
    name: 'Fivetran Shopify ORDER table as --conversions',
    file: 'fivetran_ga4_export/event.csv',
    import: (d) => ({ conversionFiles: [fileSourceFromPath(d + 'fivetran_shopify/shopify_order_data.csv')] }),
    preset: 'ga4_fivetran',
    loaded: 13,
    rejects: {},
    conversions: {
      'event.csv:1': ['user_123', 29.99, 'no_touch', 0],
      'event.csv:7': ['user_123', 29.99, 'attributed', 2],
      'event.csv:10': ['user_123', 99.99, 'attributed', 3],
      '5065': ['3584045351009', 5.39, 'no_touch', 0],
      '5066': ['3584045351009', 3.79, 'no_touch', 0],
      '5135': ['3589760876641', 2.8, 'no_touch', 0],
    },
    credits: { direct: 4, paid_search: 2 },
  },
];

describe('public test data written by others (Fivetran seeds)', () => {
  for (const c of CASES) {
    it(`${c.name}: layout, rows, rejects and credits by hand, same on both engines`, async () => {
      const rendered: string[] = [];
      for (const [name, open] of ENGINES) {
        const { engine, report, out } = await attribute(open, fileSourceFromPath(dir + c.file), { import: c.import?.(dir) });
        try {
          assert.equal(report.preset, c.preset, name);
          assert.equal(report.rowsLoaded, c.loaded, name);
          assert.deepEqual(report.rejectsByReason, c.rejects, name);
          const convs = Object.fromEntries(out.conversions.map((r) => [String(r.conversion_id), [String(r.person_key), Number(r.value), String(r.touch_status), Number(r.touches)]]));
          assert.deepEqual(convs, c.conversions, name);
          for (const model of ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based']) {
            assert.deepEqual(byChannel(out.channel_summary, model), c.credits, `${name} ${model}`);
          }
          rendered.push(toCsv([...OUTPUT_COLUMNS.channel_summary], out.channel_summary) + toCsv([...OUTPUT_COLUMNS.credits], out.credits) + toCsv([...OUTPUT_COLUMNS.rejects], out.rejects));
        } finally {
          await engine.close();
        }
      }
      assert.equal(rendered[1], rendered[0], 'wasm = native');
    });
  }

  it("Fivetran GA4 event_data.csv, whose header repeats param_session_engaged: one line naming file, line 1 and both columns", async () => {
    for (const [, open] of ENGINES) {
      await assert.rejects(attribute(open, fileSourceFromPath(dir + 'fivetran_ga4_export/event_data.csv')), (e: Error & { code?: string; oneLine?: () => string }) => {
        assert.equal(e.code, 'file_bad_row');
        assert.equal(e.oneLine!(), "event_data.csv:1: the header repeats a column name: column 34 'param_session_engaged' and column 40 'param_session_engaged'; rename or drop one, so that each name is read from one column");
        return true;
      });
    }
  });

  it('Fivetran Mixpanel EVENT table: 5 rows, 5 events as Mixpanel counts them', async () => {
    // fivetran/dbt_mixpanel integration_tests/seeds/event.csv: insert_id ...AkuFu on rows 2 and 3
    // (same event and distinct_id, 2020-08-01 and 2024-02-02), ...AkuGu on rows 4 and 5 (different
    // events, days). Each is a different event to Mixpanel (same insert_id, event, distinct_id and
    // time would be a duplicate), so none is rejected; the later row of each pair gets '~2'.
    for (const [, open] of ENGINES) {
      const { engine, report } = await attribute(open, fileSourceFromPath(dir + 'fivetran_mixpanel/event.csv'));
      try {
        assert.equal(report.preset, 'mixpanel');
        assert.deepEqual(report.rejectsByReason, {});
        assert.equal(report.rowsLoaded, 5);
        assert.ok(report.warnings.includes('2 events share an event id with an earlier event of another name, person or time (not a duplicate to the export): kept, with ~2, ~3, ... added to their ids'), report.warnings.join('\n'));
        const ids = await engine.query('SELECT _row, event_id, event_name FROM events ORDER BY _row');
        assert.deepEqual(ids.map((r) => [r._row, r.event_id, r.event_name]), [
          [1, 'pnreuCmtCqgcDgkCaFhymwDgmwajggzaiDdn', 'plays'],
          [2, 'vqrpqghnlgcCzfjBmdsjcgqgDtwchbxAkuFu', 'playthrough_25'],
          [3, 'vqrpqghnlgcCzfjBmdsjcgqgDtwchbxAkuFu~2', 'playthrough_25'],
          [4, 'vqrpqghnlgcCzfjBmdsjcgqgDtwchbxAkuGu', 'playthrough_29'],
          [5, 'vqrpqghnlgcCzfjBmdsjcgqgDtwchbxAkuGu~2', 'playthrough_30'],
        ]);
      } finally {
        await engine.close();
      }
    }
  });
});
