/**
 * dbt-snowplow-fractribution's integration test, end to end on our engine:
 * its Snowplow atomic events imported with our importer (snowplow preset),
 * the snowplow-fractribution model preset run, and every expected file of the
 * package compared row by row (test/fixtures/peers/fractribution, NOTICE.md).
 *
 * Row order is compared only where the package defines it (nowhere: its
 * tables are unordered, its Python dicts follow query order), so rows are
 * matched as sorted multisets. Numbers match within 1e-9 relative or half a
 * unit of the last decimal the expected file was written with, whichever is
 * larger. Every column of every expected file is compared: referral_path,
 * campaign, source and medium come verbatim from the file's refr_urlpath and
 * mkt_* columns, which the preset keeps through the importer's keepColumns
 * (its source_fields); without them they would be our normalised values.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database, Row } from '../../common/db.ts';
import { Engine } from '../../common/engine.ts';
import { attributePaths, channelTotals, parsePathTransforms, runFractribution, type FractributionResult, FRACTRIBUTION_TABLES as T } from '../../common/fractribution.ts';
import { loadModelLibrary } from '../../worker/node/library.ts';
import { loadModelPreset } from '../../worker/node/fractribution.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { csv, memorySource, parseCsvText } from '../helpers.ts';

const DIR = fileURLToPath(new URL('../fixtures/peers/fractribution/', import.meta.url));

/** RFC 4180 CSV (quoted fields, "" escapes) into objects keyed by the header. */
function readCsv(name: string): Record<string, string>[] {
  const rows = parseCsvText(readFileSync(DIR + name, 'utf8'));
  const [header, ...data] = rows;
  return data.map((r) => {
    assert.equal(r.length, header.length, `${name}: ragged row ${r.join(',')}`);
    return Object.fromEntries(header.map((h, i) => [h.toLowerCase(), r[i]]));
  });
}

type Kind = 'text' | 'number' | 'timestamp';

/** Compares one value: '' in the expected file is NULL. */
function same(kind: Kind, actual: unknown, expected: string): boolean {
  if (expected === '') return actual === null || actual === undefined;
  if (kind === 'text') return actual === expected;
  if (kind === 'timestamp') return Date.parse(String(actual).replace(' ', 'T') + 'Z') === Date.parse(expected.replace(' ', 'T') + 'Z');
  const a = Number(actual);
  const e = Number(expected);
  const decimals = expected.includes('.') ? expected.split('.')[1].length : 0;
  const tol = Math.max(1e-9 * Math.abs(e), 0.5 * 10 ** -decimals);
  return actual !== null && Math.abs(a - e) <= tol;
}

/**
 * Matches actual rows to expected rows as multisets: each expected row must
 * find its own actual row with every listed column equal, and no row is left.
 */
function assertRows(label: string, actual: Row[], expected: Record<string, string>[], columns: Record<string, Kind>) {
  assert.equal(actual.length, expected.length, `${label}: ${actual.length} rows, expected ${expected.length}`);
  const left = [...actual];
  for (const e of expected) {
    const i = left.findIndex((a) => Object.entries(columns).every(([c, k]) => same(k, a[c], e[c])));
    assert.ok(i >= 0, `${label}: no row matches expected ${JSON.stringify(e)}; candidates ${JSON.stringify(left.slice(0, 5))}`);
    left.splice(i, 1);
  }
}

const ENGINES = [
  ['native', openNativeDatabase],
  ['wasm', openWasmDatabaseInNode],
] as const;

