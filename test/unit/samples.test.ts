/**
 * The sample generator: determinism, exact row count, every bad-row kind,
 * and a Parquet twin holding the same rows in the same order.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsvText } from '../helpers.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generate, COLUMNS, abbreviateCount, type GenerateResult } from '../../samples/generate.ts';

const N = 2000;
let dir = '';
let first: GenerateResult;
let second: GenerateResult;
let header: string[] = [];
let rows: Record<string, string>[] = [];

/** The generator's CSV, read by the tests' own RFC 4180 reader; it must end with a line break. */
function parseCsv(text: string): string[][] {
  assert.ok(text.endsWith('\n'), 'file must end with a line break');
  return parseCsvText(text);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samples-test-'));
  first = await generate({ events: N, outDir: join(dir, 'a'), name: 'ev' });
  second = await generate({ events: N, outDir: join(dir, 'b'), name: 'ev' });
  const [h, ...data] = parseCsv(readFileSync(first.csvPath!, 'utf8'));
  header = h;
  rows = data.map((r) => {
    assert.equal(r.length, COLUMNS.length, `row ${r.join(',')}`);
    return Object.fromEntries(h.map((c, i) => [c, r[i]]));
  });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('same arguments give byte-identical files', () => {
  assert.ok(readFileSync(first.csvPath!).equals(readFileSync(second.csvPath!)), 'CSV differs');
  assert.ok(readFileSync(first.parquetPath!).equals(readFileSync(second.parquetPath!)), 'Parquet differs');
  const untimed = (s: typeof first.stats) => ({ ...s, seconds: 0, csvSeconds: 0, parquetSeconds: 0 });
  assert.deepEqual(untimed(first.stats), untimed(second.stats));
});

test('a different seed gives different data', async () => {
  const other = await generate({ events: N, outDir: join(dir, 'c'), name: 'ev', seed: 7, formats: ['csv'] });
  assert.equal(other.parquetPath, null);
  assert.ok(!readFileSync(first.csvPath!).equals(readFileSync(other.csvPath!)));
});

test('header and exact row count', () => {
  assert.deepEqual(header, [...COLUMNS]);
  assert.equal(rows.length, N);
  assert.equal(first.stats.events, N);
  assert.ok(!readFileSync(first.csvPath!, 'utf8').includes('\r'), 'LF line ends only');
});

test('every bad-row kind occurs and matches the stats', () => {
  const bad = first.stats.badRows;
  const seen = new Map<string, number>();
  let dups = 0;
  for (const r of rows) {
    const prev = seen.get(r.event_id);
    if (prev !== undefined) {
      dups++;
      // An exact repeat of an earlier row, at a later time.
      assert.ok(Date.parse(r.event_ts) > prev, `duplicate ${r.event_id} must be later`);
    } else seen.set(r.event_id, Date.parse(r.event_ts));
  }
  const emptyTs = rows.filter((r) => r.event_ts === '').length;
  const invalidTs = rows.filter((r) => r.event_ts === 'not-a-date').length;
  const noIdentity = rows.filter((r) => r.user_id === '' && r.anon_id === '').length;
  const negative = rows.filter((r) => r.event_name === 'purchase' && Number(r.revenue) < 0).length;
  for (const [kind, n] of Object.entries({ dups, emptyTs, invalidTs, noIdentity, negative })) assert.ok(n >= 1, `no ${kind} row`);
  assert.deepEqual(
    [dups, emptyTs, invalidTs, noIdentity, negative],
    [bad.duplicateEventId, bad.emptyTimestamp, bad.invalidTimestamp, bad.missingIdentity, bad.negativeRevenue],
  );
  // Only the kinds above: revenue is numeric or empty everywhere.
  for (const r of rows) assert.ok(r.revenue === '' || Number.isFinite(Number(r.revenue)), r.revenue);
});

test('rows are sorted by event_ts then event_id (bad timestamps aside)', () => {
  let last = '';
  for (const r of rows) {
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(r.event_ts)) continue;
    const key = `${r.event_ts} ${r.event_id}`;
    assert.ok(key >= last, `${key} after ${last}`);
    last = key;
  }
  assert.ok(rows[0].event_ts >= '2026-01-01' && last < '2026-04-01');
});

test('realistic shape: identities, sessions, conversions, traffic', () => {
  const s = first.stats;
  assert.ok(s.people > 0 && s.loggedInPeople > 0 && s.conversions > 0);
  assert.ok(s.touchlessConversions >= 1 && s.directOnlyConversions >= 1 && s.sharedDevices >= 1);
  const withSession = rows.filter((r) => r.session_id !== '').length / rows.length;
  assert.ok(withSession > 0.45 && withSession < 0.75, `session share ${withSession}`);
  const usersPerAnon = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!r.anon_id || !r.user_id) continue;
    const set = usersPerAnon.get(r.anon_id) ?? new Set();
    set.add(r.user_id);
    usersPerAnon.set(r.anon_id, set);
  }
  assert.ok([...usersPerAnon.values()].some((u) => u.size > 1), 'a shared device');
  assert.ok(rows.some((r) => r.utm_medium === ' email '), 'padded medium');
  assert.ok(rows.some((r) => r.utm_source === '' && r.page_url.includes('utm_source=')), 'utm in page_url only');
  assert.ok(rows.some((r) => /[",]/.test(r.utm_term) || /[",]/.test(r.utm_content)), 'a field that needs quoting');
  for (const r of rows.filter((x) => x.event_name === 'purchase')) assert.equal(r.currency, 'EUR');
});

test('Parquet holds the CSV rows, typed, in the same order', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const path = first.parquetPath!.replaceAll("'", "''");
    const types = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)).getRowObjectsJS();
    const typeOf = Object.fromEntries(types.map((t) => [String(t.column_name), String(t.column_type)]));
    assert.deepEqual(Object.keys(typeOf), [...COLUMNS]);
    assert.equal(typeOf.event_ts, 'TIMESTAMP');
    assert.equal(typeOf.revenue, 'DOUBLE');
    assert.equal(typeOf.event_id, 'VARCHAR');

    const reader = await conn.runAndReadAll(
      `SELECT event_id, event_ts IS NULL AS no_ts FROM read_parquet('${path}', file_row_number = true) ORDER BY file_row_number`,
    );
    const pq = reader.getRowObjectsJS();
    assert.equal(pq.length, rows.length);
    assert.deepEqual(pq.map((r) => r.event_id), rows.map((r) => r.event_id));
    const badTs = first.stats.badRows.emptyTimestamp + first.stats.badRows.invalidTimestamp;
    assert.equal(pq.filter((r) => r.no_ts).length, badTs);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});

test('default names abbreviate the count', () => {
  assert.equal(abbreviateCount(20000), '20k');
  assert.equal(abbreviateCount(1_000_000), '1m');
  assert.equal(abbreviateCount(10_000_000), '10m');
  assert.equal(abbreviateCount(1500), '1.5k');
  assert.equal(abbreviateCount(1234), '1234');
});
