/**
 * Layout expansion: nested cells read as flat columns.
 *
 * Some exports nest what the mapping needs: GA4 keeps the page URL, the
 * session id and the campaign inside `event_params` (an array of key/value
 * records) and the collected UTMs inside `collected_traffic_source` (a record).
 * A layout declares what it expands ({@link Expansion}); the same declaration
 * drives the text readers (here, in TypeScript: NDJSON arrays arrive as JSON
 * text from ndjson.ts's flatten, CSV cells hold JSON text) and Parquet's
 * structs and lists (expandSql.ts, core SQL only). Both engines get the same
 * columns: duckdb-wasm has no JSON extension offline, so nothing here may
 * need one. A new layout with nested data is one file in layouts/.
 */
import { parseJsonKeepingDigits } from './json.ts';
import type { RecordBatch, RecordReader, StructuralReject } from './records.ts';
import { truncateRaw } from './records.ts';

/** Pivots an array of `{key, value}` records: each listed key becomes column `<column>.<key>`. */
export interface KeyValueExpansion {
  /** The array column (lower case), e.g. `event_params`. */
  column: string;
  /** The keys that become columns (a fixed list: a CSV's header is known before its rows). */
  keys: string[];
  /** Fields of `value` tried in order; the first that is not null is the value (GA4: one of them is set). */
  valueFields: string[];
}

/** Reads fields of a record column: each dot path becomes column `<column>.<path>`. */
export interface ObjectExpansion {
  /** The record column (lower case), e.g. `collected_traffic_source`. */
  column: string;
  /** Dot paths inside the record, e.g. `manual_source`, `manual_campaign.source`. */
  paths: string[];
}

/**
 * Reads fields of one record picked inside a nested cell: the cell (or the
 * value at `at` inside it) is a record or an array of records; the first
 * record whose `where.field` starts with `where.prefix` (any record, without
 * `where`) is picked, and each dot path inside it becomes column
 * `<name>.<path>`. Self-describing JSON is the use: Snowplow's `contexts`
 * (`{"schema": ..., "data": [{"schema": "iglu:<vendor>/<name>/jsonschema/1-0-0",
 * "data": {...}}]}`) and its loaders' per-schema columns (an array of records).
 */
export interface PickExpansion {
  /** The nested column (lower case), e.g. `contexts`. */
  column: string;
  /** Dot path inside the cell to the record or array (absent: the cell itself). */
  at?: string;
  /** Which record of an array (or whether the record) is picked: its field starts with the prefix. */
  where?: { field: string; prefix: string };
  /** The new columns' prefix; pick one no export uses, e.g. `snowplow:transaction`. */
  name: string;
  /** Dot paths inside the picked record. */
  paths: string[];
}

/** A column computed per row: the first of `from` that is not empty (after trimming). */
export interface FirstOf {
  /** The new column's name; pick one no export uses (GA4's layout uses `ga4:...`). */
  name: string;
  /** Candidate columns, expanded ones included, in order; absent ones are skipped. */
  from: string[];
  /**
   * Only on rows where one of these columns is not empty (else the value is
   * empty): PostHog's `$identify` names the identified user in `distinct_id`
   * only on the rows that carry `$anon_distinct_id`.
   */
  when?: string[];
}

/** What a layout expands. Order of evaluation: objects, picks and key/value arrays, then firstOf in order. */
export interface Expansion {
  keyValue?: KeyValueExpansion[];
  objects?: ObjectExpansion[];
  picks?: PickExpansion[];
  firstOf?: FirstOf[];
}

/** Where each output column of an expansion comes from (indexes into the input or the output header). */
interface Plan {
  header: string[];
  objects: { src: number; paths: string[][]; out: number[] }[];
  keyValue: { src: number; keys: string[]; valueFields: string[]; out: number[] }[];
  picks: { src: number; at: string[]; where?: { field: string; prefix: string }; paths: string[][]; out: number[] }[];
  firstOf: { out: number; from: number[]; when?: number[] }[];
}

/**
 * The header after expansion: the input columns (nested ones kept as they
 * are, so a reject's raw text is the row as read) followed by the new ones.
 * A path the input already has as a flat column (NDJSON flattens objects to
 * dot names) is not added again.
 */
