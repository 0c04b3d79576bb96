/**
 * The notebook as one self-contained HTML file: text cells rendered from
 * their Markdown, SQL results as tables (first rows), model runs with the
 * parameters they used and their channel summary, charts as inline SVG. No
 * script, no external reference: it opens offline anywhere. The HTML itself
 * is written by reportHtml.ts (pure, unit tested); this gathers the rows.
 */
import type { Cell, Notebook, ParamCell } from '../../common/notebook/types.ts';
import type { CellResult, CellView } from './cellViews.ts';
import type { Session } from './session.ts';
import { qi } from './session.ts';
import { chartImage, drawChart } from '../ui/chart.ts';
import { paramsFor } from './models.ts';
import { escapeHtml } from '../ui/markdown.ts';
import { chartSection, dataSection, markdownSection, modelSection, paramsSection, reportDocument, sqlSection } from './reportHtml.ts';

/** Rows of a result the report shows (a report is for reading, not the data: the exports are). */
const REPORT_ROWS = 200;

/**
 * A chart as SVG on white: the report is a light page, so a chart drawn in
 * the dark theme is drawn again, off screen, in the light one.
 */
async function chartSvg(view: NonNullable<ReturnType<NonNullable<CellView['chart']>>>): Promise<string> {
  if (document.documentElement.dataset.theme !== 'dark') return (await chartImage(view, 'svg', '#ffffff')).text();
  const light = await drawChart(document.createElement('div'), view.spec as never, false);
  try {
    return await (await chartImage(light, 'svg', '#ffffff')).text();
  } finally {
    light.finalize();
  }
}

/** One cell's part of the report, or undefined when it has nothing to show (not run yet). */
async function section(cell: Cell, views: Map<string, CellView>, results: Map<string, CellResult>, session: Session): Promise<string | undefined> {
  const r = results.get(cell.id);
  if (cell.kind === 'markdown') return markdownSection(cell.source);
  if (cell.kind === 'sql' && r?.kind === 'sql' && r.result.table) {
    const rows = await session.query(cell.id, `SELECT * FROM ${qi(r.result.table)} LIMIT ${REPORT_ROWS}`);
    return sqlSection(cell.name, cell.source, r.result.columns, rows, r.result.total);
  }
  if (cell.kind === 'chart') {
    const view = views.get(cell.id)?.chart?.();
    return view ? chartSection(cell.title, cell.from, await chartSvg(view)) : undefined;
  }
  if (cell.kind === 'model' && r?.kind === 'model') {
    const rows = r.result.outputs.channel_summary;
    return modelSection(cell, r.result.params, paramsFor(cell.models), r.result.counts, r.summary.columns, rows.slice(0, REPORT_ROWS), rows.length);
  }
  if (cell.kind === 'data' && r?.kind === 'data') return dataSection(cell, r.report);
  return undefined;
}

/** Builds the report from the cells' last results. */
export async function exportHtmlReport(nb: Notebook, views: Map<string, CellView>, results: Map<string, CellResult>, session: Session): Promise<Blob> {
  const parts: string[] = [];
  for (const [i, cell] of nb.cells.entries()) {
    if (cell.kind === 'param') {
      // a run of parameter cells is one block: read together, as the notebook's settings
      if (nb.cells[i - 1]?.kind !== 'param') {
        const run = nb.cells.slice(i).findIndex((c) => c.kind !== 'param');
        parts.push(paramsSection(nb.cells.slice(i, run < 0 ? undefined : i + run) as ParamCell[]));
      }
      continue;
    }
    try {
      const part = await section(cell, views, results, session);
      if (part) parts.push(part);
    } catch (e) {
      // one result the engine no longer has (a dropped table) must not lose the whole report
      parts.push(`<p class="note error">${escapeHtml(`Could not include the ${cell.kind} cell${'name' in cell ? ` ${cell.name}` : ''}: ${(e as Error).message}`)}</p>`);
    }
  }
  return new Blob([reportDocument(nb.title, new Date(), parts)], { type: 'text/html' });
}
