/**
 * Issue 12, the rest of the layouts' promises beside layouts.test.ts:
 * Snowplow's ecommerce entities as Parquet lists and structs (the BigQuery
 * loader's columns) give the NDJSON's numbers on both engines; Snowplow's
 * JSON-text contexts in Parquet are refused clearly; a CSV header that
 * repeats a name stops the import naming both columns, in every layout; and
 * Google's dclid and srsltid in page URLs decide a channel (generic layout).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attribute, byChannel, csv, memorySource, openToolDatabase } from '../helpers.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';

const dir = fileURLToPath(new URL('../fixtures/layouts/', import.meta.url));
const ENGINES = [['native', openNativeDatabase], ['wasm', () => openWasmDatabaseInNode()]] as const;

/** The BigQuery loader's column types for the fixture's entity columns. */
const SNOWPLOW_PARQUET = {
  event_id: 'VARCHAR', collector_tstamp: 'VARCHAR', derived_tstamp: 'VARCHAR', event: 'VARCHAR', event_name: 'VARCHAR', user_id: 'VARCHAR',
  domain_userid: 'VARCHAR', domain_sessionid: 'VARCHAR', page_url: 'VARCHAR', page_referrer: 'VARCHAR', mkt_source: 'VARCHAR',
  mkt_medium: 'VARCHAR', mkt_campaign: 'VARCHAR', tr_orderid: 'VARCHAR', tr_total: 'VARCHAR', tr_currency: 'VARCHAR',
  contexts_com_snowplowanalytics_snowplow_web_page_1: 'STRUCT(id VARCHAR)[]',
  contexts_com_snowplowanalytics_snowplow_ecommerce_product_1: 'STRUCT(id VARCHAR, name VARCHAR, category VARCHAR, price DOUBLE, currency VARCHAR)[]',
  contexts_com_snowplowanalytics_snowplow_ecommerce_transaction_1: 'STRUCT(transaction_id VARCHAR, revenue DOUBLE, currency VARCHAR, payment_method VARCHAR, total_quantity BIGINT)[]',
  unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_1: 'STRUCT("type" VARCHAR)',
};

let parquet = '';
let parquetText = '';
before(async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'aw-snowplow-'));
  parquet = path.join(tmp, 'snowplow_bigquery.parquet');
  parquetText = path.join(tmp, 'snowplow_contexts_text.parquet');
  const t = await openToolDatabase();
  const cols = Object.entries(SNOWPLOW_PARQUET).map(([k, v]) => `${k}: '${v.replace(/'/g, "''")}'`).join(', ');
  await t.run(`COPY (SELECT * FROM read_json('${dir}snowplow_bigquery.ndjson', format = 'newline_delimited', columns = {${cols}})) TO '${parquet}' (FORMAT parquet)`);
  await t.run(`COPY (SELECT * FROM read_csv('${dir}snowplow_atomic_contexts.csv', all_varchar = true)) TO '${parquetText}' (FORMAT parquet)`);
  await t.close();
});

describe('Snowplow entities in Parquet', () => {
  for (const [name, open] of ENGINES) {
    it(`the BigQuery loader's lists and structs give the NDJSON's numbers (${name})`, async () => {
      // the same events as snowplow_bigquery.ndjson (layouts.test.ts works the credits out):
      // du-1 [paid_search, referral] T-100 120 (its repeat rejected), du-2 [email] L-7 35.5 (legacy tr_*)
      const { engine, report, out } = await attribute(open, fileSourceFromPath(parquet));
      try {
        assert.equal(report.preset, 'snowplow');
        assert.deepEqual(report.rejectsByReason, { duplicate_transaction: 1 });
        assert.deepEqual(byChannel(out.channel_summary, 'linear'), { paid_search: 0.5, referral: 0.5, email: 1 });
        const conv = Object.fromEntries(out.conversions.map((c) => [String(c.conversion_id), [Number(c.value), Number(c.touches)]]));
        assert.deepEqual(conv, { 'sp-05': [120, 2], 'sp-09': [35.5, 1] });
        const ev = await engine.query(`SELECT event_id, event_name, transaction_id, revenue, currency FROM events WHERE event_name LIKE '%t%' AND event_id IN ('sp-03', 'sp-04', 'sp-05', 'sp-08', 'sp-09') ORDER BY event_id`);
        assert.deepEqual(ev.map((e) => [e.event_id, e.event_name, e.transaction_id, e.revenue === null ? null : Number(e.revenue), e.currency]), [
          ['sp-03', 'product_view', null, null, null],
          ['sp-04', 'add_to_cart', null, null, null],
          ['sp-05', 'transaction', 'T-100', 120, 'USD'],
          ['sp-08', 'transaction_item', null, null, null],
          ['sp-09', 'transaction', 'L-7', 35.5, 'USD'],
        ]);
        assert.match(String(out.rejects[0].detail), /transaction_id T-100 first seen at row 5/);
      } finally {
        await engine.close();
      }
    });
  }

  it('JSON-text contexts in Parquet are refused, naming the column', async () => {
    await assert.rejects(attribute(openNativeDatabase, fileSourceFromPath(parquetText)), /column contexts is VARCHAR, expected a record or a list: nested columns stored as JSON text are read from CSV or NDJSON/);
  });

  it('--conversion-events still decides: add_to_cart counts, transaction does not', async () => {
    const { engine, report } = await attribute(openNativeDatabase, fileSourceFromPath(`${dir}snowplow_atomic_contexts.csv`), { import: { conversionEvents: ['add_to_cart'] } });
    await engine.close();
    assert.equal(report.conversions, 1);
  });
});

