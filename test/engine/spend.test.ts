/**
 * Ad spend: the reader on the Fivetran layouts and on a generic file with
 * every reject reason, a Parquet twin, and ROAS / CPA per channel and per
 * campaign, hand-computed, on both engines.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { attribute, csv, memorySource } from '../helpers.ts';
import { importSpend, prepareSpendTables, readSpendRejects } from '../../common/spend.ts';
import { runSpendReports } from '../../common/spendReport.ts';
import type { Database, Row } from '../../common/db.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';

const lib = loadModelLibrary();
const fixtures = new URL('../fixtures/datasets/fivetran_ad_reporting/', import.meta.url);
const fixture = (f: string) => memorySource(f, readFileSync(new URL(f, fixtures)));
const round = (x: unknown) => (x === null ? null : Math.round(Number(x) * 1e9) / 1e9);

/** Loaded spend per channel and campaign: [spend, impressions, clicks, rows]. */
async function totals(db: Database): Promise<Record<string, number[]>> {
  const rows = await db.all('SELECT channel, campaign, sum(spend) AS s, sum(impressions) AS i, sum(clicks) AS c, count(*) AS n FROM spend GROUP BY ALL ORDER BY ALL');
  return Object.fromEntries(rows.map((r) => [`${r.channel}|${r.campaign}`, [round(r.s)!, Number(r.i), Number(r.c), Number(r.n)]]));
}

const GENERIC = csv(['date', 'channel', 'campaign', 'spend', 'impressions', 'clicks'], [
  ['2026-05-01', 'Paid_Search', 'Brand', '50', '1000', '40'],
  ['2026-05-02', 'paid_search', 'generic', '30', '500', '20'],
  ['2026-05-01', 'paid_social', 'spring', '0', '100', '3'],
  ['2026-05-01', 'display', 'retarget', '25', '2000', '10'],
  ['2026-13-01', 'display', 'x', '1', '', ''],
  ['', 'display', 'x', '1', '', ''],
  ['2026-05-01', ' (not set) ', 'x', '1', '', ''],
  ['2026-05-01', 'display', 'x', '1,5', '', ''],
  ['2026-05-01', 'display', 'x', '-2', '', ''],
  ['2026-05-01', 'display', 'x', '', '', ''],
  ['2026-05-01', 'display', 'x', '1', '2.5', ''],
]) + '2026-05-01,display,x,1\n';

