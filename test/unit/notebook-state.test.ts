/**
 * Pure state transitions: a cell's run state (late answers of superseded
 * runs ignored, edits making results stale) and the notebook under edit
 * (add, delete, move, update, params, undo/redo with coalescing).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cellMsg, INITIAL_CELL_STATE, transitionCell, type CellMsg, type CellState } from '../../common/notebook/cellState.ts';
import {
  canRedo,
  canUndo,
  createNotebookState,
  isDirty,
  nextCellId,
  transitionNotebook,
  type NotebookMsg,
  type NotebookState,
} from '../../common/notebook/notebookState.ts';
import type { Cell, Notebook } from '../../common/notebook/types.ts';

const run = (s: CellState, ...msgs: CellMsg[]) => msgs.reduce(transitionCell, s);
const meta = { rows: 10, columns: 3, ms: 40 };
const err = { name: 'AttribError', message: 'bad', code: 'bad_parameter', line: 2, column: 5 };

describe('cell run state', () => {
  it('goes idle -> queued -> running (progress) -> done, timing the run', () => {
    let s = run(INITIAL_CELL_STATE, cellMsg.queue(1));
    assert.deepEqual(s, { status: 'queued', runId: 1 });
    s = run(s, cellMsg.start(1, 1000));
    assert.deepEqual(s, { status: 'running', runId: 1, startedAt: 1000 });
    s = run(s, cellMsg.progress(1, 2, 5, 'model linear'));
    assert.deepEqual(s, { status: 'running', runId: 1, startedAt: 1000, progress: { done: 2, total: 5, label: 'model linear' } });
    s = run(s, cellMsg.done(1, meta, 1250));
    assert.deepEqual(s, { status: 'done', runId: 1, startedAt: 1000, elapsedMs: 250, resultMeta: meta });
  });

  it('a failure keeps the error and drops the old result; the next success clears the error', () => {
    let s = run(INITIAL_CELL_STATE, cellMsg.queue(1), cellMsg.start(1, 0), cellMsg.done(1, meta, 5));
    s = run(s, cellMsg.queue(2), cellMsg.start(2, 10));
    // While the new run is under way, the old result is still there (shown dimmed).
    assert.deepEqual(s.resultMeta, meta);
    s = run(s, cellMsg.fail(2, err, 30));
    assert.deepEqual(s, { status: 'error', runId: 2, startedAt: 10, elapsedMs: 20, error: err });
    s = run(s, cellMsg.queue(3), cellMsg.start(3, 40));
    assert.deepEqual(s.error, err);
    s = run(s, cellMsg.done(3, meta, 41));
    assert.deepEqual(s, { status: 'done', runId: 3, startedAt: 40, elapsedMs: 1, resultMeta: meta });
  });

  it('ignores messages of a superseded run, and outcomes after the run ended', () => {
    let s = run(INITIAL_CELL_STATE, cellMsg.queue(1), cellMsg.start(1, 0));
    s = run(s, cellMsg.queue(2), cellMsg.start(2, 100));
    const before = s;
    for (const m of [cellMsg.progress(1, 1, 2), cellMsg.done(1, meta, 150), cellMsg.fail(1, err, 150), cellMsg.cancel(1), cellMsg.queue(1), cellMsg.start(1, 160)]) {
      assert.equal(transitionCell(s, m), before, m.type);
    }
    s = run(s, cellMsg.cancel(2));
    assert.deepEqual(s, { status: 'cancelled', runId: 2, startedAt: 100 });
    // A late answer of the cancelled run does not revive it; nor can it be queued or started again.
    for (const m of [cellMsg.done(2, meta, 200), cellMsg.fail(2, err, 200), cellMsg.progress(2, 1, 2), cellMsg.queue(2), cellMsg.start(2, 300)]) {
      assert.equal(transitionCell(s, m), s, m.type);
    }
  });

  it('adopts a newer run whose earlier messages it missed', () => {
    const s = run(INITIAL_CELL_STATE, cellMsg.queue(1), cellMsg.done(4, meta, 99));
    assert.deepEqual(s, { status: 'done', runId: 4, elapsedMs: 40, resultMeta: meta });
  });

  it("treats a fail with code 'cancelled' as a cancel: the old result stands", () => {
    const s = run(INITIAL_CELL_STATE, cellMsg.queue(1), cellMsg.start(1, 0), cellMsg.done(1, meta, 1), cellMsg.queue(2), cellMsg.start(2, 10));
    assert.deepEqual(run(s, cellMsg.fail(2, { name: 'AttribError', message: 'cancelled', code: 'cancelled' }, 15)), {
      status: 'cancelled',
      runId: 2,
      startedAt: 10,
      elapsedMs: 5,
      resultMeta: meta,
    });
  });

  it('edit and upstreamChanged make a result stale; during a run, its outcome arrives stale', () => {
    const done = run(INITIAL_CELL_STATE, cellMsg.queue(1), cellMsg.start(1, 0), cellMsg.done(1, meta, 1));
    assert.deepEqual(run(done, cellMsg.edit()), { ...done, status: 'stale' });
    assert.deepEqual(run(done, cellMsg.upstreamChanged()).status, 'stale');
    const failed = run(INITIAL_CELL_STATE, cellMsg.queue(1), cellMsg.fail(1, err, 1));
    assert.equal(run(failed, cellMsg.edit()).status, 'stale');
    // Nothing to be stale: idle stays idle, stale stays the same object.
    assert.equal(transitionCell(INITIAL_CELL_STATE, cellMsg.edit()), INITIAL_CELL_STATE);
    const stale = run(done, cellMsg.edit());
    assert.equal(transitionCell(stale, cellMsg.upstreamChanged()), stale);
    // Edited while running: still running, and the answer is marked stale.
    let s = run(INITIAL_CELL_STATE, cellMsg.queue(1), cellMsg.start(1, 0), cellMsg.edit());
    assert.equal(s.status, 'running');
    s = run(s, cellMsg.done(1, meta, 5));
    assert.deepEqual(s, { status: 'stale', runId: 1, startedAt: 0, elapsedMs: 5, resultMeta: meta });
    // A new run clears the mark.
    s = run(s, cellMsg.queue(2), cellMsg.start(2, 10), cellMsg.done(2, meta, 12));
    assert.equal(s.status, 'done');
    // Edited while queued: the mark survives start.
    s = run(s, cellMsg.queue(3), cellMsg.upstreamChanged(), cellMsg.start(3, 20), cellMsg.fail(3, err, 21));
    assert.equal(s.status, 'stale');
    assert.deepEqual(s.error, err);
  });

  it('never mutates the state it is given', () => {
    const s = run(INITIAL_CELL_STATE, cellMsg.queue(1), cellMsg.start(1, 0));
    const copy = structuredClone(s);
    run(s, cellMsg.progress(1, 1, 2), cellMsg.edit(), cellMsg.done(1, meta, 3), cellMsg.edit());
    assert.deepEqual(s, copy);
    assert.deepEqual(INITIAL_CELL_STATE, { status: 'idle', runId: 0 });
  });
});

// ---- notebook state ---------------------------------------------------------

const NB: Notebook = {
  format: 'attribution-notebook/1',
  title: 'T',
  cells: [
    { id: 'c1', kind: 'markdown', source: 'hi' },
    { id: 'c2', kind: 'sql', name: 'q', source: 'SELECT 1' },
    { id: 'c3', kind: 'param', name: 'days', control: 'slider', value: 30, min: 1, max: 90 },
  ],
};
const go = (s: NotebookState, ...msgs: NotebookMsg[]) => msgs.reduce(transitionNotebook, s);
const ids = (s: NotebookState) => s.notebook.cells.map((c) => c.id);
const cell = (s: NotebookState, id: string) => s.notebook.cells.find((c) => c.id === id) as Cell & Record<string, unknown>;

describe('notebook state', () => {
  it('adds cells with defaults and fresh ids, after a cell, first or last', () => {
    const s0 = createNotebookState(NB);
    assert.equal(nextCellId(s0), 'c4');
    let s = go(s0, { type: 'addCell', kind: 'sql', after: 'c1' });
    assert.deepEqual(ids(s), ['c1', 'c4', 'c2', 'c3']);
    assert.deepEqual(cell(s, 'c4'), { id: 'c4', kind: 'sql', name: 'query1', source: '' });
    s = go(s, { type: 'addCell', kind: 'chart', after: 'c4' });
    // A chart of the nearest SQL result above it.
    assert.deepEqual(cell(s, 'c5'), { id: 'c5', kind: 'chart', from: 'query1', builder: { mark: 'bar' } });
    s = go(s, { type: 'addCell', kind: 'param', after: null }, { type: 'addCell', kind: 'model' }, { type: 'addCell', kind: 'data', after: 'nope' });
    assert.deepEqual(ids(s), ['c6', 'c1', 'c4', 'c5', 'c2', 'c3', 'c7', 'c8']);
    assert.deepEqual(cell(s, 'c6'), { id: 'c6', kind: 'param', name: 'param1', control: 'number', value: 0 });
    assert.deepEqual(cell(s, 'c7'), { id: 'c7', kind: 'model', name: 'attribution', models: ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'], params: {} });
    assert.deepEqual(cell(s, 'c8'), { id: 'c8', kind: 'data', name: 'events', path: '', options: {} });
    // Given id and fields; an id in use is refused.
    s = go(s, { type: 'addCell', kind: 'markdown', id: 'intro', fields: { source: '# Hello' } });
    assert.deepEqual(cell(s, 'intro'), { id: 'intro', kind: 'markdown', source: '# Hello' });
    assert.equal(go(s, { type: 'addCell', kind: 'markdown', id: 'c1' }), s);
    assert.equal(s.past.length, 6);
    assert.equal(s0.notebook, NB, 'the first state is untouched');
  });

  it('does not reuse the id of a deleted cell, even after undo', () => {
    let s = go(createNotebookState(NB), { type: 'addCell', kind: 'markdown' }, { type: 'deleteCell', id: 'c4' });
    assert.deepEqual(ids(s), ['c1', 'c2', 'c3']);
    s = go(s, { type: 'addCell', kind: 'markdown' });
    assert.deepEqual(ids(s), ['c1', 'c2', 'c3', 'c5']);
  });

  it('deletes and moves as single steps; moves past the ends change nothing', () => {
    const s0 = createNotebookState(NB);
    let s = go(s0, { type: 'moveCell', id: 'c3', direction: 'up' });
    assert.deepEqual(ids(s), ['c1', 'c3', 'c2']);
    s = go(s, { type: 'moveCell', id: 'c3', direction: 'up' });
    assert.deepEqual(ids(s), ['c3', 'c1', 'c2']);
    assert.equal(go(s, { type: 'moveCell', id: 'c3', direction: 'up' }), s);
    assert.equal(go(s, { type: 'moveCell', id: 'c2', direction: 'down' }), s);
    assert.equal(go(s, { type: 'deleteCell', id: 'zz' }), s);
    s = go(s, { type: 'deleteCell', id: 'c1' });
    assert.deepEqual(ids(s), ['c3', 'c2']);
    s = go(s, { type: 'undo' });
    assert.deepEqual(ids(s), ['c3', 'c1', 'c2']);
    s = go(s, { type: 'undo' });
    assert.deepEqual(ids(s), ['c1', 'c3', 'c2']);
    s = go(s, { type: 'undo' });
    assert.equal(s.notebook, NB);
    assert.equal(canUndo(s), false);
    assert.equal(go(s, { type: 'undo' }), s);
    s = go(s, { type: 'redo' }, { type: 'redo' });
    assert.deepEqual(ids(s), ['c3', 'c1', 'c2']);
  });

  it('typing in one cell within 1 s is one undo step; a pause, another field or another cell starts a new one', () => {
    const type = (id: string, source: string, at: number): NotebookMsg => ({ type: 'updateCell', id, fields: { source }, at });
    let s = go(createNotebookState(NB), type('c2', 'SELECT 1 ', 0), type('c2', 'SELECT 1 +', 400), type('c2', 'SELECT 1 + 1', 1300));
    // Each keystroke was < 1 s after the previous: one step.
    assert.equal(s.past.length, 1);
    s = go(s, type('c2', 'SELECT 1 + 12', 2400)); // 1.1 s pause
    assert.equal(s.past.length, 2);
    s = go(s, type('c1', 'hi!', 2500)); // another cell
    assert.equal(s.past.length, 3);
    s = go(s, { type: 'updateCell', id: 'c2', fields: { name: 'q2' }, at: 2600 }); // another field
    assert.equal(s.past.length, 4);
    s = go(s, { type: 'undo' }, { type: 'undo' }, { type: 'undo' });
    assert.equal((cell(s, 'c2') as { source: string }).source, 'SELECT 1 + 1');
    s = go(s, { type: 'undo' });
    assert.equal(s.notebook, NB);
    // Without a time nothing coalesces.
    s = go(createNotebookState(NB), { type: 'updateCell', id: 'c2', fields: { source: 'a' } }, { type: 'updateCell', id: 'c2', fields: { source: 'ab' } });
    assert.equal(s.past.length, 2);
    // Non-text fields are discrete choices: one step each, even in quick succession.
    s = go(createNotebookState(NB), { type: 'updateCell', id: 'c3', fields: { max: 60 }, at: 0 }, { type: 'updateCell', id: 'c3', fields: { max: 50 }, at: 10 });
    assert.equal(s.past.length, 2);
  });

  it('a slider drag is one step; undo right after starts fresh', () => {
    const drag = (value: number, at: number): NotebookMsg => ({ type: 'setParam', id: 'c3', value, at });
    let s = go(createNotebookState(NB), drag(31, 0), drag(35, 100), drag(40, 200), drag(44, 900));
    assert.equal(s.past.length, 1);
    assert.equal(cell(s, 'c3').value, 44);
    s = go(s, { type: 'undo' });
    assert.equal(cell(s, 'c3').value, 30);
    assert.equal(canRedo(s), true);
    // After an undo the next drag is a new step (and drops the redo).
    s = go(s, drag(50, 950), drag(51, 960));
    assert.equal(s.past.length, 1);
    assert.equal(canRedo(s), false);
    assert.equal(cell(s, 'c3').value, 51);
    // Same value: nothing happens; a non-param cell: nothing happens.
    assert.equal(go(s, drag(51, 970)), s);
    assert.equal(go(s, { type: 'setParam', id: 'c2', value: 3 }), s);
  });

  it('updates fields, removes a field with undefined, never changes id or kind, ignores no-op updates', () => {
    let s = go(createNotebookState(NB), { type: 'updateCell', id: 'c3', fields: { unit: 'days', label: 'Lookback' } });
    assert.deepEqual(cell(s, 'c3'), { id: 'c3', kind: 'param', name: 'days', control: 'slider', value: 30, min: 1, max: 90, unit: 'days', label: 'Lookback' });
    s = go(s, { type: 'updateCell', id: 'c3', fields: { label: undefined } });
    assert.ok(!('label' in cell(s, 'c3')));
    const same = go(s, { type: 'updateCell', id: 'c3', fields: { unit: 'days' } });
    assert.equal(same, s);
    s = go(s, { type: 'updateCell', id: 'c3', fields: { id: 'x', kind: 'sql', unit: 'd' } as never });
    assert.deepEqual([cell(s, 'c3').id, cell(s, 'c3').kind, cell(s, 'c3').unit], ['c3', 'param', 'd']);
    assert.equal(go(s, { type: 'updateCell', id: 'nope', fields: { source: 'x' } }), s);
  });

  it('tracks unsaved changes; undoing back to the saved notebook is clean; a save splits typing', () => {
    let s = createNotebookState(NB);
    assert.equal(isDirty(s), false);
    s = go(s, { type: 'setTitle', title: 'T2', at: 0 });
    assert.equal(isDirty(s), true);
    s = go(s, { type: 'undo' });
    assert.equal(isDirty(s), false);
    s = go(s, { type: 'setTitle', title: 'A', at: 0 }, { type: 'markSaved' }, { type: 'setTitle', title: 'AB', at: 100 });
    // The save made a new step: undo returns to the saved text, which is clean.
    assert.equal(s.past.length, 2);
    s = go(s, { type: 'undo' });
    assert.equal(s.notebook.title, 'A');
    assert.equal(isDirty(s), false);
  });

  it('keeps at most HISTORY_LIMIT steps', () => {
    let s = createNotebookState(NB);
    for (let i = 0; i < 250; i++) s = go(s, { type: 'setParam', id: 'c3', value: i + 100 });
    assert.equal(s.past.length, 200);
    assert.equal((s.past[0].cells[2] as { value: number }).value, 149);
  });
});
