/**
 * A cancel that arrives as a request finishes must not cancel the next one:
 * the wasm engine keeps an interrupt flag that only its next query looks at,
 * so serveEngine starts every request with Engine.beginRequest. (In web mode
 * a catalog read cancelled at the moment it finished used to cancel the
 * next notebook's data import.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../common/engine.ts';
import { EngineClient } from '../../common/client.ts';
import { serveEngine } from '../../worker/host.ts';
import { loadModelLibrary } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`a late cancel (${name})`, () => {
    it('beginRequest forgets a cancel that came after the work was done', async () => {
      const e = new Engine(await open(), loadModelLibrary());
      try {
        await e.query('SELECT 1 AS x');
        e.cancel(); // nothing is running: too late to stop anything
        e.beginRequest();
        assert.deepEqual(await e.query('SELECT 2 AS x'), [{ x: 2 }]);
        assert.equal(await e.stream('SELECT 3 AS x', () => undefined), 1, 'nor does a stream see an old abort');
      } finally {
        await e.close();
      }
    });

    it('through the protocol: a cancel for a finished request leaves the next one alone', async () => {
      const { port1, port2 } = new MessageChannel();
      let engine: Engine | undefined;
      const db = await open();
      serveEngine(port2 as never, (p) => (engine = new Engine(db, loadModelLibrary(), p)), (f) => fileSourceFromPath(f.kind === 'path' ? f.path : ''));
      const client = new EngineClient(port1 as never);
      try {
        const a = client.call('query', { sql: 'SELECT 1 AS x', params: [] });
        await a.result;
        engine!.cancel(); // as if the cancel for `a` had landed just as it finished
        assert.deepEqual(await client.call('query', { sql: 'SELECT 2 AS x', params: [] }).result, [{ x: 2 }]);
      } finally {
        port1.close();
        await db.close();
      }
    });
  });
}
