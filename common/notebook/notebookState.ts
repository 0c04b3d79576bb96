/**
 * The notebook being edited, with undo and redo: a pure transition function
 * from (state, message) to the next state. History holds whole notebooks;
 * they share unchanged cells, so a step costs one array and one cell.
 *
 * What one undo step is:
 * - typing in a cell's text field (source, name, title, label, unit, path)
 *   or the notebook title: every change to the same field(s) of the same
 *   cell less than COALESCE_MS after the previous one joins its step (pass
 *   the event time as `at`; without `at` nothing joins);
 * - dragging a param's value (setParam): the same, per param cell;
 * - adding, deleting or moving a cell, any other update: one step each.
 * Messages that change nothing return the state itself (no step).
 */
import { DEFAULT_MODELS } from '../pipeline.ts';
import { cellIdCounter, newCellId } from './ids.ts';
import type { Cell, CellKind, Notebook, ParamValue } from './types.ts';

/** Edits of the same thing closer together than this (ms) are one undo step. */
export const COALESCE_MS = 1000;
/** Undo steps kept. */
export const HISTORY_LIMIT = 200;
/** Fields whose edits are typing and coalesce. */
export const TEXT_FIELDS: readonly string[] = ['source', 'name', 'title', 'label', 'unit', 'path'];

/** A change to some fields of one cell (never its id or kind); `undefined` removes an optional field. */
export type CellPatch = { [K in CellKind]: Partial<Omit<Extract<Cell, { kind: K }>, 'id' | 'kind'>> }[CellKind];

export interface NotebookState {
  notebook: Notebook;
  /** Older notebooks, oldest first. */
  past: Notebook[];
  /** Undone notebooks, next redo first. */
  future: Notebook[];
  /** The last change's coalescing key and time, to join the next change to it. */
  lastChange?: { key: string; at: number };
  /** Highest id counter handed out: ids of deleted cells are not reused in this session. */
  idFloor: number;
  /** The notebook as last opened or saved: {@link isDirty} compares with it. */
  saved: Notebook;
}

export type NotebookMsg =
  /** A new cell of `kind` after cell `after` (null: first; absent or unknown: last), with an optional id and fields. */
  | { type: 'addCell'; kind: CellKind; after?: string | null; id?: string; fields?: CellPatch }
  | { type: 'deleteCell'; id: string }
  | { type: 'moveCell'; id: string; direction: 'up' | 'down' }
  | { type: 'updateCell'; id: string; fields: CellPatch; at?: number }
  | { type: 'setParam'; id: string; value: ParamValue; at?: number }
  | { type: 'setTitle'; title: string; at?: number }
  | { type: 'undo' }
  | { type: 'redo' }
  /** The notebook was written to disk: it is clean, and the next edit starts a new step. */
  | { type: 'markSaved' };

/** A fresh state for an opened (or new) notebook: clean, no history. */
export function createNotebookState(notebook: Notebook): NotebookState {
  return { notebook, past: [], future: [], idFloor: maxCounter(notebook.cells.map((c) => c.id), 0), saved: notebook };
}

/** Unsaved changes: the notebook is not the one last saved (undoing back to it makes it clean again). */
export function isDirty(state: NotebookState): boolean {
  return state.notebook !== state.saved;
}

export const canUndo = (state: NotebookState): boolean => state.past.length > 0;
export const canRedo = (state: NotebookState): boolean => state.future.length > 0;

/** The id the next `addCell` without an id would get. */
export function nextCellId(state: NotebookState): string {
  return newCellId(state.notebook.cells.map((c) => c.id), state.idFloor);
}