for (const [engineName, open] of ENGINES) {
  describe(`dbt-snowplow-fractribution integration fixture (${engineName})`, () => {
    let engine: Engine;
    let db: Database;
    let result: FractributionResult;
    const q = (sql: string) => db.all(sql);

    before(async () => {
      const preset = loadModelPreset('snowplow-fractribution');
      engine = new Engine(await open(), loadModelLibrary());
      db = engine.db;
      const text = readFileSync(DIR + 'snowplow_fractribution_events.csv', 'utf8');
      const report = await engine.openFile(memorySource('snowplow_fractribution_events.csv', text), preset.import);
      assert.equal(report.preset, 'snowplow');
      assert.equal(report.rowsLoaded, 98, 'every event is loaded');
      // The package's integration_tests/dbt_project.yml: window 2022-06-03..2022-08-01, lookback 30 days,
      // {'exposure_path': null}, lookback steps 0; run with shapley and with last_touch (attribution_type).
      result = await runFractribution(db, {
        models: preset.models,
        rules: preset.ruleSet,
        sourceFields: preset.source_fields,
        params: { ...preset.params, conversion_window_start_date: '2022-06-03', conversion_window_end_date: '2022-08-01' },
        attributionModels: ['shapley', 'last_touch'],
        defaultSpend: preset.default_spend,
      });
    });
    after(async () => engine?.close());

    it('sessions_by_customer_id, every column verbatim', async () => {
      assertRows('sessions', await q(`SELECT * FROM ${T.sessions}`), readCsv('snowplow_fractribution_sessions_by_customer_id_expected.csv'), {
        customer_id: 'text', visit_start_tstamp: 'text', channel: 'text', referral_path: 'text', campaign: 'text', source: 'text', medium: 'text',
      });
    });

    it('conversions_by_customer_id', async () => {
      assertRows('conversions', await q(`SELECT * FROM ${T.conversions}`), readCsv('snowplow_fractribution_conversions_by_customer_id_expected.csv'), {
        customer_id: 'text', conversion_tstamp: 'timestamp', revenue: 'number',
      });
    });

    it('paths_to_conversion and paths_to_non_conversion (exposure transform)', async () => {
      assertRows('paths_to_conversion', await q(`SELECT * FROM ${T.pathsToConversion}`), readCsv('snowplow_fractribution_paths_to_conversion_expected.csv'), {
        customer_id: 'text', conversion_tstamp: 'text', revenue: 'number', path: 'text', transformed_path: 'text',
      });
      assertRows('paths_to_non_conversion', await q(`SELECT * FROM ${T.pathsToNonConversion}`), readCsv('snowplow_fractribution_paths_to_non_conversion_expected.csv'), {
        customer_id: 'text', path: 'text', transformed_path: 'text',
      });
    });

    it('path_summary', async () => {
      assertRows('path_summary', await q(`SELECT * FROM ${T.pathSummary}`), readCsv('snowplow_fractribution_path_summary_expected.csv'), {
        transformed_path: 'text', conversions: 'number', non_conversions: 'number', revenue: 'number',
      });
    });

    it('channel_counts and channel_spend', async () => {
      assertRows('channel_counts', await q(`SELECT * FROM ${T.channelCounts}`), readCsv('snowplow_fractribution_channel_counts_expected.csv'), {
        channel: 'text', campaign: 'text', source: 'text', medium: 'text', number_of_sessions: 'number',
      });
      assertRows('channel_spend', await q(`SELECT * FROM ${T.channelSpend}`), readCsv('snowplow_fractribution_channel_spend_expected.csv'), { channel: 'text', spend: 'number' });
    });

    it('path_summary_with_channels (the package stores credits as DECIMAL(10,3))', async () => {
      const expected = readCsv('snowplow_fractribution_path_summary_with_channels_expected.csv');
      const channelCols = Object.keys(expected[0]).filter((k) => !['revenue', 'conversions', 'non_conversions', 'transformed_path', 'attribution_type'].includes(k));
      // Our table is long (one row per path and channel); pivot it to the package's wide layout.
      const long = await q(`SELECT * FROM ${T.pathAttribution}`);
      const wide = new Map<string, Row>();
      for (const r of long) {
        const key = `${r.attribution_type}|${r.transformed_path}`;
        const w = wide.get(key) ?? { attribution_type: r.attribution_type, transformed_path: r.transformed_path, revenue: r.revenue, conversions: r.conversions, non_conversions: r.non_conversions };
        w[String(r.channel).toLowerCase()] = Math.round(Number(r.attribution) * 1000) / 1000;
        wide.set(key, w);
      }
      const channels = new Set(long.map((r) => String(r.channel).toLowerCase()));
      assert.deepEqual([...channels].sort(), [...channelCols].sort(), 'one column per channel');
      assertRows('path_summary_with_channels', [...wide.values()], expected, {
        revenue: 'number', conversions: 'number', non_conversions: 'number', transformed_path: 'text', attribution_type: 'text',
        ...Object.fromEntries(channelCols.map((c) => [c, 'number' as Kind])),
      });
    });

    it('channel_attribution: fractribution ("shapley") and last touch', async () => {
      const rows = await q(`SELECT strftime(conversion_window_start_date, '%Y-%m-%d') AS conversion_window_start_date,
        strftime(conversion_window_end_date, '%Y-%m-%d') AS conversion_window_end_date, channel, conversions, revenue, attribution_type FROM ${T.channelAttribution}`);
      assertRows('channel_attribution', rows, readCsv('snowplow_fractribution_channel_attribution_expected.csv'), {
        conversion_window_start_date: 'text', conversion_window_end_date: 'text', channel: 'text', conversions: 'number', revenue: 'number', attribution_type: 'text',
      });
      // Exactly: Organic_Search > Direct converts 1 of 2; without Organic_Search (Direct) 3 of 28, without Direct 1 of 27.
      const organic = (0.5 - 3 / 28) / (0.5 - 3 / 28 + (0.5 - 1 / 27));
      const shapley = new Map(result.channelAttribution.filter((r) => r.attribution_type === 'shapley').map((r) => [r.channel, r]));
      assert.ok(Math.abs(shapley.get('Organic_Search')!.conversions - (1 + organic)) < 1e-12);
      assert.ok(Math.abs(shapley.get('Direct')!.revenue - (94.42 + 140 * (1 - organic))) < 1e-9);
    });

    it('report_table: spend and ROAS', async () => {
      const rows = await q(`SELECT channel, strftime(conversion_window_start_date, '%Y-%m-%d') AS conversion_window_start_date,
        strftime(conversion_window_end_date, '%Y-%m-%d') AS conversion_window_end_date, conversions, revenue, spend, roas, attribution_type FROM ${T.report}`);
      assertRows('report_table', rows, readCsv('snowplow_fractribution_report_table_expected.csv'), {
        channel: 'text', conversion_window_start_date: 'text', conversion_window_end_date: 'text', conversions: 'number', revenue: 'number',
        spend: 'number', roas: 'number', attribution_type: 'text',
      });
      assert.deepEqual(result.warnings, [], 'the events cover the window and every conversion has a path');
    });

    it('path transforms: the package unit test (test_path_transformations_expected)', async () => {
      const cases: [string, string, string | number | null][] = [
        ['trim_long_path_1', 'fr_trim_long_path(p, 1)', null],
        ['trim_long_path_2', 'fr_trim_long_path(p, 2)', null],
        ['unique_path', 'fr_unique_path(p)', null],
        ['frequency_path', 'fr_frequency_path(p)', null],
        ['exposure_path', 'fr_exposure_path(p)', null],
        ['first_path', 'fr_first_path(p)', null],
        ['remove_if_not_all_direct', 'fr_remove_if_not_all(p, $2)', 'Direct'],
        ['remove_if_last_and_not_all_direct', 'fr_remove_if_last_and_not_all(p, $2)', 'Direct'],
      ];
      const expected = readCsv('unit_path_transformations_expected.csv');
      assert.equal(expected.length, 7);
      for (const e of expected) {
        for (const [col, expr, arg] of cases) {
          const params = arg === null ? [e.raw_array] : [e.raw_array, arg];
          const r = await db.all(`SELECT array_to_string(${expr}, ' > ') AS out FROM (SELECT string_split($1, ' > ') AS p)`, params);
          assert.equal(r[0].out, e[col], `${col}('${e.raw_array}')`);
        }
      }
    });
  });
}

