/** AnsweringPort (common/answeringPort.ts): no request waits forever on a host that is gone. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AnsweringPort } from '../../common/answeringPort.ts';
import { EngineClient } from '../../common/client.ts';
import type { ToHost } from '../../common/protocol.ts';

class FakePort extends AnsweringPort {
  sent: ToHost[] = [];
  protected send(m: ToHost): void {
    this.sent.push(m);
  }
  answer(data: unknown): void {
    this.receive(data);
  }
  gone(message: string, forever: boolean): void {
    this.fail(message, forever);
  }
}

describe('AnsweringPort', () => {
  it('passes answers on; a host gone for good answers what waits and what comes later', async () => {
    const port = new FakePort();
    const client = new EngineClient(port);
    const a = client.call('query', { sql: 'SELECT 1' });
    const b = client.call('query', { sql: 'SELECT 2' });
    port.answer({ id: a.id, type: 'result', result: [{ x: 1 }] });
    assert.deepEqual(await a.result, [{ x: 1 }]);
    client.cancel(b.id);
    assert.deepEqual(port.sent.map((m) => m.type), ['query', 'query', 'cancel']);
    port.gone('the engine connection was lost', true);
    await assert.rejects(b.result, /the engine connection was lost/);
    await assert.rejects(client.call('describe', { table: 't' }).result, /the engine connection was lost/);
    assert.equal(port.sent.length, 3, 'nothing more is sent to a dead host');
  });

  it('a passing failure answers what waits, and later requests still go to the host', async () => {
    const port = new FakePort();
    const client = new EngineClient(port);
    const a = client.call('query', { sql: 'SELECT 1' });
    port.gone('the engine worker failed: boom', false);
    await assert.rejects(a.result, /boom/);
    const b = client.call('query', { sql: 'SELECT 2' });
    port.answer({ id: b.id, type: 'result', result: [] });
    assert.deepEqual(await b.result, []);
    // an answer the port already gave is not given twice
    port.gone('later', false);
  });
});
