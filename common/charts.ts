/**
 * Chart specs for chart cells: the quick builder's choices turned into
 * vega-lite, a sensible default for a result's columns, and the sanitiser
 * that keeps user specs from loading anything: data always comes from the
 * engine, never from a URL (no network, no file reads from a spec).
 */
import type { ColumnInfo, Row } from './db.ts';
import type { ChartBuilder } from './notebook/types.ts';

/** A vega-lite spec as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|REAL|DOUBLE|DECIMAL.*)$/i;
const TEMPORAL = /^(DATE|TIMESTAMP.*|TIME.*)$/i;

/** Whether a DuckDB column type is a number. */
export const isNumericType = (t: string) => NUMERIC.test(t.trim());
/** Whether a DuckDB column type is a date or time. */
export const isTemporalType = (t: string) => TEMPORAL.test(t.trim());

/** The vega-lite field type of a column. */
export function fieldType(col: ColumnInfo | undefined): 'quantitative' | 'temporal' | 'nominal' {
  if (!col) return 'nominal';
  if (isNumericType(col.type)) return 'quantitative';
  if (isTemporalType(col.type)) return 'temporal';
  return 'nominal';
}

/**
 * A first chart for a result: the first text column on x, the first number on
 * y, a second text column as colour; a date column makes it a line chart.
 */
export function defaultBuilder(columns: ColumnInfo[]): ChartBuilder {
  const text = columns.filter((c) => fieldType(c) === 'nominal');
  const nums = columns.filter((c) => fieldType(c) === 'quantitative');
  const time = columns.find((c) => fieldType(c) === 'temporal');
  if (time && nums.length) return { mark: 'line', x: time.name, y: nums[0].name, color: text[0]?.name, aggregate: 'none' };
  return { mark: 'bar', x: text[0]?.name ?? columns[0]?.name, y: nums[0]?.name, color: text[1]?.name, aggregate: 'none' };
}

/** The builder's choices as a vega-lite spec (no data: {@link withData} adds it). */
export function builderToSpec(b: ChartBuilder, columns: ColumnInfo[], title?: string): VegaLiteSpec {
  const col = (n?: string) => columns.find((c) => c.name === n);
  const enc: Record<string, unknown> = {};
  const agg = b.aggregate && b.aggregate !== 'none' ? b.aggregate : undefined;
  const xField = b.x ? { field: b.x, type: fieldType(col(b.x)), title: b.x } : undefined;
  const yField =
    agg === 'count'
      ? { aggregate: 'count', type: 'quantitative', title: 'count' }
      : b.y
        ? { field: b.y, type: fieldType(col(b.y)), ...(agg ? { aggregate: agg } : {}), title: agg ? `${agg} of ${b.y}` : b.y }
        : undefined;
  if (b.mark === 'arc') {
    if (yField) enc.theta = { ...yField, stack: true };
    if (xField) enc.color = { ...xField, type: 'nominal' };
  } else {
    const [xe, ye] = b.horizontal ? [yField, xField] : [xField, yField];
    if (xe) enc.x = xe;
    if (ye) enc.y = ye;
    if (b.color) enc.color = { field: b.color, type: fieldType(col(b.color)) === 'quantitative' && b.mark === 'rect' ? 'quantitative' : 'nominal', title: b.color };
    // side-by-side bars per colour rather than stacked: credits of models are compared, not summed
    if (b.mark === 'bar' && b.color && b.x) {
      const offset = b.horizontal ? 'yOffset' : 'xOffset';
      enc[offset] = { field: b.color, type: 'nominal' };
    }
    if (b.mark === 'bar' && xField && xField.type === 'nominal' && yField) {
      // largest first (a ranking reads top down when horizontal); with colours, the data's own order
      if (b.horizontal) (enc.y as Record<string, unknown>).sort = b.color ? null : '-x';
      else (enc.x as Record<string, unknown>).sort = b.color ? null : '-y';
    }
  }
  enc.tooltip = columns.slice(0, 8).map((c) => ({ field: c.name, type: fieldType(c), ...(isNumericType(c.type) ? { format: ',.4~f' } : {}) }));
  if (agg) enc.tooltip = [xField, b.color ? { field: b.color, type: 'nominal' } : undefined, yField].filter(Boolean);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title ? { title } : {}),
    width: 'container',
    // the whole chart (legend included) fits the cell; plain 'container' sizes the plot alone and the legend spilled out
    autosize: { type: 'fit-x', contains: 'padding' },
    height: 280,
    mark: { type: b.mark, tooltip: true, ...(b.mark === 'line' ? { point: true } : {}) },
    encoding: enc,
  };
}

/** Keys a user spec may not use: every way a vega-lite spec can load or link to something. */
const FORBIDDEN = new Set(['data', 'datasets', 'url', 'href', 'usermeta', 'loader']);

