/**
 * The native engine: DuckDB through @duckdb/node-api (binary inside the npm
 * package). Parquet, JSON and time zones are built in; all cores are used.
 * Runs in Node: the CLI in-process, the desktop app in a utility process.
 *
 * SQL cells run arbitrary SQL here, so the database is locked down as it
 * opens (see {@link openNativeDatabase} and docs/sql-safety.md): DuckDB may
 * touch files only inside a private sandbox folder, and the configuration is
 * locked so no statement can widen that again.
 */
import { constants as fsConstants } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, readFile, realpath, rm, stat, unlink } from 'node:fs/promises';
import { homedir, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, DuckDBDataChunk, VARCHAR, INTEGER, type DuckDBConnection } from '@duckdb/node-api';
import type { CsvLoadSpec, Database, Row, SqlValue, ProgressFn } from '../../common/db.ts';
import { ident, sqlString } from '../../common/db.ts';
import { AttribError, parquetError } from '../../common/errors.ts';
import type { FileSource } from '../../common/import/source.ts';
import { toRow } from '../../common/values.ts';
import { claimSandboxes, sweepStaleSandboxes } from './sandbox.ts';
import { csvLoadCleanup, csvLoadSql } from '../../common/import/csvEngine.ts';

/** DuckDB's vector size: an appended data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

/** Expected rows past which an import's tables live in a database file, not in memory (expectRows). */
export const ON_DISK_ROWS = 20_000_000;

/**
 * AW_SQL_TIMING=1 prints each statement's wall time to stderr (slowest first to
 * look at when an import or a model is slow): a developer's tool, off by default.
 */
const TIMING = process.env.AW_SQL_TIMING === '1';
function timed(sql: string, start: number): void {
  const ms = performance.now() - start;
  if (ms >= 20) process.stderr.write(`[sql ${(ms / 1000).toFixed(2)} s] ${sql.replace(/\s+/g, ' ').slice(0, 140)}\n`);
}

/** Options of {@link openNativeDatabase}. */
export interface NativeOptions {
  /** Worker threads (default: all cores). */
  threads?: number;
  /** DuckDB's memory_limit, e.g. '512MB' (default: {@link defaultMemoryLimit}); past it, work spills to the sandbox. */
  memoryLimit?: string;
  /** Expected rows past which an import's tables go to a database file in the sandbox (default {@link ON_DISK_ROWS}). */
  onDiskRows?: number;
  /**
   * Folders DuckDB may write besides its sandbox, for {@link Database.writeLines}:
   * the CLI's --out folder, named by the user on the command line, where the
   * CLI runs none but its own SQL. The workbench's engine (SQL cells) gets none.
   * A folder need not exist yet.
   */
  outputDirs?: string[];
}

/**
 * The native engine's memory_limit unless one is given: half the machine's
 * memory, at most 4 GB. DuckDB's own default (80% of RAM) lets a 10M-row
 * import grow the process past 7 GB; with a ceiling the tables past it are
 * written to the sandbox's spill folder instead, so memory stays flat as
 * files grow (bench: 10M-row CSV at about 4 GB of RSS) and a laptop keeps
 * room for the app and the browser.
 */
export function defaultMemoryLimit(total = totalmem()): string {
  return `${Math.max(256, Math.min(4096, Math.floor(total / 2 / 2 ** 20)))}MB`;
}

/**
 * Opens an in-memory native DuckDB, locked down before any other SQL runs:
 *
 * - a private sandbox folder is made (mkdtemp: mode 0700, a random name) and
 *   is the only place DuckDB may read or write (`allowed_directories`); the
 *   spill folder (`temp_directory`) is inside it;
 * - `enable_external_access = false`: no other file, no URL, no ATTACH of a
 *   file outside, no INSTALL or LOAD of extensions;
 * - extension autoinstall/autoload off: an unknown function fails, it never
 *   downloads anything;
 * - `lock_configuration = true`: from here on every SET, RESET and
 *   configuration PRAGMA fails, so none of the above can be undone. Settings
 *   the pipeline needs (TimeZone, threads, memory_limit) are made before.
 *
 * DuckDB checks each path after resolving it (`..` and symbolic links
 * included): a link inside the sandbox to a file outside is refused (verified
 * in test/engine/sqlSafety.test.ts). Files the user opens are read through
 * {@link NativeDatabase.loadParquet} and {@link NativeDatabase.loadCsv}, which
 * link them into the sandbox for the length of the import.
 */
