/**
 * One view per cell kind. A view owns its DOM (and a monaco editor or a
 * vega view); the app gives it the cell, its run state and its result, and
 * the view reports edits as messages. Views never talk to the engine.
 */
import { withModelColors } from '../../common/modelColors.ts';
import { inAppTerms } from './appTerms.ts';
import type { Cell, ChartCell, DataCell, MarkdownCell, ModelCell, ParamCell, SqlCell, ChartBuilder } from '../../common/notebook/types.ts';
import type { ColumnInfo, Row } from '../../common/db.ts';
import type { ImportReport } from '../../common/import/importer.ts';
import type { RunOutputs } from '../../common/engine.ts';
import type { RuleDiffResult } from '../../common/ruleDiff.ts';
import { builderToSpec, chartProblem, defaultBuilder, sanitizeSpec, withData } from '../../common/charts.ts';
import { CANONICAL_FIELDS } from '../../common/import/columns.ts';
import { h, icon, replace } from '../ui/dom.ts';
import { createGrid, type RowSource } from '../ui/grid.ts';
import { renderMarkdown } from '../ui/markdown.ts';
import { createSqlEditor } from '../ui/sqlEditor.ts';
import { CHART_DATA, drawChart, replaceChartData } from '../ui/chart.ts';
import type { Result as EmbedResult } from 'vega-embed';
import { DEFAULT_RULES, LIBRARY, MODEL_CHOICES, paramsFor } from './models.ts';
import { formatConditions, parseConditions } from '../../common/ruleText.ts';
import { validateRules, type ChannelRule, type RuleSet } from '../../common/rules.ts';
import type { SqlResult } from './session.ts';
import type { RunState } from './core.ts';
import { conversionsControl, ordersMapping } from './conversionsUi.ts';

/** A chart's data: rows of the result it draws and whether they were cut. */
export interface ChartData {
  rows: Row[];
  columns: ColumnInfo[];
  truncated: boolean;
}

/** A model run's result for display. */
export interface ModelResult {
  outputs: RunOutputs;
  ms: number;
  counts: { conversions: number; byStatus: Record<string, number>; rejects: number };
  /** Touch events each channel rule classified (by rule id; the fallback as '(no rule)'). */
  ruleCounts: Record<string, number>;
  /** The rule-change diff of the cell's baseline against its current configuration (when it has a baseline). */
  diff?: { model: string; result: RuleDiffResult; ms: number };
  /** The cell's params as this run used them ("$name" resolved to the parameter cells' values then). */
  params: Record<string, unknown>;
}

/** What a view may show as a cell's result. */
export type CellResult =
  | { kind: 'sql'; result: SqlResult; source: RowSource }
  | { kind: 'data'; report: ImportReport; preview: RowSource; fileName: string; changed?: string; hidden?: number }
  | { kind: 'model'; result: ModelResult; summary: RowSource }
  | { kind: 'chart'; data: ChartData };

/** What views ask of the app. */
export interface ViewHost {
  dark(): boolean;
  update(id: string, patch: Partial<Cell>, opts?: { run?: boolean; coalesce?: boolean }): void;
  run(id: string): void;
  cancel(id: string): void;
  remove(id: string): void;
  move(id: string, delta: -1 | 1): void;
  select(id: string): void;
  paramValue(name: string): unknown;
  paramNames(): string[];
  resultColumns(name: string): ColumnInfo[] | undefined;
  resultNames(): string[];
  pickData(id: string): void;
  /** Picks the files of orders of a data cell (conversions kept apart); resolves false when none was chosen. */
  pickConversions(id: string): Promise<boolean>;
  /** The columns of a data cell's (first) orders file, read by the engine without importing it. */
  conversionColumns(id: string): Promise<string[]>;
  /**
   * Pseudonymisation of a data cell: 'new' makes a key and turns it on, 'file'
   * turns it on with a key file the user chooses (also how a reopened notebook
   * gets its key in the browser), 'save' saves the key file, 'off' turns it off.
   */
  pseudonymize(id: string, action: 'new' | 'file' | 'save' | 'off'): void;
  /** Where the key of this id is kept, when this window has it open. */
  keyKeptIn(keyId: string): 'keychain' | 'session' | undefined;
  openRejects(): void;
  /** Freezes a model cell's current rules and parameter values as its baseline (and runs it). */
  freezeBaseline(id: string): void;
  /** Downloads diff_totals.csv, diff_matrix.csv and diff_conversions.csv from the engine. */
  exportDiff(id: string): Promise<void>;
}

export interface CellView {
  el: HTMLElement;
  update(cell: Cell): void;
  setState(s: RunState): void;
  setResult(r: CellResult | undefined): void;
  /** The chart view (for export), when it has one. */
  chart?(): EmbedResult | undefined;
  focus(): void;
  dispose(): void;
}

const KIND_LABEL: Record<Cell['kind'], string> = { markdown: 'Text', sql: 'SQL', chart: 'Chart', param: 'Parameter', model: 'Model', data: 'Data' };

const fmtMs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

/** The frame every cell shares: header (kind, name, status, tools), body, error, footer. */
function frame(cell: Cell, host: ViewHost, opts: { named: boolean; runnable: boolean }) {
  const name = opts.named
    ? h('input', { class: 'cell-name', value: (cell as { name?: string }).name ?? '', spellcheck: 'false', 'aria-label': 'result name', title: 'Name of this cell\'s result: other cells use it' })
    : null;
  name?.addEventListener('change', () => {
    const v = name.value.trim();
    if (/^[a-z_][a-z0-9_]*$/.test(v)) host.update(cell.id, { name: v } as Partial<Cell>, { run: true });
    else {
      name.value = (cell as { name?: string }).name ?? '';
      name.title = 'Names are lower-case letters, digits and _ (e.g. top_channels)';
    }
  });
  const status = h('span', { class: 'status idle' }, h('span', { class: 'pip' }), h('span', { class: 'status-text' }, ''));
  const runBtn = opts.runnable ? h('button', { class: 'btn ghost small', title: 'Run (Ctrl/Cmd+Enter)', onclick: () => host.run(cell.id) }, icon('play'), 'Run') : null;
  const cancelBtn = h('button', { class: 'btn ghost small', title: 'Cancel this run', style: { display: 'none' }, onclick: () => host.cancel(cell.id) }, icon('stop'), 'Cancel');
  const tools = h('div', { class: 'cell-tools' },
    runBtn, cancelBtn,
    h('button', { class: 'btn ghost small', title: 'Move up', 'aria-label': 'Move up', onclick: () => host.move(cell.id, -1) }, icon('up')),
    h('button', { class: 'btn ghost small', title: 'Move down', 'aria-label': 'Move down', onclick: () => host.move(cell.id, 1) }, icon('down')),
    h('button', { class: 'btn ghost small danger', title: 'Delete cell (undo with Ctrl/Cmd+Z)', 'aria-label': 'Delete cell', onclick: () => host.remove(cell.id) }, icon('trash')),
  );
  const head = h('div', { class: 'cell-head' }, h('span', { class: 'kind' }, KIND_LABEL[cell.kind]), name, status, tools);
  const progress = h('div', { class: 'progress', style: { display: 'none' } }, h('div', { style: { width: '0%' } }));
  const body = h('div', { class: 'cell-body' });
  const error = h('div', { class: 'error-box', role: 'alert', style: { display: 'none' } });
  const out = h('div', { class: 'cell-out' });
  const foot = h('div', { class: 'cell-foot', style: { display: 'none' } });
  // where the body is tall (a data cell's mapping, a model's rules) the error comes first, where it is seen
  const errorFirst = cell.kind === 'data' || cell.kind === 'model' || cell.kind === 'chart';
  const el = h('section', { class: `cell ${cell.kind}`, 'data-cell-id': cell.id, 'data-kind': cell.kind, tabindex: -1 },
    head, progress, errorFirst ? error : null, body, errorFirst ? null : error, out, foot);
  el.addEventListener('mousedown', () => host.select(cell.id));
  const setState = (s: RunState) => {
    status.className = `status ${s.status}`;
    // Tests and the latency bench wait on this: a later run id means the change was picked up.
    el.dataset.runId = String(s.runId);
    const text = status.querySelector('.status-text')!;
    const label: Record<string, string> = { idle: '', queued: 'queued', running: 'running…', done: s.resultMeta ? `${s.resultMeta.rows.toLocaleString('en-US')} rows · ${fmtMs(s.resultMeta.ms)}` : 'done', error: 'error', stale: 'out of date', cancelled: 'cancelled' };
    text.textContent = s.status === 'running' && s.progress ? `${s.progress.label}…` : label[s.status] ?? s.status;
    cancelBtn.style.display = s.status === 'running' || s.status === 'queued' ? '' : 'none';
    if (runBtn) runBtn.style.display = s.status === 'running' ? 'none' : '';
    const p = s.status === 'running' && s.progress && s.progress.total > 0 ? s.progress.done / s.progress.total : undefined;
    progress.style.display = s.status === 'running' ? '' : 'none';
    (progress.firstChild as HTMLElement).style.width = p === undefined ? '30%' : `${Math.round(p * 100)}%`;
    // a result the last run did not make is not shown as current: hidden after an error, dimmed and said when cancelled
    el.classList.toggle('out-failed', s.status === 'error');
    el.classList.toggle('out-old', s.status === 'cancelled' || s.status === 'stale');
    if (s.status === 'error' && s.error) {
      error.style.display = '';
      // one line, as the CLI says it: file:line:column: message
      const where = [s.error.file, s.error.line, s.error.column].filter((x) => x !== undefined && x !== '').join(':');
      replace(error, h('b', {}, s.error.code === 'cancelled' ? 'Cancelled' : 'Error'), ': ', where ? `${where}: ` : '', inAppTerms(s.error.message));
    } else error.style.display = 'none';
  };
  return { el, head, body, out, foot, name, error, setState };
}

