/** Opens either engine in Node by name. */
import type { Database, EngineKind } from '../../common/db.ts';
import { AttribError } from '../../common/errors.ts';

/**
 * Opens a fresh in-memory database of the given engine (`memoryLimit`: the native engine's, e.g. '6GB';
 * `outputDirs`: folders the native engine may write, NativeOptions.outputDirs).
 * Each engine is imported when asked for: loading DuckDB's native library costs a fifth of a second
 * that `attrib --help` or an argument error should not pay.
 */
export async function openDatabase(kind: EngineKind | string = 'native', opts: { memoryLimit?: string; outputDirs?: string[] } = {}): Promise<Database> {
  if (kind === 'native') return (await import('../native/database.ts')).openNativeDatabase({ memoryLimit: opts.memoryLimit, outputDirs: opts.outputDirs });
  if (kind === 'wasm') return (await import('../wasm/node.ts')).openWasmDatabaseInNode();
  throw new AttribError('bad_parameter', `--engine ${kind}: choose native or wasm`);
}
