/**
 * The wasm engine: @duckdb/duckdb-wasm, in a Web Worker (web mode) or in
 * Node (`attrib --engine wasm`, the conformance suite). duckdb-wasm 1.32 would
 * fetch its parquet, json and icu extensions from the internet, so extension
 * autoloading is switched off and Parquet is read with parquet-wasm, one row
 * group at a time, into DuckDB through Arrow IPC: the wasm32 heap (4 GiB)
 * never holds more than the table plus one row group.
 */
import { tableToIPC, makeData, makeVector, Type, Utf8, Table, type Vector } from 'apache-arrow';
import type { CsvLoadSpec, Database, Row, SqlValue, ProgressFn } from '../../common/db.ts';
import { ident } from '../../common/db.ts';
import { AttribError, parquetError } from '../../common/errors.ts';
import type { FileSource } from '../../common/import/source.ts';
import { csvLoadCleanup, csvLoadSql } from '../../common/import/csvEngine.ts';
import { toRow } from '../../common/values.ts';
import { arrowToParquet, exportColumns, type ParquetWasmWriter } from './parquetWrite.ts';

type MaybePromise<T> = T | Promise<T>;

/** What we use of a duckdb-wasm connection; the blocking (Node) and async (worker) ones both fit. */
export interface WasmConnection {
  query(sql: string): MaybePromise<Table>;
  prepare(sql: string): MaybePromise<{ query(...params: unknown[]): MaybePromise<Table>; close(): MaybePromise<void> }>;
  insertArrowFromIPCStream(buffer: Uint8Array, options: { name: string; create?: boolean }): MaybePromise<void>;
  cancelSent?(): MaybePromise<boolean>;
  /** The connection's bindings and id: runQuery answers with the Arrow IPC bytes of a result. */
  useUnsafe<R>(fn: (bindings: { runQuery(conn: number, text: string): MaybePromise<Uint8Array> }, conn: number) => R): R;
  close(): MaybePromise<void>;
}

/** What we use of parquet-wasm (initialised by the caller, which knows where its wasm file is). */
export interface ParquetWasm extends ParquetWasmWriter {
  ParquetFile: {
    fromFile(handle: Blob): Promise<{
      metadata(): { numRowGroups(): number; fileMetadata(): { numRows(): number } };
      read(options?: { rowGroups?: number[] }): Promise<{ intoIPCStream(): Uint8Array }>;
    }>;
  };
}

/**
 * Registers a file the user opened in duckdb-wasm's virtual file system, for
 * DuckDB's own CSV reader: in Node its bytes are copied into the heap, in a
 * worker it is read lazily through the File (FileReaderSync). Given by the
 * host that opened duckdb-wasm (node.ts, the browser worker).
 */
export interface WasmFiles {
  register(name: string, source: FileSource): Promise<void>;
  drop(name: string): Promise<void>;
}

/**
 * The one folder of duckdb-wasm's virtual file system DuckDB may read:
 * files are registered there for the import that reads them, under a
 * random name, and dropped when it ends.
 */
const INBOX = '/aw-inbox/';

/** How the wasm engine trades speed for heap; the defaults suit the 4 GiB ceiling. */
export interface WasmTuning {
  /**
   * CSV files up to this size are read by DuckDB's read_csv (one table of the
   * whole file, then staged at once); larger ones by the TypeScript reader in
   * batches, so the heap never holds the whole file. Default 384 MiB.
   */
  maxEngineCsvBytes?: number;
  /** Past this many expected rows tables are stored compressed (see expectRows). Default 2.5M. */
  compressAboveRows?: number;
  /** Parquet row groups are gathered into staging batches of at least this many rows. Default 100k. */
  minBatchRows?: number;
}