/** A grid of a row source, with the row count. */
function gridBlock(source: RowSource, disposeList: (() => void)[]): HTMLElement {
  if (!source.columns.length) return h('div', { class: 'empty' }, 'The statement ran; it returned no columns.');
  const g = createGrid(source);
  disposeList.push(g.dispose);
  return g.el;
}

// ------------------------------------------------------------------ markdown

function markdownView(cell: MarkdownCell, host: ViewHost): CellView {
  const f = frame(cell, host, { named: false, runnable: false });
  let current = cell;
  let editing = false;
  const show = () => {
    if (editing) return;
    const md = h('div', { class: 'md', title: 'Double-click to edit' });
    md.appendChild(current.source.trim() ? renderMarkdown(current.source) : h('p', { class: 'note' }, 'Empty text cell: double-click to write.'));
    replace(f.body, md);
    md.addEventListener('dblclick', edit);
  };
  const edit = () => {
    editing = true;
    f.el.classList.add('editing');
    const ta = h('textarea', { class: 'md-edit', spellcheck: 'false', 'aria-label': 'Markdown source' }) as HTMLTextAreaElement;
    ta.value = current.source;
    ta.addEventListener('input', () => host.update(cell.id, { source: ta.value }, { coalesce: true }));
    const done = () => {
      editing = false;
      f.el.classList.remove('editing');
      show();
    };
    ta.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' && (e.ctrlKey || e.metaKey || e.shiftKey)) || e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        done();
      }
    });
    ta.addEventListener('blur', done);
    replace(f.body, ta);
    ta.focus();
  };
  show();
  return {
    el: f.el,
    update(c) {
      current = c as MarkdownCell;
      show();
    },
    setState: () => undefined,
    setResult: () => undefined,
    focus: edit,
    dispose: () => undefined,
  };
}

// ------------------------------------------------------------------ sql

function sqlView(cell: SqlCell, host: ViewHost): CellView {
  const f = frame(cell, host, { named: true, runnable: true });
  const edHost = h('div', { class: 'sql-editor' });
  f.body.classList.add('flush');
  f.body.appendChild(edHost);
  const ed = createSqlEditor(edHost, cell.source, {
    dark: host.dark(),
    onRun: () => host.run(cell.id),
    onChange: (v) => host.update(cell.id, { source: v }, { coalesce: true }),
  });
  let disposers: (() => void)[] = [];
  return {
    el: f.el,
    update(c) {
      const s = c as SqlCell;
      ed.setValue(s.source);
      if (f.name && document.activeElement !== f.name) f.name.value = s.name;
    },
    setState: f.setState,
    setResult(r) {
      disposers.forEach((d) => d());
      disposers = [];
      if (!r || r.kind !== 'sql') return replace(f.out);
      if (r.result.rows && !r.result.table) {
        replace(f.out, r.result.rows.length ? gridBlock({ total: r.result.rows.length, columns: r.result.columns, fetch: async (o, l) => r.result.rows!.slice(o, o + l) }, disposers) : h('div', { class: 'note', style: { padding: '8px 12px' } }, 'Statement ran.'));
        return;
      }
      replace(f.out, gridBlock(r.source, disposers));
    },
    focus: () => ed.focus(),
    dispose() {
      disposers.forEach((d) => d());
      ed.dispose();
    },
  };
}

// ------------------------------------------------------------------ param

/**
 * A parameter's control and its value label, as the parameter cell and the
 * page's sticky parameter bar show it; a change sets the value (and runs
 * what uses it).
 */
export function paramControl(c: ParamCell, host: Pick<ViewHost, 'update'>): { control: HTMLElement; valueText: HTMLElement } {
  const valueText = h('div', { class: 'value', 'data-testid': 'param-value' });
  const show = (v: unknown) => (valueText.textContent = `${Array.isArray(v) ? v.join(' → ') : String(v)}${c.unit ? ` ${v === 1 && c.unit.endsWith('s') ? c.unit.slice(0, -1) : c.unit}` : ''}`);
  show(c.value);
  const set = (v: ParamCell['value']) => {
    show(v);
    host.update(c.id, { value: v } as Partial<Cell>, { run: true, coalesce: true });
  };
  let control: HTMLElement;
  switch (c.control) {
    case 'slider': {
      const i = h('input', { type: 'range', min: c.min ?? 0, max: c.max ?? 100, step: c.step ?? 1, value: String(c.value), 'aria-label': c.label ?? c.name }) as HTMLInputElement;
      i.addEventListener('input', () => set(Number(i.value)));
      control = i;
      break;
    }
    case 'number': {
      const i = h('input', { class: 'inp', type: 'number', min: c.min, max: c.max, step: c.step ?? 'any', value: String(c.value), 'aria-label': c.label ?? c.name }) as HTMLInputElement;
      i.addEventListener('change', () => i.value !== '' && Number.isFinite(Number(i.value)) && set(Number(i.value)));
      control = i;
      break;
    }
    case 'select': {
      const s = h('select', { class: 'inp', 'aria-label': c.label ?? c.name }, (c.options ?? []).map((o) => h('option', { value: o, selected: o === c.value }, o))) as HTMLSelectElement;
      s.addEventListener('change', () => set(s.value));
      control = s;
      break;
    }
    case 'checkbox': {
      const i = h('input', { type: 'checkbox', checked: Boolean(c.value), 'aria-label': c.label ?? c.name }) as HTMLInputElement;
      i.addEventListener('change', () => set(i.checked));
      control = i;
      break;
    }
    case 'date_range': {
      const [a, b] = Array.isArray(c.value) ? c.value : ['', ''];
      const from = h('input', { class: 'inp', type: 'date', value: a, 'aria-label': 'from' }) as HTMLInputElement;
      const to = h('input', { class: 'inp', type: 'date', value: b, 'aria-label': 'to' }) as HTMLInputElement;
      const ch = () => from.value && to.value && from.value <= to.value && set([from.value, to.value]);
      from.addEventListener('change', ch);
      to.addEventListener('change', ch);
      control = h('div', { class: 'row' }, from, '→', to);
      break;
    }
    default: {
      const i = h('input', { class: 'inp', type: 'text', value: String(c.value), 'aria-label': c.label ?? c.name }) as HTMLInputElement;
      i.addEventListener('change', () => set(i.value));
      control = i;
    }
  }
  return { control, valueText };
}

