/**
 * The notebook's reactivity: which names each cell defines and uses, the
 * edges between cells, a run order, and the cells to re-run when some change.
 *
 * Names are engine tables (lower-case: SQL identifiers are case-insensitive)
 * and parameters, kept apart as `$name` so a column called `model` never
 * depends on the parameter `$model`.
 *   defines: sql -> its name; param -> `$name`; data -> events, rejects and
 *            its name; model -> MODEL_OUTPUT_TABLES and its name (an alias).
 *   uses:    sql -> tables it reads (FROM/JOIN, and any identifier equal to a
 *            defined name) and its `$params`; chart -> `from`; model -> events
 *            and every "$name" string among its params; markdown, param,
 *            data -> nothing.
 */
import type { Cell } from './types.ts';
import { sqlReferences } from './sqlRefs.ts';

/**
 * The engine tables a model cell's run writes (common/pipeline.ts, models/conversions.sql,
 * models/compare.sql, models/audit.sql, and with a baseline models/rule_diff.sql).
 */
export const MODEL_OUTPUT_TABLES = [
  'touches', 'journeys', 'journey_touches', 'conversions', 'credits', 'channel_summary', 'model_comparison',
  'health_daily', 'health_inputs_daily', 'health_xmr', 'pipeline_trace', 'unattributable',
  'diff_conversions', 'diff_matrix', 'diff_totals', 'diff_credits',
] as const;

/** The engine tables a data cell's import writes. */
export const DATA_OUTPUT_TABLES = ['events', 'rejects'] as const;

/** A `"$name"` value in a model cell's params: it follows the param cell `name`. */
const PARAM_REF_RE = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;

/** The graph name of a parameter (`$` + its name), as it appears in {@link CellGraph.defines} and uses. */
export function paramKey(name: string): string {
  return '$' + name;
}

/** The parameter a model-param value refers to ("$lookback_days" -> "lookback_days"), or undefined for a plain value. */
export function paramRef(value: unknown): string | undefined {
  return typeof value === 'string' ? PARAM_REF_RE.exec(value)?.[1] : undefined;
}

/**
 * A model cell's params as a run uses them: each "$name" replaced by the
 * value of the parameter cell `name` (`valueOf`), other values as they are.
 * Throws naming the parameter when no parameter cell has that name.
 */
export function resolveParamRefs(params: Record<string, unknown>, valueOf: (name: string) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    const ref = paramRef(v);
    if (ref === undefined) {
      out[k] = v;
      continue;
    }
    const val = valueOf(ref);
    if (val === undefined) throw new Error(`parameter ${k} follows $${ref}, but there is no parameter cell of that name`);
    out[k] = val;
  }
  return out;
}

export type GraphErrorKind = 'cycle' | 'duplicate' | 'unknown_param' | 'unknown_source';

/** A problem of one cell's place in the graph; such a cell should not run. */
export interface GraphError {
  kind: GraphErrorKind;
  message: string;
  /** The name concerned (duplicate, unknown_param, unknown_source). */
  name?: string;
  /** The cells of the cycle, starting and ending at this cell (cycle). */
  cycle?: string[];
}

/** `to` uses `name`, which `from` defines. */
export interface Edge {
  from: string;
  to: string;
  name: string;
}

/** The dependency graph of a notebook's cells. */
export interface CellGraph {
  /** Cell ids in notebook order. */
  cells: string[];
  defines: Map<string, string[]>;
  uses: Map<string, string[]>;
  /** One per (definer, user, name), in the order of the users and their uses. */
  edges: Edge[];
  /**
   * Every cell once, in an order that runs definers before users, otherwise
   * by notebook position; the cells of a cycle come together, by position.
   */
  order: string[];
  /** Only cells with problems have an entry. */
  errors: Map<string, GraphError[]>;
}

