/**
 * Where the engine worker's time goes, kept for measuring (bench/ui-latency.ts
 * reads it from the worker with Playwright): each request's type and time and
 * each SQL statement's time, in bounded ring buffers on the worker's global
 * `__awTrace`, plus the engine's start-up steps. Nothing here reaches the page
 * or any file; statements are cut to their first 160 characters.
 */
import type { Database } from '../../common/db.ts';

/** One timed entry: what ran, when it started (ms since the worker started) and how long it took. */
export interface TraceEntry {
  what: string;
  at: number;
  ms: number;
}

/** The trace the worker keeps. */
export interface EngineTrace {
  /** Start-up steps (duckdb-wasm instantiate, open, parquet-wasm init...). */
  start: TraceEntry[];
  /** The last requests served. */
  requests: TraceEntry[];
  /** The last SQL statements run. */
  statements: TraceEntry[];
}

const KEEP = 2000;

/** The worker's trace, made on first use and published as `globalThis.__awTrace`. */
export function engineTrace(): EngineTrace {
  const g = globalThis as unknown as { __awTrace?: EngineTrace };
  g.__awTrace ??= { start: [], requests: [], statements: [] };
  return g.__awTrace;
}

/** Appends to a ring buffer of {@link KEEP} entries (a long session must not grow without bound). */
export function record(list: TraceEntry[], what: string, at: number): void {
  list.push({ what: what.replace(/\s+/g, ' ').trim().slice(0, 160), at, ms: performance.now() - at });
  if (list.length > KEEP) list.splice(0, list.length - KEEP);
}

/** `db` with every run/all call timed into `trace.statements`; everything else passes through. */
export function tracedDatabase(db: Database, trace: EngineTrace): Database {
  return new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      if (prop !== 'run' && prop !== 'all') return v.bind(target);
      return async (sql: string, params?: unknown[]) => {
        const at = performance.now();
        try {
          return await v.call(target, sql, params);
        } finally {
          record(trace.statements, sql, at);
        }
      };
    },
  });
}
