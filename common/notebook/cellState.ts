/**
 * The run state of one cell, marimo-style: a pure transition function from
 * (state, message) to the next state. Runs are numbered by the caller with
 * increasing run ids; a message about an older run than the state's is
 * ignored, so a superseded run's late answer never overwrites a newer one.
 *
 *   idle --queue--> queued --start--> running --done--> done
 *                                         \--fail--> error (code 'cancelled': cancelled)
 *   queued/running --cancel--> cancelled
 *   done/error --edit or upstreamChanged--> stale
 *
 * Outputs (resultMeta, error) are replaced only by an outcome: `done`
 * replaces both, `fail` sets the error and drops the result; queue, start and
 * cancel keep the previous ones so the UI can show them dimmed.
 */

export type CellStatus = 'idle' | 'queued' | 'running' | 'done' | 'error' | 'stale' | 'cancelled';

/** A run's error as plain data (from an AttribError or any Error). */
export interface CellErrorInfo {
  name: string;
  message: string;
  code?: string;
  /** The file the error is about (an import's), when it is one. */
  file?: string;
  line?: number;
  column?: number;
}

/** What a successful run produced. */
export interface ResultMeta {
  rows: number;
  columns: number;
  /** Engine time of the run. */
  ms: number;
}

export interface CellProgress {
  done: number;
  total: number;
  label?: string;
}

export interface CellState {
  status: CellStatus;
  /** The run this state is about (0: never queued). */
  runId: number;
  /** Clock time (ms) the run started. */
  startedAt?: number;
  /** Wall time of the last finished run. */
  elapsedMs?: number;
  progress?: CellProgress;
  error?: CellErrorInfo;
  resultMeta?: ResultMeta;
  /** The source or an input changed while this run was queued or running: its outcome is stale on arrival. */
  changedDuringRun?: boolean;
}

export type CellMsg =
  | { type: 'queue'; runId: number }
  | { type: 'start'; runId: number; at: number }
  | { type: 'progress'; runId: number; done: number; total: number; label?: string }
  | { type: 'done'; runId: number; meta: ResultMeta; at: number }
  | { type: 'fail'; runId: number; error: CellErrorInfo; at: number }
  | { type: 'cancel'; runId: number }
  /** The cell's own source or fields changed. */
  | { type: 'edit' }
  /** Something the cell uses changed (a param value, an upstream result). */
  | { type: 'upstreamChanged' };

/** A cell that has never run. */
export const INITIAL_CELL_STATE: CellState = Object.freeze({ status: 'idle', runId: 0 }) as CellState;

/** Message constructors, so call sites read `transitionCell(s, cellMsg.start(7, Date.now()))`. */
export const cellMsg = {
  queue: (runId: number): CellMsg => ({ type: 'queue', runId }),
  start: (runId: number, at: number): CellMsg => ({ type: 'start', runId, at }),
  progress: (runId: number, done: number, total: number, label?: string): CellMsg => ({ type: 'progress', runId, done, total, ...(label === undefined ? {} : { label }) }),
  done: (runId: number, meta: ResultMeta, at: number): CellMsg => ({ type: 'done', runId, meta, at }),
  fail: (runId: number, error: CellErrorInfo, at: number): CellMsg => ({ type: 'fail', runId, error, at }),
  cancel: (runId: number): CellMsg => ({ type: 'cancel', runId }),
  edit: (): CellMsg => ({ type: 'edit' }),
  upstreamChanged: (): CellMsg => ({ type: 'upstreamChanged' }),
};

/** Queued or running: a run is under way. */
export function isActive(state: CellState): boolean {
  return state.status === 'queued' || state.status === 'running';
}

/**
 * Whether a message about run `runId` concerns the state: a newer run always
 * does (its earlier messages may have been dropped), the current run only
 * while it is under way (an outcome is final: a late `done` after `cancel`
 * does not revive it).
 */
function concerns(state: CellState, runId: number): boolean {
  return runId > state.runId || (runId === state.runId && isActive(state));
}

/** The next state of a cell after `msg`; returns `state` itself when the message changes nothing. */
export function transitionCell(state: CellState, msg: CellMsg): CellState {
  switch (msg.type) {
    case 'queue':
      // Only a new run can be queued: the current one is queued already or past it.
      if (!(msg.runId > state.runId || (msg.runId === state.runId && state.status === 'idle'))) return state;
      return withOutputs(state, { status: 'queued', runId: msg.runId });
    case 'start':
      if (!(msg.runId > state.runId || (msg.runId === state.runId && state.status === 'queued'))) return state;
      return withOutputs(state, {
        status: 'running',
        runId: msg.runId,
        startedAt: msg.at,
        changedDuringRun: msg.runId === state.runId ? state.changedDuringRun : undefined,
      });
    case 'progress': {
      if (!concerns(state, msg.runId)) return state;
      const progress: CellProgress = { done: msg.done, total: msg.total, ...(msg.label === undefined ? {} : { label: msg.label }) };
      const same = msg.runId === state.runId;
      return withOutputs(state, {
        status: 'running',
        runId: msg.runId,
        startedAt: same ? state.startedAt : undefined,
        progress,
        changedDuringRun: same ? state.changedDuringRun : undefined,
      });
    }
    case 'done': {
      if (!concerns(state, msg.runId)) return state;
      const same = msg.runId === state.runId;
      return clean({
        status: same && state.changedDuringRun ? 'stale' : 'done',
        runId: msg.runId,
        startedAt: same ? state.startedAt : undefined,
        elapsedMs: same && state.startedAt !== undefined ? msg.at - state.startedAt : msg.meta.ms,
        resultMeta: msg.meta,
      });
    }
    case 'fail': {
      if (!concerns(state, msg.runId)) return state;
      const same = msg.runId === state.runId;
      const startedAt = same ? state.startedAt : undefined;
      const elapsedMs = startedAt !== undefined ? msg.at - startedAt : undefined;
      // The engine rejects a cancelled step with code 'cancelled': that is a cancel, not an error, and the old result stands.
      if (msg.error.code === 'cancelled') return withOutputs(state, { status: 'cancelled', runId: msg.runId, startedAt, elapsedMs });
      return clean({ status: same && state.changedDuringRun ? 'stale' : 'error', runId: msg.runId, startedAt, elapsedMs, error: msg.error });
    }
    case 'cancel':
      if (!concerns(state, msg.runId)) return state;
      return withOutputs(state, { status: 'cancelled', runId: msg.runId, startedAt: msg.runId === state.runId ? state.startedAt : undefined });
    case 'edit':
    case 'upstreamChanged':
      if (isActive(state)) return state.changedDuringRun ? state : { ...state, changedDuringRun: true };
      if (state.status === 'done' || state.status === 'error' || (state.status === 'cancelled' && (state.resultMeta || state.error))) {
        return { ...state, status: 'stale' };
      }
      return state;
    default:
      return assertNever(msg);
  }
}

/** `next` with the previous outputs carried over (see the module doc). */
function withOutputs(prev: CellState, next: CellState): CellState {
  return clean({ ...next, resultMeta: prev.resultMeta, error: prev.error });
}

/** Drops undefined fields, so states compare with deepEqual and stay JSON-clean. */
function clean(s: CellState): CellState {
  const o = s as unknown as Record<string, unknown>;
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return s;
}

/** Compile-time exhaustiveness: a new message type without a case fails to type-check here. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