describe('fractribution attribution (fractribution.py semantics)', () => {
  it('a single-channel path gets its conversion probability, normalised to 1; none converting falls back to last touch', () => {
    const out = attributePaths([
      { transformed_path: 'A', conversions: 1, non_conversions: 3, revenue: 10 },
      { transformed_path: 'B > A', conversions: 0, non_conversions: 1, revenue: null },
      { transformed_path: 'A > B > A', conversions: 2, non_conversions: 0, revenue: 30 },
    ], 'shapley');
    const by = new Map(out.map((p) => [p.transformed_path, Object.fromEntries(p.attribution)]));
    assert.deepEqual(by.get('A'), { A: 1 });
    assert.deepEqual(by.get('B > A'), { B: 0, A: 1 }, 'no contribution: last touch');
    // A > B > A: p = 1; without A(1) -> B > A: 0; without B -> A > A: unknown 0; without A(3) -> A > B: 0. Equal thirds, A twice.
    const aba = by.get('A > B > A')!;
    assert.ok(Math.abs(aba.A - 2 / 3) < 1e-15 && Math.abs(aba.B - 1 / 3) < 1e-15);
    const totals = Object.fromEntries(channelTotals(out).map((t) => [t.channel, t]));
    assert.ok(Math.abs(totals.A.conversions - (1 + 4 / 3)) < 1e-12);
    assert.ok(Math.abs(totals.B.revenue - 10) < 1e-12);
  });
  it('frequency suffixes are folded into their channel; position based follows fractribution.py', () => {
    const f = attributePaths([{ transformed_path: 'A(2) > B(1)', conversions: 1, non_conversions: 0, revenue: 1 }], 'linear');
    assert.deepEqual(Object.fromEntries(f[0].attribution), { A: 0.5, B: 0.5 });
    const p = attributePaths([
      { transformed_path: 'A', conversions: 1, non_conversions: 0, revenue: 1 },
      { transformed_path: 'A > B', conversions: 1, non_conversions: 0, revenue: 1 },
      { transformed_path: 'A > B > C > D', conversions: 1, non_conversions: 0, revenue: 1 },
    ], 'position_based');
    const r = p.map((x) => Object.fromEntries([...x.attribution].map(([k, v]) => [k, Math.round(v * 1e12) / 1e12])));
    assert.deepEqual(r, [{ A: 1 }, { A: 0.5, B: 0.5 }, { A: 0.4, B: 0.1, C: 0.1, D: 0.4 }]);
  });
  it('path transforms are checked by name and argument', () => {
    assert.deepEqual(parsePathTransforms('exposure_path, remove_if_last_and_not_all:Direct'), [{ name: 'exposure_path' }, { name: 'remove_if_last_and_not_all', channel: 'Direct' }]);
    assert.throws(() => parsePathTransforms('exposure'), /unknown transform 'exposure' \(one of unique_path, exposure_path/);
    assert.throws(() => parsePathTransforms('remove_if_not_all'), /needs a channel/);
    assert.throws(() => parsePathTransforms('first_path:Direct'), /takes no channel/);
  });
});

describe('fractribution semantics on a hand-made Snowplow file (native)', () => {
  it('calendar-day lookback, same-day sessions after the conversion, non-converters, package NULL logic', async () => {
    const header = ['event_id', 'derived_tstamp', 'event_name', 'user_id', 'domain_userid', 'domain_sessionid', 'mkt_medium', 'mkt_source', 'mkt_campaign', 'tr_total'];
    const text = csv(header, [
      // c1 converts on 2022-01-31 01:00. 2021-12-31 is 31 calendar days back (out) though only 30 days and 1 hour
      // elapsed; 2022-01-01 23:00 is 30 calendar days back (in); a session later on 2022-01-31 counts too.
      ['e1', '2021-12-31T23:59:00Z', 'page_view', '', 'c1', 's1', 'email', 'news', 'jan', ''],
      ['e2', '2022-01-01T23:00:00Z', 'page_view', '', 'c1', 's2', 'cpc', 'google', '', ''],
      ['e3', '2022-01-31T00:30:00Z', 'page_view', '', 'c1', 's3', 'organic', 'google', '', ''],
      ['e4', '2022-01-31T00:31:00Z', 'page_view', '', 'c1', 's3', 'cpc', 'google', 'Brand terms', ''],
      ['e5', '2022-01-31T01:00:00Z', 'checkout', '', 'c1', 's3', '', '', '', '25.5'],
      ['e6', '2022-01-31T05:00:00Z', 'page_view', '', 'c1', 's4', 'social', 'fb', 'Retargeting Q1', ''],
      // u2 (a user id wins over the cookie) never converts: sessions within 30 days of their last one.
      ['e7', '2022-01-02T10:00:00Z', 'page_view', 'U2', 'c2', 's5', 'display', 'dv360', '', ''],
      ['e8', '2022-02-05T10:00:00Z', 'page_view', 'U2', 'c2', 's6', 'referral', 'news.example', '', ''],
      ['e9', '2022-02-06T10:00:00Z', 'page_view', 'U2', 'c2', 's7', '', '', '', ''],
    ]);
    const preset = loadModelPreset('snowplow-fractribution');
    const engine = new Engine(await openNativeDatabase(), loadModelLibrary());
    try {
      await engine.openFile(memorySource('mini.csv', text), preset.import);
      const r = await runFractribution(engine.db, {
        models: preset.models, rules: preset.ruleSet, attributionModels: ['shapley'], defaultSpend: null, spend: { Email: 0 },
        params: { ...preset.params, conversion_window_start_date: '2022-01-15', conversion_window_end_date: '2022-02-10', path_transforms: 'unique_path' },
      });
      const sessions = await engine.query(`SELECT customer_id, session_key, channel FROM ${T.sessions} ORDER BY visit_start_us`);
      assert.deepEqual(sessions.map((s) => [s.customer_id, s.channel]), [
        ['fc1', 'Email'], ['fc1', 'Other_Advertising'], ['uU2', 'Unmatched_Channel'], ['fc1', 'Organic_Search'], ['fc1', 'Paid_Social_Retargeting'],
        ['uU2', 'Referral'], ['uU2', 'Direct'],
      ], 'first page view per session; cpc or display without a campaign falls through as in the package');
      const paths = await engine.query(`SELECT customer_id, path FROM ${T.pathsToConversion} UNION ALL SELECT customer_id, path FROM ${T.pathsToNonConversion} ORDER BY 1`);
      assert.deepEqual(paths, [
        { customer_id: 'fc1', path: 'Other_Advertising > Organic_Search > Paid_Social_Retargeting' },
        { customer_id: 'uU2', path: 'Referral > Direct' },
      ]);
      const report = Object.fromEntries(r.report.map((x) => [x.channel, [x.spend, x.roas]]));
      assert.deepEqual(report.Direct, [null, null], 'unknown spend: no ROAS');
      assert.equal(r.channelSpend.find((x) => x.channel === 'Email')?.spend, 0);
    } finally {
      await engine.close();
    }
  });
});