/** The names a cell defines (see the module doc). */
export function cellDefines(cell: Cell): string[] {
  const uniq = (xs: string[]) => [...new Set(xs)];
  switch (cell.kind) {
    case 'sql':
      return [cell.name.toLowerCase()];
    case 'param':
      return [paramKey(cell.name)];
    case 'data':
      return uniq([...DATA_OUTPUT_TABLES, cell.name.toLowerCase()]);
    case 'model':
      return uniq([...MODEL_OUTPUT_TABLES, cell.name.toLowerCase()]);
    case 'markdown':
    case 'chart':
      return [];
  }
}

/**
 * The names a cell uses. `definedTables` (lower-case) lets an SQL cell's
 * plain identifiers count when they name a defined table; the cell's own
 * definitions are never among its uses.
 */
export function cellUses(cell: Cell, definedTables: ReadonlySet<string>): string[] {
  const own = new Set(cellDefines(cell));
  const out: string[] = [];
  const add = (n: string) => {
    if (!own.has(n) && !out.includes(n)) out.push(n);
  };
  switch (cell.kind) {
    case 'sql': {
      const refs = sqlReferences(cell.source);
      // In order of appearance: tables read, then other identifiers that name defined tables, then parameters.
      for (const t of refs.tables) add(t);
      for (const id of refs.identifiers) if (definedTables.has(id)) add(id);
      for (const p of refs.params) add(paramKey(p));
      break;
    }
    case 'chart':
      if (cell.from) add(cell.from.toLowerCase());
      break;
    case 'model':
      add('events');
      for (const v of Object.values(cell.params)) {
        const p = paramRef(v);
        if (p) add(paramKey(p));
      }
      break;
    case 'markdown':
    case 'param':
    case 'data':
      break;
  }
  return out;
}

/** Builds the graph of `cells` (see {@link CellGraph}); never throws, problems go to `errors`. */
export function buildGraph(cells: readonly Cell[]): CellGraph {
  const ids = cells.map((c) => c.id);
  const position = new Map(ids.map((id, i) => [id, i]));
  const defines = new Map<string, string[]>();
  const definers = new Map<string, string[]>();
  for (const c of cells) {
    const names = cellDefines(c);
    defines.set(c.id, names);
    for (const n of names) definers.set(n, [...(definers.get(n) ?? []), c.id]);
  }
  const tables = new Set([...definers.keys()].filter((n) => !n.startsWith('$')));
  const errors = new Map<string, GraphError[]>();
  const report = (id: string, e: GraphError) => errors.set(id, [...(errors.get(id) ?? []), e]);

  for (const [name, ds] of definers) {
    if (ds.length < 2) continue;
    for (const d of ds) {
      const others = ds.filter((x) => x !== d);
      report(d, { kind: 'duplicate', name, message: `${describe(name)} is also defined by cell${others.length > 1 ? 's' : ''} ${others.join(', ')}` });
    }
  }

  const uses = new Map<string, string[]>();
  const edges: Edge[] = [];
  for (const c of cells) {
    const used = cellUses(c, tables);
    uses.set(c.id, used);
    for (const n of used) {
      const ds = definers.get(n);
      if (ds) for (const d of ds) edges.push({ from: d, to: c.id, name: n });
      else if (n.startsWith('$')) report(c.id, { kind: 'unknown_param', name: n, message: `uses ${n}, which no param cell defines` });
      else if (c.kind === 'chart') report(c.id, { kind: 'unknown_source', name: n, message: `charts '${n}', which no cell defines` });
    }
  }

  const next = adjacency(ids, edges, 'from', 'to');
  const sccs = stronglyConnected(ids, next);
  for (const scc of sccs) {
    if (scc.length < 2) continue;
    const members = new Set(scc);
    for (const id of [...scc].sort((a, b) => position.get(a)! - position.get(b)!)) {
      const cycle = cyclePath(id, next, members);
      report(id, { kind: 'cycle', cycle, message: `is in a cycle: ${cycle.join(' -> ')}` });
    }
  }

  return { cells: ids, defines, uses, edges, order: runOrder(sccs, position, next), errors };
}

