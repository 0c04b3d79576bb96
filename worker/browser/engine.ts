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
import { EngineClient } from '../../common/client.ts';
import type { ToHost } from '../../common/protocol.ts';
import { AnsweringPort } from '../../common/answeringPort.ts';

/** A Port to the engine worker that answers for the worker when it is gone (common/answeringPort.ts). */
export class EnginePort extends AnsweringPort {
  constructor(readonly worker: Worker) {
    super();
    worker.addEventListener('message', (e) => this.receive(e.data));
    worker.addEventListener('error', (e) => {
      // A worker that could not load at all reports no message: it will answer nothing, ever.
      this.fail(e.message ? `the engine worker failed: ${e.message}` : 'the engine worker could not be loaded', !e.message);
    });
  }

  protected send(m: ToHost): void {
    this.worker.postMessage(m);
  }

  /** Stops the worker (DuckDB's nested worker goes with it); waiting requests fail. */
  terminate(): void {
    this.worker.terminate();
    this.fail('the engine was stopped', true);
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
