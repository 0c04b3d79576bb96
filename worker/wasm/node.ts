/**
 * Opens the wasm engine inside Node (blocking duckdb-wasm bindings), for the
 * CLI's `--engine wasm`, the conformance tests and the benchmark. Every wasm
 * file comes from node_modules: nothing is fetched.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../../common/db.ts';
import { wrapWasmConnection, type ParquetWasm, type WasmConnection, type WasmFiles, type WasmTuning } from './database.ts';

const require = createRequire(import.meta.url);

/** Opens a fresh in-memory duckdb-wasm database in this Node process. */
export async function openWasmDatabaseInNode(tuning: WasmTuning = {}): Promise<Database> {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));
  const bundles = {
    mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: path.join(dist, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: path.join(dist, 'duckdb-node-eh.worker.cjs') },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate();
  db.open({});
  const conn = db.connect() as WasmConnection;
  // DuckDB's CSV reader gets a copy of the file's bytes (the Node file handle protocol of this
  // duckdb-wasm build refused a path); only files small enough for the heap (WasmTuning) come here.
  const files: WasmFiles = {
    register: async (name, source) => db.registerFileBuffer(name, new Uint8Array(await (await source.blob()).arrayBuffer())),
    drop: async (name) => void db.dropFile(name),
  };
  return wrapWasmConnection(conn, await loadParquetWasm(), () => db.reset?.(), tuning, files);
}

let parquetWasm: Promise<ParquetWasm> | undefined;

/** Initialises parquet-wasm's ESM build from the bytes in node_modules (same build the browser uses). */
function loadParquetWasm(): Promise<ParquetWasm> {
  parquetWasm ??= (async () => {
    const mod = await import('parquet-wasm/esm');
    const wasmPath = require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm');
    await mod.default({ module_or_path: await readFile(wasmPath) });
    return mod as unknown as ParquetWasm;
  })();
  return parquetWasm;
}
