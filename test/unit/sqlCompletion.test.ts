/**
 * SQL completion's entries (issue 13, finding 6): the user's tables, columns and
 * parameters before keywords and functions; DuckDB's internals never offered;
 * `x.` completes the columns of table or alias x.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { completionEntries, isUserFunction, tableOf, type CompletionCatalog } from '../../common/sqlCompletion.ts';

const CATALOG: CompletionCatalog = {
  tables: [
    { name: 'credits', columns: [{ name: 'model', type: 'VARCHAR' }, { name: 'channel', type: 'VARCHAR' }, { name: 'credit', type: 'DOUBLE' }] },
    { name: 'touches', columns: [{ name: 'channel', type: 'VARCHAR' }, { name: 'ts', type: 'TIMESTAMP' }] },
  ],
  params: ['lookback_days'],
  // as duckdb_functions() gives them: plumbing, a compatibility macro, a name that is also a keyword, a repeat
  functions: ['sum', 'duckdb_secrets', 'col_description', 'filter', 'sum', 'read_parquet', 'pragma_table_info'],
};

/** The labels in the order the editor shows entries it scores alike (sortText, then label). */
function ordered(entries: ReturnType<typeof completionEntries>): string[] {
  return [...entries].sort((a, b) => (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : 0)).map((e) => e.label);
}

describe('SQL completion', () => {
  it('tells DuckDB internals from functions a user calls', () => {
    for (const f of ['sum', 'date_trunc', 'read_parquet', 'current_date', 'string_agg', 'generate_series']) assert.equal(isUserFunction(f), true, f);
    for (const f of ['duckdb_secrets', 'duckdb_functions', 'col_description', 'obj_description', 'pragma_table_info', 'pg_typeof', 'has_table_privilege',
      'test_all_types', 'enable_profiling', 'checkpoint', 'force_checkpoint', 'current_setting', 'format_pg_type', '+', '~~', '__internal_fn', 'Upper']) {
      assert.equal(isUserFunction(f), false, f);
    }
  });

  it('offers tables, then columns once each (with their tables), then $parameters, keywords, functions; no internals', () => {
    const entries = completionEntries(CATALOG, { at: 'word' });
    const labels = ordered(entries);
    assert.deepEqual(labels.slice(0, 7), ['credits', 'touches', 'channel', 'credit', 'model', 'ts', '$lookback_days']);
    assert.deepEqual(labels.slice(-2), ['read_parquet', 'sum'], 'functions last, each once');
    const kinds = entries.map((e) => e.kind);
    assert.ok(kinds.lastIndexOf('param') < kinds.indexOf('keyword') && kinds.lastIndexOf('keyword') < kinds.indexOf('function'));
    for (const hidden of ['duckdb_secrets', 'col_description', 'pragma_table_info']) assert.ok(!labels.includes(hidden), hidden);
    assert.deepEqual(labels.filter((l) => l.toLowerCase() === 'filter'), ['FILTER'], 'a function named like a keyword is offered once, as the keyword');
    const channel = entries.find((e) => e.label === 'channel')!;
    assert.equal(channel.detail, 'VARCHAR · credits, touches');
    const param = entries.find((e) => e.kind === 'param')!;
    assert.deepEqual([param.insertText, param.filterText], ['$lookback_days', 'lookback_days'], 'typing `look` finds it, accepting it writes the $');
  });

  it('after $ offers the parameters as bare names (the $ is typed)', () => {
    assert.deepEqual(completionEntries(CATALOG, { at: 'param' }).map((e) => [e.label, e.insertText]), [['lookback_days', 'lookback_days']]);
  });

  it('after x. offers the columns of table or alias x, in table order; nothing for an unknown x', () => {
    const cols = (of: string, sql = '') => completionEntries(CATALOG, { at: 'member', of }, sql).map((e) => e.label);
    assert.deepEqual(cols('Credits'), ['model', 'channel', 'credit']);
    assert.deepEqual(cols('t', 'SELECT t. FROM credits c JOIN touches AS t USING (channel)'), ['channel', 'ts']);
    assert.deepEqual(cols('c', 'SELECT c. FROM "credits" c'), ['model', 'channel', 'credit']);
    assert.deepEqual(cols('x', 'SELECT x. FROM credits c'), []);
    assert.deepEqual(ordered(completionEntries(CATALOG, { at: 'member', of: 'credits' })), ['model', 'channel', 'credit'], 'sortText keeps the table order');
  });

  it('resolves a name or an alias to its table', () => {
    assert.equal(tableOf('', 'TOUCHES', CATALOG.tables), 'touches');
    assert.equal(tableOf('from credits as cr where cr.x', 'CR', CATALOG.tables), 'credits');
    assert.equal(tableOf('FROM nowhere n', 'n', CATALOG.tables), undefined);
  });
});