function paramView(cell: ParamCell, host: ViewHost): CellView {
  const f = frame(cell, host, { named: true, runnable: false });
  let current = cell;
  const render = () => {
    const c = current;
    const { control, valueText } = paramControl(c, host);
    replace(f.body, h('div', { class: 'param-row' }, h('label', {}, c.label ?? c.name, h('span', { class: 'sub' }, `$${c.name}`)), control, valueText));
    f.body.classList.add('flush');
  };
  render();
  return {
    el: f.el,
    update(c) {
      const prev = current;
      current = c as ParamCell;
      // a value the user is dragging must not re-render the slider under the pointer
      if (prev.control !== current.control || prev.min !== current.min || prev.max !== current.max || JSON.stringify(prev.options) !== JSON.stringify(current.options) || prev.label !== current.label) render();
      else if (document.activeElement?.closest('.cell') !== f.el) render();
      if (f.name && document.activeElement !== f.name) f.name.value = current.name;
    },
    setState: () => undefined,
    setResult: () => undefined,
    focus: () => (f.body.querySelector('input,select') as HTMLElement | null)?.focus(),
    dispose: () => undefined,
  };
}

// ------------------------------------------------------------------ chart

function chartView(cell: ChartCell, host: ViewHost): CellView {
  const f = frame(cell, host, { named: false, runnable: true });
  let current = cell;
  let data: ChartData | undefined;
  let embed: EmbedResult | undefined;
  let specMode = !cell.builder && !!cell.spec;
  const builderBar = h('div', { class: 'builder' });
  const chartEl = h('div', { class: 'chart-wrap', 'data-testid': 'chart' });
  const specBox = h('div', {});
  f.body.classList.add('flush');
  f.body.append(builderBar, specBox, chartEl);

  const builder = (): ChartBuilder => current.builder ?? defaultBuilder(data?.columns ?? host.resultColumns(current.from) ?? []);
  const select = (label: string, value: string | undefined, options: string[], on: (v: string) => void, allowNone = true) => {
    const s = h('select', { class: 'inp', 'aria-label': label }, allowNone ? h('option', { value: '' }, '—') : null, options.map((o) => h('option', { value: o, selected: o === value }, o))) as HTMLSelectElement;
    s.addEventListener('change', () => on(s.value));
    return h('label', { class: 'field' }, h('span', {}, label), s);
  };
  const renderBar = () => {
    const cols = (data?.columns ?? host.resultColumns(current.from) ?? []).map((c) => c.name);
    const b = builder();
    const setB = (patch: Partial<ChartBuilder>) => host.update(current.id, { builder: { ...b, ...patch }, spec: undefined } as Partial<Cell>, { run: false });
    replace(builderBar,
      // a chart with nothing chosen yet takes X and Y from the result it is pointed at
      select('Data', current.from, host.resultNames(), (v) => {
        const picked = host.resultColumns(v);
        const fresh = !specMode && !b.x && !b.y && picked?.length;
        host.update(current.id, { from: v, ...(fresh ? { builder: defaultBuilder(picked) } : {}) } as Partial<Cell>, { run: true });
      }, false),
      specMode ? null : [
        select('Mark', b.mark, ['bar', 'line', 'area', 'point', 'arc', 'rect'], (v) => setB({ mark: v as ChartBuilder['mark'] }), false),
        select('X', b.x, cols, (v) => setB({ x: v || undefined })),
        select('Y', b.y, cols, (v) => setB({ y: v || undefined })),
        select('Colour', b.color, cols, (v) => setB({ color: v || undefined })),
        select('Aggregate', b.aggregate ?? 'none', ['none', 'sum', 'mean', 'count', 'min', 'max'], (v) => setB({ aggregate: v as ChartBuilder['aggregate'] }), false),
      ],
      h('label', { class: 'field' }, h('span', {}, ' '), h('button', { class: 'btn small', onclick: toggleSpec }, specMode ? 'Use builder' : 'Edit spec')),
    );
  };
  const toggleSpec = () => {
    specMode = !specMode;
    if (specMode) {
      const spec = current.spec ?? builderToSpec(builder(), data?.columns ?? [], current.title);
      host.update(current.id, { spec, builder: undefined } as Partial<Cell>, { run: false });
    } else host.update(current.id, { builder: builder(), spec: undefined } as Partial<Cell>, { run: false });
  };
  const renderSpecBox = () => {
    if (!specMode) return replace(specBox);
    const ta = h('textarea', { class: 'spec-edit', spellcheck: 'false', 'aria-label': 'vega-lite spec (JSON)' }) as HTMLTextAreaElement;
    ta.value = JSON.stringify(current.spec ?? {}, null, 2);
    const msg = h('div', { class: 'note' }, 'vega-lite JSON. Data always comes from the chosen result: data sources and URLs are removed.');
    ta.addEventListener('change', () => {
      try {
        const parsed = JSON.parse(ta.value);
        host.update(current.id, { spec: parsed } as Partial<Cell>, { run: false });
      } catch (e) {
        msg.textContent = `Not valid JSON: ${(e as Error).message}`;
        msg.className = 'note warn-text';
      }
    });
    replace(specBox, h('div', { style: { padding: '8px 12px' } }, ta, msg));
  };
  let drawSeq = 0;
  /** The drawn chart's spec and circumstances without its rows (what decides whether new rows can go in place). */
  let drawnShape: string | undefined;
  // data-state says where the drawing is (waiting for a result, drawing, drawn, empty, error): what
  // a screenshot or a test waits for, since drawing is asynchronous after the cell's status is done
  const state = (s: 'waiting' | 'drawing' | 'drawn' | 'empty' | 'error') => { chartEl.dataset.state = s; };
  const draw = async () => {
    const seq = ++drawSeq;
    // what is shown below, unless it is the drawn chart, is not the view new rows could go into
    if (!data || !data.rows.length) drawnShape = undefined;
    if (!data) {
      state('waiting');
      return replace(chartEl, h('div', { class: 'empty' }, `Run the cell to draw ${current.from || 'a result'}.`));
    }
    if (!data.rows.length) {
      state('empty');
      return replace(chartEl, h('div', { class: 'empty' }, `${current.from} has no rows to draw.`));
    }
    // nothing chosen yet, or a field the result does not have: say so, draw nothing (vega-lite would draw a block or zeros)
    const problem = chartProblem(specMode ? undefined : builder(), specMode ? current.spec : undefined, data.columns, current.from);
    if (problem?.kind === 'unconfigured') {
      embed?.finalize();
      embed = undefined;
      state('empty');
      return replace(chartEl, h('div', { class: 'empty' }, problem.message));
    }
    if (problem) {
      embed?.finalize();
      embed = undefined;
      state('error');
      return replace(chartEl, h('div', { class: 'error-box', role: 'alert' }, h('b', {}, 'Chart error'), ': ', problem.message));
    }
    let spec = specMode && current.spec ? current.spec : builderToSpec(builder(), data.columns, current.title);
    const removed = specMode && current.spec ? sanitizeSpec(current.spec).removed : [];
    spec = withData(withModelColors(spec, data.rows), data.rows, data.columns);
    // Drawn off-screen first (no flicker on a slider move), so 'container' width would measure 0:
    // give vega the cell's width instead.
    if (spec.width === 'container' || spec.width === undefined) spec = { ...spec, width: Math.max(280, (chartEl.clientWidth || f.el.clientWidth || 900) - 150) };
    const values = (spec.data as { values: unknown[] }).values;
    spec = { ...spec, data: { name: CHART_DATA, values } };
    // The same chart of other rows (a slider moved): the drawn view takes the new rows in place.
    const shape = JSON.stringify({ ...spec, data: undefined, dark: host.dark(), truncated: data.truncated, removed });
    if (embed && shape === drawnShape) {
      state('drawing');
      try {
        await replaceChartData(embed, values);
        if (seq !== drawSeq) return;
        state('drawn');
        performance.mark('aw chart drawn', { detail: current.id });
        return;
      } catch {
        // a view that cannot take the rows is drawn anew below
      }
    }
    const target = h('div', {});
    state('drawing');
    try {
      const r = await drawChart(target, spec, host.dark());
      if (seq !== drawSeq) return r.finalize();
      embed?.finalize();
      embed = r;
      drawnShape = shape;
      state('drawn');
      replace(chartEl, target,
        data.truncated ? h('div', { class: 'note warn-text' }, `Showing the first ${data.rows.length.toLocaleString('en-US')} rows of ${current.from}: aggregate in SQL to chart all of it.`) : null,
        removed.length ? h('div', { class: 'note warn-text' }, `Removed from the spec (charts cannot load anything): ${removed.join(', ')}`) : null);
      // for measuring (bench/ui-latency.ts): when a chart showed new data, on the page's timeline
      performance.mark('aw chart drawn', { detail: current.id });
    } catch (e) {
      // what the sanitiser removed is often why the spec no longer draws: say both
      if (seq !== drawSeq) return;
      drawnShape = undefined;
      state('error');
      replace(chartEl, h('div', { class: 'error-box' }, h('b', {}, 'Chart error'), ': ', (e as Error).message),
        removed.length ? h('div', { class: 'note warn-text' }, `Removed from the spec (charts cannot load anything): ${removed.join(', ')}`) : null);
    }
  };
  renderBar();
  renderSpecBox();
  void draw();
  return {
    el: f.el,
    update(c) {
      const prev = current;
      current = c as ChartCell;
      // the notebook re-syncs every view on any edit: a chart whose cell did not change keeps its drawing
      if (JSON.stringify(prev) === JSON.stringify(current)) return;
      const modeNow = !current.builder && !!current.spec;
      if (modeNow !== specMode) specMode = modeNow;
      renderBar();
      if (JSON.stringify(prev.spec) !== JSON.stringify(current.spec) || specMode !== (!prev.builder && !!prev.spec)) renderSpecBox();
      void draw();
    },
    setState(s) {
      f.setState(s);
      // a chart whose run failed draws nothing: its old drawing is not of the current data
      if (s.status === 'error' && (data || embed)) {
        data = undefined;
        drawSeq++;
        embed?.finalize();
        embed = undefined;
        state('error');
        replace(chartEl);
        renderBar(); // its choices are the result's columns as they are now
      }
    },
    setResult(r) {
      data = r && r.kind === 'chart' ? r.data : undefined;
      renderBar();
      void draw();
    },
    chart: () => embed,
    focus: () => f.el.focus(),
    dispose: () => embed?.finalize(),
  };
}

