/** The conformance suite on the native engine (@duckdb/node-api). */
import { conformanceSuite } from './conformance.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';

conformanceSuite('native', () => openNativeDatabase());