let parquetFile = '';
before(async () => {
  // a Parquet twin of the valid generic rows, with typed columns (DATE, DOUBLE, BIGINT)
  const dir = mkdtempSync(path.join(tmpdir(), 'aw-spend-'));
  parquetFile = path.join(dir, 'spend.parquet');
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  await conn.run(`COPY (SELECT * FROM (VALUES (DATE '2026-05-01', 'paid_search', 'Brand', 50.0::DOUBLE, 1000::BIGINT, 40::BIGINT),
    (DATE '2026-05-02', 'paid_search', 'generic', 30.0::DOUBLE, 500::BIGINT, 20::BIGINT)) t(date, channel, campaign, spend, impressions, clicks))
    TO '${parquetFile}' (FORMAT parquet)`);
  conn.closeSync();
});

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`spend (${name})`, () => {
    it('reads every Fivetran layout: micros divided by 1e6, platform channels, campaign ids or names', async () => {
      const db = await open();
      try {
        await prepareSpendTables(db);
        const reports = [];
        for (const f of ['google_ads_campaign_stats_data.csv', 'facebook_ads_basic_ad_data.csv', 'linkedin_ad_analytics_by_campaign_data.csv',
          'pinterest_campaign_report_data.csv', 'apple_search_campaign_report_data.csv', 'amazon_ads_campaign_level_report_data.csv']) {
          reports.push(await importSpend(db, fixture(f), lib.get('spend')!, { channels: { amazon_ads: 'marketplace' } }));
        }
        assert.deepEqual(reports.map((r) => [r.layout, r.rowsRead, r.rowsLoaded, r.rejectsByReason, round(r.spend)]), [
          ['google_ads', 16, 16, {}, 231.33],
          ['facebook_ads', 10, 10, {}, 643.63],
          ['linkedin_ads', 20, 20, {}, 530.62],
          ['pinterest_ads', 5, 5, {}, 12.375],
          ['apple_search_ads', 12, 12, {}, 100],
          ['amazon_ads', 10, 10, {}, 1.67],
        ]);
        assert.deepEqual([reports[2].from, reports[2].to], ['2020-03-23', '2021-05-25'], 'LinkedIn day timestamps read as dates');
        const t = await totals(db);
        // sums from the fixtures (NOTICE.md): e.g. Google 231.33 = sum(cost_micros) / 1e6, 1854 impressions, 280 clicks
        assert.deepEqual(t['paid_search|9935249409'], [231.33, 1854, 280, 16]);
        assert.deepEqual(t['paid_social|'], [643.63, 37275, 149, 10], 'Facebook ad rows have no campaign');
        assert.deepEqual(t['paid_social|summer fashion collection'], [12.375, 82500, 2475, 5]);
        assert.deepEqual(t['paid_search|973923054'], [100, 6336, 129, 12]);
        assert.deepEqual(t['marketplace|2187'], [1.67, 1095, 2, 10], '--spend-channel overrides the layout channel');
        const li = Object.entries(t).filter(([k]) => k.startsWith('paid_social|1')).reduce((a, [, v]) => a + v[0], 0);
        assert.equal(round(li), 530.62);
      } finally {
        await db.close();
      }
    });

    it('generic file: one reason per bad row with row and line numbers; CSV and Parquet agree', async () => {
      const db = await open();
      try {
        await prepareSpendTables(db);
        const r = await importSpend(db, memorySource('spend.csv', GENERIC), lib.get('spend')!);
        assert.equal(r.layout, 'generic');
        assert.deepEqual([r.rowsRead, r.rowsLoaded], [12, 4]);
        assert.deepEqual(r.rejectsByReason, { invalid_count: 1, invalid_date: 2, invalid_spend: 3, missing_channel: 1, ragged_row: 1 });
        const rejects = await readSpendRejects(db);
        assert.deepEqual(rejects.map((x: Row) => [x.row_number, x.line, x.reason, x.detail]), [
          [5, 6, 'invalid_date', "date '2026-13-01' is not YYYY-MM-DD"],
          [6, 7, 'invalid_date', 'date is empty'],
          [7, 8, 'missing_channel', 'channel is empty'],
          [8, 9, 'invalid_spend', "spend '1,5' is not a number (use a dot for decimals, no thousands separators)"],
          [9, 10, 'invalid_spend', 'spend -2 is negative or not finite'],
          [10, 11, 'invalid_spend', 'spend is empty'],
          [11, 12, 'invalid_count', "impressions '2.5' / clicks '': counts must be whole numbers >= 0"],
          [12, 13, 'ragged_row', '4 fields, header has 6 (column 5)'],
        ]);
        // the raw row is its fields joined by the delimiter, as in rejects.csv
        assert.equal(rejects[3].raw, '2026-05-01,display,x,1,5,,');
        assert.deepEqual(await totals(db), {
          'display|retarget': [25, 2000, 10, 1],
          'paid_search|brand': [50, 1000, 40, 1],
          'paid_search|generic': [30, 500, 20, 1],
          'paid_social|spring': [0, 100, 3, 1],
        });
        await prepareSpendTables(db);
        const p = await importSpend(db, fileSourceFromPath(parquetFile), lib.get('spend')!);
        assert.deepEqual([p.layout, p.rowsRead, p.rowsLoaded, p.from, p.to], ['generic', 2, 2, '2026-05-01', '2026-05-02']);
        assert.deepEqual(await totals(db), { 'paid_search|brand': [50, 1000, 40, 1], 'paid_search|generic': [30, 500, 20, 1] });
      } finally {
        await db.close();
      }
    });

    it('ROAS and CPA per model and channel, and per campaign of the credited touch', async () => {
      const h = ['event_id', 'event_ts', 'event_name', 'user_id', 'session_id', 'utm_medium', 'utm_campaign', 'revenue'];
      const events = csv(h, [
        ['a1', '2026-05-01T10:00:00Z', 'page_view', 'u1', 'a1', 'cpc', 'brand', ''],
        ['c1', '2026-05-02T10:00:00Z', 'purchase', 'u1', '', '', '', 100],
        ['b1', '2026-05-01T10:00:00Z', 'page_view', 'u2', 'b1', 'cpc', 'Generic', ''],
        ['b2', '2026-05-02T10:00:00Z', 'page_view', 'u2', 'b2', 'email', '', ''],
        ['c2', '2026-05-03T10:00:00Z', 'purchase', 'u2', '', '', '', 60],
        ['d1', '2026-05-01T10:00:00Z', 'page_view', 'u3', 'd1', 'paid_social', 'spring', ''],
        ['c3', '2026-05-02T10:00:00Z', 'purchase', 'u3', '', '', '', 30],
        ['c4', '2026-05-02T10:00:00Z', 'purchase', 'u4', '', '', '', 10],
      ]);
      const models = ['last_touch', 'linear'];
      const { engine } = await attribute(open, memorySource('ev.csv', events), { run: { models } });
      try {
        await prepareSpendTables(engine.db);
        await importSpend(engine.db, memorySource('spend.csv', GENERIC), lib.get('spend')!);
        const r = await runSpendReports(engine.db, lib, { models, rules: loadRules(), params: {} });
        const pick = (rows: Row[], keys: string[]) => rows.map((x) => [...keys.map((k) => x[k]), round(x.attributed_conversions), round(x.attributed_revenue), x.spend, round(x.roas), round(x.cpa), x.note]);
        // last touch: paid_search gets c1 (100); c2 goes to email. Spend paid_search 50 + 30 = 80:
        // ROAS 100 / 80 = 1.25, CPA 80 / 1 = 80. linear: paid_search 1 + 0.5 = 1.5 conversions,
        // 100 + 60 / 2 = 130 revenue: ROAS 130 / 80 = 1.625, CPA 80 / 1.5 = 53.333333333.
        // paid_social spent 0: no ROAS or CPA; display spent 25 for nothing: ROAS 0, no CPA.
        assert.deepEqual(pick(r.spend_report, ['model', 'channel', 'conversion_kind']), [
          ['last_touch', 'direct', 'purchase', 1, 10, 0, null, null, 'no spend rows for this channel'],
          ['last_touch', 'display', 'purchase', 0, 0, 25, 0, null, 'no attributed conversions: CPA undefined'],
          ['last_touch', 'email', 'purchase', 1, 60, 0, null, null, 'no spend rows for this channel'],
          ['last_touch', 'paid_search', 'purchase', 1, 100, 80, 1.25, 80, null],
          ['last_touch', 'paid_social', 'purchase', 1, 30, 0, null, null, 'spend is 0'],
          ['linear', 'direct', 'purchase', 1, 10, 0, null, null, 'no spend rows for this channel'],
          ['linear', 'display', 'purchase', 0, 0, 25, 0, null, 'no attributed conversions: CPA undefined'],
          ['linear', 'email', 'purchase', 0.5, 30, 0, null, null, 'no spend rows for this channel'],
          ['linear', 'paid_search', 'purchase', 1.5, 130, 80, 1.625, 53.333333333, null],
          ['linear', 'paid_social', 'purchase', 1, 30, 0, null, null, 'spend is 0'],
        ]);
        assert.deepEqual(r.spend_report.find((x) => x.channel === 'paid_search')?.impressions, 1500);
        // per campaign (utm_campaign of the credited touch, lower-case like the spend file's):
        // brand: 1 conversion, 100, spend 50 -> ROAS 2, CPA 50 in both models;
        // generic: last touch 0 (ROAS 0), linear 0.5 and 30 -> ROAS 1, CPA 60.
        assert.deepEqual(pick(r.campaign_report, ['model', 'channel', 'campaign']), [
          ['last_touch', 'direct', '', 1, 10, 0, null, null, 'no spend rows for this campaign'],
          ['last_touch', 'display', 'retarget', 0, 0, 25, 0, null, 'no attributed conversions: CPA undefined'],
          ['last_touch', 'email', '', 1, 60, 0, null, null, 'no spend rows for this campaign'],
          ['last_touch', 'paid_search', 'brand', 1, 100, 50, 2, 50, null],
          ['last_touch', 'paid_search', 'generic', 0, 0, 30, 0, null, 'no attributed conversions: CPA undefined'],
          ['last_touch', 'paid_social', 'spring', 1, 30, 0, null, null, 'spend is 0'],
          ['linear', 'direct', '', 1, 10, 0, null, null, 'no spend rows for this campaign'],
          ['linear', 'display', 'retarget', 0, 0, 25, 0, null, 'no attributed conversions: CPA undefined'],
          ['linear', 'email', '', 0.5, 30, 0, null, null, 'no spend rows for this campaign'],
          ['linear', 'paid_search', 'brand', 1, 100, 50, 2, 50, null],
          ['linear', 'paid_search', 'generic', 0.5, 30, 30, 1, 60, null],
          ['linear', 'paid_social', 'spring', 1, 30, 0, null, null, 'spend is 0'],
        ]);
        assert.deepEqual(r.skippedForCampaigns, []);
      } finally {
        await engine.close();
      }
    });
  });
}