// ------------------------------------------------------------------ model

/**
 * The channel-rule table of a model cell: first match wins, so order
 * matters; each row shows how many touch events the rule took in the last
 * run. Edits apply (and re-run) only when the whole rule set validates.
 */
function rulesTable(cell: ModelCell, host: ViewHost, counts: Record<string, number> | undefined, openState: { open: boolean }): HTMLElement {
  const set: RuleSet = cell.rules ?? DEFAULT_RULES;
  const msg = h('div', { class: 'note', role: 'status' });
  const commit = (rules: ChannelRule[]) => {
    try {
      const next = validateRules({ ...set, rules });
      host.update(cell.id, { rules: next } as Partial<Cell>, { run: true });
    } catch (e) {
      msg.textContent = (e as Error).message;
      msg.className = 'note warn-text';
    }
  };
  const rows = set.rules.map((r, i) => {
    const channel = h('input', { class: 'inp', value: r.channel, 'aria-label': `channel of rule ${r.id}`, style: { width: '130px' } }) as HTMLInputElement;
    channel.addEventListener('change', () => commit(set.rules.map((x, j) => (j === i ? { ...x, channel: channel.value.trim().toLowerCase() } : x))));
    const cond = (group: 'all' | 'any') => {
      const inp = h('input', { class: 'inp', value: formatConditions(r[group]), 'aria-label': `${group} conditions of rule ${r.id}`, style: { width: '100%' }, placeholder: group === 'all' ? 'every condition…' : 'or at least one of…' }) as HTMLInputElement;
      inp.addEventListener('change', () => {
        try {
          const conds = parseConditions(inp.value);
          commit(set.rules.map((x, j) => (j === i ? { ...x, [group]: conds.length ? conds : undefined } : x)));
        } catch (e) {
          msg.textContent = `rule ${r.id}: ${(e as Error).message}`;
          msg.className = 'note warn-text';
        }
      });
      return inp;
    };
    const enabled = h('input', { type: 'checkbox', checked: r.enabled !== false, 'aria-label': `rule ${r.id} enabled` }) as HTMLInputElement;
    enabled.addEventListener('change', () => commit(set.rules.map((x, j) => (j === i ? { ...x, enabled: enabled.checked } : x))));
    const move = (d: -1 | 1) => {
      const j = i + d;
      if (j < 0 || j >= set.rules.length) return;
      const next = [...set.rules];
      [next[i], next[j]] = [next[j], next[i]];
      commit(next);
    };
    return h('tr', { 'data-rule': r.id },
      h('td', { class: 'num' }, String(i + 1)), h('td', {}, h('code', {}, r.id)), h('td', {}, channel),
      h('td', { style: { width: '34%' } }, cond('all')), h('td', { style: { width: '24%' } }, cond('any')),
      h('td', { class: 'num', 'data-testid': 'rule-count' }, counts ? (counts[r.id] ?? 0).toLocaleString('en-US') : '–'),
      h('td', {}, enabled),
      h('td', { style: { whiteSpace: 'nowrap' } },
        h('button', { class: 'btn ghost small', 'aria-label': 'Move rule up', onclick: () => move(-1) }, icon('up')),
        h('button', { class: 'btn ghost small', 'aria-label': 'Move rule down', onclick: () => move(1) }, icon('down')),
        h('button', { class: 'btn ghost small danger', 'aria-label': 'Delete rule', onclick: () => commit(set.rules.filter((_, j) => j !== i)) }, icon('trash'))));
  });
  const add = () => {
    const ids = new Set(set.rules.map((r) => r.id));
    let k = 1;
    while (ids.has(`rule_${k}`)) k++;
    // last (first match wins: a new rule must not take touches from the rules above it) and off until
    // the user has made it say something: adding a rule moves no credit by itself
    commit([...set.rules, { id: `rule_${k}`, channel: 'other', enabled: false, all: [{ field: 'utm_source', op: 'equals', values: ['example'] }] }]);
  };
  const details = h('details', { class: 'rules', open: openState.open },
    h('summary', {}, `Channel rules: ${set.rules.length} (${cell.rules ? 'edited' : 'bundled defaults'}); first match wins, else ${set.fallback ?? 'direct'}`),
    h('div', { style: { padding: '6px 0' } },
      h('table', { class: 'simple' },
        h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, 'rule'), h('th', {}, 'channel'), h('th', {}, 'all of'), h('th', {}, 'any of'), h('th', { class: 'num' }, 'touch events'), h('th', {}, 'on'), h('th', {}, h('span', { class: 'sr-only' }, 'move or delete'))),
        h('tr', {}, h('td', {}), h('td', {}, h('code', {}, 'explicit')), h('td', { class: 'note' }, 'the file\'s channel'), h('td', { class: 'note' }, 'a channel column in the file always wins'), h('td', {}), h('td', { class: 'num', 'data-testid': 'rule-count-explicit' }, counts ? (counts.explicit ?? 0).toLocaleString('en-US') : '–'), h('td', {}), h('td', {})),
        rows,
        h('tr', {}, h('td', {}), h('td', {}, h('code', {}, 'fallback')), h('td', {}, set.fallback ?? 'direct'), h('td', { class: 'note' }, 'anything no rule matched'), h('td', {}), h('td', { class: 'num', 'data-testid': 'rule-count-fallback' }, counts ? (counts.fallback ?? 0).toLocaleString('en-US') : '–'), h('td', {}), h('td', {}))),
      h('div', { class: 'row', style: { marginTop: '8px' } },
        h('button', { class: 'btn small', onclick: add }, icon('plus'), 'Add rule'),
        cell.rules ? h('button', { class: 'btn small', onclick: () => host.update(cell.id, { rules: undefined } as Partial<Cell>, { run: true }) }, 'Reset to defaults') : null,
        msg),
    ));
  details.addEventListener('toggle', () => (openState.open = details.open));
  return details;
}

