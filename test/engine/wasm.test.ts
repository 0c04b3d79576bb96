/** The conformance suite on the wasm engine (@duckdb/duckdb-wasm in Node). */
import { conformanceSuite } from './conformance.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';

conformanceSuite('wasm', () => openWasmDatabaseInNode());