export function planExpansion(header: string[], exp: Expansion): Plan {
  const out = [...header];
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(h.toLowerCase())) index.set(h.toLowerCase(), i);
  });
  const add = (name: string): number => {
    index.set(name.toLowerCase(), out.length);
    out.push(name);
    return out.length - 1;
  };
  const plan: Plan = { header: out, objects: [], keyValue: [], picks: [], firstOf: [] };
  for (const o of exp.objects ?? []) {
    const src = index.get(o.column) ?? -1;
    const paths: string[][] = [];
    const cols: number[] = [];
    for (const p of o.paths) {
      const name = `${o.column}.${p}`;
      if (index.has(name)) continue;
      paths.push(p.split('.'));
      cols.push(add(name));
    }
    // absent record column: its paths are empty columns, so the mapping is the same for every file
    plan.objects.push({ src, paths, out: cols });
  }
  for (const kv of exp.keyValue ?? []) {
    const src = index.get(kv.column) ?? -1;
    const keys: string[] = [];
    const cols: number[] = [];
    for (const k of kv.keys) {
      const name = `${kv.column}.${k}`;
      if (index.has(name)) continue;
      keys.push(k);
      cols.push(add(name));
    }
    plan.keyValue.push({ src, keys, valueFields: kv.valueFields, out: cols });
  }
  for (const p of exp.picks ?? []) {
    const src = index.get(p.column) ?? -1;
    const paths: string[][] = [];
    const cols: number[] = [];
    for (const path of p.paths) {
      const name = `${p.name}.${path}`;
      if (index.has(name.toLowerCase())) continue;
      paths.push(path.split('.'));
      cols.push(add(name));
    }
    plan.picks.push({ src, at: p.at ? p.at.split('.') : [], where: p.where, paths, out: cols });
  }
  const present = (names: string[]) => names.map((c) => index.get(c.toLowerCase())).filter((i): i is number => i !== undefined);
  for (const f of exp.firstOf ?? []) {
    // `when` columns all absent: the condition never holds, so the column stays empty
    plan.firstOf.push({ out: add(f.name), from: present(f.from), ...(f.when ? { when: present(f.when) } : {}) });
  }
  return plan;
}

/** A JSON value as cell text: the mapping and staging read text only. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Parses a nested cell: '' and `null` are empty (undefined); throws with a message otherwise. */
function parseCell(text: string, expect: 'object' | 'array' | 'either'): unknown {
  const t = text.trim();
  if (t === '' || t === 'null') return undefined;
  const v = parseJsonKeepingDigits(t);
  const isArray = Array.isArray(v);
  if (v === null || typeof v !== 'object' || (expect !== 'either' && isArray !== (expect === 'array'))) {
    throw new Error(`expected a JSON ${expect === 'either' ? 'object or array' : expect}, got ${v === null ? 'null' : isArray ? 'an array' : typeof v}`);
  }
  return v;
}

/** The record a pick takes from a parsed cell: the value at `at`, itself or its first item, matching `where`. */
function picked(v: unknown, at: string[], where: { field: string; prefix: string } | undefined): unknown {
  const inner = at.length ? atPath(v, at) : v;
  const ok = (x: unknown) => x !== null && typeof x === 'object' && !Array.isArray(x)
    && (!where || String((x as Record<string, unknown>)[where.field] ?? '').startsWith(where.prefix));
  return Array.isArray(inner) ? inner.find(ok) : ok(inner) ? inner : undefined;
}

