/**
 * Cell ids: short, stable for a cell's life, unique within a notebook.
 * Generated ids are `c` + a base-36 counter (c1, c2, ... cz, c10): short to
 * read in a diff, and the next one is always above every id seen, so an id is
 * never handed out twice while the ids it is compared against are known.
 */

/** What an id in a file may look like (it sits unquoted on a fence line). */
export const CELL_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

const GENERATED_RE = /^c([0-9a-z]{1,10})$/;

/** The counter of a generated id (`c1f` -> 51), or 0 for ids of another shape. */
export function cellIdCounter(id: string): number {
  const m = GENERATED_RE.exec(id);
  return m ? parseInt(m[1], 36) : 0;
}

/**
 * A new id above every counter in `existing` and above `floor` (a high-water
 * mark the caller keeps, so ids of deleted cells are not reused while an undo
 * could bring them back or runtime state is still keyed by them).
 */
export function newCellId(existing: Iterable<string>, floor = 0): string {
  let max = floor;
  for (const id of existing) max = Math.max(max, cellIdCounter(id));
  return 'c' + (max + 1).toString(36);
}
