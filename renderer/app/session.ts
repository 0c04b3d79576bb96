/**
 * The notebook's engine session: typed calls over the engine protocol for
 * what cells do (open a data file, run a SQL cell into its named table, run
 * a model, page through a table), each cancellable by the cell that asked.
 * The engine host (Web Worker or Electron utility process) does the work;
 * nothing here blocks the page.
 */
import type { EngineClient } from '../../common/client.ts';
import type { ColumnInfo, Row, SqlValue } from '../../common/db.ts';
import { bindNamed } from '../../common/modelHeader.ts';
import { isUserFunction } from '../../common/sqlCompletion.ts';
import type { ImportOptions, ImportReport } from '../../common/import/importer.ts';
import type { RunOptions } from '../../common/pipeline.ts';
import type { RunOutputs } from '../../common/engine.ts';
import type { FileRef } from '../../common/protocol.ts';
import type { DiffConfig, RuleDiffResult } from '../../common/ruleDiff.ts';

/** What a SQL cell's run produced: a named table (or rows of a statement), its size and time. */
export interface SqlResult {
  table?: string;
  columns: ColumnInfo[];
  total: number;
  ms: number;
  /** Rows of a statement that is not a query (SET, DESCRIBE...), shown as they are. */
  rows?: Row[];
}

/** Progress callback of a long call. */
export type OnProgress = (done: number, total: number, label: string) => void;

const QUERY_START = /^\s*(\(|select\b|with\b|from\b|values\b|table\b)/i;

/** Double-quotes an identifier. */
export const qi = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Splits SQL on semicolons outside strings, quoted names and comments. */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      cur += sql.slice(i, stop);
      i = stop - 1;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      cur += sql.slice(i, stop);
      i = stop - 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      cur += sql.slice(i, stop);
      i = stop - 1;
    } else if (ch === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.replace(/--[^\n]*/g, '').trim()) out.push(cur.trim());
  return out;
}

export class Session {
  /** Request id in flight per cell, for cancel. */
  private inflight = new Map<string, number>();

  constructor(readonly client: EngineClient) {}

  private call<T>(cellId: string, start: { id: number; result: Promise<T> }): Promise<T> {
    this.inflight.set(cellId, start.id);
    return start.result.finally(() => {
      if (this.inflight.get(cellId) === start.id) this.inflight.delete(cellId);
    });
  }

  /** Cancels the cell's request in flight, if any. */
  cancel(cellId: string): void {
    const id = this.inflight.get(cellId);
    if (id !== undefined) this.client.cancel(id);
  }

  /** Cancels every request in flight. */
  cancelAll(): void {
    for (const id of this.inflight.values()) this.client.cancel(id);
  }

  /** Imports an event file, or several as one import, as `events` / `rejects`; `conversions`: files of orders kept apart. */
  openData(cellId: string, files: FileRef[], options: ImportOptions, onProgress?: OnProgress, conversions: FileRef[] = []): Promise<ImportReport> {
    const [file, ...more] = files;
    const args = { file, options, ...(more.length ? { more } : {}), ...(conversions.length ? { conversions } : {}) };
    return this.call(cellId, this.client.call('open_file', args, { onProgress }));
  }

  /** Runs the attribution models; the engine re-cuts or keeps what did not change (Engine.run). */
  runModel(cellId: string, options: Omit<RunOptions, 'signal'>, onProgress?: OnProgress): Promise<RunOutputs> {
    return this.call(cellId, this.client.call('run', { options }, { onProgress }));
  }

  /**
   * The rule-change diff of two configurations (Engine.ruleDiff): leaves diff_conversions,
   * diff_matrix and diff_totals; the journeys are then the proposed run's, so the next runModel rebuilds.
   */
  ruleDiff(cellId: string, baseline: DiffConfig, proposed: DiffConfig, onProgress?: OnProgress): Promise<RuleDiffResult> {
    return this.call(cellId, this.client.call('rule_diff', { baseline, proposed }, { onProgress }));
  }

  /** A read query with bound parameters. */
  query(cellId: string, sql: string, params: SqlValue[] = []): Promise<Row[]> {
    return this.call(cellId, this.client.call('query', { sql, params }));
  }

  /** Columns of a table. */
  describe(cellId: string, table: string): Promise<ColumnInfo[]> {
    return this.call(cellId, this.client.call('describe', { table }));
  }