function atPath(o: unknown, path: string[]): unknown {
  let v = o;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** The value of a `{key, value}` record: the first non-null of the value fields (or a bare value). */
function kvValue(value: unknown, fields: string[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  for (const f of fields) {
    const v = (value as Record<string, unknown>)[f];
    if (v !== null && v !== undefined) return v;
  }
  return undefined;
}

/**
 * Expands one batch in place: appends the plan's new columns; a row whose
 * nested cell is not JSON of the expected shape becomes an `invalid_json`
 * structural reject naming the column, never a row with silently empty fields.
 */
export function expandBatch(batch: RecordBatch, plan: Plan, inputHeader: string[], delimiter: string): RecordBatch {
  const n = batch.rowCount;
  const cols = batch.columns;
  const width = inputHeader.length;
  for (let c = width; c < plan.header.length; c++) cols[c] = new Array<string>(n).fill('');
  const bad = new Map<number, StructuralReject>();
  const fail = (i: number, src: number, e: unknown) => {
    if (bad.has(i)) return;
    const detail = `${inputHeader[src]}: ${e instanceof Error ? e.message : String(e)}`;
    const raw = truncateRaw(cols.slice(0, width).map((col) => col[i]).join(delimiter));
    bad.set(i, { row: batch.rowNumbers[i]!, line: batch.lines[i]!, column: src + 1, reason: 'invalid_json', detail, raw });
  };
  for (const o of plan.objects) {
    if (o.src < 0 || o.out.length === 0) continue;
    const srcCol = cols[o.src]!;
    for (let i = 0; i < n; i++) {
      let v: unknown;
      try {
        v = parseCell(srcCol[i]!, 'object');
      } catch (e) {
        fail(i, o.src, e);
        continue;
      }
      if (v === undefined) continue;
      for (let k = 0; k < o.paths.length; k++) cols[o.out[k]!]![i] = cellText(atPath(v, o.paths[k]!));
    }
  }
  for (const kv of plan.keyValue) {
    if (kv.src < 0 || kv.out.length === 0) continue;
    const srcCol = cols[kv.src]!;
    const want = new Map(kv.keys.map((k, j) => [k, kv.out[j]!]));
    for (let i = 0; i < n; i++) {
      let v: unknown;
      try {
        v = parseCell(srcCol[i]!, 'array');
      } catch (e) {
        fail(i, kv.src, e);
        continue;
      }
      if (v === undefined) continue;
      for (const item of v as unknown[]) {
        if (item === null || typeof item !== 'object') continue;
        const rec = item as Record<string, unknown>;
        const c = want.get(String(rec.key));
        // GA4 sends each key once per event; were one repeated, the first wins, as in SQL (expandSql.ts)
        if (c !== undefined && cols[c]![i] === '') cols[c]![i] = cellText(kvValue(rec.value, kv.valueFields));
      }
    }
  }
  for (const p of plan.picks) {
    if (p.src < 0 || p.out.length === 0) continue;
    const srcCol = cols[p.src]!;
    for (let i = 0; i < n; i++) {
      let v: unknown;
      try {
        v = parseCell(srcCol[i]!, 'either');
      } catch (e) {
        fail(i, p.src, e);
        continue;
      }
      const rec = v === undefined ? undefined : picked(v, p.at, p.where);
      if (rec === undefined) continue;
      for (let k = 0; k < p.paths.length; k++) cols[p.out[k]!]![i] = cellText(atPath(rec, p.paths[k]!));
    }
  }
  for (const f of plan.firstOf) {
    const out = cols[f.out]!;
    for (let i = 0; i < n; i++) {
      if (f.when && !f.when.some((c) => cols[c]![i]!.trim() !== '')) continue;
      for (const c of f.from) {
        const v = cols[c]![i]!;
        if (v.trim() !== '') {
          out[i] = v;
          break;
        }
      }
    }
  }
  if (bad.size === 0) return batch;
  const keep = (_: unknown, i: number) => !bad.has(i);
  return {
    columns: cols.map((col) => col.filter(keep)),
    rowNumbers: batch.rowNumbers.filter(keep),
    lines: batch.lines.filter(keep),
    rowCount: n - bad.size,
    rejects: [...batch.rejects, ...bad.values()].sort((a, b) => a.row - b.row),
  };
}

/** The columns an expansion reads nested (NDJSON keeps these as JSON text: ndjson.ts `keepAsJson`). */
export function nestedColumns(exp: Expansion): string[] {
  return [...(exp.objects ?? []), ...(exp.keyValue ?? []), ...(exp.picks ?? [])].map((e) => e.column);
}

/**
 * Whether a text file needs the expansion at all: a computed column, or a
 * nested column (or, in NDJSON, its flattened fields) in the header. A file
 * without them (a flat Mixpanel CSV) keeps the engine's CSV reader.
 */
export function expansionNeeded(exp: Expansion, header: string[]): boolean {
  if (exp.firstOf?.length) return true;
  const lower = header.map((h) => h.toLowerCase());
  return nestedColumns(exp).some((c) => lower.some((h) => h === c || h.startsWith(`${c}.`)));
}

/** A reader whose header and batches are those of `reader` expanded by the layout's {@link Expansion}. */
export function expandReader(reader: RecordReader, exp: Expansion): RecordReader {
  const inputHeader = reader.header;
  const plan = planExpansion(inputHeader, exp);
  const delimiter = typeof reader.detected.delimiter === 'string' ? reader.detected.delimiter : ',';
  return {
    header: plan.header,
    get detected() {
      return { ...reader.detected, expandedColumns: plan.header.length - inputHeader.length };
    },
    async *batches() {
      for await (const b of reader.batches()) yield expandBatch(b, plan, inputHeader, delimiter);
    },
  };
}
