/**
 * Starts the browser engine (worker/browser/engine.worker.ts). The page's
 * only way to the engine:
 *
 *   import { startBrowserEngine } from '../worker/browser/engine.ts';
 *   const engine = startBrowserEngine();
 *   const report = await engine.client.call('open_file', { file: { kind: 'blob', name: f.name, blob: f } }).result;
 *
 * The worker sits behind an {@link EnginePort}: when the worker dies (cannot
 * load, an uncaught error, terminate()) every request still waiting gets an
 * `error` answer, so no call hangs forever, whichever EngineClient made it.
 */
import { EngineClient, type Port } from '../../common/client.ts';
import type { FromHost, ToHost } from '../../common/protocol.ts';

/** A Port to the engine worker that answers for the worker when it is gone. */
export class EnginePort implements Port {
  private readonly outstanding = new Set<number>();
  private readonly listeners = new Set<(e: Event) => void>();
  private dead: string | undefined;

  constructor(readonly worker: Worker) {
    worker.addEventListener('message', (e) => {
      const m = e.data as FromHost;
      if (m && (m.type === 'result' || m.type === 'error')) this.outstanding.delete(m.id);
      this.emit(e.data);
    });
    worker.addEventListener('error', (e) => {
      // A worker that could not load at all reports no message: it will answer nothing, ever.
      if (!e.message) this.dead = 'the engine worker could not be loaded';
      this.failAll(e.message ? `the engine worker failed: ${e.message}` : 'the engine worker could not be loaded');
    });
  }

  postMessage(m: unknown): void {
    const msg = m as ToHost;
    if (msg.type !== 'cancel') {
      if (this.dead) {
        const dead = this.dead;
        queueMicrotask(() => this.answerError(msg.id, dead));
        return;
      }
      this.outstanding.add(msg.id);
    }
    this.worker.postMessage(m);
  }

  addEventListener(_type: 'message', fn: (e: Event) => void): void {
    this.listeners.add(fn);
  }

  /** Stops the worker (DuckDB's nested worker goes with it); waiting requests fail. */
  terminate(): void {
    this.worker.terminate();
    this.dead = 'the engine was stopped';
    this.failAll(this.dead);
  }

  private failAll(message: string): void {
    const ids = [...this.outstanding];
    this.outstanding.clear();
    for (const id of ids) this.answerError(id, message);
  }

  private answerError(id: number, message: string): void {
    this.emit({ id, type: 'error', error: { name: 'Error', message, code: 'internal' } } satisfies FromHost);
  }

  private emit(data: unknown): void {
    const ev = new MessageEvent('message', { data });
    for (const fn of this.listeners) fn(ev);
  }
}

/** Starts a fresh engine worker behind an {@link EnginePort} (HostBridge.enginePort). */
export function startEngineWorker(): EnginePort {
  return new EnginePort(new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'attrib-engine' }));
}

/** A running browser engine. */
export interface BrowserEngine {
  /** Typed requests (common/protocol.ts) to the worker. */
  client: EngineClient;
  /** The worker's port (what HostBridge.enginePort hands out). */
  port: EnginePort;
  /** The module worker itself. */
  worker: Worker;
  /** Stops the worker (and DuckDB's nested worker with it); calls still waiting reject. */
  terminate(): void;
}

/** Starts a fresh engine; DuckDB opens in the background and the first request waits for it. */
export function startBrowserEngine(): BrowserEngine {
  const port = startEngineWorker();
  return { client: new EngineClient(port), port, worker: port.worker, terminate: () => port.terminate() };
}