/**
 * A user's spec without any data source, URL or link (recursively), and
 * without image marks; returns what was removed so the cell can say so.
 */
export function sanitizeSpec(spec: unknown): { spec: VegaLiteSpec; removed: string[] } {
  const removed: string[] = [];
  const walk = (x: unknown, at: string): unknown => {
    if (Array.isArray(x)) return x.map((v, i) => walk(v, `${at}[${i}]`));
    if (!x || typeof x !== 'object') return x;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
      if (FORBIDDEN.has(k)) {
        removed.push(at ? `${at}.${k}` : k);
        continue;
      }
      if ((k === 'mark' && (v === 'image' || (v && typeof v === 'object' && (v as { type?: unknown }).type === 'image')))) {
        removed.push(at ? `${at}.mark (image)` : 'mark (image)');
        out[k] = 'point';
        continue;
      }
      out[k] = walk(v, at ? `${at}.${k}` : k);
    }
    return out;
  };
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return { spec: {}, removed: ['(not an object)'] };
  return { spec: walk(spec, '') as VegaLiteSpec, removed };
}

/**
 * The spec with the result rows as inline data (numbers as numbers: BigInt
 * and DECIMAL strings from the engine are converted) and no other source.
 */
export function withData(spec: VegaLiteSpec, rows: Row[], columns: ColumnInfo[]): VegaLiteSpec {
  const numeric = new Set(columns.filter((c) => isNumericType(c.type)).map((c) => c.name));
  const values = rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) o[k] = numeric.has(k) && v !== null && v !== undefined ? Number(v) : typeof v === 'bigint' ? Number(v) : v;
    return o;
  });
  return { ...sanitizeSpec(spec).spec, data: { values } };
}

/** What stops a chart from drawing its result truthfully (see {@link chartProblem}). */
export type ChartProblem =
  /** No X and no Y chosen: the cell shows its empty state, not a drawing. */
  | { kind: 'unconfigured'; message: string }
  /** A field the chart encodes is not a column of the result. */
  | { kind: 'missing_field'; message: string; field: string; channel: string };

/**
 * Whether a chart can draw `result` (named `from`, with `columns`): its builder
 * (or spec, when it has one and no builder) must encode only columns the result
 * has, and a builder must have an X or a Y. vega-lite would draw a missing
 * field as undefined or 0 without a word: the cell says which field is missing
 * and which columns exist instead. Fields a spec's own transforms make (`as`)
 * count as present.
 */
export function chartProblem(builder: ChartBuilder | undefined, spec: VegaLiteSpec | undefined, columns: ColumnInfo[], from: string): ChartProblem | undefined {
  const names = new Set(columns.map((c) => c.name));
  const list = columns.map((c) => c.name).join(', ');
  const missing = (field: string, channel: string): ChartProblem => ({
    kind: 'missing_field', field, channel,
    message: `${channel} uses the column '${field}', which ${from} does not have (its columns: ${list}): choose another column${builder ? '' : ' in the spec'}`,
  });
  if (builder || !spec) {
    const b = builder ?? defaultBuilder(columns);
    if (!b.x && !b.y) return { kind: 'unconfigured', message: `Choose X and Y to draw ${from}.` };
    for (const [channel, field] of [['X', b.x], ['Y', b.aggregate === 'count' ? undefined : b.y], ['Colour', b.color]] as const) {
      if (field && !names.has(field)) return missing(field, channel);
    }
    return undefined;
  }
  const made = new Set<string>();
  const fields: [string, string][] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const o = node as Record<string, unknown>;
    if (Array.isArray(o.transform)) {
      for (const t of o.transform as Record<string, unknown>[]) {
        for (const a of [t.as].flat()) if (typeof a === 'string') made.add(a);
        for (const k of ['aggregate', 'window', 'joinaggregate'] as const) {
          for (const x of (Array.isArray(t[k]) ? (t[k] as Record<string, unknown>[]) : [])) if (typeof x.as === 'string') made.add(x.as);
        }
        if (Array.isArray(t.fold)) made.add('key').add('value');
      }
    }
    if (o.encoding && typeof o.encoding === 'object') {
      for (const [channel, def] of Object.entries(o.encoding as Record<string, unknown>)) {
        for (const d of [def].flat()) {
          const f = (d as Record<string, unknown> | null)?.field;
          if (typeof f === 'string') fields.push([channel, f]);
        }
      }
    }
    for (const k of ['layer', 'hconcat', 'vconcat', 'concat', 'spec']) if (o[k]) walk(o[k]);
  };
  walk(spec);
  for (const [channel, field] of fields) {
    // vega-lite reads a dot or brackets as a nested path; the column is the part before
    const head = field.split(/[.[]/)[0].replace(/\\$/, '');
    if (!names.has(field) && !names.has(head) && !made.has(field) && !made.has(head)) return missing(field, `the spec's ${channel}`);
  }
  return undefined;
}