// ------------------------------------------------------------------ rule-change diff

/** A credit figure: two decimals, thousands separated. */
const fmtCredit = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** Below this a delta is the 10-decimal rounding of credits, shown as no change. */
const TINY = 1e-9;
/** A delta with its sign (a true minus sign). */
const fmtDelta = (x: number) => (Math.abs(x) < TINY ? '0.00' : `${x > 0 ? '+' : '\u2212'}${fmtCredit(Math.abs(x))}`);
const fmtPct = (x: unknown) => (x === null || x === undefined ? '–' : Math.abs(Number(x)) < TINY ? '0.0%' : `${Number(x) > 0 ? '+' : '\u2212'}${Math.abs(Number(x)).toFixed(1)}%`);
const sign = (x: number) => (Math.abs(x) < TINY ? '' : x > 0 ? 'gain' : 'loss');

/** What differs between the frozen baseline and the cell's configuration now, in a few words. */
function baselineChanges(c: ModelCell, host: ViewHost): string[] {
  const b = c.baseline!;
  const out: string[] = [];
  const now = c.rules ?? DEFAULT_RULES;
  const before = new Map(b.rules.rules.map((r) => [r.id, JSON.stringify(r)]));
  const after = new Map(now.rules.map((r) => [r.id, JSON.stringify(r)]));
  for (const [id, r] of after) {
    if (!before.has(id)) out.push(`rule ${id} added`);
    else if (before.get(id) !== r) out.push(`rule ${id} edited`);
  }
  for (const id of before.keys()) if (!after.has(id)) out.push(`rule ${id} removed`);
  if ((b.rules.fallback ?? 'direct') !== (now.fallback ?? 'direct')) out.push(`fallback ${b.rules.fallback ?? 'direct'} → ${now.fallback ?? 'direct'}`);
  if (out.length === 0 && JSON.stringify(b.rules.rules.map((r) => r.id)) !== JSON.stringify(now.rules.map((r) => r.id))) out.push('rule order');
  const value = (v: unknown) => (typeof v === 'string' && v.startsWith('$') ? host.paramValue(v.slice(1)) : v);
  for (const k of [...new Set([...Object.keys(b.params), ...Object.keys(c.params)])].sort()) {
    const was = b.params[k];
    const is = value(c.params[k]);
    if (was !== is) out.push(`${k} ${was ?? 'default'} → ${is ?? 'default'}`);
  }
  return out;
}

/** The model cell's baseline controls: freeze one, or pick the diff's model and clear it. */
function baselineControls(c: ModelCell, host: ViewHost): HTMLElement {
  if (!c.baseline) {
    return h('div', { class: 'baseline-box' },
      h('button', { class: 'btn small', onclick: () => host.freezeBaseline(c.id), title: 'Freeze the current channel rules and parameter values as the baseline, then edit them: each run shows what credit the change moves' }, 'Propose a change…'),
      h('div', { class: 'note' }, 'Freezes the current rules and parameters as a baseline; then each run compares your edits with it.'));
  }
  const b = c.baseline;
  const model = h('select', { class: 'inp', 'aria-label': 'diff model', title: 'The model both sides of the diff are credited with' },
    [...new Set([...MODEL_CHOICES, b.model])].map((m) => h('option', { value: m, selected: m === b.model }, m))) as HTMLSelectElement;
  model.addEventListener('change', () => host.update(c.id, { baseline: { ...b, model: model.value } } as Partial<Cell>, { run: true }));
  const changes = baselineChanges(c, host);
  return h('div', { class: 'baseline-box on' },
    h('div', { class: 'row', style: { alignItems: 'center', gap: '8px' } },
      h('span', {}, 'Diff under'), model,
      h('button', { class: 'btn small', onclick: () => host.update(c.id, { baseline: undefined } as Partial<Cell>) }, 'Clear baseline')),
    h('div', { class: 'note', 'data-testid': 'baseline-changes' }, changes.length
      ? `Changed since the baseline: ${changes.slice(0, 4).join(', ')}${changes.length > 4 ? `, and ${changes.length - 4} more` : ''}.`
      : 'No change since the baseline yet: edit the rules or parameters.'));
}