/** The next state after `msg`. */
export function transitionNotebook(state: NotebookState, msg: NotebookMsg): NotebookState {
  const cells = state.notebook.cells;
  switch (msg.type) {
    case 'addCell': {
      const id = msg.id ?? nextCellId(state);
      if (cells.some((c) => c.id === id)) return state;
      const at = msg.after === null ? 0 : msg.after === undefined ? cells.length : indexOf(cells, msg.after) + 1 || cells.length;
      const cell = applyPatch(defaultCell(msg.kind, id, cells, at), msg.fields ?? {});
      const next = commit(state, { ...state.notebook, cells: [...cells.slice(0, at), cell, ...cells.slice(at)] });
      return { ...next, idFloor: Math.max(next.idFloor, cellIdCounter(id)) };
    }
    case 'deleteCell': {
      const i = indexOf(cells, msg.id);
      if (i < 0) return state;
      return commit(state, { ...state.notebook, cells: cells.filter((_, k) => k !== i) });
    }
    case 'moveCell': {
      const i = indexOf(cells, msg.id);
      const j = msg.direction === 'up' ? i - 1 : i + 1;
      if (i < 0 || j < 0 || j >= cells.length) return state;
      const moved = [...cells];
      [moved[i], moved[j]] = [moved[j], moved[i]];
      return commit(state, { ...state.notebook, cells: moved });
    }
    case 'updateCell': {
      const i = indexOf(cells, msg.id);
      if (i < 0) return state;
      const updated = applyPatch(cells[i], msg.fields);
      if (sameValue(updated, cells[i])) return state;
      const keys = Object.keys(msg.fields).filter((k) => k !== 'id' && k !== 'kind').sort();
      const typing = keys.length > 0 && keys.every((k) => TEXT_FIELDS.includes(k));
      return commit(state, replaceCell(state.notebook, i, updated), typing ? { key: `text:${msg.id}:${keys.join(',')}`, at: msg.at } : undefined);
    }
    case 'setParam': {
      const i = indexOf(cells, msg.id);
      const cell = cells[i];
      if (!cell || cell.kind !== 'param' || sameValue(cell.value, msg.value)) return state;
      return commit(state, replaceCell(state.notebook, i, { ...cell, value: msg.value }), { key: `param:${msg.id}`, at: msg.at });
    }
    case 'setTitle':
      if (msg.title === state.notebook.title) return state;
      return commit(state, { ...state.notebook, title: msg.title }, { key: 'title', at: msg.at });
    case 'undo': {
      if (!state.past.length) return state;
      const notebook = state.past[state.past.length - 1];
      return { ...state, notebook, past: state.past.slice(0, -1), future: [state.notebook, ...state.future], lastChange: undefined };
    }
    case 'redo': {
      if (!state.future.length) return state;
      const [notebook, ...future] = state.future;
      return { ...state, notebook, past: [...state.past, state.notebook], future, lastChange: undefined };
    }
    case 'markSaved':
      return { ...state, saved: state.notebook, lastChange: undefined };
    default:
      return assertNever(msg);
  }
}

/**
 * Records `notebook` as the new present. With a coalescing key equal to the
 * last change's and a time less than COALESCE_MS after it, the change joins
 * the last step (the window slides with each change); otherwise the old
 * present becomes an undo step. Any change drops the redo list.
 */
function commit(state: NotebookState, notebook: Notebook, change?: { key: string; at?: number }): NotebookState {
  const last = state.lastChange;
  const join = change?.at !== undefined && last?.key === change.key && change.at - last.at >= 0 && change.at - last.at < COALESCE_MS && state.past.length > 0;
  const lastChange = change?.at !== undefined ? { key: change.key, at: change.at } : undefined;
  if (join) return { ...state, notebook, future: [], lastChange };
  const past = [...state.past, state.notebook];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { ...state, notebook, past, future: [], lastChange };
}

function indexOf(cells: readonly Cell[], id: string): number {
  return cells.findIndex((c) => c.id === id);
}

function replaceCell(nb: Notebook, i: number, cell: Cell): Notebook {
  const cells = [...nb.cells];
  cells[i] = cell;
  return { ...nb, cells };
}

/** `cell` with `patch` applied; id and kind cannot change; undefined removes a field. */
function applyPatch(cell: Cell, patch: CellPatch): Cell {
  const out: Record<string, unknown> = { ...cell };
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'id' || k === 'kind') continue;
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as unknown as Cell;
}

/** Structural equality of JSON-like values (key order ignored). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function maxCounter(ids: string[], floor: number): number {
  return ids.reduce((m, id) => Math.max(m, cellIdCounter(id)), floor);
}

/** `base` if free, else base2, base3... (`numbered`: always numbered, from 1). Names compare without case. */
function uniqueName(base: string, taken: Set<string>, numbered = false): string {
  if (!numbered && !taken.has(base)) return base;
  for (let n = numbered ? 1 : 2; ; n++) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
}

/**
 * A new cell of `kind` to insert at index `at` of `cells`, with defaults: a
 * unique name (query1, param1, attribution, events...), a chart of the
 * nearest SQL result above it, a model cell running the default models.
 */
export function defaultCell(kind: CellKind, id: string, cells: readonly Cell[], at = cells.length): Cell {
  const tables = new Set(cells.flatMap((c) => (c.kind === 'sql' || c.kind === 'model' || c.kind === 'data' ? [c.name.toLowerCase()] : [])));
  const params = new Set(cells.flatMap((c) => (c.kind === 'param' ? [c.name] : [])));
  switch (kind) {
    case 'markdown':
      return { id, kind, source: '' };
    case 'sql':
      return { id, kind, name: uniqueName('query', tables, true), source: '' };
    case 'chart': {
      const above = cells.slice(0, at).reverse().find((c) => c.kind === 'sql');
      return { id, kind, from: above?.kind === 'sql' ? above.name : '', builder: { mark: 'bar' } };
    }
    case 'param':
      return { id, kind, name: uniqueName('param', params, true), control: 'number', value: 0 };
    case 'model':
      return { id, kind, name: uniqueName('attribution', tables), models: [...DEFAULT_MODELS], params: {} };
    case 'data':
      return { id, kind, name: uniqueName('events', tables), path: '', options: {} };
    default:
      return assertNever(kind);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
