/**
 * GA4's BigQuery export, recognised by its shape with no --map, in its three
 * nested forms (NDJSON as `bq extract` writes it, CSV with JSON text cells,
 * Parquet with records and lists), on both engines: the same touches,
 * conversions and credits, worked out by hand below.
 *
 * The fixture (test/fixtures/ga4/, made by make-ga4-fixtures.mjs), 24 rows:
 * - cust-1, device A: S1 1 Mar 10:00, UTMs only inside page_location (email);
 *   S2 5 Mar 09:00, gclid + a hand tag google/organic (paid_search: the gclid
 *   outranks the tag); S3 8 Mar 12:00, direct (GA4's
 *   session_traffic_source_last_click says google/cpc: no touch); purchase
 *   T1001 $120 at 12:05, sent four times (12:05, 12:06, 12:10, 12:30).
 *   GA4's own attribution on the purchase row: google / cpc, Paid Search.
 *   cust-1, device B: a direct session whose ga_session_id equals S2's.
 * - anon 2002: S1 2 Mar 15:00 from google.com (organic_search); S2 3 Mar
 *   14:00 campaign in params and collected_traffic_source (paid_social),
 *   ga_session_id as a string_value; purchase T2002 at 16:00, revenue from
 *   the `value` param 45.5 (double), EUR. Its session_traffic_source_last_click
 *   is null (GA4 had not filled it).
 * - cust-3: first acquired by google/cpc (traffic_source: no touch); S1 6 Mar
 *   11:00 from blog.partner.example (referral); T3003 $80 at 11:20
 *   (ecommerce.purchase_revenue; the value param an int_value). GA4 says
 *   blog.partner.example / referral, Referral.
 * - anon 4004: a direct visit 7 Mar 09:00; T4004 $30 at 09:10: direct_only.
 *   GA4 says google / cpc, Paid Search: the session's last non-direct click
 *   is an ad click of 20 Feb, before this shard (no row of ours).
 *
 * GA4's own attribution, ga4_reported (credit 1 per conversion to GA4's
 * default_channel_group in our ids' spelling; '(not set)' without one):
 *   T1001 paid_search $120, T2002 (not set) $45.5, T3003 referral $80,
 *   T4004 paid_search $30 -> paid_search 2 ($150), referral 1 ($80),
 *   (not set) 1 ($45.5). Our last_touch gives T4004 to direct (no touch of
 *   ours is non-direct): paid_search 1 ($120) there, direct 1 ($30).
 *   Without default_channel_group the source/medium go through our rules:
 *   google/cpc -> paid_search (medium_cpc), blog.partner.example/referral ->
 *   a referrer host -> referral: the same figures.
 *
 * Hand computation (non-direct touches per conversion, lookback 30 days):
 * - T1001: email (7 d 2 h 5 min before), paid_search (3 d 3 h 5 min before);
 *   touches = 4 (S1, S2, S3 and device B's session: sessions are
 *   user_pseudo_id + ga_session_id, so device B is not merged into S2).
 *   first email 1; last paid_search 1; linear 1/2 each;
 *   time decay (half-life 7 d): w = 0.5^(d/7), d_email = 7 + 125/1440 =
 *   7.086806, d_paid = 3 + 185/1440 = 3.128472: w_email = 0.495721,
 *   w_paid = 0.733605, shares 0.403246 / 0.596754 ($48.39 / $71.61).
 * - T2002: organic_search (1 d 1 h = 1.041667 d), paid_social (2 h =
 *   0.083333 d); touches 2. first organic_search, last paid_social, linear
 *   1/2 each; w = 0.901994 / 0.991782, shares 0.476294 / 0.523706
 *   ($21.67 / $23.83).
 * - T3003: referral only: 1 in every model; touches 1.
 * - T4004: direct_only: 1 to direct in every model; touches 1.
 * Per channel (conversions; revenue = credit x value):
 *   first_touch: email 1 ($120), organic_search 1 ($45.5), referral 1 ($80), direct 1 ($30)
 *   last_touch:  paid_search 1 ($120), paid_social 1 ($45.5), referral 1, direct 1
 *   linear:      email .5 ($60), paid_search .5 ($60), organic_search .5 ($22.75), paid_social .5 ($22.75), referral 1, direct 1
 *   time_decay:  email .403246, paid_search .596754, organic_search .476294, paid_social .523706, referral 1, direct 1
 * Rejects: rows 9, 10, 11 duplicate_transaction ("transaction_id T1001 first seen at row 8").
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attribute, byChannel, memorySource, openToolDatabase } from '../helpers.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { loadRules } from '../../worker/node/library.ts';
import { toCsv } from '../../common/csvWrite.ts';
import { OUTPUT_COLUMNS } from '../../common/pipeline.ts';
import type { FileSource } from '../../common/import/source.ts';

const dir = fileURLToPath(new URL('../fixtures/ga4/', import.meta.url));
const NDJSON = readFileSync(path.join(dir, 'events_20260301.ndjson'), 'utf8');
const CSV = readFileSync(path.join(dir, 'events_20260301.csv'), 'utf8');
const MODELS = ['first_touch', 'last_touch', 'linear', 'time_decay'];
const ENGINES = [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const;

/** The column types of Google's Parquet export (BigQuery's schema) for the fixture's columns. */
const PARQUET_COLUMNS = {
  event_date: 'VARCHAR', event_timestamp: 'BIGINT', event_name: 'VARCHAR',
  event_params: 'STRUCT("key" VARCHAR, "value" STRUCT(string_value VARCHAR, int_value BIGINT, float_value DOUBLE, double_value DOUBLE))[]',
  event_previous_timestamp: 'BIGINT', event_value_in_usd: 'DOUBLE', event_bundle_sequence_id: 'BIGINT',
  user_id: 'VARCHAR', user_pseudo_id: 'VARCHAR', user_first_touch_timestamp: 'BIGINT',
  device: 'STRUCT(category VARCHAR, operating_system VARCHAR, web_info STRUCT(browser VARCHAR, hostname VARCHAR))',
  geo: 'STRUCT(country VARCHAR, city VARCHAR)', traffic_source: 'STRUCT(name VARCHAR, medium VARCHAR, source VARCHAR)',
  stream_id: 'VARCHAR', platform: 'VARCHAR',
  ecommerce: 'STRUCT(total_item_quantity BIGINT, purchase_revenue_in_usd DOUBLE, purchase_revenue DOUBLE, refund_value_in_usd DOUBLE, refund_value DOUBLE, shipping_value_in_usd DOUBLE, shipping_value DOUBLE, tax_value_in_usd DOUBLE, tax_value DOUBLE, unique_items BIGINT, transaction_id VARCHAR)',
  items: 'STRUCT(item_id VARCHAR)[]',
  collected_traffic_source: 'STRUCT(manual_campaign_id VARCHAR, manual_campaign_name VARCHAR, manual_source VARCHAR, manual_medium VARCHAR, manual_term VARCHAR, manual_content VARCHAR, gclid VARCHAR, dclid VARCHAR, srsltid VARCHAR)',
  is_active_user: 'BOOLEAN',
  session_traffic_source_last_click: 'STRUCT(manual_campaign STRUCT(source VARCHAR, medium VARCHAR, campaign_name VARCHAR), cross_channel_campaign STRUCT(source VARCHAR, medium VARCHAR, campaign_name VARCHAR, default_channel_group VARCHAR, primary_channel_group VARCHAR))',
};

