/**
 * The wasm engine: @duckdb/duckdb-wasm, in a Web Worker (web mode) or in
 * Node (`attrib --engine wasm`, the conformance suite). duckdb-wasm 1.32 would
 * fetch its parquet, json and icu extensions from the internet, so extension
 * autoloading is switched off and Parquet is read with parquet-wasm, one row
 * group at a time, into DuckDB through Arrow IPC: the wasm32 heap (4 GiB)
 * never holds more than the table plus one row group.
 */
import { tableToIPC, vectorFromArray, makeVector, Utf8, Table, type Vector } from 'apache-arrow';
import type { Database, Row, SqlValue, ProgressFn } from '../../common/db.ts';
import { ident } from '../../common/db.ts';
import { AttribError, parquetError } from '../../common/errors.ts';
import type { FileSource } from '../../common/source.ts';
import { toRow } from '../../common/values.ts';

type MaybePromise<T> = T | Promise<T>;

/** What we use of a duckdb-wasm connection; the blocking (Node) and async (worker) ones both fit. */
export interface WasmConnection {
  query(sql: string): MaybePromise<Table>;
  prepare(sql: string): MaybePromise<{ query(...params: unknown[]): MaybePromise<Table>; close(): MaybePromise<void> }>;
  insertArrowFromIPCStream(buffer: Uint8Array, options: { name: string; create?: boolean }): MaybePromise<void>;
  cancelSent?(): MaybePromise<boolean>;
  close(): MaybePromise<void>;
}

/** What we use of parquet-wasm (initialised by the caller, which knows where its wasm file is). */
export interface ParquetWasm {
  ParquetFile: {
    fromFile(handle: Blob): Promise<{
      metadata(): { numRowGroups(): number; fileMetadata(): { numRows(): number } };
      read(options?: { rowGroups?: number[] }): Promise<{ intoIPCStream(): Uint8Array }>;
    }>;
  };
}

/** Wraps an open duckdb-wasm connection as a {@link Database}. */
export async function wrapWasmConnection(
  conn: WasmConnection,
  parquet: ParquetWasm,
  onClose: () => MaybePromise<void>,
): Promise<Database> {
  // Never reach for the network: an unknown function must fail, not download an extension.
  await conn.query('SET autoinstall_known_extensions = false');
  await conn.query('SET autoload_known_extensions = false');
  return new WasmDatabase(conn, parquet, onClose);
}

class WasmDatabase implements Database {
  readonly kind = 'wasm' as const;
  private interrupted = false;
  constructor(
    private readonly conn: WasmConnection,
    private readonly parquet: ParquetWasm,
    private readonly onClose: () => MaybePromise<void>,
  ) {}

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
    const rows: Row[] = [];
    for (const r of table.toArray()) rows.push(toRow((r as { toJSON(): Record<string, unknown> }).toJSON()));
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
    columns.forEach((_, i) => (children['c' + (i + 2)] = vectorFromArray(data.columns[i], new Utf8())));
    const arrow = new Table(children);
    await this.conn.insertArrowFromIPCStream(tableToIPC(arrow, 'stream'), { name: '__append', create: true });
    await this.conn.query(`INSERT INTO ${ident(table)} SELECT * FROM __append`);
    await this.conn.query('DROP TABLE __append');
  }

  async loadParquet(source: FileSource, table: string, onProgress?: ProgressFn): Promise<void> {
    let file;
    try {
      file = await trapPanics(this.parquet.ParquetFile.fromFile(await source.blob()));
    } catch (e) {
      throw parquetError(source.name, e);
    }
    const groups = file.metadata().numRowGroups();
    let offset = 0;
    await this.conn.query(`DROP TABLE IF EXISTS ${ident(table)}`);
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
      await this.conn.query(g === 0 ? `CREATE TABLE ${ident(table)} AS ${select}` : `INSERT INTO ${ident(table)} ${select}`);
      const n = await this.conn.query('SELECT count(*)::INTEGER AS n FROM __rowgroup');
      offset += Number((n.toArray()[0] as { n: number }).n);
      await this.conn.query('DROP TABLE __rowgroup');
    }
    if (groups === 0) throw new AttribError('file_empty', 'the Parquet file has no row groups (no rows)', { file: source.name });
    onProgress?.(groups, groups, 'reading Parquet row groups');
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