/** The diff's totals by channel, the from-to matrix and a bar chart of the deltas. */
function diffPanel(c: ModelCell, d: NonNullable<ModelResult['diff']>, host: ViewHost, disposers: (() => void)[]): HTMLElement {
  const { totals, matrix, conversions } = d.result;
  const moved = new Set(conversions.map((r) => String(r.conversion_id))).size;
  const credit = matrix.reduce((a, m) => a + Number(m.credit), 0);
  const num = (v: unknown) => Number(v);
  const cell = (text: string, value: unknown, cls = '') => h('td', { class: `num ${cls}`.trim(), 'data-value': value === null ? '' : String(value) }, text);
  const totalsTable = h('table', { class: 'simple diff-totals', 'data-testid': 'diff-totals' },
    h('tr', {}, h('th', {}, 'channel'), h('th', { class: 'num' }, 'baseline'), h('th', { class: 'num' }, 'proposed'), h('th', { class: 'num' }, 'delta'), h('th', { class: 'num' }, 'delta %')),
    totals.map((t) => h('tr', { 'data-channel': String(t.channel), class: sign(num(t.delta)) },
      h('td', {}, String(t.channel)),
      cell(fmtCredit(num(t.baseline)), t.baseline),
      cell(fmtCredit(num(t.proposed)), t.proposed),
      cell(fmtDelta(num(t.delta)), t.delta, 'delta'),
      cell(fmtPct(t.delta_pct), t.delta_pct, 'delta'))));
  // the matrix as a cross table: who lost (rows) to whom (columns); row sums are losses, column sums gains
  const froms = [...new Set(matrix.map((m) => String(m.from_channel)))].sort();
  const tos = [...new Set(matrix.map((m) => String(m.to_channel)))].sort();
  const at = new Map(matrix.map((m) => [`${m.from_channel}\u0000${m.to_channel}`, m]));
  const matrixTable = matrix.length
    ? h('table', { class: 'simple diff-matrix', 'data-testid': 'diff-matrix' },
      h('tr', {}, h('th', {}, 'from ↓ / to →'), tos.map((t) => h('th', { class: 'num' }, t)), h('th', { class: 'num' }, 'lost')),
      froms.map((f) => h('tr', { 'data-from': f },
        h('td', {}, f),
        tos.map((t) => {
          const m = at.get(`${f}\u0000${t}`);
          return m ? h('td', { class: 'num', 'data-to': t, 'data-value': String(m.credit), title: `${f} → ${t}: ${fmtCredit(num(m.credit))} credit in ${num(m.conversions).toLocaleString('en-US')} conversion${num(m.conversions) === 1 ? '' : 's'}` }, fmtCredit(num(m.credit))) : h('td', { class: 'num note' }, '·');
        }),
        h('td', { class: 'num sum' }, fmtCredit(matrix.filter((m) => m.from_channel === f).reduce((a, m) => a + num(m.credit), 0))))),
      h('tr', { class: 'sum' }, h('td', {}, 'gained'), tos.map((t) => h('td', { class: 'num' }, fmtCredit(matrix.filter((m) => m.to_channel === t).reduce((a, m) => a + num(m.credit), 0)))), h('td', { class: 'num' }, fmtCredit(credit))))
    : h('div', { class: 'note', style: { padding: '6px 0' } }, 'No credit moved: the proposed configuration credits every conversion as the baseline does.');
  const chartEl = h('div', { class: 'diff-chart', 'data-testid': 'diff-chart' });
  const bars = totals.filter((t) => Math.abs(num(t.delta)) >= TINY).map((t) => ({ channel: String(t.channel), delta: num(t.delta), change: num(t.delta) > 0 ? 'gain' : 'loss' }));
  if (bars.length) {
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: { values: bars },
      width: 300,
      height: { step: 20 },
      mark: { type: 'bar', cornerRadius: 2 },
      encoding: {
        y: { field: 'channel', type: 'nominal', sort: { field: 'delta', order: 'ascending' }, title: null },
        x: { field: 'delta', type: 'quantitative', title: `proposed − baseline (${d.model})` },
        color: { field: 'change', type: 'nominal', scale: { domain: ['gain', 'loss'], range: ['#1f8a4c', '#c6303e'] }, legend: null },
        tooltip: [{ field: 'channel' }, { field: 'delta', format: '+.2f' }],
      },
    };
    drawChart(chartEl, spec as never, host.dark()).then((r) => disposers.push(() => r.finalize()), (e) => replace(chartEl, h('div', { class: 'error-box' }, h('b', {}, 'Chart error'), ': ', (e as Error).message)));
  } else replace(chartEl, h('div', { class: 'note' }, 'Every channel keeps its credit.'));
  const exportBtn = h('button', { class: 'btn small', onclick: () => void host.exportDiff(c.id), title: 'Download diff_totals.csv, diff_matrix.csv and diff_conversions.csv (the columns of attrib diff)' }, icon('download'), 'Export diff');
  return h('div', { class: 'diff-panel', 'data-testid': 'diff' },
    h('div', { class: 'diff-head' },
      h('h3', {}, `Baseline → proposed, credited by ${d.model}`),
      h('span', { class: 'pill', 'data-testid': 'diff-moved', 'data-value': String(moved) }, `${moved.toLocaleString('en-US')} conversion${moved === 1 ? '' : 's'} moved`),
      h('span', { class: 'pill', title: 'Credit that changed channel (the sum of the matrix)' }, `${fmtCredit(credit)} credit moved`),
      h('span', { class: 'note' }, fmtMs(d.ms)),
      h('span', { class: 'spacer' }),
      exportBtn),
    h('div', { class: 'diff-grid' },
      h('div', {}, h('h4', {}, 'Totals by channel'), totalsTable),
      h('div', {}, h('h4', {}, 'Who gained, who lost'), chartEl)),
    h('h4', {}, 'Credit moved, from → to'),
    h('div', { class: 'diff-matrix-wrap' }, matrixTable));
}

function modelView(cell: ModelCell, host: ViewHost): CellView {
  const f = frame(cell, host, { named: true, runnable: true });
  let current = cell;
  let disposers: (() => void)[] = [];
  let ruleCounts: Record<string, number> | undefined;
  let diffEl: HTMLElement | null = null;
  const rulesOpen = { open: false };
  const controls = h('div', { class: 'model-grid' });
  const rulesBox = h('div', { style: { padding: '0 14px 10px' } });
  f.body.classList.add('flush');
  f.body.append(controls, rulesBox);
  const render = () => {
    const c = current;
    const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'models' }, MODEL_CHOICES.map((m) => {
      const on = c.models.includes(m);
      return h('span', { class: `chip${on ? ' on' : ''}`, role: 'checkbox', 'aria-checked': on ? 'true' : 'false', tabindex: 0, onclick: () => {
        const models = on ? c.models.filter((x) => x !== m) : [...c.models, m];
        if (models.length) host.update(c.id, { models } as Partial<Cell>, { run: true });
      } }, m);
    }));
    const params = paramsFor(c.models).filter((p) => ['lookback_days', 'half_life_days', 'session_timeout_minutes'].includes(p.name) || p.name in c.params || !p.journeys);
    const rows = params.map((p) => {
      const raw = c.params[p.name];
      const linked = typeof raw === 'string' && raw.startsWith('$') ? raw.slice(1) : undefined;
      const value = linked ? host.paramValue(linked) : raw ?? p.default;
      const unit = p.unit ? ` ${p.unit}` : '';
      let input: HTMLElement;
      if (linked) input = h('span', { class: 'linked', title: `follows the parameter cell ${linked}` }, `= $${linked}`);
      else if (p.type === 'boolean') {
        const i = h('input', { type: 'checkbox', checked: Boolean(value), 'aria-label': p.name }) as HTMLInputElement;
        i.addEventListener('change', () => host.update(c.id, { params: { ...c.params, [p.name]: i.checked } } as Partial<Cell>, { run: true }));
        input = i;
      } else if (p.type === 'string') {
        const i = h('input', { class: 'inp', value: String(value ?? ''), 'aria-label': p.name }) as HTMLInputElement;
        i.addEventListener('change', () => host.update(c.id, { params: { ...c.params, [p.name]: i.value } } as Partial<Cell>, { run: true }));
        input = i;
      } else {
        const i = h('input', { class: 'inp', type: 'number', min: p.min, max: p.max, step: p.type === 'integer' ? 1 : 'any', value: String(value), 'aria-label': p.name }) as HTMLInputElement;
        i.addEventListener('change', () => {
          const v = Number(i.value);
          if (Number.isFinite(v)) host.update(c.id, { params: { ...c.params, [p.name]: v } } as Partial<Cell>, { run: true });
        });
        input = i;
      }
      const range = p.min !== undefined || p.max !== undefined ? `${p.min ?? ''}–${p.max ?? ''}${unit}` : unit.trim();
      return h('div', { class: 'pctl', title: p.description ?? '' }, h('span', {}, p.name.replace(/_/g, ' ')), input, h('span', { class: 'note' }, linked ? `${String(value)}${unit}` : range));
    });
    const compare = h('select', { class: 'inp', 'aria-label': 'baseline model' }, h('option', { value: '' }, 'none'), c.models.map((m) => h('option', { value: m, selected: m === c.compare }, m))) as HTMLSelectElement;
    compare.addEventListener('change', () => host.update(c.id, { compare: compare.value || undefined } as Partial<Cell>, { run: true }));
    const rules = c.rules ?? undefined;
    replace(rulesBox, rulesTable(c, host, ruleCounts, rulesOpen));
    replace(controls,
      h('div', {}, h('h3', {}, 'Models'), chips, h('h3', { style: { marginTop: '12px' } }, 'Baseline for deltas'), compare,
        h('div', { class: 'note', style: { marginTop: '10px' } }, rules ? `Edited channel rules: ${rules.rules.length} rules (saved in the notebook).` : 'Channel rules: the bundled defaults (models/channel_rules.json); edit them below.'),
        h('h3', { style: { marginTop: '12px' } }, 'Rule-change diff'), baselineControls(c, host)),
      h('div', {}, h('h3', {}, 'Parameters'), rows.length ? rows : h('div', { class: 'note' }, 'The chosen models have no parameters.')),
    );
  };
  // What the controls show: the cell, the rule counts and the values of linked parameters. A slider
  // move changes none of the rest, and rebuilding the rule table (eleven rows of inputs) on every
  // move, twice (the move, then its result), was main-thread time on the way to the next chart.
  let shown: string | undefined;
  const renderIfChanged = () => {
    const linked = Object.values(current.params).filter((v): v is string => typeof v === 'string' && v.startsWith('$')).map((v) => host.paramValue(v.slice(1)));
    const key = JSON.stringify([current, ruleCounts ?? null, linked]);
    if (key === shown) return;
    shown = key;
    render();
  };
  renderIfChanged();
  return {
    el: f.el,
    update(c) {
      current = c as ModelCell;
      if (!current.baseline && diffEl) {
        diffEl.remove();
        diffEl = null;
      }
      if (!f.el.contains(document.activeElement) || document.activeElement?.tagName !== 'INPUT') renderIfChanged();
      if (f.name && document.activeElement !== f.name) f.name.value = current.name;
    },
    setState: f.setState,
    setResult(r) {
      disposers.forEach((d) => d());
      disposers = [];
      ruleCounts = r && r.kind === 'model' ? r.result.ruleCounts : undefined;
      renderIfChanged();
      if (!r || r.kind !== 'model') {
        replace(f.out);
        f.foot.style.display = 'none';
        return;
      }
      const k = r.result.counts;
      // a diff shows only while the cell has its baseline (Clear baseline hides it at once)
      const diff = r.result.diff && current.baseline ? diffPanel(current, r.result.diff, host, disposers) : null;
      diffEl = diff;
      // a vendor's own figure beside the models (ga4_reported: the engine adds it when the export has it), said so in words
      const reported = [...new Set(r.result.outputs.channel_summary.map((x) => String(x.model)))].filter((m) => LIBRARY.get(m)?.reported);
      const reportedNote = reported.length
        ? h('div', { class: 'note' }, reported.map((m) => `${m}: ${LIBRARY.get(m)!.reported}'s own attribution read from the export (the session's last non-direct click), shown for comparison; not a model of ours.`).join(' '))
        : null;
      replace(f.out, diff, reportedNote, h('div', { class: 'tabs' }, h('span', { class: 'tab on' }, 'channel_summary')), gridBlock(r.summary, disposers));
      f.foot.style.display = '';
      replace(f.foot,
        `${k.conversions.toLocaleString('en-US')} conversions`,
        Object.entries(k.byStatus).map(([s, v]) => h('span', { class: 'pill', title: s === 'attributed' ? 'journeys with a credited touch' : s === 'direct_only' ? 'only direct touches: credit goes to direct' : 'no touch in the lookback: credit goes to direct' }, `${s.replace('_', ' ')} ${v.toLocaleString('en-US')}`)),
        `${k.rejects.toLocaleString('en-US')} rejected rows`,
        h('span', { class: 'spacer', style: { flex: '1' } }),
        fmtMs(r.result.ms));
    },
    focus: () => f.el.focus(),
    dispose: () => disposers.forEach((d) => d()),
  };
}

