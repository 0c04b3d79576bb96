/**
 * The notebook as one self-contained HTML file: text cells, SQL results as
 * tables (first rows), model summaries and charts as inline SVG. No script,
 * no external reference: it opens offline anywhere.
 */
import type { Notebook } from '../../common/notebook/types.ts';
import type { CellResult, CellView } from './cellViews.ts';
import type { Session } from './session.ts';
import { formatValue } from '../ui/grid.ts';
import type { ColumnInfo, Row } from '../../common/db.ts';
import { qi } from './session.ts';
import { chartImage } from '../ui/chart.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const REPORT_ROWS = 200;

function table(cols: ColumnInfo[], rows: Row[], total: number): string {
  const head = cols.map((c) => `<th>${esc(c.name)}</th>`).join('');
  const body = rows.map((r) => `<tr>${cols.map((c) => `<td>${esc(formatValue(r[c.name], c.type))}</td>`).join('')}</tr>`).join('');
  const more = total > rows.length ? `<p class="note">First ${rows.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows.</p>` : '';
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

/** Markdown as escaped text paragraphs and headings (the same safe subset as the app). */
function markdown(src: string): string {
  return src.split(/\n{2,}/).map((block) => {
    const m = /^(#{1,6})\s+(.*)$/.exec(block.trim());
    if (m) return `<h${Math.min(6, m[1].length + 1)}>${esc(m[2])}</h${Math.min(6, m[1].length + 1)}>`;
    return `<p>${esc(block.trim()).replace(/\n/g, '<br>')}</p>`;
  }).join('\n');
}

/** Builds the report. */
export async function exportHtmlReport(nb: Notebook, views: Map<string, CellView>, results: Map<string, CellResult>, session: Session): Promise<Blob> {
  const parts: string[] = [];
  for (const cell of nb.cells) {
    const r = results.get(cell.id);
    if (cell.kind === 'markdown') parts.push(`<section class="md">${markdown(cell.source)}</section>`);
    else if (cell.kind === 'sql' && r?.kind === 'sql' && r.result.table) {
      const rows = await session.query(cell.id, `SELECT * FROM ${qi(r.result.table)} LIMIT ${REPORT_ROWS}`);
      parts.push(`<section><h3>${esc(cell.name)}</h3><pre>${esc(cell.source)}</pre>${table(r.result.columns, rows, r.result.total)}</section>`);
    } else if (cell.kind === 'chart') {
      const view = views.get(cell.id)?.chart?.();
      if (view) parts.push(`<section class="chart"><h3>${esc(cell.title ?? cell.from)}</h3>${await (await chartImage(view, 'svg')).text()}</section>`);
    } else if (cell.kind === 'model' && r?.kind === 'model') {
      const rows = r.result.outputs.channel_summary;
      const cols = rows.length ? Object.keys(rows[0]).map((n) => ({ name: n, type: typeof rows[0][n] === 'number' ? 'DOUBLE' : 'VARCHAR' })) : [];
      parts.push(`<section><h3>Model ${esc(cell.name)}: ${esc(cell.models.join(', '))}</h3><p class="note">Parameters: ${esc(JSON.stringify(cell.params))}</p>${table(cols, rows.slice(0, REPORT_ROWS), rows.length)}</section>`);
    } else if (cell.kind === 'param') parts.push(`<p class="param"><b>${esc(cell.label ?? cell.name)}</b>: ${esc(Array.isArray(cell.value) ? cell.value.join(' → ') : String(cell.value))}${cell.unit ? ` ${esc(cell.unit)}` : ''}</p>`);
    else if (cell.kind === 'data' && r?.kind === 'data') parts.push(`<p class="note">Data: ${esc(cell.path)} · ${r.report.rowsLoaded.toLocaleString('en-US')} events loaded of ${r.report.rowsRead.toLocaleString('en-US')} read · rejects ${esc(JSON.stringify(r.report.rejectsByReason))}</p>`);
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(nb.title)}</title>
<style>
body{font:14px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1000px;margin:32px auto;padding:0 20px;color:#1d2330}
h1{font-size:24px}h3{font-size:15px;margin:24px 0 8px}table{border-collapse:collapse;font-size:12px;width:100%}
th,td{border-bottom:1px solid #e3e6ec;padding:4px 8px;text-align:left}th{background:#f4f6f9}
pre{background:#f4f6f9;padding:8px;border-radius:6px;font-size:12px;white-space:pre-wrap}.note{color:#6b7383;font-size:12px}
section.chart svg{max-width:100%;height:auto}
</style></head><body>
<h1>${esc(nb.title)}</h1>
<p class="note">Exported ${esc(new Date().toISOString().slice(0, 19).replace('T', ' '))} UTC from Attribution Workbench. Offline, self-contained.</p>
${parts.join('\n')}
</body></html>
`;
  return new Blob([html], { type: 'text/html' });
}