/** Wraps an open duckdb-wasm connection as a {@link Database}. */
export async function wrapWasmConnection(
  conn: WasmConnection,
  parquet: ParquetWasm,
  onClose: () => MaybePromise<void>,
  tuning: WasmTuning = {},
  files?: WasmFiles,
): Promise<Database> {
  // Never reach for the network: an unknown function must fail, not download an extension.
  await conn.query('SET autoinstall_known_extensions = false');
  await conn.query('SET autoload_known_extensions = false');
  // SQL cells run arbitrary SQL. This engine reads files through JavaScript (NDJSON and large
  // CSV tokenised in TypeScript, Parquet through parquet-wasm, both into Arrow), and CSV files
  // registered for one import in the inbox folder (read_csv). So DuckDB needs no other file:
  // its virtual file system (other registered files, and in Node the host's real files) and the
  // network are shut, and the lock stops any SET, RESET or configuration PRAGMA from reopening
  // them (docs/sql-safety.md). In-memory ATTACH (the compressed database of expectRows) and USE
  // still work after it.
  if (files) await conn.query(`SET allowed_directories = ['${INBOX}']`);
  await conn.query('SET enable_external_access = false');
  await conn.query('SET lock_configuration = true');
  return new WasmDatabase(conn, parquet, onClose, { compressAboveRows: 2_500_000, minBatchRows: 100_000, maxEngineCsvBytes: 384 * 2 ** 20, ...tuning }, files);
}

class WasmDatabase implements Database {
  readonly kind = 'wasm' as const;
  private interrupted = false;
  constructor(
    private readonly conn: WasmConnection,
    private readonly parquet: ParquetWasm,
    private readonly onClose: () => MaybePromise<void>,
    private readonly tuning: Required<WasmTuning>,
    private readonly files?: WasmFiles,
  ) {}

  private compressed = false;

  /**
   * Large inputs get a compressed in-memory database: repetitive event text
   * shrinks several times over, which is what lets 10M events fit under the
   * wasm32 4 GiB heap. Small ones stay uncompressed: compression makes every
   * write about 70% slower. Tables made before the switch stay where they are.
   */
  async expectRows(rows: number): Promise<void> {
    if (this.compressed || rows < this.tuning.compressAboveRows) return;
    await this.conn.query(`ATTACH ':memory:' AS aw (COMPRESS)`);
    await this.conn.query('USE aw');
    this.compressed = true;
  }

  private checkInterrupt(): void {
    if (this.interrupted) {
      this.interrupted = false;
      throw new AttribError('cancelled', 'cancelled');
    }
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    await this.all(sql, params);
  }

  async all(sql: string, params: SqlValue[] = []): Promise<Row[]> {
    this.checkInterrupt();
    checkTextSize(sql, params);
    let table: Table;
    if (params.length) {
      const stmt = await this.conn.prepare(sql);
      try {
        table = await stmt.query(...params);
      } finally {
        await stmt.close();
      }
    } else {
      table = await this.conn.query(sql);
    }
    // Arrow gives dates and timestamps as epoch milliseconds: as Dates they become the same
    // ISO text the native engine gives (toRow), not a number in grids, charts and CSV exports.
    const temporal = table.schema.fields.filter((f) => f.typeId === Type.Date || f.typeId === Type.Timestamp).map((f) => f.name);
    const rows: Row[] = [];
    for (const r of table.toArray()) {
      const o = (r as { toJSON(): Record<string, unknown> }).toJSON();
      for (const k of temporal) if (typeof o[k] === 'number') o[k] = asDate(o[k] as number);
      rows.push(toRow(o));
    }
    return rows;
  }

  async appendText(
    table: string,
    columns: string[],
    data: { columns: string[][]; rowNumbers: number[]; lines: number[]; rowCount: number },
    create: boolean,
  ): Promise<void> {
    this.checkInterrupt();
    if (create) {
      const cols = ['"_row" INTEGER', '"_line" INTEGER', ...columns.map((c) => `${ident(c)} VARCHAR`)];
      await this.conn.query(`CREATE OR REPLACE TABLE ${ident(table)} (${cols.join(', ')})`);
    }
    // Arrow needs unique field names; position decides where they land in the table.
    const children: Record<string, Vector> = {
      c0: makeVector(Int32Array.from(data.rowNumbers)),
      c1: makeVector(Int32Array.from(data.lines)),
    };
    columns.forEach((_, i) => (children['c' + (i + 2)] = utf8Vector(data.columns[i])));
    const arrow = new Table(children);
    await this.conn.insertArrowFromIPCStream(tableToIPC(arrow, 'stream'), { name: '__append', create: true });
    await this.conn.query(`INSERT INTO ${ident(table)} SELECT * FROM __append`);
    await this.conn.query('DROP TABLE __append');
  }

  canLoadCsv(source: FileSource): boolean {
    return !!this.files && source.size <= this.tuning.maxEngineCsvBytes;
  }

