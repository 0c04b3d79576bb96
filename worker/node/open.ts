/** Opens either engine in Node by name. */
import type { Database, EngineKind } from '../../common/db.ts';
import { AttribError } from '../../common/errors.ts';
import { openNativeDatabase } from '../native/database.ts';
import { openWasmDatabaseInNode } from '../wasm/node.ts';

/** Opens a fresh in-memory database of the given engine (`memoryLimit`: the native engine's, e.g. '6GB'). */
export function openDatabase(kind: EngineKind | string = 'native', opts: { memoryLimit?: string } = {}): Promise<Database> {
  if (kind === 'native') return openNativeDatabase({ memoryLimit: opts.memoryLimit });
  if (kind === 'wasm') return openWasmDatabaseInNode();
  throw new AttribError('bad_parameter', `--engine ${kind}: choose native or wasm`);
}
