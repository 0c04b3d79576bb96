/**
 * What a notebook change leaves behind (common/notebook/orphans.ts): the
 * tables no cell makes any more, the cells that read them, and the message a
 * cell fails with when it reads a table no cell makes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Cell } from '../../common/notebook/types.ts';
import { buildGraph } from '../../common/notebook/graph.ts';
import { missingInput, tableChanges, usersOf } from '../../common/notebook/orphans.ts';

const data = { id: 'd', kind: 'data', name: 'sample', path: 'a.csv' } as Cell;
const model = { id: 'm', kind: 'model', name: 'attribution', models: ['linear'], params: {} } as unknown as Cell;
const byChannel = { id: 's1', kind: 'sql', name: 'by_channel', source: 'SELECT * FROM channel_summary' } as Cell;
const ownTemp = { id: 's2', kind: 'sql', name: 'mine', source: 'CREATE TEMP TABLE scratch AS SELECT 1 AS x; SELECT * FROM scratch' } as Cell;
const chart = { id: 'ch', kind: 'chart', from: 'by_channel' } as unknown as Cell;
const cells = [data, model, byChannel, ownTemp, chart];

describe('notebook orphans', () => {
  it('deleting the model cell: its tables are gone, nothing is added', () => {
    const after = cells.filter((c) => c.id !== 'm');
    const { gone, added } = tableChanges(cells, after);
    assert.ok(gone.includes('channel_summary') && gone.includes('credits') && gone.includes('attribution'));
    assert.ok(!gone.includes('events') && !gone.includes('by_channel'));
    assert.deepEqual(added, []);
    // the reverse (undo) adds them back
    assert.deepEqual(tableChanges(after, cells).added.sort(), [...gone].sort());
  });

  it('renaming an SQL cell: the old name is gone, the new one added', () => {
    const after = cells.map((c) => (c.id === 's1' ? { ...c, name: 'per_channel' } as Cell : c));
    assert.deepEqual(tableChanges(cells, after), { gone: ['by_channel'], added: ['per_channel'] });
  });

  it('the users of gone tables, in run order', () => {
    const after = cells.filter((c) => c.id !== 'm');
    assert.deepEqual(usersOf(buildGraph(after), ['channel_summary', 'credits']), ['s1']);
    assert.deepEqual(usersOf(buildGraph(cells), ['by_channel']), ['ch']);
  });

  it('a cell reading a table no cell makes fails with the table named, and how it went', () => {
    const after = cells.filter((c) => c.id !== 'm');
    assert.equal(missingInput(cells, 's1', new Map()), undefined, 'the model cell makes it');
    assert.equal(missingInput(after, 's1', new Map()), "reads 'channel_summary', which no cell makes: add a model cell above, or read another table");
    const orphans = new Map([['channel_summary', { madeBy: "model cell 'attribution'", how: 'deleted' as const }]]);
    assert.equal(missingInput(after, 's1', orphans),
      "reads 'channel_summary', which no cell makes any more (the model cell 'attribution' made it and was deleted): restore that cell with Undo, or read another table");
    // a renamed SQL cell: its readers are told to use the new name
    const renamed = cells.map((c) => (c.id === 's1' ? { ...c, name: 'per_channel' } as Cell : c));
    assert.equal(missingInput(renamed, 'ch', new Map([['by_channel', { madeBy: "sql cell 'by_channel'", how: 'renamed' as const }]])),
      "reads 'by_channel', which no cell makes any more (the sql cell 'by_channel' made it and was renamed): use its new name, or read another table");
    // without a data cell the model says what it needs
    assert.equal(missingInput(cells.filter((c) => c.id !== 'd'), 'm', new Map()), "reads 'events', which no cell makes: add a data cell above, or read another table");
  });

  it("an SQL cell's own temporary tables are not missing inputs", () => {
    assert.equal(missingInput(cells, 's2', new Map()), undefined);
  });
});