let parquetFile = '';
let parquetTextFile = '';
before(async () => {
  // The Parquet form, written from the NDJSON by a plain DuckDB with BigQuery's types (records, lists of records).
  const tmp = mkdtempSync(path.join(tmpdir(), 'aw-ga4-'));
  parquetFile = path.join(tmp, 'events_20260301.parquet');
  parquetTextFile = path.join(tmp, 'events_text.parquet');
  const t = await openToolDatabase();
  const cols = Object.entries(PARQUET_COLUMNS).map(([k, v]) => `${k}: '${v.replace(/'/g, "''")}'`).join(', ');
  await t.run(`COPY (SELECT * FROM read_json('${path.join(dir, 'events_20260301.ndjson')}', format = 'newline_delimited', columns = {${cols}}))
    TO '${parquetFile}' (FORMAT parquet)`);
  // the CSV's JSON text cells as Parquet text columns: not expandable in SQL, refused clearly
  await t.run(`COPY (SELECT * FROM read_csv('${path.join(dir, 'events_20260301.csv')}', all_varchar = true)) TO '${parquetTextFile}' (FORMAT parquet)`);
  await t.close();
});

const near = (a: number | undefined, e: number, what: string) => assert.ok(a !== undefined && Math.abs(a - e) < 1e-6, `${what}: expected ${e}, got ${a}`);