function describe(name: string): string {
  return name.startsWith('$') ? `parameter ${name}` : `'${name}'`;
}

/** Neighbour lists (deduplicated, in edge order) keyed by every id. */
function adjacency(ids: string[], edges: Edge[], a: 'from' | 'to', b: 'from' | 'to'): Map<string, string[]> {
  const m = new Map(ids.map((id) => [id, [] as string[]]));
  for (const e of edges) {
    const list = m.get(e[a])!;
    if (!list.includes(e[b])) list.push(e[b]);
  }
  return m;
}

/** Tarjan's strongly connected components (recursive: the depth is at most the number of cells). */
function stronglyConnected(ids: string[], next: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      out.push(scc);
    }
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return out;
}

/** A shortest cycle from `start` back to it inside `members` (breadth-first), e.g. [c2, c3, c2]. */
function cyclePath(start: string, next: Map<string, string[]>, members: Set<string>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q];
    for (const w of next.get(v)!) {
      if (!members.has(w)) continue;
      if (w === start) {
        const between: string[] = [];
        for (let x = v; x !== start; x = prev.get(x)!) between.unshift(x);
        return [start, ...between, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/**
 * Kahn's algorithm over the strongly connected components (a cycle is one
 * node, so cells after a cycle still follow their other definers), taking
 * the ready component highest in the notebook each time; a cycle's cells
 * come together, by position.
 */
function runOrder(sccs: string[][], position: Map<string, number>, next: Map<string, string[]>): string[] {
  const byPos = (a: string, b: string) => position.get(a)! - position.get(b)!;
  const comps = sccs.map((c) => [...c].sort(byPos));
  const compOf = new Map<string, number>();
  comps.forEach((c, i) => c.forEach((id) => compOf.set(id, i)));
  const succ = comps.map(() => new Set<number>());
  comps.forEach((c, i) => c.forEach((id) => next.get(id)!.forEach((w) => compOf.get(w) !== i && succ[i].add(compOf.get(w)!))));
  const indegree = comps.map(() => 0);
  succ.forEach((ws) => ws.forEach((w) => indegree[w]++));
  const ready = comps.map((_, i) => i).filter((i) => indegree[i] === 0);
  const order: string[] = [];
  while (ready.length) {
    // Notebooks are small: a scan for the highest component beats a heap in clarity.
    let best = 0;
    for (let k = 1; k < ready.length; k++) if (byPos(comps[ready[k]][0], comps[ready[best]][0]) < 0) best = k;
    const i = ready.splice(best, 1)[0];
    order.push(...comps[i]);
    for (const w of succ[i]) if (--indegree[w] === 0) ready.push(w);
  }
  return order;
}

/** Transitive closure from `start` along `next`, including the start ids that are in the graph. */
function reach(graph: CellGraph, start: Iterable<string>, dir: 'down' | 'up'): Set<string> {
  const next = dir === 'down' ? adjacency(graph.cells, graph.edges, 'from', 'to') : adjacency(graph.cells, graph.edges, 'to', 'from');
  const seen = new Set<string>();
  const queue = [...start].filter((id) => next.has(id));
  for (const id of queue) seen.add(id);
  for (let q = 0; q < queue.length; q++) {
    for (const w of next.get(queue[q])!) {
      if (!seen.has(w)) {
        seen.add(w);
        queue.push(w);
      }
    }
  }
  return seen;
}

/**
 * The cells to re-run after `changed` cells changed: the changed ones and
 * every cell that transitively uses what they define, nothing else, in
 * run order. Ids not in the graph are ignored.
 */
export function dependents(graph: CellGraph, changed: Iterable<string>): string[] {
  const set = reach(graph, changed, 'down');
  return graph.order.filter((id) => set.has(id));
}

/** The cells `cellId` transitively uses (not itself), in run order: what must be current before it runs. */
export function upstreamOf(graph: CellGraph, cellId: string): string[] {
  const set = reach(graph, [cellId], 'up');
  set.delete(cellId);
  return graph.order.filter((id) => set.has(id));
}