// ------------------------------------------------------------------ data

function dataView(cell: DataCell, host: ViewHost): CellView {
  const f = frame(cell, host, { named: false, runnable: true });
  let current = cell;
  let disposers: (() => void)[] = [];
  let report: ImportReport | undefined;
  /** The last run failed: the report kept from before is another import's. */
  let failed = false;
  const info = h('div', {});
  f.body.classList.add('flush');
  f.body.appendChild(info);
  const render = () => {
    const c = current;
    const pick = h('button', { class: 'btn small', title: 'One file, or several read as one import (daily shards)', onclick: () => host.pickData(c.id) }, icon('file'), c.path ? 'Choose another file…' : 'Choose a file…');
    // several files: the first, and how many more (all of them in the tooltip)
    const more = c.morePaths ?? [];
    const files = more.length ? h('span', { title: [c.path, ...more].join('\n') }, `${c.path} and ${more.length} more`) : c.path;
    // after a failed import the last good report is not shown: its rows and layout are another file's
    if (!report || failed) {
      const conv = c.path ? [h('dt', {}, 'Conversions'), h('dd', {}, conversionsControl(c, undefined, host, render))] : null;
      const kv = h('dl', { class: 'kv', style: c.conversionPaths?.length ? { padding: '0' } : {} }, h('dt', {}, more.length ? 'Files' : 'File'), h('dd', {}, files || '(none)', ' ', pick), conv, privacyRow(c, undefined, host));
      // an orders file that did not import: its mapping stays at hand, to fix
      const om = ordersMapping(c, undefined, host);
      replace(info, om ? h('div', { class: 'model-grid' }, h('div', {}, kv), h('div', {}, om)) : kv);
      return;
    }
    const r = report;
    // fixed layout: a layout's long column names (GA4's nested ones) must not widen the table past its column
    const mapping = h('table', { class: 'simple', style: { tableLayout: 'fixed' } }, h('tr', {}, h('th', { style: { width: '40%' } }, 'field'), h('th', {}, 'column of the file')),
      CANONICAL_FIELDS.filter((k) => r.mapping[k] || ['event_id', 'event_ts', 'event_name', 'user_id', 'anon_id', 'revenue'].includes(k)).map((k) => {
        const sel = h('select', { class: 'inp', 'aria-label': `column for ${k}`, style: { width: '100%' } }, h('option', { value: '' }, '(none)'),
          [...new Set([...Object.values(r.mapping), ...r.unusedColumns])].filter(Boolean).map((col) => h('option', { value: col, selected: r.mapping[k] === col }, col))) as HTMLSelectElement;
        sel.addEventListener('change', () => host.update(c.id, { options: { ...c.options, map: { ...(c.options.map ?? {}), [k]: sel.value } } } as Partial<Cell>, { run: true }));
        return h('tr', {}, h('td', {}, k), h('td', {}, sel));
      }));
    const rejected = Object.values(r.rejectsByReason).reduce((a, b) => a + b, 0);
    replace(info,
      h('div', { class: 'model-grid' },
        h('div', {}, h('dl', { class: 'kv', style: { padding: '0' } },
          h('dt', {}, more.length ? 'Files' : 'File'), h('dd', {}, files, ' ', pick),
          h('dt', {}, 'Format'), h('dd', {}, `${r.format}${r.detected.delimiter ? ` · delimiter ${JSON.stringify(r.detected.delimiter)}` : ''}${r.detected.encoding ? ` · ${r.detected.encoding}` : ''}`),
          h('dt', {}, 'Detected export'), h('dd', { 'data-testid': 'data-layout' }, r.layout),
          h('dt', {}, 'Rows'), h('dd', {}, `${r.rowsRead.toLocaleString('en-US')} read · ${r.rowsLoaded.toLocaleString('en-US')} loaded · ${r.conversions.toLocaleString('en-US')} conversions`),
          h('dt', {}, 'Conversions'), h('dd', {}, conversionsControl(c, r, host, render)),
          h('dt', {}, 'Timestamps'), h('dd', {}, Object.entries(r.timestampKinds).map(([k, v]) => h('span', { class: 'pill' }, `${k.replace(/_/g, ' ')} ${v.toLocaleString('en-US')}`)), ` read in ${r.timezone}`),
          h('dt', {}, 'Rejected rows'), h('dd', {}, rejected ? [...Object.entries(r.rejectsByReason).map(([k, v]) => h('span', { class: 'pill bad' }, `${k.replace(/_/g, ' ')} ${v.toLocaleString('en-US')}`)), h('button', { class: 'btn small', onclick: () => host.openRejects() }, 'Show rejects')] : h('span', { class: 'pill good' }, 'none')),
          privacyRow(c, r, host),
          r.warnings.length ? [h('dt', {}, 'Warnings'), h('dd', {}, r.warnings.map((w) => h('div', { class: 'warn-text' }, w)))] : null,
        )),
        h('div', {}, h('h3', {}, 'Column mapping'), mapping, r.unusedColumns.length ? notUsed(r.unusedColumns) : null,
          c.conversionPaths?.length ? h('div', { style: { marginTop: '14px' } }, ordersMapping(c, r, host)) : null),
      ),
      // several files: each one's rows, full width below (a shard that read badly stands out)
      r.files ? h('div', { style: { padding: '0 12px 8px' } }, h('h3', { class: 'sub-h' }, 'Files'), filesTable(r.files)) : null,
    );
  };
  render();
  return {
    el: f.el,
    update(c) {
      current = c as DataCell;
      render();
    },
    setState(s) {
      f.setState(s);
      // a file that is not UTF-8: the control that reads it another way, beside the error
      if (s.status === 'error' && s.error?.code === 'file_not_utf8') f.error.appendChild(encodingControl(current, host));
      const was = failed;
      if (s.status === 'error') failed = true;
      else if (s.status === 'done') failed = false;
      if (was !== failed) {
        // the preview below is the failed import's predecessor's: hidden with its report
        f.out.style.display = failed ? 'none' : '';
        render();
      }
    },
    setResult(r) {
      disposers.forEach((d) => d());
      disposers = [];
      report = r && r.kind === 'data' ? r.report : undefined;
      render();
      if (r && r.kind === 'data') {
        replace(f.out,
          r.changed ? h('div', { class: 'banner warn', style: { margin: '8px 12px' } }, icon('warn'), r.changed) : null,
          h('div', { class: 'tabs' }, h('span', { class: 'tab on' }, 'events (preview)'),
            h('span', { class: 'tabs-note', 'data-testid': 'preview-note' }, previewNote(r.preview, r.report.rowsLoaded, r.hidden ?? 0))),
          gridBlock(r.preview, disposers));
      } else replace(f.out);
    },
    focus: () => f.el.focus(),
    dispose: () => disposers.forEach((d) => d()),
  };
}

