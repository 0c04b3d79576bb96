/**
 * The narrow database interface both engines implement.
 *
 * Everything above this line (import, staging, models, outputs) is shared
 * code that speaks SQL through it, so the native and the wasm engine run the
 * very same model SQL and must give the same numbers. Only what SQL cannot
 * do portably (bulk-loading parsed batches, reading Parquet without the
 * wasm build's network-loaded extension) lives in the adapters.
 */
import type { FileSource } from './source.ts';

/** A value that can be bound to a statement parameter. */
export type SqlValue = string | number | boolean | null;

/** A result row: column name to a plain JS value (BIGINT arrives as number or, beyond 2^53, string). */
export type Row = Record<string, string | number | boolean | null>;

/** Progress of a long operation, 0..1 where known. */
export type ProgressFn = (done: number, total: number, label: string) => void;

/** Which engine backs a {@link Database}. */
export type EngineKind = 'native' | 'wasm';

/** A column of a table: name and DuckDB type name. */
export interface ColumnInfo {
  name: string;
  type: string;
}

/** The database operations the shared pipeline needs. */
export interface Database {
  readonly kind: EngineKind;
  /** Runs one statement; `params` bind to `$1, $2, ...` in order. */
  run(sql: string, params?: SqlValue[]): Promise<void>;
  /** Runs one query and returns its rows as plain objects. */
  all(sql: string, params?: SqlValue[]): Promise<Row[]>;
  /**
   * Appends a batch of text columns to `table`, creating it (all VARCHAR,
   * plus `_row` and `_line` BIGINT first) when `create` is true.
   */
  appendText(
    table: string,
    columns: string[],
    data: { columns: string[][]; rowNumbers: number[]; lines: number[]; rowCount: number },
    create: boolean,
  ): Promise<void>;
  /**
   * Optional: told before an import how many rows to expect (roughly), so an
   * engine with a hard memory ceiling can choose a more compact storage.
   */
  expectRows?(rows: number): Promise<void>;
  /**
   * Makes a Parquet file readable as `table`, in one or more batches, with its
   * own columns plus `_row` (1-based row ordinal) and `_line` (NULL), and calls
   * `onBatch` after each. The native engine reads the whole file lazily through
   * a view (one batch); the wasm one loads a few row groups at a time so the
   * file never sits whole in its 4 GiB heap. `table` is gone afterwards.
   * Throws an AttribError naming the file when it is not valid Parquet.
   */
  loadParquet(source: FileSource, table: string, onBatch: () => Promise<void>, onProgress?: ProgressFn): Promise<void>;
  /**
   * The rows of a read query as the bytes of one Parquet file, column types
   * kept where Parquet has them. The native engine writes with DuckDB's COPY;
   * the wasm one (whose parquet extension would be downloaded) fetches the
   * rows as Arrow and writes them with parquet-wasm.
   */
  toParquet(sql: string): Promise<Uint8Array>;
  /** Interrupts the statement running now, if any (cancel). */
  interrupt(): void;
  /**
   * Optional: forgets an interrupt that came too late to stop anything, so it
   * cannot cancel the next request (called as each request starts).
   */
  clearInterrupt?(): void;
  /** Releases the database. */
  close(): Promise<void>;
}

/** Quotes an identifier for SQL ("a""b"). */
export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** Quotes a string literal for SQL ('it''s'). Only for compiled rule data and DDL, never for user parameters. */
export function sqlString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

/** Whether a table or view of that name exists (a failed probe: cheaper than the catalog in wasm). */
export async function tableExists(db: Database, name: string): Promise<boolean> {
  try {
    await db.all(`SELECT 1 FROM ${ident(name)} LIMIT 0`);
    return true;
  } catch {
    return false;
  }
}
