/** The engine utility process in plain Node: the supervisor (ports, restarts, giving up) with fakes, and the host over real DuckDB. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { EngineClient } from '../../common/client.ts';
import type { EnginePortMessage } from '../../common/electronApi.ts';
import { EngineSupervisor, type EngineChild } from '../../main/engineProcess.ts';
import { adaptPort, parseHostArgs, runEngineHost, toSource, type HostPort, type ParentPortLike } from '../../main/engineHost.ts';

class FakePort {
  closed = false;
  constructor(readonly name: string) {}
  close() {
    this.closed = true;
  }
}

class FakeChild extends EventEmitter implements EngineChild<FakePort> {
  received: { message: unknown; ports: FakePort[] }[] = [];
  killed = false;
  postMessage(message: unknown, transfer: FakePort[] = []) {
    this.received.push({ message, ports: transfer });
  }
  kill() {
    this.killed = true;
    return true;
  }
}

function harness(opts: { maxCrashes?: number } = {}) {
  const children: FakeChild[] = [];
  const ports: FakePort[] = [];
  const timers: (() => void)[] = [];
  let n = 0;
  let now = 0;
  const sup = new EngineSupervisor<FakePort>({
    fork: () => {
      const c = new FakeChild();
      children.push(c);
      return c;
    },
    channel: () => {
      const pair = { port1: new FakePort(`p1-${++n}`), port2: new FakePort(`p2-${n}`) };
      ports.push(pair.port1, pair.port2);
      return pair;
    },
    now: () => (now += 1000),
    schedule: (fn) => void timers.push(fn),
    maxCrashes: opts.maxCrashes,
  });
  const delivered: { info: Omit<EnginePortMessage, 'type'>; port?: FakePort }[] = [];
  let alive = true;
  const target = { deliver: (info: Omit<EnginePortMessage, 'type'>, port?: FakePort) => (alive ? (delivered.push({ info, port }), true) : false) };
  return { sup, children, ports, timers, delivered, target, kill: () => (alive = false) };
}

describe('EngineSupervisor', () => {
  it('starts one process and gives each connecting page its own channel', () => {
    const h = harness();
    h.sup.start();
    h.sup.start();
    assert.equal(h.children.length, 1);
    h.sup.connect(h.target);
    h.sup.connect(h.target); // a reload asks again
    assert.equal(h.children.length, 1);
    assert.deepEqual(h.children[0].received.map((r) => [r.message, r.ports.map((p) => p.name)]), [
      [{ type: 'connect' }, ['p1-1']],
      [{ type: 'connect' }, ['p1-2']],
    ]);
    assert.deepEqual(h.delivered.map((d) => [d.info, d.port?.name]), [
      [{ generation: 1, restarted: false, failed: false }, 'p2-1'],
      [{ generation: 1, restarted: false, failed: false }, 'p2-2'],
    ]);
  });

  it('restarts a crashed engine and hands the page a port to the new one, marked restarted', () => {
    const h = harness();
    h.sup.connect(h.target);
    h.children[0].emit('exit', 134);
    assert.equal(h.sup.running, false);
    assert.equal(h.timers.length, 1);
    h.sup.connect(h.target); // a page asking meanwhile waits for the restart
    assert.equal(h.children.length, 1);
    h.timers.shift()!();
    assert.equal(h.children.length, 2);
    assert.equal(h.children[1].received.length, 1);
    const last = h.delivered.at(-1)!;
    assert.deepEqual(last.info, { generation: 2, restarted: true, failed: false, reason: 'the engine process exited (code 134)' });
    assert.equal(last.port?.name, 'p2-2');
  });

  it('gives up after repeated crashes and tells the page, now and on later connects', () => {
    const h = harness({ maxCrashes: 3 });
    h.sup.connect(h.target);
    for (let i = 0; i < 3; i++) {
      h.children.at(-1)!.emit('exit', 1);
      if (i < 2) h.timers.shift()!();
    }
    assert.equal(h.children.length, 3);
    assert.equal(h.timers.length, 0);
    const last = h.delivered.at(-1)!;
    assert.equal(last.info.failed, true);
    assert.equal(last.port, undefined);
    assert.match(last.info.reason!, /stopped 3 times/);
    h.sup.connect(h.target);
    assert.equal(h.delivered.at(-1)!.info.failed, true);
    assert.equal(h.children.length, 3, 'no new process');
  });

  it('does not restart after stop, ignores exits of replaced processes, and closes ports a gone page cannot take', () => {
    const h = harness();
    h.sup.connect(h.target);
    h.sup.stop();
    assert.equal(h.children[0].killed, true);
    h.children[0].emit('exit', 0);
    assert.equal(h.timers.length, 0);

    const g = harness();
    g.kill();
    g.sup.connect(g.target);
    assert.equal(g.children[0].received[0].ports[0].name, 'p1-1');
    // The page's end was never delivered: it is closed, so the host's session ends.
    assert.deepEqual(g.ports.map((p) => [p.name, p.closed]), [
      ['p1-1', false],
      ['p2-1', true],
    ]);
  });
});

describe('engine host', () => {
  it('reads its arguments', () => {
    assert.deepEqual(parseHostArgs(['/electron', 'engine-host.cjs', '--models-dir=/opt/app/resources/models', '--threads=4']), { modelsDir: '/opt/app/resources/models', threads: 4 });
    assert.deepEqual(parseHostArgs(['--threads=0', '--threads=abc', '--models-dir=', '--other=1']), {});
  });

  it('opens files by path only', () => {
    assert.throws(() => toSource({ kind: 'blob', name: 'x.csv', blob: new Blob(['a']) }), /by path/);
    assert.throws(() => toSource({ kind: 'path', path: '/no/such/file.csv' }), /no such file/);
  });

  /** A MessagePortMain look-alike over a Node MessagePort: 'message' events carry {data}. */
  function portMain(p: MessagePort): HostPort & { started: boolean } {
    const em = new EventEmitter();
    const port = {
      started: false,
      on: (ev: string, fn: (...a: unknown[]) => void) => (em.on(ev, fn), port),
      postMessage: (m: unknown) => p.postMessage(m),
      start: () => {
        port.started = true;
        p.on('message', (data) => em.emit('message', { data }));
      },
      close: () => p.close(),
    };
    p.on('close', () => em.emit('close'));
    return port as unknown as HostPort & { started: boolean };
  }

  it('serves a real native engine on each port main sends, and closes it with the port', async () => {
    const parent = new EventEmitter();
    const host = runEngineHost(parent as unknown as ParentPortLike, {});
    const { port1, port2 } = new MessageChannel();
    const hostSide = portMain(port2);
    parent.emit('message', { data: { type: 'connect' }, ports: [hostSide] });
    parent.emit('message', { data: { type: 'other' }, ports: [] }); // ignored
    const client = new EngineClient(port1);
    const rows = await client.call('query', { sql: 'SELECT 42 AS answer, $1 AS echo', params: ['hi'] }).result;
    assert.deepEqual(rows, [{ answer: 42, echo: 'hi' }]);
    await assert.rejects(client.call('open_file', { file: { kind: 'path', path: '/no/such.csv' } }).result, /no such file/);
    assert.equal(host.sessions(), 1);
    port1.close();
    for (let i = 0; i < 50 && host.sessions() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(host.sessions(), 0);
  });

  it('answers every request with the error when the database cannot open', async () => {
    const parent = new EventEmitter();
    runEngineHost(parent as unknown as ParentPortLike, {}, { openDatabase: () => Promise.reject(new Error('disk on fire')), log: () => {} });
    const { port1, port2 } = new MessageChannel();
    parent.emit('message', { data: { type: 'connect' }, ports: [portMain(port2)] });
    const client = new EngineClient(port1);
    await assert.rejects(client.call('query', { sql: 'SELECT 1' }).result, /disk on fire/);
    port1.close();
  });

  it('adapts a MessagePortMain to the protocol Port', () => {
    const em = new EventEmitter();
    const posted: unknown[] = [];
    const p = adaptPort({ on: (ev: string, fn: (e: { data: unknown }) => void) => em.on(ev, fn), postMessage: (m: unknown) => posted.push(m), start() {}, close() {} } as unknown as HostPort);
    const got: unknown[] = [];
    p.on!('message', (d) => got.push(d));
    em.emit('message', { data: { id: 1 } });
    p.postMessage({ id: 2 });
    assert.deepEqual(got, [{ id: 1 }]);
    assert.deepEqual(posted, [{ id: 2 }]);
  });
});