/** channel_summary, conversions and credits as text, the file name taken out. */
function render(out: Awaited<ReturnType<typeof attribute>>['out'], file: string): string {
  return (toCsv([...OUTPUT_COLUMNS.channel_summary], out.channel_summary) + toCsv([...OUTPUT_COLUMNS.conversions], out.conversions)
    + toCsv([...OUTPUT_COLUMNS.credits], out.credits) + toCsv(['row_number', 'reason', 'detail', 'raw'], out.rejects)).replaceAll(file, 'FILE');
}

describe('GA4 BigQuery export', () => {
  const rendered: Record<string, string> = {};
  for (const [name, open] of ENGINES) {
    const forms: [string, () => FileSource][] = [
      ['ndjson', () => memorySource('events_20260301.ndjson', NDJSON, 1000)],
      ['csv', () => memorySource('events_20260301.csv', CSV, 1000)],
      ['parquet', () => fileSourceFromPath(parquetFile)],
    ];
    for (const [form, src] of forms) {
      it(`${form} (${name}): recognised, expanded, deduplicated; hand-checked credits`, async () => {
        const { engine, report, out } = await attribute(open, src(), { run: { models: MODELS } });
        try {
          assert.equal(report.preset, 'ga4');
          // the layout in words (layoutLine.ts): the form from the columns, the day from the shard's name
          const word = { ndjson: 'nested NDJSON', csv: 'CSV with JSON cells', parquet: 'nested Parquet' }[form];
          assert.equal(report.layout, `GA4 BigQuery export, ${word}, 1 daily file (2026-03-01)`);
          assert.equal(report.rowsRead, 24);
          assert.deepEqual(report.rejectsByReason, { duplicate_transaction: 3 });
          assert.equal(report.conversions, 4);
          assert.equal(report.mapping.session_id, 'ga4:session_id');
          assert.equal(report.mapping.page_url, 'ga4:page_url');
          // T1001 kept once; the other three rows name it
          assert.deepEqual(out.rejects.map((r) => [Number(r.row_number), r.reason, r.detail]), [9, 10, 11].map((n) => [n, 'duplicate_transaction', 'transaction_id T1001 first seen at row 8']));
          const conv = Object.fromEntries(out.conversions.map((c) => [String(c.conversion_id).split(':').pop(), [Number(c.value), c.touch_status, Number(c.touches)]]));
          assert.deepEqual(conv, { 8: [120, 'attributed', 4], 18: [45.5, 'attributed', 2], 21: [80, 'attributed', 1], 24: [30, 'direct_only', 1] });
          const cs = out.channel_summary;
          assert.deepEqual(byChannel(cs, 'first_touch'), { email: 1, organic_search: 1, referral: 1, direct: 1 });
          assert.deepEqual(byChannel(cs, 'last_touch'), { paid_search: 1, paid_social: 1, referral: 1, direct: 1 });
          assert.deepEqual(byChannel(cs, 'linear'), { email: 0.5, paid_search: 0.5, organic_search: 0.5, paid_social: 0.5, referral: 1, direct: 1 });
          const td = byChannel(cs, 'time_decay');
          const d = { email: 7 + 125 / 1440, paid_search: 3 + 185 / 1440, organic_search: 1 + 1 / 24, paid_social: 2 / 24 };
          const w = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, Math.pow(0.5, v / 7)]));
          near(td.email, w.email / (w.email + w.paid_search), 'time_decay email');
          near(td.paid_search, 0.596754, 'time_decay paid_search');
          near(td.organic_search, w.organic_search / (w.organic_search + w.paid_social), 'time_decay organic_search');
          near(td.paid_social, 0.523706, 'time_decay paid_social');
          const tdRev = Object.fromEntries(cs.filter((r) => r.model === 'time_decay').map((r) => [r.channel, Math.round(Number(r.attributed_revenue) * 100) / 100]));
          assert.deepEqual(tdRev, { email: 48.39, paid_search: 71.61, organic_search: 21.67, paid_social: 23.83, referral: 80, direct: 30 });
          assert.equal(td.referral, 1);
          assert.equal(td.direct, 1);
          const rev = Object.fromEntries(cs.filter((r) => r.model === 'linear').map((r) => [r.channel, Number(r.attributed_revenue)]));
          assert.deepEqual(rev, { email: 60, paid_search: 60, organic_search: 22.75, paid_social: 22.75, referral: 80, direct: 30 });
          // what the touches were built from: UTMs from page_location, a gclid over an organic tag, params, currency kept
          const ev = await engine.query(`SELECT _row, session_id, utm_source, utm_medium, utm_campaign, gclid, referrer_host, currency, transaction_id FROM events ORDER BY _row`);
          const at = (row: number) => ev.find((e) => Number(e._row) === row)!;
          assert.deepEqual([at(1).utm_source, at(1).utm_medium, at(1).utm_campaign], ['newsletter', 'email', 'spring']);
          assert.deepEqual([at(4).utm_medium, at(4).gclid], ['organic', 'Cj0KCQiA-h2ga4']);
          assert.deepEqual([at(16).utm_source, at(16).utm_campaign, at(16).session_id], ['facebook', 'retarget', '2002.1772463600.1772546400']);
          assert.equal(at(8).session_id, '1001.1772359200.1772971200');
          assert.equal(at(12).session_id, '5005.1772701200.1772701200', "device B's session is its own");
          assert.deepEqual([at(18).currency, at(18).transaction_id], ['EUR', 'T2002']);
          assert.equal(at(19).utm_source, null, "traffic_source (cust-3's first acquisition) is no touch");
          // GA4's own attribution beside ours: T4004 is paid_search to GA4, direct to our last_touch
          assert.deepEqual(report.reported, [{ model: 'ga4_reported', conversions: 3 }]);
          assert.deepEqual(byChannel(cs, 'ga4_reported'), { paid_search: 2, referral: 1, '(not set)': 1 });
          const ga4Rev = Object.fromEntries(cs.filter((r) => r.model === 'ga4_reported').map((r) => [r.channel, Number(r.attributed_revenue)]));
          assert.deepEqual(ga4Rev, { paid_search: 150, referral: 80, '(not set)': 45.5 });
          const t4004 = out.credits.filter((c) => String(c.conversion_id).endsWith(':24')).map((c) => [c.model, c.channel, Number(c.credit)]);
          assert.deepEqual(t4004.filter(([m]) => m === 'last_touch' || m === 'ga4_reported'), [['last_touch', 'direct', 1], ['ga4_reported', 'paid_search', 1]]);
          assert.deepEqual(out.channel_summary.map((r) => r.model).filter((m, i, a) => a.indexOf(m) === i), [...MODELS, 'ga4_reported'], 'shown after the models');
          const rc = await engine.query(`SELECT channel_group, source, medium, campaign, channel FROM reported_conversions ORDER BY conversion_id`);
          assert.deepEqual(rc.map((r) => [r.channel_group, r.source, r.medium, r.campaign, r.channel]), [
            ['Referral', 'blog.partner.example', 'referral', '(referral)', 'referral'],
            ['Paid Search', 'google', 'cpc', 'brand', 'paid_search'],
            ['Paid Search', 'google', 'cpc', 'brand', 'paid_search'],
          ], 'conversion ids sort as text: rows 21, 24, 8 (T2002, row 18, has none)');
          rendered[`${form} ${name}`] = render(out, report.file);
        } finally {
          await engine.close();
        }
      });
    }
  }

  it('every form on both engines gives the same files', () => {
    const all = Object.entries(rendered);
    assert.equal(all.length, 6, 'all six runs passed');
    for (const [k, v] of all) assert.equal(v, all[0][1], `${k} = ${all[0][0]}`);
  });

  // the name is never read, on either engine (native only: a wasm run costs ten seconds here)
  it('shard names do not matter: daily, intraday or renamed', async () => {
    const outs: string[] = [];
    for (const file of ['events_20260301.ndjson', 'events_intraday_20260308.ndjson', 'ga4-export.jsonl']) {
      const { engine, report, out } = await attribute(openNativeDatabase, memorySource(file, NDJSON, 1000), { run: { models: MODELS } });
      assert.equal(report.preset, 'ga4', file);
      assert.match(report.layout, /^GA4 BigQuery export, nested NDJSON(, 1 daily file \(2026-03-01\)|, 1 intraday file \(2026-03-08\))?$/, file);
      outs.push(render(out, file));
      await engine.close();
    }
    assert.equal(outs[1], outs[0]);
    assert.equal(outs[2], outs[0]);
  });

  for (const [name, open] of ENGINES) {
    it(`ga4_reported without default_channel_group: source/medium through our rules; absent without the record (${name})`, async () => {
      // GA4's channel group removed: google/cpc -> medium_cpc -> paid_search; blog.partner.example/referral -> referral
      const noGroup = NDJSON.replace(/"(default|primary)_channel_group":"[^"]*"/g, '"$1_channel_group":null');
      let r = await attribute(open, memorySource('events_20260301.ndjson', noGroup, 1000), { run: { models: ['last_touch'] } });
      try {
        assert.deepEqual(byChannel(r.out.channel_summary, 'ga4_reported'), { paid_search: 2, referral: 1, '(not set)': 1 });
        assert.deepEqual(byChannel(r.out.channel_summary, 'last_touch'), { paid_search: 1, paid_social: 1, referral: 1, direct: 1 });
      } finally {
        await r.engine.close();
      }
      // no session_traffic_source_last_click at all (an older export): no comparison, and asking for it says why
      const none = NDJSON.split('\n').filter(Boolean).map((l) => {
        const o = JSON.parse(l) as Record<string, unknown>;
        delete o.session_traffic_source_last_click;
        return JSON.stringify(o);
      }).join('\n');
      r = await attribute(open, memorySource('events_20260301.ndjson', none, 1000), { run: { models: ['last_touch'] } });
      try {
        assert.equal(r.report.reported, undefined);
        assert.deepEqual([...new Set(r.out.channel_summary.map((x) => x.model))], ['last_touch']);
        await assert.rejects(r.engine.run({ models: ['ga4_reported'], rules: loadRules(), params: {} }), /ga4_reported is GA4's own figure read from the export, and this data has none/);
      } finally {
        await r.engine.close();
      }
    });

    it(`ga4_reported pseudonymised: the same figures (${name})`, async () => {
      const { engine, out } = await attribute(open, memorySource('events_20260301.csv', CSV, 1000), { import: { pseudonymize: { key: 'cd'.repeat(32) } }, run: { models: ['last_touch'] } });
      try {
        assert.deepEqual(byChannel(out.channel_summary, 'ga4_reported'), { paid_search: 2, referral: 1, '(not set)': 1 });
      } finally {
        await engine.close();
      }
    });

    it(`Parquet with the nested columns as text is refused with a clear message (${name})`, async () => {
      await assert.rejects(attribute(open, fileSourceFromPath(parquetTextFile)), /column collected_traffic_source is VARCHAR, expected a record \(STRUCT\).*from CSV or NDJSON/);
    });

    it(`pseudonymised: the composed session id holds no raw user_pseudo_id (${name})`, async () => {
      const key = 'ab'.repeat(32);
      const { engine, out } = await attribute(open, memorySource('events_20260301.ndjson', NDJSON, 1000), { import: { pseudonymize: { key } }, run: { models: MODELS } });
      try {
        const s = await engine.query('SELECT DISTINCT session_id FROM events');
        assert.equal(s.length, 8);
        for (const r of s) assert.ok(!/1001\.|2002\.|3003\.|4004\.|5005\./.test(String(r.session_id)), String(r.session_id));
        assert.deepEqual(byChannel(out.channel_summary, 'last_touch'), { paid_search: 1, paid_social: 1, referral: 1, direct: 1 });
      } finally {
        await engine.close();
      }
    });
  }
});
