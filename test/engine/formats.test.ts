/**
 * Every input format gives the same numbers: the tiny sample as CSV, TSV,
 * NDJSON and Parquet. And a real Snowplow atomic-events export is recognised
 * by its columns and loaded with its duplicates counted, not dropped.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attribute, memorySource, openToolDatabase, parseCsvText } from '../helpers.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { toCsv } from '../../common/csvWrite.ts';
import { OUTPUT_COLUMNS } from '../../common/pipeline.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));


describe('formats give the same numbers', () => {
  const text = readFileSync(`${root}samples/tiny.csv`, 'utf8');
  const [cols, ...rows] = parseCsvText(text);
  const tsv = [cols.join('\t'), ...rows.map((r) => r.join('\t'))].join('\n') + '\n';
  const ndjson = rows.map((r) => JSON.stringify(Object.fromEntries(cols.map((c, i) => [c, r[i] === '' ? null : c === 'revenue' && r[i] !== '' ? Number(r[i]) : r[i]])))).join('\n') + '\n';
  for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
    it(`CSV, TSV, NDJSON and Parquet (${name})`, async () => {
      const results: Record<string, string> = {};
      const sources = {
        csv: memorySource('tiny.csv', text, 65536),
        tsv: memorySource('tiny.tsv', tsv, 65536),
        ndjson: memorySource('tiny.ndjson', ndjson, 65536),
        parquet: fileSourceFromPath(`${root}samples/tiny.parquet`),
      };
      for (const [fmt, src] of Object.entries(sources)) {
        const { engine, out, report } = await attribute(open, src);
        results[fmt] = toCsv([...OUTPUT_COLUMNS.channel_summary], out.channel_summary) + toCsv([...OUTPUT_COLUMNS.conversions], out.conversions);
        assert.equal(report.rowsRead, 1000, fmt);
        assert.equal(Object.values(report.rejectsByReason).reduce((a, b) => a + b, 0), 5, `${fmt} rejects`);
        await engine.close();
      }
      // many staging batches (a duplicate's first sighting in an earlier batch) = one batch
      const batched = await attribute(open, memorySource('tiny.csv', text, 65536), { import: { batchSize: 97 } });
      results.batched = toCsv([...OUTPUT_COLUMNS.channel_summary], batched.out.channel_summary) + toCsv([...OUTPUT_COLUMNS.conversions], batched.out.conversions);
      const single = await attribute(open, memorySource('tiny.csv', text, 65536));
      assert.deepEqual(batched.out.rejects, single.out.rejects);
      await batched.engine.close();
      await single.engine.close();
      assert.equal(results.batched, results.csv, '97-row batches = one batch');
      assert.equal(results.tsv, results.csv, 'TSV = CSV');
      assert.equal(results.ndjson, results.csv, 'NDJSON = CSV');
      assert.equal(results.parquet, results.csv, 'Parquet = CSV');
      assert.match(results.csv, /attributed/);
    });
  }
});

describe('wasm engine: Parquet in many staging batches, compressed storage', () => {
  it('gives the native numbers, rejects and row numbers', async () => {
    // samples/sample.parquet rewritten with 2,048-row groups: with batches of >= 5,000 rows
    // the wasm engine stages it in four-group batches plus a short last one.
    const dir = mkdtempSync(path.join(tmpdir(), 'aw-rg-'));
    const file = path.join(dir, 'small_groups.parquet');
    // a plain DuckDB: the engines may not read or write paths from SQL (common/db.ts)
    const nat = await openToolDatabase();
    await nat.run(`COPY (SELECT * FROM read_parquet('${root}samples/sample.parquet')) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
    const groups = await nat.all(`SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata('${file}')`);
    assert.ok(Number(groups[0].n) >= 9, `row groups ${groups[0].n}`);
    await nat.close();
    const render = (out: Awaited<ReturnType<typeof attribute>>['out']) =>
      toCsv([...OUTPUT_COLUMNS.channel_summary], out.channel_summary) + toCsv([...OUTPUT_COLUMNS.conversions], out.conversions) + toCsv([...OUTPUT_COLUMNS.rejects], out.rejects);
    const a = await attribute(openNativeDatabase, fileSourceFromPath(`${root}samples/sample.parquet`));
    const b = await attribute(() => openWasmDatabaseInNode({ compressAboveRows: 0, minBatchRows: 5000 }), fileSourceFromPath(file));
    try {
      assert.equal(b.report.rowsRead, a.report.rowsRead);
      assert.deepEqual(b.report.rejectsByReason, a.report.rejectsByReason);
      assert.equal(render(b.out).replaceAll('small_groups.parquet', 'sample.parquet'), render(a.out));
      const storage = await b.engine.query(`SELECT current_database() AS db`);
      assert.equal(storage[0].db, 'aw', 'tables live in the compressed database');
    } finally {
      await a.engine.close();
      await b.engine.close();
    }
  });
});

describe('Snowplow atomic events (dbt-snowplow-web fixture)', () => {
  it('is recognised by its columns, mapped, and its 160 rows all accounted for', async () => {
    const src = fileSourceFromPath(`${root}test/fixtures/datasets/snowplow_web_events/snowplow_web_events.csv`);
    const { engine, report } = await attribute(openNativeDatabase, src, { run: { models: ['last_touch'] } });
    try {
      assert.equal(report.preset, 'snowplow');
      assert.equal(report.mapping.anon_id, 'domain_userid');
      assert.equal(report.mapping.session_id, 'domain_sessionid');
      assert.equal(report.mapping.event_ts, 'derived_tstamp');
      assert.equal(report.mapping.utm_medium, 'mkt_medium');
      assert.equal(report.rowsRead, 160);
      const rejected = Object.values(report.rejectsByReason).reduce((a, b) => a + b, 0);
      assert.equal(report.rowsLoaded + rejected, 160, 'every row is loaded or rejected');
      const dup = await engine.query('SELECT count(*) - count(DISTINCT event_id) AS d FROM (SELECT event_id FROM events UNION ALL SELECT regexp_extract(raw, \'^event_id=([^,]*)\', 1) FROM rejects WHERE reason = \'duplicate_event_id\')');
      assert.ok(Number(dup[0].d) === Number(report.rejectsByReason.duplicate_event_id ?? 0), 'each duplicate repeats a loaded event id');
      const s = await engine.query('SELECT count(DISTINCT session_id) AS n FROM events');
      assert.ok(Number(s[0].n) >= 40 && Number(s[0].n) <= 46, `sessions ${s[0].n}`);
      // mkt_medium display with a gclid in page_url is paid search (spec rule 1 comes first), without one display.
      const ch = await engine.query(`SELECT e.utm_medium, e.gclid IS NOT NULL AS has_gclid, t.channel, t.rule_id, count(*) AS n
        FROM touch_events t JOIN events_p e USING (event_id) WHERE e.utm_medium IS NOT NULL GROUP BY ALL ORDER BY ALL`);
      for (const r of ch) {
        if (r.has_gclid) assert.deepEqual([r.channel, r.rule_id], ['paid_search', 'click_id_search']);
        else if (r.utm_medium === 'display') assert.equal(r.channel, 'display');
        else if (r.utm_medium === 'ppc') assert.equal(r.channel, 'paid_search');
      }
      assert.ok(ch.some((r) => r.has_gclid) && ch.some((r) => r.utm_medium === 'ppc'), JSON.stringify(ch));
    } finally {
      await engine.close();
    }
  });
});

describe('a browser File (Blob) as input', () => {
  it('reads CSV and Parquet through Blob streams, like web mode does', async () => {
    const { fileSourceFromBlob } = await import('../../common/import/source.ts');
    for (const f of ['tiny.csv', 'tiny.parquet']) {
      const bytes = readFileSync(`${root}samples/${f}`);
      const src = fileSourceFromBlob(new Blob([bytes]), f);
      const { engine, report } = await attribute(openWasmDatabaseInNode, src, { run: { models: ['linear'] } });
      assert.equal(report.rowsRead, 1000, f);
      assert.equal(report.conversions, 9, f);
      await engine.close();
    }
  });
});

describe('keepColumns: a file\'s own values beside the events', () => {
  for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
    it(`carries named columns verbatim from CSV and Parquet, keyed like events (${name})`, async () => {
      const text = readFileSync(`${root}samples/tiny.csv`, 'utf8');
      const [cols, ...rows] = parseCsvText(text);
      const src = cols.indexOf('utm_source');
      const camp = cols.indexOf('utm_campaign');
      for (const source of [memorySource('tiny.csv', text, 65536), fileSourceFromPath(`${root}samples/tiny.parquet`)]) {
        const { engine, report } = await attribute(open, source, { import: { keepColumns: ['UTM_Source', 'utm_campaign', 'no_such_column'] } });
        const extras = await engine.db.all('SELECT _row, utm_source, utm_campaign, no_such_column FROM event_extras ORDER BY _row');
        // one row per data row, rejects included, each with the file's text as written (an empty field is NULL)
        assert.equal(extras.length, rows.length, source.name);
        for (const [i, r] of rows.entries()) {
          assert.equal(Number(extras[i]._row), i + 1);
          assert.equal(extras[i].utm_source, r[src] === '' ? null : r[src], `${source.name} row ${i + 1} utm_source`);
          assert.equal(extras[i].utm_campaign, r[camp] === '' ? null : r[camp], `${source.name} row ${i + 1} utm_campaign`);
          assert.equal(extras[i].no_such_column, null);
        }
        // verbatim, unlike the event's normalised field: some raw value differs from its event value
        const differ = await engine.db.all(`SELECT count(*) AS n FROM events e JOIN event_extras x USING (_file, _row)
          WHERE x.utm_source IS DISTINCT FROM e.utm_source`);
        assert.ok(Number(differ[0].n) > 0, 'raw and normalised differ somewhere');
        assert.ok(report.warnings.some((w) => w.includes("'no_such_column'")), report.warnings.join('; '));
        await engine.close();
      }
    });
  }
});