  /**
   * DuckDB's read_csv on the file registered in the inbox for this call only
   * (see Database.loadCsv; the same statements as the native engine's).
   */
  async loadCsv(source: FileSource, table: string, spec: CsvLoadSpec): Promise<boolean> {
    if (!this.files || !this.canLoadCsv(source)) return false;
    this.checkInterrupt();
    const name = `${INBOX}${crypto.randomUUID()}.csv`;
    await this.files.register(name, source);
    try {
      for (const sql of csvLoadSql(name, table, spec)) await this.conn.query(sql);
    } finally {
      for (const sql of csvLoadCleanup(table)) await Promise.resolve(this.conn.query(sql)).catch(() => undefined);
      await this.files.drop(name);
    }
    return true;
  }

  async loadParquet(source: FileSource, table: string, onBatch: () => Promise<void>, onProgress?: ProgressFn): Promise<void> {
    let file;
    try {
      file = await trapPanics(this.parquet.ParquetFile.fromFile(await source.blob()));
    } catch (e) {
      throw parquetError(source.name, e);
    }
    const groups = file.metadata().numRowGroups();
    if (groups === 0) throw new AttribError('file_empty', 'the Parquet file has no row groups (no rows)', { file: source.name });
    // Row groups are gathered into batches of at least minBatchRows: small groups would
    // make many small staging passes, the whole file would not fit the wasm heap.
    const { minBatchRows } = this.tuning;
    let offset = 0;
    let batchRows = 0;
    await this.conn.query(`DROP TABLE IF EXISTS ${ident(table)}`);
    try {
      for (let g = 0; g < groups; g++) {
        this.checkInterrupt();
        onProgress?.(g, groups, 'reading Parquet row groups');
        let ipc: Uint8Array;
        try {
          ipc = (await trapPanics(file.read({ rowGroups: [g] }))).intoIPCStream();
        } catch (e) {
          throw parquetError(source.name, e);
        }
        await this.conn.insertArrowFromIPCStream(ipc, { name: '__rowgroup', create: true });
        // rowid is the insertion order of this fresh table: the row group's own order.
        const select = `SELECT CAST(rowid + ${offset + 1} AS INTEGER) AS _row, CAST(NULL AS INTEGER) AS _line, * FROM __rowgroup`;
        await this.conn.query(batchRows === 0 ? `CREATE TABLE ${ident(table)} AS ${select}` : `INSERT INTO ${ident(table)} ${select}`);
        const n = Number((await this.conn.query('SELECT count(*)::INTEGER AS n FROM __rowgroup')).toArray()[0].n);
        offset += n;
        batchRows += n;
        await this.conn.query('DROP TABLE __rowgroup');
        if (batchRows >= minBatchRows || g === groups - 1) {
          await onBatch();
          await this.conn.query(`DROP TABLE ${ident(table)}`);
          batchRows = 0;
        }
      }
    } finally {
      await this.conn.query(`DROP TABLE IF EXISTS ${ident(table)}`);
      await this.conn.query('DROP TABLE IF EXISTS __rowgroup');
    }
    onProgress?.(groups, groups, 'reading Parquet row groups');
  }

  async toParquet(sql: string): Promise<Uint8Array> {
    this.checkInterrupt();
    const described = await this.all(`SELECT column_name AS name, column_type AS type FROM (DESCRIBE (${sql}))`);
    const select = `SELECT ${exportColumns(described.map((r) => ({ name: String(r.name), type: String(r.type) })))} FROM (${sql})`;
    checkTextSize(select, []);
    // The IPC bytes as they are: an Arrow Table object from duckdb-wasm's own copy of apache-arrow
    // (CommonJS in Node) would not serialise through ours.
    const ipc = await this.conn.useUnsafe((bindings, conn) => bindings.runQuery(conn, select));
    this.checkInterrupt();
    return arrowToParquet(this.parquet, ipc);
  }

  clearInterrupt(): void {
    this.interrupted = false;
  }

  interrupt(): void {
    this.interrupted = true;
    void this.conn.cancelSent?.();
  }

  async close(): Promise<void> {
    await this.conn.close();
    await this.onClose();
  }
}

/**
 * The longest SQL text or string parameter handed to duckdb-wasm, in UTF-8
 * bytes. duckdb-wasm 1.32 copies each onto the wasm stack: from about 1.4 MB
 * (a 10 MB text parameter, a pasted SQL cell) it writes out of bounds and the
 * whole engine is dead ("memory access out of bounds" on every later call).
 * 1 MiB was verified to work (test/engine/sqlSafety.test.ts).
 */