  /** A table's rows as the bytes of a Parquet file, written by the engine. */
  exportParquet(cellId: string, table: string): Promise<Uint8Array> {
    return this.call(cellId, this.client.call('export_parquet', { table }));
  }

  /**
   * Runs a SQL cell: earlier statements as they are, the last one, when it is
   * a query, into table `name` (so other cells can read it). `$name`
   * parameters are bound from `params`, never pasted into the text.
   */
  async runSql(cellId: string, name: string, source: string, params: Record<string, SqlValue>): Promise<SqlResult> {
    const t0 = performance.now();
    const stmts = splitSql(source);
    if (!stmts.length) return { columns: [], total: 0, ms: 0, rows: [] };
    for (const s of stmts.slice(0, -1)) {
      const b = bindNamed(s, params);
      await this.query(cellId, b.sql, b.params);
    }
    const last = stmts[stmts.length - 1];
    // leading comments do not make a query a statement
    const head = last.replace(/^(\s*(--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/))*/, '');
    if (!QUERY_START.test(head)) {
      const b = bindNamed(last, params);
      const rows = await this.query(cellId, b.sql, b.params);
      const columns = rows.length ? Object.keys(rows[0]).map((n) => ({ name: n, type: typeof rows[0][n] === 'number' ? 'DOUBLE' : 'VARCHAR' })) : [];
      return { columns, total: rows.length, ms: performance.now() - t0, rows };
    }
    const b = bindNamed(`CREATE OR REPLACE TABLE ${qi(name)} AS ${last}`, params);
    // The describe is sent with the CREATE, not after its answer: the engine serves requests in
    // order, so it reads the new table, and the engine never waits for the page in between.
    // Both engines answer CREATE TABLE AS with the row count ({Count: n}): no count query.
    const creating = this.query(cellId, b.sql, b.params);
    const describing = this.client.call('describe', { table: name }).result;
    describing.catch(() => undefined); // (a failed CREATE is the error to report)
    const created = await creating;
    const told = created.length === 1 && typeof created[0].Count === 'number' ? created[0].Count : undefined;
    const [columns, total] = await Promise.all([
      describing,
      told ?? this.query(cellId, `SELECT count(*) AS n FROM ${qi(name)}`).then((r) => Number(r[0].n)),
    ]);
    return { table: name, columns, total, ms: performance.now() - t0 };
  }

  /** A page of a table's rows, in its stored order. */
  page(table: string, offset: number, limit: number): Promise<Row[]> {
    return this.read(`SELECT * FROM ${qi(table)} LIMIT ${Math.max(0, Math.floor(limit))} OFFSET ${Math.max(0, Math.floor(offset))}`);
  }

  /**
   * A read for a grid's page: under no cell's id, so scrolling a result never
   * takes the place of its cell's run as what cancelling that cell stops.
   */
  read(sql: string): Promise<Row[]> {
    return this.client.call('query', { sql, params: [] }).result;
  }

  /** Tables and views of the main schema with their columns (for the sidebar and completion). */
  async catalog(): Promise<{ name: string; kind: string; columns: ColumnInfo[] }[]> {
    // under its own id, so a run that starts can cancel it (cancel('__catalog'))
    const rows = await this.call('__catalog', this.client.call('query', {
      sql: `SELECT table_name AS t, CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END AS kind, column_name AS c, data_type AS ty
            FROM information_schema.columns JOIN information_schema.tables USING (table_catalog, table_schema, table_name)
            WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`,
      params: [],
    }));
    const byTable = new Map<string, { name: string; kind: string; columns: ColumnInfo[] }>();
    for (const r of rows) {
      const t = String(r.t);
      if (!byTable.has(t)) byTable.set(t, { name: t, kind: String(r.kind), columns: [] });
      byTable.get(t)!.columns.push({ name: String(r.c), type: String(r.ty) });
    }
    return [...byTable.values()];
  }

  /**
   * The engine's function names a user would call (for completion): not the PRAGMAs (not callable
   * in a query), not the pg_catalog compatibility macros, not DuckDB's own plumbing (isUserFunction).
   */
  async functions(): Promise<string[]> {
    const rows = await this.client.call('query', {
      sql: `SELECT DISTINCT function_name AS f FROM duckdb_functions() WHERE function_type <> 'pragma' AND schema_name NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
      params: [],
    }).result;
    return rows.map((r) => String(r.f)).filter(isUserFunction);
  }
}