describe('a CSV header that repeats a name', () => {
  // each layout's own file with one of its read columns given twice (names compare case-insensitively)
  const cases: [string, string, RegExp][] = [
    ['ga4_fivetran_event.csv', 'param_source', /column 9 'param_source' and column 21 'PARAM_SOURCE'/],
    ['mixpanel_fivetran_event.csv', 'distinct_id', /column 4 'distinct_id' and column 10 'DISTINCT_ID'/],
    ['posthog_identify.csv', 'distinct_id', /column 3 'distinct_id' and column 10 'DISTINCT_ID'/],
    ['snowplow_atomic_contexts.csv', 'domain_userid', /column 7 'domain_userid' and column 19 'DOMAIN_USERID'/],
  ];
  for (const [file, col, want] of cases) {
    it(`${file}: stops with one line naming the file, line 1 and both columns`, async () => {
      const lines = readFileSync(dir + file, 'utf8').split('\n');
      const text = [`${lines[0]},${col.toUpperCase()}`, ...lines.slice(1).filter(Boolean).map((l) => `${l},x`)].join('\n') + '\n';
      for (const [, open] of ENGINES) {
        await assert.rejects(attribute(open, memorySource(file, text)), (e: Error & { code?: string; oneLine?: () => string }) => {
          assert.equal(e.code, 'file_bad_row');
          assert.match(e.oneLine!(), new RegExp(`^${file.replace('.', '\\.')}:1: the header repeats a column name: `));
          assert.match(e.message, want);
          return true;
        });
      }
    });
  }
});

describe('Google click ids dclid and srsltid in page URLs', () => {
  it('dclid is a display click (after a gclid), srsltid an organic shopping tag (below a gclid and UTM mediums), on both engines', async () => {
    // u1, one session a day (no session ids, 30-minute gaps): 10-01 ?dclid (display); 10-02 ?srsltid from
    // google.com (organic_shopping, not organic_search); 10-03 ?gclid&srsltid (paid_search); 10-04
    // ?srsltid&utm_medium=email (email); purchase 10-05, 100. Linear 1/4 each ($25); first display, last email.
    // u2: 10-06 ?dclid&utm_medium=cpc (display: the click id outranks the tag), purchase 20: [display].
    const text = csv(['user_id', 'event_ts', 'event_name', 'page_url', 'referrer', 'revenue'], [
      ['u1', '2024-10-01T10:00:00Z', 'page_view', 'https://shop.example/?dclid=CJdc1', '', ''],
      ['u1', '2024-10-02T10:00:00Z', 'page_view', 'https://shop.example/p?srsltid=AfmB1', 'https://www.google.com/', ''],
      ['u1', '2024-10-03T10:00:00Z', 'page_view', 'https://shop.example/p?gclid=G1&srsltid=AfmB2', '', ''],
      ['u1', '2024-10-04T10:00:00Z', 'page_view', 'https://shop.example/p?srsltid=AfmB3&utm_source=news&utm_medium=email', '', ''],
      ['u1', '2024-10-05T10:00:00Z', 'purchase', 'https://shop.example/thanks', '', '100'],
      ['u2', '2024-10-06T10:00:00Z', 'page_view', 'https://shop.example/?utm_source=dv360&utm_medium=cpc&dclid=CJdc2', '', ''],
      ['u2', '2024-10-06T10:10:00Z', 'purchase', 'https://shop.example/thanks', '', '20'],
    ]);
    const rendered: string[] = [];
    for (const [, open] of ENGINES) {
      const { engine, out } = await attribute(open, memorySource('clicks.csv', text));
      try {
        assert.deepEqual(byChannel(out.channel_summary, 'first_touch'), { display: 2 });
        assert.deepEqual(byChannel(out.channel_summary, 'last_touch'), { email: 1, display: 1 });
        assert.deepEqual(byChannel(out.channel_summary, 'linear'), { display: 1.25, organic_shopping: 0.25, paid_search: 0.25, email: 0.25 });
        const ev = await engine.query(`SELECT _row, dclid, srsltid, gclid FROM events WHERE NOT is_conversion ORDER BY _row`);
        assert.deepEqual(ev.map((e) => [e.dclid, e.srsltid, e.gclid]), [
          ['CJdc1', null, null], [null, 'AfmB1', null], [null, 'AfmB2', 'G1'], [null, 'AfmB3', null], ['CJdc2', null, null],
        ]);
        rendered.push(JSON.stringify(out.channel_summary));
      } finally {
        await engine.close();
      }
    }
    assert.equal(rendered[1], rendered[0]);
  });
});