export const WASM_MAX_TEXT_BYTES = 1 << 20;

/** Refuses, with a clear message, text that would crash duckdb-wasm (see {@link WASM_MAX_TEXT_BYTES}). */
function checkTextSize(sql: string, params: readonly SqlValue[]): void {
  // A UTF-16 unit is at most 3 UTF-8 bytes: only long text needs counting.
  const bytes = (s: string) => (s.length * 3 <= WASM_MAX_TEXT_BYTES ? 0 : encoder.encode(s).length);
  const mb = (n: number) => (n / (1 << 20)).toFixed(1);
  const n = bytes(sql);
  if (n > WASM_MAX_TEXT_BYTES) throw new AttribError('bad_parameter', `this SQL is ${mb(n)} MB long; the web engine takes at most 1 MB of SQL text`);
  for (const p of params) {
    const k = typeof p === 'string' ? bytes(p) : 0;
    if (k > WASM_MAX_TEXT_BYTES) throw new AttribError('bad_parameter', `a parameter value is ${mb(k)} MB long; the web engine takes at most 1 MB per value`);
  }
}

/** Epoch milliseconds as a Date; beyond a Date's range (DuckDB's infinities) the word. */
function asDate(ms: number): Date | string {
  if (Math.abs(ms) <= 8.64e15) return new Date(ms); // fractions of a millisecond dropped, as the native engine drops them
  return ms > 0 ? 'infinity' : '-infinity';
}

const encoder = new TextEncoder();

/**
 * An Arrow Utf8 vector built by hand (offsets, UTF-8 bytes, validity bitmap).
 * apache-arrow's own builders (vectorFromArray) compile their null check with
 * `new Function`, which the page's Content Security Policy forbids in web
 * mode; this also skips the builder's per-value overhead. null/undefined are
 * NULL.
 */
export function utf8Vector(values: readonly (string | null | undefined)[]): Vector<Utf8> {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const valid = new Uint8Array((n + 7) >> 3);
  let size = 0;
  for (const v of values) if (v != null) size += v.length;
  let bytes = new Uint8Array(Math.max(64, size + (size >> 2)));
  let pos = 0;
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v == null) {
      nullCount++;
    } else {
      // A UTF-16 unit takes at most 3 UTF-8 bytes.
      if (bytes.length - pos < v.length * 3) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, pos + v.length * 3));
        grown.set(bytes.subarray(0, pos));
        bytes = grown;
      }
      pos += encoder.encodeInto(v, bytes.subarray(pos)).written;
      valid[i >> 3] |= 1 << (i & 7);
    }
    offsets[i + 1] = pos;
  }
  return makeVector(
    makeData({ type: new Utf8(), length: n, nullCount, nullBitmap: nullCount ? valid : null, valueOffsets: offsets, data: bytes.subarray(0, pos) }),
  );
}

/**
 * Awaits a parquet-wasm promise and turns a Rust panic into its rejection.
 * On damaged data pages parquet-wasm panics ("unreachable") inside a queued
 * microtask, where the error escapes every try/catch as an uncaught exception
 * and would end the process (Node) or the worker (browser).
 */
function trapPanics<T>(p: Promise<T>): Promise<T> {
  const g = globalThis as unknown as {
    process?: { on(ev: string, f: (e: unknown) => void): void; off(ev: string, f: (e: unknown) => void): void };
    addEventListener?(ev: string, f: (e: { error?: unknown; message?: string; preventDefault(): void }) => void): void;
    removeEventListener?(ev: string, f: (e: { error?: unknown; message?: string; preventDefault(): void }) => void): void;
  };
  return new Promise<T>((resolve, reject) => {
    let cleanup = () => {};
    const fail = (e: unknown) => {
      cleanup();
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    if (g.process?.on) {
      const proc = g.process;
      proc.on('uncaughtException', fail);
      cleanup = () => proc.off('uncaughtException', fail);
    } else if (g.addEventListener && g.removeEventListener) {
      const onError = (ev: { error?: unknown; message?: string; preventDefault(): void }) => {
        ev.preventDefault();
        fail(ev.error ?? ev.message);
      };
      g.addEventListener('error', onError);
      cleanup = () => g.removeEventListener!('error', onError);
    }
    p.then(
      (v) => {
        cleanup();
        resolve(v);
      },
      (e) => fail(e),
    );
  });
}
