/**
 * The HTML report's text, built without a browser: each function takes a
 * cell and what its run produced and returns escaped HTML. report.ts gathers
 * the rows and chart images and joins the sections into reportDocument.
 *
 * Every piece of user text (Markdown, SQL, names, values) goes through
 * escapeHtml or markdownHtml: the report is a static file with no script
 * and a CSP of default-src 'none', and a notebook's text must not add markup.
 */
import type { ColumnInfo, Row } from '../../common/db.ts';
import type { ImportReport } from '../../common/import/importer.ts';
import type { DataCell, ModelCell, ParamCell } from '../../common/notebook/types.ts';
import { isNumericType } from '../../common/charts.ts';
import { paramRef } from '../../common/notebook/graph.ts';
import { formatValue } from '../ui/grid.ts';
import { escapeHtml as esc, markdownHtml } from '../ui/markdown.ts';

/** A column of a report table, with how its values are written (default: as the grid writes them). */
export interface ReportColumn extends ColumnInfo {
  format?: (v: unknown) => string;
}

/** A model parameter as the model SQL headers declare it (renderer/app/models.ts ParamInfo fits). */
export interface ParamLabelSpec {
  name: string;
  unit?: string;
  description?: string;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * A result as a table: numeric columns right-aligned (th and td, as in the
 * grid), values formatted as the grid shows them unless the column says
 * otherwise, NULL marked. `total` > rows says how many were left out.
 */
export function tableHtml(cols: ReportColumn[], rows: Row[], total = rows.length): string {
  const cls = (c: ColumnInfo) => (isNumericType(c.type) ? ' class="num"' : '');
  const head = cols.map((c) => `<th${cls(c)} title="${esc(c.type)}">${esc(c.name)}</th>`).join('');
  const body = rows.map((r) => `<tr>${cols.map((c) => {
    const v = r[c.name];
    if (v === null || v === undefined) return `<td class="${isNumericType(c.type) ? 'num ' : ''}null">NULL</td>`;
    return `<td${cls(c)}>${esc(c.format ? c.format(v) : formatValue(v, c.type))}</td>`;
  }).join('')}</tr>`).join('\n');
  const more = total > rows.length ? `<p class="note">First ${count(rows.length)} of ${count(total)} rows.</p>` : '';
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${more}`;
}

/** A percentage column (values already ×100, as compare.sql's delta_pct): one decimal and a % sign. */
const percent = (v: unknown): string => `${Number(v).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;

/**
 * The model summary's columns with their engine types (DESCRIBE of
 * channel_summary, as the cell's grid has them) and how a reader wants them:
 * *_pct as percent; anything else as the grid writes it (credits and revenue,
 * DOUBLE, at its two decimals).
 */
export function modelSummaryColumns(cols: ColumnInfo[]): ReportColumn[] {
  return cols.map((c) => {
    if (!isNumericType(c.type)) return c;
    if (/_pct$/.test(c.name)) return { ...c, format: percent };
    return c;
  });
}

/** A parameter's label from its header name: the unit suffix dropped ("lookback_days", unit days: "Lookback"). */
export function paramLabel(name: string, unit?: string): string {
  const base = unit && name.endsWith(`_${unit}`) && name.length > unit.length + 1 ? name.slice(0, -unit.length - 1) : name;
  const words = base.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A parameter's value for reading: numbers grouped, as set, then the unit; '' as "none". */
export function paramValueText(v: unknown, unit?: string): string {
  if (Array.isArray(v)) return v.map((x) => paramValueText(x)).join(' → ');
  if (v === '' || v === null || v === undefined) return 'none';
  // a setting is written as it was set (30 days, 7.5 days), not at a result column's fixed decimals
  const text = typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 6 }) : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  return unit ? `${text} ${unit}` : text;
}

/**
 * A model cell's parameters as the run used them, in words: "Lookback: 30 days,
 * Half life: 7 days". `used` are the run's values ("$name" references already
 * resolved to the parameter cells' values); labels and units come from the
 * model headers' typed parameters (`specs`), else the name. A value that
 * followed a parameter cell says so in its tooltip.
 */
export function modelParamsHtml(cell: Pick<ModelCell, 'params'>, used: Record<string, unknown>, specs: ParamLabelSpec[]): string {
  const keys = Object.keys(cell.params);
  if (!keys.length) return '<p class="params"><span class="k">Parameters</span> the models\u2019 defaults</p>';
  const items = keys.map((k) => {
    const spec = specs.find((s) => s.name === k);
    const ref = paramRef(cell.params[k]);
    const value = k in used ? used[k] : ref ? undefined : cell.params[k];
    const title = [spec?.description, ref ? `follows the notebook parameter ${ref}` : ''].filter(Boolean).join('; ');
    return `<span class="param-item"${title ? ` title="${esc(title)}"` : ''}><span class="k">${esc(paramLabel(k, spec?.unit))}:</span> ${esc(value === undefined ? 'not run' : paramValueText(value, spec?.unit))}</span>`;
  });
  return `<p class="params">${items.join(', ')}</p>`;
}

/** A reject reason for reading, as the data cell shows it ("bad_timestamp" → "bad timestamp"). */
const reasonText = (k: string) => k.replace(/_/g, ' ');

/** Rejected rows by reason as a small table ("bad timestamp | 12"), largest first; "none" when there are none. */
export function rejectsHtml(byReason: Record<string, number>): string {
  const rows = Object.entries(byReason).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!rows.length) return '<span class="none">none</span>';
  return `<table class="small rejects"><thead><tr><th>reason</th><th class="num">rows</th></tr></thead><tbody>${rows.map(([k, n]) => `<tr><td>${esc(reasonText(k))}</td><td class="num">${count(n)}</td></tr>`).join('')}</tbody></table>`;
}

/** A text cell. */
export function markdownSection(source: string): string {
  return `<section class="md">${markdownHtml(source)}</section>`;
}

/** A SQL cell: its name, its query and its first rows. */
export function sqlSection(name: string, source: string, cols: ColumnInfo[], rows: Row[], total: number): string {
  return `<section class="sql"><h3>${esc(name)}</h3><pre class="code">${esc(source.trim())}</pre>${tableHtml(cols, rows, total)}</section>`;
}

/**
 * A chart cell: the chart as inline SVG (vega's own output, no script in it).
 * A titled chart draws its title itself; an untitled one is headed by what it draws.
 */
export function chartSection(title: string | undefined, from: string, svg: string): string {
  return `<section class="chart">${title ? '' : `<h3>${esc(from)}</h3>`}<figure>${svg}</figure></section>`;
}

/** Parameter cells (a run of them, as the notebook lists them): each label and value with its unit. */
export function paramsSection(cells: ParamCell[]): string {
  const items = cells.map((c) => `<dt>${esc(c.label ?? c.name)}</dt><dd>${esc(paramValueText(c.value, c.unit))}</dd>`).join('');
  return `<section class="params"><h3>Parameters</h3><dl class="kv">${items}</dl></section>`;
}

/** What a model run counted: conversions by status and rejected rows (as the cell's footer says). */
export interface ModelCounts {
  conversions: number;
  byStatus: Record<string, number>;
  rejects: number;
}

/**
 * A model cell: its models, the parameters the run used, what it counted and
 * the channel summary (columns typed as the engine has them).
 */
export function modelSection(cell: Pick<ModelCell, 'name' | 'models' | 'params'>, used: Record<string, unknown>, specs: ParamLabelSpec[], counts: ModelCounts, cols: ColumnInfo[], rows: Row[], total: number): string {
  const status = Object.entries(counts.byStatus).map(([s, n]) => `${esc(s.replace(/_/g, ' '))} ${count(n)}`).join(', ');
  const facts = `${count(counts.conversions)} conversions${status ? ` (${status})` : ''} · ${count(counts.rejects)} rejected rows`;
  return `<section class="model"><h3>Model ${esc(cell.name)}</h3>`
    + `<p class="models"><span class="k">Models:</span> ${cell.models.map((m) => esc(m.replace(/_/g, ' '))).join(', ')}</p>`
    + modelParamsHtml(cell, used, specs)
    + `<p class="note">${facts}</p>`
    + tableHtml(modelSummaryColumns(cols), rows, total)
    + '</section>';
}

/** A data cell: which file, what was read and loaded, and the rejects by reason. */
export function dataSection(cell: Pick<DataCell, 'name' | 'path' | 'morePaths'>, report: Pick<ImportReport, 'rowsRead' | 'rowsLoaded' | 'conversions' | 'rejectsByReason'> & { layout?: string }): string {
  const files = cell.morePaths?.length ? `${cell.path} and ${cell.morePaths.length} more` : cell.path;
  return `<section class="data"><h3>Data ${esc(cell.name)}</h3><dl class="kv">`
    + `<dt>File</dt><dd>${esc(files)}</dd>`
    + (report.layout ? `<dt>Layout</dt><dd>${esc(report.layout)}</dd>` : '')
    + `<dt>Rows</dt><dd>${count(report.rowsRead)} read · ${count(report.rowsLoaded)} loaded · ${count(report.conversions)} conversions</dd>`
    + `<dt>Rejected rows</dt><dd>${rejectsHtml(report.rejectsByReason)}</dd>`
    + '</dl></section>';
}

/** The report's style: light, quiet, print-friendly (no background colours needed to read it). */
const STYLE = `
:root{color-scheme:light}
body{font:14px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:960px;margin:40px auto;padding:0 24px;color:#1d2330;background:#fff}
header{border-bottom:2px solid #1d2330;margin-bottom:24px;padding-bottom:8px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:28px 0 8px}h3{font-size:16px;margin:0 0 8px}h4,h5,h6{font-size:14px;margin:16px 0 6px}
section{margin:0 0 28px;break-inside:avoid-page}section.md{margin-bottom:20px}
p{margin:6px 0}ul,ol{margin:6px 0;padding-left:22px}li{margin:2px 0}
blockquote{margin:8px 0;padding:2px 12px;border-left:3px solid #c9ced8;color:#4a5263}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f2f4f7;padding:1px 4px;border-radius:3px}
pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f7f8fa;border:1px solid #e3e6ec;border-radius:4px;padding:8px 10px;white-space:pre-wrap;margin:6px 0 10px}
pre code{background:none;padding:0}
.md-link{text-decoration:underline dotted}.md-href{color:#5f6979;font-size:.9em;word-break:break-all}
table{border-collapse:collapse;font-size:12.5px;width:100%;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e3e6ec;padding:4px 10px;text-align:left;vertical-align:top}
thead th{border-bottom:1.5px solid #1d2330;font-weight:600;white-space:nowrap}
th.num,td.num{text-align:right}td.null{color:#8a91a0;font-style:italic}
table.small{width:auto;min-width:220px}
thead{display:table-header-group}tr{break-inside:avoid}
.note{color:#5c6475;font-size:12px}.k{font-weight:600}
p.params,p.models{margin:2px 0}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dl.kv dt{font-weight:600}dl.kv dd{margin:0}
.none{color:#5c6475}.error{color:#b3261e}
figure{margin:0}section.chart svg{max-width:100%;height:auto}
footer{margin-top:36px;border-top:1px solid #e3e6ec;padding-top:8px}
@media print{body{margin:0;max-width:none;font-size:12px}@page{margin:16mm}h2,h3{break-after:avoid}}
`;

/**
 * The whole report: one self-contained page with no script and a CSP that
 * lets it load nothing (inline styles and data: images only).
 */
export function reportDocument(title: string, exportedAt: Date, sections: string[]): string {
  const when = exportedAt.toISOString().slice(0, 16).replace('T', ' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style></head><body>
<header><h1>${esc(title)}</h1>
<p class="note">Exported ${esc(when)} UTC from Attribution Workbench.</p></header>
${sections.join('\n')}
<footer class="note">A static report: the results as they were when exported. Open the notebook in Attribution Workbench to change and re-run it.</footer>
</body></html>
`;
}
