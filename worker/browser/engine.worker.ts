/**
 * The engine host of web mode (and of the Electron renderer's sandboxed
 * page): a module Web Worker that serves common/protocol.ts over `self`.
 *
 * Inside it: duckdb-wasm's async API (AsyncDuckDB), whose own worker runs the
 * DuckDB wasm module, and parquet-wasm, which reads Parquet row groups here
 * and hands them to DuckDB as Arrow IPC (worker/wasm/database.ts). Every wasm
 * and worker file is a Vite `?url` asset from node_modules: nothing is ever
 * fetched from anywhere but the page's own origin.
 *
 * Why a worker inside a worker: DuckDB queries block the thread they run on.
 * Running them in duckdb-wasm's own (nested) worker keeps this worker's event
 * loop free, so a `cancel` message is handled while a query runs (the engine's
 * interrupt flag stops the pipeline at the next statement). With the blocking
 * bindings in this worker, cancel would only be read after the whole run.
 * Nested dedicated workers are supported by Chromium (so Electron), Firefox
 * and Safari >= 15.5.
 *
 * Only the EH ("exception handling") build is shipped: every browser with
 * nested module workers has wasm exception handling, and the MVP build would
 * add another 39 MB. A browser without it gets a clear error, no download.
 */
import { AsyncDuckDB, DuckDBDataProtocol, VoidLogger, getPlatformFeatures } from '@duckdb/duckdb-wasm';
import duckdbWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import duckdbWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import initParquet, * as parquetWasm from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { Engine, type AttributionEngine } from '../../common/engine.ts';
import { AttribError } from '../../common/errors.ts';
import type { Port } from '../../common/client.ts';
import type { FileRef } from '../../common/protocol.ts';
import { fileSourceFromBlob, type FileSource } from '../../common/import/source.ts';
import type { ProgressFn } from '../../common/db.ts';
import { serveEngine } from '../host.ts';
import { wrapWasmConnection, type ParquetWasm, type WasmConnection, type WasmFiles } from '../wasm/database.ts';
import { browserModelLibrary } from './library.ts';
import { engineTrace, record, tracedDatabase } from './trace.ts';

const trace = engineTrace();

/** Awaits `p`, timing it as start-up step `what` (see trace.ts). */
async function step<T>(what: string, p: Promise<T> | (() => Promise<T>)): Promise<T> {
  const at = performance.now();
  try {
    return await (typeof p === 'function' ? p() : p);
  } finally {
    record(trace.start, what, at);
  }
}

/** Opens duckdb-wasm (its own nested worker) and parquet-wasm, then the engine. */
async function openEngine(onProgress: ProgressFn): Promise<Engine> {
  const features = await getPlatformFeatures();
  if (!features.wasmExceptions) {
    throw new AttribError('internal', 'this browser lacks WebAssembly exception handling, which the bundled DuckDB build needs: use a current Chromium, Firefox or Safari');
  }
  const duckWorker = new Worker(duckdbWorkerUrl, { name: 'duckdb' });
  const db = new AsyncDuckDB(new VoidLogger(), duckWorker);
  const parquetReady = step('parquet-wasm init', initParquet({ module_or_path: parquetWasmUrl }));
  await step('duckdb-wasm instantiate', db.instantiate(duckdbWasmUrl));
  await step('duckdb open', db.open({}));
  const conn = await db.connect();
  await parquetReady;
  // DuckDB's CSV reader reads an opened File lazily, through duckdb-wasm's own worker (FileReaderSync)
  const files: WasmFiles = {
    register: async (name, source) => db.registerFileHandle(name, await source.blob(), DuckDBDataProtocol.BROWSER_FILEREADER, true),
    drop: async (name) => void (await db.dropFile(name)),
  };
  const database = await step('engine lock-down', () => wrapWasmConnection(conn as unknown as WasmConnection, parquetWasm as unknown as ParquetWasm, async () => {
    await db.terminate();
  }, {}, files));
  return new Engine(tracedDatabase(database, trace), browserModelLibrary(), onProgress);
}

/** Web mode opens Files and Blobs only: a path means nothing in a page. */
function toSource(f: FileRef): FileSource {
  if (f.kind === 'blob') return fileSourceFromBlob(f.blob, f.name);
  throw new AttribError('file_unreadable', 'web mode opens files chosen in the page (a File or Blob), not paths', { file: f.kind === 'path' ? f.path : f.name });
}

/**
 * An engine that is still opening: every call waits for it, and fails with
 * the opening's error if it could not open. Lets the worker listen for
 * messages at once (messages that arrive before a listener exists are lost).
 */
function deferredEngine(ready: Promise<Engine>): AttributionEngine {
  let engine: Engine | undefined;
  ready.then((e) => (engine = e), () => {});
  return timed({
    openFile: async (source, opts) => (await ready).openFile(source, opts),
    fileColumns: async (source, opts) => (await ready).fileColumns(source, opts),
    describe: async (table) => (await ready).describe(table),
    run: async (opts) => (await ready).run(opts),
    recredit: async (opts) => (await ready).recredit(opts),
    ruleDiff: async (baseline, proposed) => (await ready).ruleDiff(baseline, proposed),
    query: async (sql, params) => (await ready).query(sql, params),
    stream: async (sql, onRows, batchRows) => (await ready).stream(sql, onRows, batchRows),
    exportParquet: async (table) => (await ready).exportParquet(table),
    cancel: () => engine?.cancel(),
    beginRequest: () => engine?.beginRequest(),
    close: async () => (await ready).close(),
  });
}

/** The engine with each request's time kept in the trace (waiting for the engine to open included). */
function timed(engine: AttributionEngine): AttributionEngine {
  const out = { ...engine };
  for (const k of ['openFile', 'fileColumns', 'describe', 'run', 'recredit', 'ruleDiff', 'query', 'stream', 'exportParquet'] as const) {
    const fn = engine[k] as (...a: unknown[]) => Promise<unknown>;
    (out as Record<string, unknown>)[k] = async (...a: unknown[]) => {
      const at = performance.now();
      try {
        return await fn(...a);
      } finally {
        record(trace.requests, `${k} ${typeof a[0] === 'string' ? a[0] : ''}`, at);
      }
    };
  }
  return out;
}

// A dedicated worker's global scope is a Port (postMessage + addEventListener).
const scope = globalThis as unknown as Port;
serveEngine(scope, (onProgress) => deferredEngine(openEngine(onProgress)), toSource);