/** What the events preview leaves out: rows past its first ones, fields with no values in them. */
function previewNote(preview: RowSource, loaded: number, hidden: number): string {
  const rows = preview.total < loaded ? `First ${preview.total.toLocaleString('en-US')} of ${loaded.toLocaleString('en-US')} events` : `${loaded.toLocaleString('en-US')} events`;
  return `${rows}; times in UTC${hidden ? `; ${hidden} field${hidden === 1 ? '' : 's'} with no values here not shown` : ''}. Query the events table in a SQL cell for all of it.`;
}

/** Encodings a data cell can read (DataImportOptions.encoding), as the page names them. */
const ENCODINGS: [NonNullable<DataCell['options']['encoding']>, string][] = [['utf-8', 'UTF-8'], ['windows-1252', 'Windows-1252 (Excel on Windows)'], ['latin1', 'Latin-1 (ISO 8859-1)'], ['utf-16le', 'UTF-16 LE']];

/** The data cell's Encoding select: choosing one re-imports the file with it. */
function encodingControl(c: DataCell, host: ViewHost): HTMLElement {
  const sel = h('select', { class: 'inp', 'aria-label': 'Encoding' }, ENCODINGS.map(([v, label]) => h('option', { value: v, selected: (c.options.encoding ?? 'utf-8') === v }, label))) as HTMLSelectElement;
  sel.addEventListener('change', () => host.update(c.id, { options: { ...c.options, encoding: sel.value === 'utf-8' ? undefined : sel.value } } as Partial<Cell>, { run: true }));
  return h('div', { class: 'error-fix' }, h('label', { class: 'field' }, h('span', {}, 'Encoding'), sel));
}

/** The columns no field uses: all of them when few, else the first ones and how many more (all in the tooltip). */
function notUsed(columns: string[]): Node {
  const shown = columns.length > 12 ? `${columns.slice(0, 10).join(', ')} and ${columns.length - 10} more` : columns.join(', ');
  return h('div', { class: 'note', style: { marginTop: '6px' }, title: columns.join('\n') }, `Not used: ${shown}`);
}

/** Each file of a several-file import: its layout and rows, so a shard that read badly stands out. */
function filesTable(files: NonNullable<ImportReport['files']>): Node {
  const n = (x: number) => x.toLocaleString('en-US');
  return h('table', { class: 'simple', 'data-testid': 'data-files' },
    h('tr', {}, ['file', 'export', 'read', 'loaded', 'rejected', 'conversions'].map((t) => h('th', {}, t))),
    files.map((f) => h('tr', {}, h('td', {}, f.file, f.role === 'conversions' ? h('span', { class: 'note' }, ' (orders)') : null), h('td', {}, f.presetLabel), h('td', {}, n(f.rowsRead)), h('td', {}, n(f.rowsLoaded)), h('td', {}, n(f.rejects)), h('td', {}, n(f.conversions)))));
}

/**
 * The data cell's Privacy row: whether ids are pseudonymised, with which key
 * (its public id) and where the key is kept, and the actions.
 */
function privacyRow(c: DataCell, r: ImportReport | undefined, host: ViewHost): Node[] {
  const btn = (label: string, action: 'new' | 'file' | 'save' | 'off', title: string) =>
    h('button', { class: 'btn small', title, onclick: () => host.pseudonymize(c.id, action) }, label);
  const p = c.options.pseudonymize;
  if (!p) {
    return [h('dt', {}, 'Privacy'), h('dd', {},
      h('span', { class: 'pill' }, 'raw ids'), ' ',
      btn('Pseudonymise ids', 'new', 'Replace user_id, anon_id and e-mail addresses with keyed hashes (HMAC-SHA-256) under a new key'), ' ',
      btn('Use a key file…', 'file', 'Pseudonymise with an existing key, e.g. to match another notebook'))];
  }
  const kept = host.keyKeptIn(p.keyId);
  const what = r?.pseudonymized ? [...r.pseudonymized.fields.map((f) => f.replace(/ \(.*\)$/, '')), ...r.pseudonymized.keptColumns, 'e-mails'].join(', ') : 'user_id, anon_id, e-mails';
  return [h('dt', {}, 'Privacy'), h('dd', {},
    h('div', {}, h('span', { class: 'pill good', style: { whiteSpace: 'nowrap' }, title: r?.pseudonymized ? `hashed: ${r.pseudonymized.fields.join(', ')}` : '' }, 'pseudonymised'), ' ', h('span', { class: 'note' }, `key ${p.keyId}`)),
    h('div', { class: 'note' }, `${what} hashed (HMAC-SHA-256); ${kept === 'keychain' ? 'key in the system keychain' : kept === 'session' ? 'key open for this session only: keep its key file' : 'key not open in this window'}`),
    h('div', {}, kept === undefined
      ? btn('Use a key file…', 'file', `Choose the key file of key ${p.keyId}`)
      : [btn('Save key file…', 'save', 'Save the key as a file (keep it private)'), ' ', btn('Turn off', 'off', 'Import raw ids again')]))];
}

/** The view for a cell of any kind. */
export function createCellView(cell: Cell, host: ViewHost): CellView {
  switch (cell.kind) {
    case 'markdown':
      return markdownView(cell, host);
    case 'sql':
      return sqlView(cell, host);
    case 'param':
      return paramView(cell, host);
    case 'chart':
      return chartView(cell, host);
    case 'model':
      return modelView(cell, host);
    case 'data':
      return dataView(cell, host);
  }
}

