/**
 * The narrow database interface both engines implement.
 *
 * Everything above this line (import, staging, models, outputs) is shared
 * code that speaks SQL through it, so the native and the wasm engine run the
 * very same model SQL and must give the same numbers. Only what SQL cannot
 * do portably (bulk-loading parsed batches, reading Parquet without the
 * wasm build's network-loaded extension) lives in the adapters.
 */
import type { FileSource } from './import/source.ts';

/** A value that can be bound to a statement parameter. */
export type SqlValue = string | number | boolean | null;

/** A result row: column name to a plain JS value (BIGINT arrives as number or, beyond 2^53, string). */
export type Row = Record<string, string | number | boolean | null>;

/** Progress of a long operation, 0..1 where known. */
export type ProgressFn = (done: number, total: number, label: string) => void;

/** Which engine backs a {@link Database}. */
export type EngineKind = 'native' | 'wasm';

/**
 * How {@link Database.loadCsv} reads a CSV file: what the TypeScript reader
 * sniffed from its start (common/import/csv.ts), so both read it alike.
 */
export interface CsvLoadSpec {
  /** Field delimiter, one ASCII character. */
  delimiter: string;
  /** Quote character; a doubled quote inside a quoted field is one quote. */
  quote: string;
  /** Number of header columns: the table gets c0..c(columns-1). */
  columns: number;
}

/** A column of a table: name and DuckDB type name. */
export interface ColumnInfo {
  name: string;
  type: string;
}

/**
 * The database operations the shared pipeline needs.
 *
 * Lock-down (both engines, from the moment the Database is returned; see
 * docs/sql-safety.md): SQL run through it, including the user's SQL cells,
 * cannot read or write any file or URL the user did not open, nor change
 * that. Each engine sets what it needs (time zone, threads, memory), then
 * turns DuckDB's external access off and locks its configuration:
 *
 * - `read_csv`/`read_text`/`read_blob`/`read_json`/`read_parquet`, `glob`,
 *   `COPY ... TO`, `ATTACH` of a file, `EXPORT`/`IMPORT DATABASE`, `INSTALL`,
 *   `LOAD` and URLs fail with a Permission Error; so do secrets that would be
 *   stored on disk;
 * - every `SET`, `RESET` and configuration `PRAGMA` fails ("the configuration
 *   has been locked"), so nothing re-enables access; `SET VARIABLE`,
 *   `USE`, in-memory `ATTACH`, temporary tables, views and macros still work;
 * - native: DuckDB may use one private sandbox folder (mode 0700, removed on
 *   close) for spilling, Parquet export, and the files the user opens, which
 *   {@link Database.loadParquet} and {@link Database.loadCsv} link in for the
 *   length of the import; DuckDB
 *   resolves `..` and symbolic links before its check, so no path inside the
 *   sandbox leads out of it;
 * - wasm: DuckDB gets no file at all (files are read in JavaScript and handed
 *   over as Arrow), so its virtual file system is shut too.
 *
 * The few functions DuckDB lets past the lock are refused before SQL from
 * the user reaches the engine (common/sqlGuard.ts, in Engine.query/stream).
 */
export interface Database {
  readonly kind: EngineKind;
  /** Runs one statement; `params` bind to `$1, $2, ...` in order. */
  run(sql: string, params?: SqlValue[]): Promise<void>;
  /** Runs one query and returns its rows as plain objects. */
  all(sql: string, params?: SqlValue[]): Promise<Row[]>;
  /**
   * Optional: runs one query and hands its rows to `onRows` a chunk at a
   * time as the engine produces them, so a result of tens of millions of
   * rows is never held whole (the CLI's output files). Without it,
   * {@link eachRows} falls back to {@link Database.all}.
   */
  each?(sql: string, params: SqlValue[], onRows: (rows: Row[]) => void | Promise<void>): Promise<void>;
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
   * Optional: reads a CSV file with the engine's own reader into `table`
   * (c0..cN, all VARCHAR, the data records in file order by rowid, the header
   * line skipped, an empty field NULL) and the records it could not split into
   * `table`_rejects (line: the record's ordinal counting the header as 1,
   * error_type, csv_line: its text). Returns false when it cannot read this
   * source (e.g. no path); throws when the engine refuses the file. The caller
   * (common/import/csvEngine.ts) checks the result against the bytes and
   * falls back to the TypeScript reader when it could differ from it.
   */
  loadCsv?(source: FileSource, table: string, spec: CsvLoadSpec): Promise<boolean>;
  /**
   * Whether {@link Database.loadCsv} can read this source (given with it):
   * the native engine needs a path; the wasm one a file small enough to sit
   * in its heap beside the table it makes.
   */
  canLoadCsv?(source: FileSource): boolean;
  /**
   * The rows of a read query as the bytes of one Parquet file, column types
   * kept where Parquet has them. The native engine writes with DuckDB's COPY;
   * the wasm one (whose parquet extension would be downloaded) fetches the
   * rows as Arrow and writes them with parquet-wasm.
   */
  toParquet(sql: string): Promise<Uint8Array>;
  /**
   * Optional: writes a query of one VARCHAR column to `file` as text: the
   * column's name, then each row's value, each on a line of its own, as they
   * are (no quoting: the query made the lines, common/csvSql.ts). Only where
   * the engine was opened to write there (the native engine's outputDirs: the
   * CLI's --out folder); returns the number of rows written, or undefined
   * when it may not write there (the caller then writes the file itself).
   */
  writeLines?(sql: string, file: string): Promise<number | undefined>;
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

/** A query's rows in chunks: streamed where the engine can ({@link Database.each}), else all at once. */
export async function eachRows(db: Database, sql: string, onRows: (rows: Row[]) => void | Promise<void>, params: SqlValue[] = []): Promise<void> {
  if (db.each) return db.each(sql, params, onRows);
  await onRows(await db.all(sql, params));
}

/** Quotes an identifier for SQL ("a""b"). */
export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/**
 * Quotes a string literal for SQL ('it''s'). Only for compiled rule data and DDL, never for user parameters.
 * A NUL character would end the SQL text where the engines hand it to DuckDB (a C string), leaving an
 * unterminated literal: it is written as chr(0) instead, so the value stays exactly the data it was.
 */
export function sqlString(s: string): string {
  const quoted = "'" + s.replace(/'/g, "''") + "'";
  return s.includes('\0') ? `(${quoted.split('\0').join("' || chr(0) || '")})` : quoted;
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
