/**
 * The UI's view of the notebook core in common/notebook/: run states, the
 * notebook reducer with undo, format and graph, under the names the app
 * uses. Everything here is pure; the app only calls it.
 */
import type { CellKind, Notebook, ParamValue, Cell } from '../../common/notebook/types.ts';
import { createNotebookState, transitionNotebook, type NotebookState as CoreState, type CellPatch } from '../../common/notebook/notebookState.ts';
export { canUndo } from '../../common/notebook/notebookState.ts';
import { INITIAL_CELL_STATE } from '../../common/notebook/cellState.ts';

export type { CellState as RunState, CellMsg } from '../../common/notebook/cellState.ts';
export { isActive, transitionCell } from '../../common/notebook/cellState.ts';
export { parseNotebook, serializeNotebook } from '../../common/notebook/format.ts';
export { buildGraph, cellDefines, dependents } from '../../common/notebook/graph.ts';
export { TEMPLATES } from '../../common/notebook/templates.ts';

export type NotebookState = CoreState;

/** Edits the app makes, in its own words. */
export type NotebookMsg =
  | { type: 'add'; kind: CellKind; after?: string; patch?: Partial<Cell> }
  | { type: 'delete'; id: string }
  | { type: 'move'; id: string; delta: -1 | 1 }
  | { type: 'update'; id: string; patch: Partial<Cell>; at?: number }
  | { type: 'setParam'; id: string; value: ParamValue; at?: number }
  | { type: 'setTitle'; title: string }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'saved' };

/** A cell that has never run. */
export const initialCellState = () => INITIAL_CELL_STATE;

/** A fresh state for an opened notebook. */
export const initNotebookState = (nb: Notebook): NotebookState => createNotebookState(nb);

/** The notebook as it is now. */
export const currentNotebook = (s: NotebookState): Notebook => s.notebook;

/** Applies one edit (pure). */
export function applyNotebook(s: NotebookState, m: NotebookMsg): NotebookState {
  const strip = (p: Partial<Cell>) => {
    const { id: _id, kind: _kind, ...rest } = p as Cell;
    return rest as unknown as CellPatch;
  };
  switch (m.type) {
    case 'add':
      return transitionNotebook(s, { type: 'addCell', kind: m.kind, after: m.after, fields: m.patch ? strip(m.patch) : undefined });
    case 'delete':
      return transitionNotebook(s, { type: 'deleteCell', id: m.id });
    case 'move':
      return transitionNotebook(s, { type: 'moveCell', id: m.id, direction: m.delta < 0 ? 'up' : 'down' });
    case 'update':
      return transitionNotebook(s, { type: 'updateCell', id: m.id, fields: strip(m.patch), at: m.at });
    case 'setParam':
      return transitionNotebook(s, { type: 'setParam', id: m.id, value: m.value, at: m.at });
    case 'setTitle':
      return transitionNotebook(s, { type: 'setTitle', title: m.title, at: Date.now() });
    case 'undo':
      return transitionNotebook(s, { type: 'undo' });
    case 'redo':
      return transitionNotebook(s, { type: 'redo' });
    case 'saved':
      return transitionNotebook(s, { type: 'markSaved' });
  }
}
