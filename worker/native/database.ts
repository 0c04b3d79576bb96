/**
 * The native engine: DuckDB through @duckdb/node-api (binary inside the npm
 * package). Parquet, JSON and time zones are built in; all cores are used.
 * Runs in Node: the CLI in-process, the desktop app in a utility process.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, DuckDBDataChunk, VARCHAR, INTEGER, type DuckDBConnection } from '@duckdb/node-api';
import type { Database, Row, SqlValue, ProgressFn } from '../../common/db.ts';
import { ident, sqlString } from '../../common/db.ts';
import { AttribError, parquetError } from '../../common/errors.ts';
import type { FileSource } from '../../common/source.ts';
import { toRow } from '../../common/values.ts';

/** DuckDB's vector size: an appended data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

/** Opens an in-memory native DuckDB with network access and extension loading off. */
export async function openNativeDatabase(opts: { threads?: number } = {}): Promise<Database> {
  const instance = await DuckDBInstance.create(':memory:', {
    // No extension may be fetched at run time; the native build has what we use built in.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    ...(opts.threads ? { threads: String(opts.threads) } : {}),
  });
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return new NativeDatabase(instance, conn);
}

class NativeDatabase implements Database {
  readonly kind = 'native' as const;
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    await this.conn.run(sql, params.length ? params : undefined);
  }

  async all(sql: string, params: SqlValue[] = []): Promise<Row[]> {
    const reader = await this.conn.runAndReadAll(sql, params.length ? params : undefined);
    return reader.getRowObjectsJS().map((r) => toRow(r as Record<string, unknown>));
  }

  async appendText(
    table: string,
    columns: string[],
    data: { columns: string[][]; rowNumbers: number[]; lines: number[]; rowCount: number },
    create: boolean,
  ): Promise<void> {
    if (create) {
      const cols = ['"_row" INTEGER', '"_line" INTEGER', ...columns.map((c) => `${ident(c)} VARCHAR`)];
      await this.conn.run(`CREATE OR REPLACE TABLE ${ident(table)} (${cols.join(', ')})`);
    }
    const appender = await this.conn.createAppender(table);
    const types = [INTEGER, INTEGER, ...columns.map(() => VARCHAR)];
    for (let start = 0; start < data.rowCount; start += CHUNK_ROWS) {
      const end = Math.min(data.rowCount, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(types, end - start);
      chunk.setColumnValues(0, data.rowNumbers.slice(start, end));
      chunk.setColumnValues(1, data.lines.slice(start, end));
      for (let c = 0; c < columns.length; c++) chunk.setColumnValues(c + 2, data.columns[c].slice(start, end));
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
  }

  async loadParquet(source: FileSource, table: string, onBatch: () => Promise<void>, onProgress?: ProgressFn): Promise<void> {
    if (!source.path) throw new AttribError('file_unreadable', 'the native engine reads Parquet from a path', { file: source.name });
    onProgress?.(0, 1, 'reading Parquet');
    try {
      // file_row_number is 0-based; rejects speak of 1-based rows like CSV data rows.
      await this.conn.run(
        `CREATE OR REPLACE VIEW ${ident(table)} AS
         SELECT CAST(file_row_number + 1 AS INTEGER) AS _row, CAST(NULL AS INTEGER) AS _line, * EXCLUDE (file_row_number)
         FROM read_parquet(${sqlString(source.path)}, file_row_number = true)`,
      );
    } catch (e) {
      throw parquetError(source.name, e);
    }
    try {
      await onBatch();
    } catch (e) {
      // the view decodes data pages while the batch is staged: damage past the footer shows now
      if (!(e instanceof AttribError) && /parquet|thrift|snappy|zstd|gzip|decompress|IO Error/i.test(String(e))) throw parquetError(source.name, e);
      throw e;
    } finally {
      await this.conn.run(`DROP VIEW IF EXISTS ${ident(table)}`);
    }
    onProgress?.(1, 1, 'reading Parquet');
  }

  async toParquet(sql: string): Promise<Uint8Array> {
    const dir = await mkdtemp(path.join(tmpdir(), 'attrib-export-'));
    const file = path.join(dir, 'export.parquet');
    try {
      await this.conn.run(`COPY (${sql}) TO ${sqlString(file)} (FORMAT parquet)`);
      const bytes = await readFile(file);
      // a plain Uint8Array (not a Buffer) crosses every port the same way
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  interrupt(): void {
    this.conn.interrupt();
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Turns DuckDB's Parquet errors (some without a file name) into one clear line. */
