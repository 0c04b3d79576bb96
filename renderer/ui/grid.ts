/**
 * A virtual-scrolling result grid: only the rows in view (plus a margin) are
 * in the DOM, and rows come from the engine a page at a time, so a result of
 * a million rows scrolls as smoothly as one of ten. Cells are text nodes.
 */
import type { ColumnInfo, Row } from '../../common/db.ts';
import { isNumericType } from '../../common/charts.ts';
import { h } from './dom.ts';

/** Where the grid's rows come from: a total and pages fetched on demand. */
export interface RowSource {
  total: number;
  columns: ColumnInfo[];
  fetch(offset: number, limit: number): Promise<Row[]>;
}

const ROW_H = 26;
const PAGE = 400;
const OVERSCAN = 12;
/** Chromium caps an element's height near 33.5M px; beyond that, scroll positions are scaled. */
const MAX_PX = 30_000_000;

const FLOAT = /^(DOUBLE|FLOAT|REAL|FLOAT4|FLOAT8)$/i;
const DECIMAL = /^DECIMAL\(\s*\d+\s*,\s*(\d+)\s*\)$/i;
const TIMESTAMP = /^(TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|DATETIME)$/i;
const TIMESTAMP_TZ = /^(TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ)$/i;

/** How many decimals a column of `type` shows: a fixed count, so one column's numbers line up. */
function decimalsOf(type: string): number | undefined {
  if (FLOAT.test(type.trim())) return 2;
  const d = DECIMAL.exec(type.trim());
  return d ? Math.min(4, Number(d[1])) : undefined;
}


const formats = new Map<string, Intl.NumberFormat>();

/**
 * en-US number formats, made once: `toLocaleString` builds a new Intl.NumberFormat on every
 * call, which was most of a slider move's main-thread time (every grid cell of every result).
 * Same output: toLocaleString('en-US', options) is new Intl.NumberFormat('en-US', options).format.
 */