export async function openNativeDatabase(opts: NativeOptions = {}): Promise<Database> {
  // what processes that died without closing left behind (spilled tables can be gigabytes)
  sweepStaleSandboxes(tmpdir(), 'attrib-sandbox-');
  sweepStaleSandboxes(cacheFolder(), 'sandbox-');
  // realpath: on macOS the temp folder is reached through a symbolic link (/var -> /private/var).
  const sandbox = await realpath(await mkdtemp(path.join(tmpdir(), 'attrib-sandbox-')));
  const sandboxes = [sandbox, ...(await homeSandbox(sandbox))];
  const outputs = await Promise.all((opts.outputDirs ?? []).map(resolvedPath));
  const release = claimSandboxes(sandboxes);
  let instance: DuckDBInstance | undefined;
  try {
    instance = await DuckDBInstance.create(':memory:', {
      // No extension may be fetched at run time; the native build has what we use built in.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      ...(opts.threads ? { threads: String(opts.threads) } : {}),
    });
    const conn = await instance.connect();
    // Order matters: every SET must come before lock_configuration, and the
    // paths before enable_external_access (which forbids setting them after).
    await conn.run("SET TimeZone = 'UTC'");
    await conn.run(`SET memory_limit = ${sqlString(opts.memoryLimit ?? defaultMemoryLimit())}`);
    await conn.run(`SET temp_directory = ${sqlString(path.join(sandbox, 'spill'))}`);
    await conn.run(`SET allowed_directories = [${[...sandboxes, ...outputs].map(sqlString).join(', ')}]`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
    return new NativeDatabase(instance, conn, sandboxes, release, opts.onDiskRows ?? ON_DISK_ROWS, outputs);
  } catch (e) {
    release();
    instance?.closeSync();
    for (const d of sandboxes) await rm(d, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A path with its symbolic links resolved, as DuckDB resolves a path before
 * checking it against allowed_directories; the part that does not exist yet
 * (an output folder made later) is kept as written below its nearest
 * existing parent.
 */
async function resolvedPath(p: string): Promise<string> {
  const abs = path.resolve(p);
  try {
    return await realpath(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(await resolvedPath(parent), path.basename(abs));
  }
}

/** The app's folder in the user's cache folder (the second sandbox's parent). */
function cacheFolder(): string {
  const home = homedir();
  return process.platform === 'win32' ? path.join(process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'attribution-workbench')
    : process.platform === 'darwin' ? path.join(home, 'Library', 'Caches', 'attribution-workbench')
    : path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'attribution-workbench');
}

/**
 * A second sandbox in the user's cache folder when it is on another file
 * system than the temp folder (e.g. /tmp on tmpfs, data under $HOME): a hard
 * link cannot cross file systems, and the copy made instead would cost the
 * file's size in time and, on tmpfs, in RAM. Nothing when it cannot be made.
 */
async function homeSandbox(first: string): Promise<string[]> {
  const base = cacheFolder();
  try {
    await mkdir(base, { recursive: true, mode: 0o700 });
    if ((await stat(base)).dev === (await stat(first)).dev) return [];
    return [await realpath(await mkdtemp(path.join(base, 'sandbox-')))];
  } catch {
    return [];
  }
}

/**
 * Puts a file the user opened where the locked-down DuckDB may read it: a
 * hard link in a fresh folder of the sandbox (no bytes copied), or, across
 * file systems or where links are refused, a copy (a copy-on-write clone
 * where the file system has them). A symbolic link would not do: DuckDB
 * resolves it and refuses the target outside the sandbox. The file keeps its
 * own base name (glob characters aside), so DuckDB's messages name it as the
 * user knows it.
 */
async function linkIntoSandbox(sandboxes: string[], file: string): Promise<{ path: string; remove: () => Promise<void> }> {
  // the sandbox on the file's own file system, where a hard link is possible
  const dev = (await stat(file)).dev;
  let sandbox = sandboxes[0];
  for (const d of sandboxes) if ((await stat(d)).dev === dev) sandbox = d;
  const dir = await mkdtemp(path.join(sandbox, 'open-'));
  // DuckDB expands glob characters in a path: '[ab].parquet' would not find itself. (A '*' alone
  // would only match this file: it is alone in its folder.)
  const target = path.join(dir, path.basename(file).replace(/[*?[\]{}\\]/g, '_'));
  try {
    await link(file, target);
  } catch {
    await copyFile(file, target, fsConstants.COPYFILE_FICLONE);
  }
  return {
    path: target,
    // unlink first: the user's file itself is never touched, only our name for it.
    remove: async () => {
      await unlink(target).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

class NativeDatabase implements Database {
  readonly kind = 'native' as const;
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    /** The only folders DuckDB may touch (see openNativeDatabase; the first holds spills and exports); removed on close. */
    private readonly sandboxes: string[],
    /** Undoes the exit hook that removes the sandboxes (sandbox.ts): close removes them itself. */
    private readonly release: () => void,
    private readonly onDiskRows = ON_DISK_ROWS,
    /** Folders besides the sandboxes DuckDB may write (NativeOptions.outputDirs), resolved. */
    private readonly outputDirs: string[] = [],
  ) {}

  private get sandbox(): string {
    return this.sandboxes[0];
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    const t = TIMING ? performance.now() : 0;
    await this.conn.run(sql, params.length ? params : undefined);
    if (TIMING) timed(sql, t);
  }

  async all(sql: string, params: SqlValue[] = []): Promise<Row[]> {
    const t = TIMING ? performance.now() : 0;
    const reader = await this.conn.runAndReadAll(sql, params.length ? params : undefined);
    if (TIMING) timed(sql, t);
    return reader.getRowObjectsJS().map((r) => toRow(r as Record<string, unknown>));
  }

  async each(sql: string, params: SqlValue[], onRows: (rows: Row[]) => void | Promise<void>): Promise<void> {
    const t = TIMING ? performance.now() : 0;
    // A streaming result: DuckDB produces the next chunk only when it is fetched.
    const result = await this.conn.stream(sql, params.length ? params : undefined);
    for await (const chunk of result.yieldRowObjectJs()) await onRows(chunk.map((r) => toRow(r as Record<string, unknown>)));
    if (TIMING) timed(sql, t);
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
    const linked = await this.link(source, source.path);
    try {
      try {
        // file_row_number is 0-based; rejects speak of 1-based rows like CSV data rows.
        // The path is a literal (a view cannot hold a parameter); it is our own sandbox name, escaped.
        await this.conn.run(
          `CREATE OR REPLACE VIEW ${ident(table)} AS
           SELECT CAST(file_row_number + 1 AS INTEGER) AS _row, CAST(NULL AS INTEGER) AS _line, * EXCLUDE (file_row_number)
           FROM read_parquet(${sqlString(linked.path)}, file_row_number = true)`,
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
    } finally {
      await linked.remove();
    }
    onProgress?.(1, 1, 'reading Parquet');
  }

  /** Reads CSV from a path only (linked into the sandbox). */
  canLoadCsv(source: FileSource): boolean {
    return !!source.path;
  }

  /**
   * Reads a CSV file with DuckDB's parallel reader, every column VARCHAR, as
   * the TypeScript reader sniffed it (no DuckDB sniffing: its guesses could
   * differ). Malformed records go to `table`_rejects (store_rejects) rather
   * than failing the file; the importer decides what they mean. The file is
   * linked into the sandbox like an opened Parquet file, for this call only.
   */
  async loadCsv(source: FileSource, table: string, spec: CsvLoadSpec): Promise<boolean> {
    if (!source.path) return false;
    const t0 = TIMING ? performance.now() : 0;
    const linked = await this.link(source, source.path);
    try {
      for (const sql of csvLoadSql(linked.path, table, spec)) await this.conn.run(sql);
    } finally {
      for (const sql of csvLoadCleanup(table)) await this.conn.run(sql).catch(() => undefined);
      await linked.remove();
    }
    if (TIMING) timed(`loadCsv ${table}`, t0);
    return true;
  }

  /** Links a file the user opened into the sandbox (see linkIntoSandbox), or names it in a one-line error. */
  private async link(source: FileSource, file: string): Promise<{ path: string; remove: () => Promise<void> }> {
    try {
      return await linkIntoSandbox(this.sandboxes, file);
    } catch (e) {
      throw new AttribError('file_unreadable', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: source.name });
    }
  }

  async toParquet(sql: string): Promise<Uint8Array> {
    // Inside the sandbox: the only place the locked-down DuckDB may write.
    const dir = await mkdtemp(path.join(this.sandbox, 'export-'));
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

  async writeLines(sql: string, file: string): Promise<number | undefined> {
    const target = await resolvedPath(file);
    if (!this.outputDirs.some((d) => target.startsWith(d + path.sep))) return undefined;
    const t = TIMING ? performance.now() : 0;
    // QUOTE '': DuckDB writes each value as it is (the query quoted what CSV needs quoted); the
    // header is the column's name. Rows keep the query's order (insertion order is preserved).
    const reader = await this.conn.runAndReadAll(`COPY (${sql}) TO ${sqlString(target)} (FORMAT csv, HEADER true, QUOTE '', ESCAPE '')`);
    if (TIMING) timed(`writeLines ${file}`, t);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  interrupt(): void {
    this.conn.interrupt();
  }

  private onDisk = false;

  /**
   * Past `onDiskRows` expected rows (NativeOptions) the tables go to a database file
   * in the sandbox (on the disk beside the opened file where there is a second
   * sandbox) instead of memory: DuckDB then writes compressed row groups as
   * they fill and can drop any block from memory, where an in-memory table of
   * 100M events ran out of memory at the 4 GB limit. Smaller imports stay in
   * memory (faster). The file is removed with the sandbox on close; tables
   * made before the switch stay where they are.
   */
  async expectRows(rows: number): Promise<void> {
    if (this.onDisk || rows < this.onDiskRows) return;
    const file = path.join(this.sandboxes.at(-1)!, 'events.duckdb');
    await this.conn.run(`ATTACH ${sqlString(file)} AS aw`);
    await this.conn.run('USE aw');
    this.onDisk = true;
  }

  async close(): Promise<void> {
    this.release();
    this.conn.closeSync();
    this.instance.closeSync();
    for (const d of this.sandboxes) await rm(d, { recursive: true, force: true });
  }
}

/** Turns DuckDB's Parquet errors (some without a file name) into one clear line. */
