/**
 * What a notebook change leaves behind: engine tables that no cell makes any
 * more (their cell was deleted or renamed), and the inputs a cell reads that
 * no cell makes. The page drops the first from the engine and fails a cell
 * on the second with a message naming the table, so a result is never shown
 * from a table nothing recomputes.
 */
import type { Cell } from './types.ts';
import { buildGraph, cellDefines, DATA_OUTPUT_TABLES, MODEL_OUTPUT_TABLES, type CellGraph } from './graph.ts';

/** Table names (not parameters) the cells define. */
export function definedTables(cells: readonly Cell[]): Set<string> {
  return new Set(cells.flatMap((c) => cellDefines(c)).filter((n) => !n.startsWith('$')));
}

/** A change's effect on the names: tables no cell defines any more, and tables newly defined. */
export function tableChanges(before: readonly Cell[], after: readonly Cell[]): { gone: string[]; added: string[] } {
  const b = definedTables(before);
  const a = definedTables(after);
  return { gone: [...b].filter((n) => !a.has(n)), added: [...a].filter((n) => !b.has(n)) };
}

/** Ids of the cells whose uses include any of `names`, in run order. */
export function usersOf(graph: CellGraph, names: readonly string[]): string[] {
  const set = new Set(names);
  return graph.order.filter((id) => (graph.uses.get(id) ?? []).some((n) => set.has(n)));
}

/** What made a table whose cell went: shown in the error of a cell that still reads it. */
export interface Orphan {
  /** e.g. "model cell 'attribution'". */
  madeBy: string;
  /** What happened to that cell. */
  how: 'deleted' | 'renamed';
}

/**
 * The first input of `cellId` that no cell makes, in words, or undefined.
 * An input counts when it is a table some kind of cell makes (a model's or a
 * data cell's outputs) or one whose cell went this session (`orphans`); other
 * names an SQL cell reads may be its own temporary tables.
 */
export function missingInput(cells: readonly Cell[], cellId: string, orphans: ReadonlyMap<string, Orphan>): string | undefined {
  const graph = buildGraph(cells);
  const defined = definedTables(cells);
  const known = new Set<string>([...MODEL_OUTPUT_TABLES, ...DATA_OUTPUT_TABLES, ...orphans.keys()]);
  for (const name of graph.uses.get(cellId) ?? []) {
    if (name.startsWith('$') || defined.has(name) || !known.has(name)) continue;
    const o = orphans.get(name);
    const maker = (MODEL_OUTPUT_TABLES as readonly string[]).includes(name) ? 'a model cell' : (DATA_OUTPUT_TABLES as readonly string[]).includes(name) ? 'a data cell' : 'a cell';
    return o
      ? `reads '${name}', which no cell makes any more (the ${o.madeBy} made it and was ${o.how}): ${o.how === 'deleted' ? 'restore that cell with Undo' : 'use its new name'}, or read another table`
      : `reads '${name}', which no cell makes: add ${maker} above, or read another table`;
  }
  return undefined;
}
