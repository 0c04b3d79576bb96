/**
 * Layout expansion (common/import/expand.ts) on its own: nested cells as
 * flat columns, per row choices, long integers kept, bad cells rejected.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandBatch, expandReader, planExpansion, type Expansion } from '../../common/import/expand.ts';
import { resolveMapping } from '../../common/import/columns.ts';
import { ga4 } from '../../common/import/layouts/ga4.ts';
import type { RecordBatch, RecordReader } from '../../common/import/records.ts';

const EXP: Expansion = {
  keyValue: [{ column: 'event_params', keys: ['ga_session_id', 'page_location', 'value'], valueFields: ['string_value', 'int_value', 'double_value'] }],
  objects: [{ column: 'cts', paths: ['manual_source', 'deep.x'] }],
  firstOf: [{ name: 'pick', from: ['cts.manual_source', 'event_params.page_location', 'absent'] }],
};

const batchOf = (rows: string[][]): RecordBatch => ({
  columns: rows[0]!.map((_, c) => rows.map((r) => r[c]!)),
  rowNumbers: rows.map((_, i) => i + 1),
  lines: rows.map((_, i) => i + 2),
  rowCount: rows.length,
  rejects: [],
});

describe('layout expansion', () => {
  it('adds one column per key and path, after the file\'s own', () => {
    const p = planExpansion(['ts', 'event_params', 'cts'], EXP);
    assert.deepEqual(p.header, ['ts', 'event_params', 'cts', 'cts.manual_source', 'cts.deep.x', 'event_params.ga_session_id', 'event_params.page_location', 'event_params.value', 'pick']);
  });

  it('does not add a path NDJSON has already flattened to a dot column', () => {
    const p = planExpansion(['ts', 'event_params', 'cts.manual_source'], EXP);
    assert.deepEqual(p.header.slice(3), ['cts.deep.x', 'event_params.ga_session_id', 'event_params.page_location', 'event_params.value', 'pick']);
  });

  it('reads string, int (as number or string) and double values; long integers keep every digit', () => {
    const header = ['ts', 'event_params', 'cts'];
    const p = planExpansion(header, EXP);
    const kv = (k: string, v: Record<string, unknown>) => ({ key: k, value: { string_value: null, int_value: null, double_value: null, ...v } });
    const b = expandBatch(batchOf([
      ['1', JSON.stringify([kv('ga_session_id', { int_value: 1772359200 }), kv('value', { double_value: 45.5 })]), '{"manual_source":"google","deep":{"x":7}}'],
      ['2', JSON.stringify([kv('ga_session_id', { string_value: '1772359200' }), kv('value', { int_value: '80' }), kv('page_location', { string_value: 'https://a/' })]), ''],
      ['3', '[{"key":"ga_session_id","value":{"int_value":9007199254740993123}}]', 'null'],
    ]), p, header, ',');
    const col = (name: string) => b.columns[p.header.indexOf(name)];
    assert.deepEqual(col('event_params.ga_session_id'), ['1772359200', '1772359200', '9007199254740993123']);
    assert.deepEqual(col('event_params.value'), ['45.5', '80', '']);
    assert.deepEqual(col('cts.manual_source'), ['google', '', '']);
    assert.deepEqual(col('cts.deep.x'), ['7', '', '']);
    // first non-empty of the candidates, per row
    assert.deepEqual(col('pick'), ['google', 'https://a/', '']);
  });

  it('a cell that is not JSON of the expected shape is an invalid_json reject naming the column', () => {
    const header = ['ts', 'event_params', 'cts'];
    const p = planExpansion(header, EXP);
    const b = expandBatch(batchOf([['1', '[]', '{"manual_source":"a"}'], ['2', '[{"key":', ''], ['3', '[]', '["not","an","object"]'], ['4', '[]', '']]), p, header, ';');
    assert.equal(b.rowCount, 2);
    assert.deepEqual(b.rowNumbers, [1, 4]);
    assert.deepEqual(b.columns[p.header.indexOf('cts.manual_source')], ['a', '']);
    assert.deepEqual(b.rejects.map((r) => [r.row, r.line, r.reason, r.column]), [[2, 3, 'invalid_json', 2], [3, 4, 'invalid_json', 3]]);
    assert.match(b.rejects[0]!.detail, /^event_params: /);
    assert.equal(b.rejects[1]!.detail, 'cts: expected a JSON object, got an array');
    assert.equal(b.rejects[1]!.raw, '3;[];["not","an","object"]');
  });

  it('the reader wrapper expands every batch and says how many columns it added', async () => {
    const inner: RecordReader = {
      header: ['ts', 'event_params'],
      detected: { delimiter: ',' },
      async *batches() {
        yield batchOf([['1', '[{"key":"page_location","value":{"string_value":"https://x/"}}]']]);
      },
    };
    const r = expandReader(inner, EXP);
    assert.equal(r.detected.expandedColumns, r.header.length - 2);
    for await (const b of r.batches()) assert.equal(b.columns[r.header.indexOf('pick')]![0], 'https://x/');
  });

  it('GA4: a flattened export maps as before; an expanded one maps to the per-row choices', () => {
    const flat = ['event_timestamp', 'event_name', 'user_pseudo_id', 'ga_session_id', 'collected_traffic_source.manual_source', 'page_location', 'traffic_source.source'];
    const before = resolveMapping(flat);
    assert.equal(before.mapping.utm_source, 'collected_traffic_source.manual_source');
    const after = resolveMapping(planExpansion(flat, ga4.expand!).header);
    assert.equal(after.preset.id, 'ga4');
    assert.equal(after.mapping.utm_source, 'ga4:source');
    assert.equal(after.mapping.session_id, 'ga4:session_id');
    // traffic_source is the user's first acquisition: never a touch's source
    assert.ok(!Object.values(after.mapping).some((c) => c?.startsWith('traffic_source')), JSON.stringify(after.mapping));
  });
});

describe('NDJSON records kept as JSON text for a layout (ndjson.ts keepAsJson)', () => {
  it('a record first seen after the sampled lines still reaches its expanded columns', async () => {
    const { openNdjson } = await import('../../common/import/ndjson.ts');
    const { memorySource } = await import('../helpers.ts');
    const lines = [
      { ts: '1', ecommerce: null, other: { a: 1 } },
      { ts: '2', ecommerce: null, other: { a: 2 } },
    ].map((o) => JSON.stringify(o)).join('\n')
      // written by hand: a JS number literal could not hold the 17 digits
      + '\n{"ts":"3","ecommerce":{"transaction_id":"T9","purchase_revenue":12.5,"n":12345678901234567},"other":{"a":3}}';
    const exp: Expansion = { objects: [{ column: 'ecommerce', paths: ['transaction_id', 'purchase_revenue', 'n'] }] };
    const plain = await openNdjson(memorySource('e.ndjson', lines), { sampleLines: 2 });
    assert.ok(!plain.header.includes('ecommerce.transaction_id'), 'flattened, the late record is lost (counted as late keys)');
    await plain.close?.();
    const kept = expandReader(await openNdjson(memorySource('e.ndjson', lines), { sampleLines: 2, keepAsJson: ['ecommerce'] }), exp);
    assert.deepEqual(kept.header, ['ts', 'ecommerce', 'other.a', 'ecommerce.transaction_id', 'ecommerce.purchase_revenue', 'ecommerce.n']);
    const rows: string[][] = [];
    for await (const b of kept.batches()) for (let i = 0; i < b.rowCount; i++) rows.push(b.columns.map((c) => c[i]!));
    assert.deepEqual(rows.map((r) => r.slice(3)), [['', '', ''], ['', '', ''], ['T9', '12.5', '12345678901234567']]);
    assert.equal(kept.detected.lateKeys, 0);
  });
});
