/**
 * The front-end side of the protocol: typed calls that return promises,
 * progress and streamed rows as callbacks, and cancel.
 */
import { fromPlainError } from './errors.ts';
import type { FromHost, RequestMap, RequestType, ToHost } from './protocol.ts';
import type { Row } from './db.ts';

/** Anything that can carry messages both ways (Worker, MessagePort, utility process port). */
export interface Port {
  postMessage(m: unknown): void;
  addEventListener?(type: 'message', fn: (e: Event) => void): void;
  on?(type: 'message', fn: (data: unknown) => void): void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?(done: number, total: number, label: string): void;
  onRows?(rows: Row[]): void;
}

/** A typed client of an engine host. */
export class EngineClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(private readonly port: Port) {
    const handle = (data: unknown) => this.receive(data as FromHost);
    if (port.addEventListener) port.addEventListener('message', (e) => handle((e as MessageEvent).data));
    else port.on?.('message', handle);
  }

  /** Sends a request; resolves with its result. Returns the id too, for cancel. */
  call<K extends RequestType>(
    type: K,
    args: RequestMap[K]['args'],
    hooks: { onProgress?: Pending['onProgress']; onRows?: Pending['onRows'] } = {},
  ): { id: number; result: Promise<RequestMap[K]['result']> } {
    const id = this.nextId++;
    const result = new Promise<RequestMap[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...hooks });
    });
    this.port.postMessage({ id, type, ...args } as ToHost);
    return { id, result };
  }

  /** Asks the host to cancel request `id`; that request then rejects with code `cancelled`. */
  cancel(id: number): void {
    this.port.postMessage({ id, type: 'cancel' } satisfies ToHost);
  }

  private receive(m: FromHost): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') p.onProgress?.(m.done, m.total, m.label);
    else if (m.type === 'rows') p.onRows?.(m.rows);
    else {
      this.pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.result);
      else p.reject(fromPlainError(m.error));
    }
  }
}
