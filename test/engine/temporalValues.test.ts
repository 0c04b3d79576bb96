/**
 * Dates and timestamps come out of both engines as the same ISO text (UTC,
 * millisecond precision), so a SQL cell's dates read the same in a grid, a
 * chart or a CSV export whichever engine ran it. Arrow (the wasm engine)
 * hands them over as epoch milliseconds; the native engine as Dates.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../common/db.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';

const SQL = `SELECT DATE '2026-01-02' AS d, DATE '1850-03-04' AS old, TIMESTAMP '2026-01-02 03:04:05.123456' AS ts,
  TIMESTAMPTZ '2026-01-02 03:04:05+00' AS tz, TIMESTAMP_NS '2026-01-02 03:04:05.123456789' AS ns,
  TIMESTAMP_S '2026-01-02 03:04:05' AS s, TIMESTAMP_MS '2026-01-02 03:04:05.5' AS ms,
  TIMESTAMP '1969-12-31 23:59:59.9995' AS before_epoch, NULL::DATE AS none, 42 AS n, 'text' AS t`;

const EXPECTED = {
  d: '2026-01-02T00:00:00.000Z',
  old: '1850-03-04T00:00:00.000Z',
  ts: '2026-01-02T03:04:05.123Z',
  tz: '2026-01-02T03:04:05.000Z',
  ns: '2026-01-02T03:04:05.123Z',
  s: '2026-01-02T03:04:05.000Z',
  ms: '2026-01-02T03:04:05.500Z',
  before_epoch: '1970-01-01T00:00:00.000Z',
  none: null,
  n: 42,
  t: 'text',
};

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as [string, () => Promise<Database>][]) {
  describe(`temporal values (${name})`, () => {
    it('dates and timestamps are ISO text, the same from both engines', async () => {
      const db = await open();
      try {
        assert.deepEqual(await db.all(SQL), [EXPECTED]);
        // bound parameters take the other path through the wasm adapter (a prepared statement)
        assert.deepEqual(await db.all('SELECT CAST($1 AS DATE) AS d, CAST($2 AS TIMESTAMP) AS ts', ['2026-01-02', '2026-01-02 03:04:05']), [{ d: EXPECTED.d, ts: '2026-01-02T03:04:05.000Z' }]);
      } finally {
        await db.close();
      }
    });
  });
}
