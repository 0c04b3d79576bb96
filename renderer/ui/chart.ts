/**
 * Draws vega-lite specs with vega-embed, offline and under a CSP without
 * unsafe-eval: expressions run through vega-interpreter (ast mode), the
 * loader refuses every request (data is always inline, from the engine),
 * and the actions menu (which links to the online editor) is off.
 */
import embed, { type Result, type VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import { changeset, loader as vegaLoader } from 'vega';
import type { VegaLiteSpec } from '../../common/charts.ts';

/**
 * A loader that never loads: specs reach vega with their data inline. Every
 * URL vega asks for (data, images, href links) is refused and noted in
 * `refused`, so the caller can say so instead of drawing an empty chart.
 */
function offlineLoader(refused: string[]) {
  const base = vegaLoader();
  const refuse = (uri: unknown) => {
    refused.push(String(uri));
    return Promise.reject(new Error(`charts cannot load ${String(uri)}: data comes from the notebook's results`));
  };
  return Object.assign(base, { load: refuse, sanitize: refuse, http: refuse, file: refuse });
}

/**
 * The name a cell's chart gives its inline rows (`data: { name, values }`), so
 * new rows can replace them in the drawn view ({@link replaceChartData}).
 */
export const CHART_DATA = 'aw_rows';

/**
 * Replaces the rows of a chart drawn with its data named {@link CHART_DATA}
 * and redraws it in place: scales, axes and marks follow the new rows, with
 * no new embed (vega-lite compile, view construction, a new SVG), which
 * is what a slider move would otherwise pay for every repaint.
 */
export async function replaceChartData(result: Result, values: unknown[]): Promise<void> {
  await result.view.change(CHART_DATA, changeset().remove(() => true).insert(values)).runAsync();
}

/** Chart colours and type that follow the app's theme (CSS variables). */
function themeConfig(dark: boolean): Record<string, unknown> {
  const fg = dark ? '#d5d9e0' : '#2a2f3a';
  const grid = dark ? '#343a46' : '#e6e8ee';
  return {
    background: 'transparent',
    font: 'Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif',
    view: { stroke: 'transparent' },
    axis: { labelColor: fg, titleColor: fg, gridColor: grid, domainColor: grid, tickColor: grid, labelFontSize: 11, titleFontSize: 11, titleFontWeight: 600 },
    legend: { labelColor: fg, titleColor: fg, labelFontSize: 11, titleFontSize: 11 },
    title: { color: fg, fontSize: 13, anchor: 'start', fontWeight: 600 },
    range: { category: ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac'] },
  };
}

/**
 * Renders `spec` (data inline) into `el`; returns the vega-embed result (view
 * for export, finalize). Safe on a spec nobody sanitised (design/trust.md
 * S14): every URL vega could dereference (data.url, image marks, href links)
 * goes through the loader, which refuses it, and the spec's own
 * `usermeta.embedOptions` (which vega-embed merges OVER ours: it could turn
 * the actions menu and its "Open in Vega Editor" link back on, or name a
 * patch or config to load) is dropped. `mode` is pinned: a `$schema` naming
 * Vega cannot switch a notebook's spec to raw Vega.
 */
export async function drawChart(el: HTMLElement, spec: VegaLiteSpec, dark: boolean): Promise<Result> {
  const { usermeta: _dropped, ...safe } = spec;
  const refused: string[] = [];
  const result = await embed(el, safe as VisualizationSpec, {
    mode: 'vega-lite',
    actions: false,
    ast: true,
    expr: expressionInterpreter,
    loader: offlineLoader(refused) as never,
    renderer: 'svg',
    config: themeConfig(dark) as never,
    tooltip: { theme: dark ? 'dark' : 'light' },
    logLevel: 0,
  });
  // vega logs a failed load and draws on without the data: make it an error the cell shows
  if (refused.length) {
    result.finalize();
    el.replaceChildren();
    throw new Error(`charts cannot load ${[...new Set(refused)].join(', ')}: data comes from the notebook's results, never from a URL or file`);
  }
  return result;
}

/** The colour charts are drawn on in the page now (a cell's panel, which follows the theme). */
export function chartBackground(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--panel').trim() || '#ffffff';
}

/**
 * The chart as PNG or SVG for export, on an opaque background (default: the
 * one it is drawn on in the page). Charts are drawn on a transparent
 * background in the theme's text colours: exported as they are, a dark-theme
 * chart's light text would vanish on a white page or viewer.
 */
export async function chartImage(result: Result, format: 'png' | 'svg', background = chartBackground()): Promise<Blob> {
  const view = result.view;
  const drawnOn = view.background();
  view.background(background);
  try {
    if (format === 'svg') return new Blob([await view.toSVG()], { type: 'image/svg+xml' });
    const url = await view.toImageURL('png', 2);
    return await (await fetch(url)).blob();
  } finally {
    view.background(drawnOn);
  }
}