function numberFormat(minimumFractionDigits?: number, maximumFractionDigits?: number): Intl.NumberFormat {
  const key = `${minimumFractionDigits}/${maximumFractionDigits}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', minimumFractionDigits === undefined ? {} : { minimumFractionDigits, maximumFractionDigits });
    formats.set(key, f);
  }
  return f;
}
/** A number at a column's fixed decimals; one too small to show there keeps three significant digits. */
function fixed(n: number, decimals: number): string {
  if (n !== 0 && Math.abs(n) < 0.5 * 10 ** -decimals) return n.toPrecision(3);
  return numberFormat(decimals, decimals).format(n);
}

/**
 * Formats one value for display (numbers right-aligned by CSS, NULL shown as such).
 * Fractional columns (DOUBLE, DECIMAL) show a fixed number of decimals, as a
 * spreadsheet does, so credits and revenue line up; {@link fullValue} gives
 * the unrounded value (the cell's tooltip). Timestamps read as date and time.
 */
export function formatValue(v: unknown, type: string): string {
  if (v === null || v === undefined) return 'NULL';
  const decimals = decimalsOf(type);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (decimals !== undefined) return fixed(v, decimals);
    return Number.isInteger(v) ? numberFormat().format(v) : numberFormat(0, 6).format(v);
  }
  if (typeof v === 'bigint') return numberFormat().format(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // a BIGINT or HUGEINT past 2^53 comes as text: grouped as it is, never through a rounding double
  if (isNumericType(type) && decimalsOf(type) === undefined && typeof v === 'string' && /^-?\d+$/.test(v)) return numberFormat().format(BigInt(v));
  if (isNumericType(type) && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return decimals !== undefined ? fixed(Number(v), decimals) : numberFormat(0, 6).format(Number(v));
  if (v instanceof Date) return v.toISOString();
  // a DATE arrives as its midnight UTC (ISO text): the day is what it holds
  if (typeof v === 'string' && /^DATE$/i.test(type)) return /^(\d{4}-\d\d-\d\d)T00:00:00(\.0+)?Z$/.exec(v)?.[1] ?? v;
  // a timestamp arrives as ISO text in UTC: date and time, the milliseconds only when it has them
  if (typeof v === 'string' && (TIMESTAMP.test(type) || TIMESTAMP_TZ.test(type))) {
    const m = /^(\d{4,}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(v);
    if (m) return `${m[1]} ${m[2]}${m[3] && !/^\.0+$/.test(m[3]) ? m[3] : ''}${TIMESTAMP_TZ.test(type) ? ' UTC' : ''}`;
  }
  if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** The value unrounded, when {@link formatValue} rounded it (for a tooltip); else undefined. */
export function fullValue(v: unknown, type: string): string | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && isNumericType(type) && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
  if (n === undefined || decimalsOf(type) === undefined || !Number.isFinite(n)) return undefined;
  const shown = Number(formatValue(v, type).replace(/,/g, ''));
  return shown === n ? undefined : numberFormat(0, 12).format(n);
}

/** Creates the grid element for `source`; `dispose` drops its cache. */
export function createGrid(source: RowSource): { el: HTMLElement; dispose(): void } {
  const cols = source.columns;
  const pages = new Map<number, Row[] | Promise<Row[]>>();
  // a column is as wide as its name until the first rows come; then as wide as what they hold
  const headPx = cols.map((c) => Math.min(360, Math.max(isNumericType(c.type) ? 90 : 130, c.name.length * 8 + 28)));
  let template = `56px ${headPx.map((w) => `${w}px`).join(' ')}`;
  let fitted = false;
  const fit = (rows: Row[]) => {
    fitted = true;
    const widths = cols.map((c, i) => {
      const chars = Math.max(0, ...rows.map((r) => Math.min(48, formatValue(r[c.name], c.type).length)));
      return Math.min(360, Math.max(headPx[i], Math.ceil(chars * 7.8 + 24)));
    });
    template = `56px ${widths.map((w) => `${w}px`).join(' ')}`;
    header.style.gridTemplateColumns = template;
  };
  const totalPx = source.total * ROW_H;
  const scale = totalPx > MAX_PX ? totalPx / MAX_PX : 1;

  const header = h('div', { class: 'grid-head', style: { gridTemplateColumns: template }, role: 'row' },
    h('div', { class: 'grid-cell grid-rownum', role: 'columnheader' }, '#'),
    cols.map((c) => h('div', { class: `grid-cell${isNumericType(c.type) ? ' num' : ''}`, role: 'columnheader', title: `${c.name} · ${c.type}` },
      h('span', { class: 'grid-colname' }, c.name), h('span', { class: 'grid-coltype' }, c.type.toLowerCase()))),
  );
  const body = h('div', { class: 'grid-body', style: { height: `${Math.min(totalPx, MAX_PX)}px` } });
  const viewport = h('div', { class: 'grid-viewport', role: 'grid', 'aria-rowcount': source.total, tabindex: 0 }, header, body);
  const el = h('div', { class: 'grid' }, viewport);
  let disposed = false;
  let frame = 0;

  const page = (p: number): Row[] | undefined => {
    const got = pages.get(p);
    if (Array.isArray(got)) return got;
    if (!got) {
      const pr = source.fetch(p * PAGE, PAGE).then((rows) => {
        pages.set(p, rows);
        if (!fitted) fit(rows);
        if (pages.size > 60) pages.delete(pages.keys().next().value as number); // bound memory
        schedule();
        return rows;
      }, (e) => {
        pages.delete(p);
        throw e;
      });
      pr.catch(() => undefined);
      pages.set(p, pr);
    }
    return undefined;
  };

  // Sizes and scroll position as the browser last reported them (ResizeObserver, scroll events),
  // so render reads no layout: several grids re-rendering after a run (a slider move) each forced
  // a layout of the whole page, one after another, before the next chart could be drawn.
  let viewH = 0;
  let headH = 0;
  let scrollTop = 0;
  const render = () => {
    frame = 0;
    if (disposed) return;
    const top = Math.max(0, scrollTop - (headH || ROW_H)) * scale;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const count = Math.ceil((viewH || 400) / ROW_H) + 2 * OVERSCAN;
    const last = Math.min(source.total, first + count);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const data = page(Math.floor(i / PAGE))?.[i % PAGE];
      const y = (i * ROW_H) / scale;
      rows.push(h('div', { class: `grid-row${i % 2 ? ' odd' : ''}`, role: 'row', 'aria-rowindex': i + 1, style: { transform: `translateY(${y}px)`, gridTemplateColumns: template } },
        // each cell says what it is (a row of the grid role holds cells, to a screen reader as to axe)
        h('div', { class: 'grid-cell grid-rownum', role: 'rowheader' }, String(i + 1)),
        cols.map((c) => {
          const v = data?.[c.name];
          const text = data ? formatValue(v, c.type) : '…';
          const full = data ? fullValue(v, c.type) : undefined;
          return h('div', { class: `grid-cell${isNumericType(c.type) ? ' num' : ''}${v === null && data ? ' null' : ''}`, role: 'gridcell', title: full ?? (text.length > 30 ? text : undefined) }, text);
        })));
    }
    body.replaceChildren(...rows);
  };
  const schedule = () => {
    if (!frame && !disposed) frame = requestAnimationFrame(render);
  };
  viewport.addEventListener('scroll', () => {
    scrollTop = viewport.scrollTop;
    schedule();
  }, { passive: true });
  // (layout is fresh when a ResizeObserver calls back: reading sizes here costs nothing)
  const ro = new ResizeObserver(() => {
    viewH = viewport.clientHeight;
    headH = header.offsetHeight;
    schedule();
  });
  ro.observe(viewport);
  ro.observe(header);
  schedule();
  return {
    el,
    dispose() {
      disposed = true;
      ro.disconnect();
      pages.clear();
    },
  };
}
