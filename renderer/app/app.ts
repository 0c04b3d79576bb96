/**
 * The workbench page: owns the notebook state (through the pure reducers of
 * common/notebook), the engine session, the runner and the cell views, and
 * routes every command of the registry. All engine work happens in the
 * engine host; this file only sends messages and paints.
 */
import { AttribError } from '../../common/errors.ts';
import { fromHex, pseudonymOf } from '../../common/pseudonym.ts';
import type { ImportOptions } from '../../common/import/importer.ts';
import type { HostBridge, KeyInfo, PickedFile } from '../../common/bridge.ts';
import { EngineClient } from '../../common/client.ts';
import type { ColumnInfo, Row, SqlValue } from '../../common/db.ts';
import { COMMANDS, commandForKeys, keyLabel, type CommandSpec } from '../../common/commands.ts';
import type { Cell, CellKind, DataCell, ModelCell, Notebook, ParamCell } from '../../common/notebook/types.ts';
import { toCsv } from '../../common/csvWrite.ts';
import { definedTables, missingInput, tableChanges, usersOf, type Orphan } from '../../common/notebook/orphans.ts';
import { resolveParamRefs } from '../../common/notebook/graph.ts';
import { sqlString } from '../../common/db.ts';
import type { FileRef } from '../../common/protocol.ts';
import { h, icon, replace } from '../ui/dom.ts';
import { createGrid } from '../ui/grid.ts';
import { setCatalog, setEditorTheme } from '../ui/sqlEditor.ts';
import { chartImage } from '../ui/chart.ts';
import { chartProblem, defaultBuilder } from '../../common/charts.ts';
import { keptColumns, PREVIEW_COLUMNS, PREVIEW_ROWS, previewCountsSql, previewInfo, previewPageSql } from '../../common/import/preview.ts';
import { createCellView, paramControl, type CellResult, type CellView, type ModelResult, type ViewHost } from './cellViews.ts';
import * as core from './core.ts';
import { Session, qi } from './session.ts';
import { Runner } from '../../common/runner.ts';
import { DATA_DRIVEN, DEFAULT_DIFF_MODEL, DEFAULT_RULES, LIBRARY } from './models.ts';
import { bindNamed, resolveParams } from '../../common/modelHeader.ts';
import { fingerprintBlob, sameFingerprint } from './fingerprint.ts';
import { askChoice, openPalette, showDialog, toast } from './overlays.ts';
import { exportHtmlReport } from './report.ts';
import { openInspector, type InspectorHandle, type InspectorRun } from './inspector.ts';

const MAC = /Mac|iPhone|iPad/.test(navigator.platform);
const CHART_ROWS = 5000;
/** The engine's working tables (import staging, model steps): not results, so not in the sidebar. */
const INTERNAL_TABLES = /^(raw|src|staged|struct_rejects|tz_offsets|conversion_names|dup_ids|model_order|model_totals|__.*|sweep_grid|conversion_kinds|event_extras|events_p|conversion_base|journey_candidates|identity_.*|url_.*|ref_.*|session_.*|touch_events|path_.*|converting_paths|non_converting_paths|markov_.*|shapley_.*|fractribution_.*|diff_baseline_credits|diff_proposed_credits)$/;

/** Quiet time after the last run before the sidebar's table list is re-read. */
const CATALOG_IDLE_MS = 700;

/** A notebook put aside by New, Open or a template, as it was. */
interface Replaced {
  text: string;
  title: string;
  name: string;
  handle: unknown;
  baseUrl: string | undefined;
  dirty: boolean;
  files: Map<string, PickedFile[]>;
  conversionFiles: Map<string, PickedFile[]>;
}

export class App implements ViewHost {
  private state!: core.NotebookState;
  private session!: Session;
  private runner: Runner;
  private views = new Map<string, CellView>();
  private runStates = new Map<string, core.RunState>();
  private results = new Map<string, CellResult>();
  /** Columns of each named result (SQL tables, model outputs, events). */
  private resultCols = new Map<string, ColumnInfo[]>();
  /** Per model cell, the footer's last figures (kept while the journeys they count are). */
  private modelFacts = new Map<string, { colsKey: string; cols: ColumnInfo[]; status: Row[]; rejects: Row[]; ruleRows: Row[] }>();
  /** The files picked this session for each data cell (several are one import). */
  private files = new Map<string, PickedFile[]>();
  /** The files of orders picked this session for each data cell (DataCell.conversionPaths). */
  private conversionFiles = new Map<string, PickedFile[]>();
  /** Pseudonymisation keys this window has open, and where the host keeps each. */
  private keyKept = new Map<string, KeyInfo['kept']>();
  private selected: string | undefined;
  private handle: unknown;
  private fileName = 'Untitled.attrib.md';
  /** Where relative data paths of the notebook resolve (web mode: a URL folder). */
  private baseUrl: string | undefined;
  private dirty = false;
  private readOnly = false;
  /** Tables whose cell was deleted or renamed (dropped from the engine): a cell still reading one fails, naming it. */
  private orphans = new Map<string, Orphan>();
  /** The notebook New, Open or a template last put aside, as it was: undo brings it back. */
  private replaced: Replaced | undefined;
  /** The open notebook is a template as it came (unsaved, but nothing of the user's in it). */
  private untouchedTemplate = false;
  private autosaveTimer = 0;
  private catalogTimer = 0;
  /** The engine has run nothing yet (boot's first notebook): clearResults has nothing to drop. */
  private engineFresh = false;
  /** The drop of the previous notebook's tables (see clearResults): runs wait for it. */
  private engineReset: Promise<void> = Promise.resolve();
  /** Results SQL cells made in the current run, whose columns are known without asking. */
  private madeThisRun = new Set<string>();
  private cellsEl = h('div', { class: 'cells' });
  /** The notebook's parameters, kept in view while the page scrolls: a slider beside the chart it moves. */
  private paramBar = h('div', { class: 'param-bar', role: 'region', 'aria-label': 'Parameters', 'data-testid': 'param-bar' });
  private paramBarKey = '';
  private sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Tables' });
  private titleInput = h('input', { class: 'nb-title', 'aria-label': 'Notebook title', spellcheck: 'false' }) as HTMLInputElement;
  private saveState = h('span', { class: 'save-state' });
  private statusEngine = h('span', {});
  private statusInfo = h('span', {});
  private banner = h('div', {});
  private themeDark = false;
  /** What the last model run used (the journey inspector explains its credits with it). */
  private lastRun: InspectorRun | undefined;
  private inspector: InspectorHandle | undefined;

  constructor(
    private readonly host: HostBridge,
    private readonly root: HTMLElement,
  ) {
    this.runner = new Runner({
      plan: (ids) => this.plan(ids),
      queued: (id, runId) => this.transition(id, { type: 'queue', runId }),
      execute: (id, runId) => this.execute(id, runId),
      // a cell whose input failed is in error too, saying which input; the tables of its earlier run go
      skipped: (id, runId, _because, failed) => {
        this.transition(id, failed
          ? { type: 'fail', runId, at: Date.now(), error: { name: 'Error', message: `its input failed: ${this.cellLabel(failed)} did not run. Fix that cell first.` } }
          : { type: 'cancel', runId });
        if (failed) void this.dropTables(this.tablesOf(id));
      },
      cancel: (id) => this.session?.cancel(id),
      busy: (on) => this.setBusy(on),
      shows: (id) => this.nb.cells.some((c) => c.id === id && c.kind === 'chart'),
    });
  }

  // ------------------------------------------------------------ boot

  /** Starts the engine, opens the recovery copy or the demo notebook, and runs it. */
  async boot(initial: { text: string; name: string; baseUrl?: string }): Promise<void> {
    this.themeDark = localStorage.getItem('aw-theme') === 'dark' || (localStorage.getItem('aw-theme') === null && matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.dataset.theme = this.themeDark ? 'dark' : 'light';
    this.layout();
    this.statusEngine.replaceChildren(h('span', { class: 'dot busy' }), 'starting engine…');
    const port = await this.host.enginePort();
    this.session = new Session(new EngineClient(port));
    this.statusEngine.replaceChildren(h('span', { class: 'dot' }), `engine ready · ${this.engineName()}`);
    this.host.onMenuCommand((id) => this.command(id));
    // the engine is fresh: nothing of an earlier notebook to clear before the first run
    this.engineFresh = true;
    const recovered = await this.host.readRecovery().catch(() => null);
    this.load(initial.text, initial.name, undefined, initial.baseUrl);
    if (recovered && recovered !== initial.text) {
      this.showBanner('warn', 'Unsaved changes from a session that did not close cleanly were found.', [
        ['Restore them', () => {
          this.load(recovered, 'Recovered.attrib.md', undefined, initial.baseUrl);
          this.dirty = true;
          this.paintSaveState();
          this.runAll();
        }],
        ['Discard', () => void this.host.clearRecovery()],
      ]);
    }
    const replacedText = await this.host.readRecovery('replaced').catch(() => null);
    if (replacedText) {
      const title = (() => {
        try {
          return core.parseNotebook(replacedText, 'Replaced.attrib.md').notebook.title;
        } catch {
          return 'a notebook';
        }
      })();
      this.showBanner('warn', `“${title}” was replaced by another notebook in an earlier session, with unsaved changes.`, [
        ['Restore it', () => void this.replaceNotebook(title, () => {
          this.load(replacedText, `${title.replace(/[^\w.-]+/g, '_') || 'Recovered'}.attrib.md`, undefined, initial.baseUrl);
          this.dirty = true;
          this.paintSaveState();
          void this.host.clearRecovery('replaced').catch(() => undefined);
          this.runAll();
        })],
        ['Discard', () => void this.host.clearRecovery('replaced').catch(() => undefined)],
      ]);
    }
    this.runAll();
    // SQL completion's function names (a slow query on the wasm engine) once the first run is
    // done: asked before it, they held up the first chart by the query's time
    void this.runner.idle().then(() => this.session.functions()).then((functions) => setCatalog({ functions }), () => undefined);
  }

  /**
   * Replaces the open notebook through `open`, never losing work: an edited
   * notebook asks first (save, discard or cancel); the one put aside is kept
   * (in memory for Undo, and in the recovery copy's `replaced` slot when it
   * had unsaved changes) and a toast offers Undo.
   */
  private async replaceNotebook(incoming: string, open: () => void): Promise<boolean> {
    // nothing of the user's would go: a template opened and not edited, or an empty notebook
    if (this.dirty && this.nb.cells.length && !this.untouchedTemplate) {
      const choice = await askChoice(`Replace “${this.nb.title}”?`,
        `“${this.nb.title}” has unsaved changes. Opening “${incoming}” puts it aside: save it first, or discard the changes (Undo brings them back until you close the page).`,
        [{ value: 'save', label: 'Save first…', primary: true }, { value: 'discard', label: 'Discard changes', danger: true }, { value: 'cancel', label: 'Cancel' }], 'cancel');
      if (choice === 'cancel') return false;
      if (choice === 'save' && !(await this.save(false))) return false;
    }
    const before: Replaced = {
      text: core.serializeNotebook(this.nb), title: this.nb.title, name: this.fileName, handle: this.handle, baseUrl: this.baseUrl,
      dirty: this.dirty, files: new Map(this.files), conversionFiles: new Map(this.conversionFiles),
    };
    if (before.dirty) await this.host.writeRecovery(before.text, 'replaced').catch(() => undefined);
    open();
    this.replaced = before;
    // the recovery copy follows the notebook now open (the one put aside has its own slot)
    if (this.dirty) this.scheduleAutosave();
    else void this.host.clearRecovery().catch(() => undefined);
    toast(`Opened “${this.nb.title}” in place of “${before.title}”.`, [['Undo', () => this.undoReplace()]]);
    return true;
  }

  /** Brings back the notebook the last replacement put aside, with its files and unsaved state. */
  private undoReplace(): void {
    const r = this.replaced;
    if (!r) return;
    this.replaced = undefined;
    this.load(r.text, r.name, r.handle, r.baseUrl);
    for (const [id, f] of r.files) this.files.set(id, f);
    for (const [id, f] of r.conversionFiles) this.conversionFiles.set(id, f);
    this.dirty = r.dirty;
    this.paintSaveState();
    if (r.dirty) {
      this.scheduleAutosave();
      void this.host.clearRecovery('replaced').catch(() => undefined);
    }
    toast(`Restored “${r.title}”.`);
    this.runAll();
  }

  /** Replaces the notebook with one read from text. */
  load(text: string, name: string, handle?: unknown, baseUrl?: string): void {
    let parsed: ReturnType<typeof core.parseNotebook>;
    try {
      parsed = core.parseNotebook(text, name);
    } catch (e) {
      this.showBanner('err', (e as Error).message);
      return;
    }
    this.runner.cancelAll('another notebook was opened');
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
    this.runStates.clear();
    this.results.clear();
    this.resultCols.clear();
    this.modelFacts.clear();
    this.lastRun = undefined;
    this.files.clear();
    this.conversionFiles.clear();
    this.cellsEl.replaceChildren();
    this.adders.clear();
    this.state = core.initNotebookState(parsed.notebook);
    this.readOnly = parsed.readOnly;
    this.untouchedTemplate = false;
    this.handle = handle;
    this.fileName = name;
    this.baseUrl = baseUrl;
    this.dirty = false;
    this.banner.replaceChildren();
    for (const w of parsed.warnings) this.showBanner('warn', w);
    if (this.readOnly) this.showBanner('warn', 'This notebook was written by a newer version of the workbench: it is open read-only. Save As keeps a copy in this version\'s format.');
    this.orphans.clear();
    this.sync();
    this.paintSaveState();
    // the notebook put aside made tables this one has not: they go before this one's runs start
    this.engineReset = this.clearResults();
  }

  private get nb(): Notebook {
    return core.currentNotebook(this.state);
  }

  // ------------------------------------------------------------ layout

  private layout(): void {
    this.titleInput.addEventListener('change', () => {
      this.apply({ type: 'setTitle', title: this.titleInput.value.trim() || 'Untitled' });
    });
    const top = h('header', { class: 'topbar' },
      // the page's one h1 (the notebook's own headings start at h2)
      h('h1', { class: 'brand' }, h('div', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Attribution Workbench'),
      this.titleInput, this.saveState, h('div', { class: 'spacer' }),
      h('button', { class: 'btn', onclick: () => this.command('data.open'), title: `Open data (${keyLabel('Mod+Shift+O', MAC)})` }, icon('file'), 'Open data'),
      h('button', { class: 'btn', onclick: () => this.command('notebook.save'), title: `Save (${keyLabel('Mod+S', MAC)})` }, 'Save'),
      h('button', { class: 'btn', onclick: () => this.command('export.html'), title: 'Export the notebook as a self-contained HTML report' }, icon('download'), 'Report'),
      h('button', { class: 'btn primary', onclick: () => this.command('notebook.runAll'), title: `Run all (${keyLabel('Mod+Shift+Enter', MAC)})` }, icon('play'), 'Run all'),
      h('button', { class: 'btn ghost', onclick: () => this.command('view.toggleTheme'), title: 'Light / dark theme', 'aria-label': 'Toggle theme' }, icon('sun')),
      h('button', { class: 'btn ghost', onclick: () => this.command('view.palette'), title: `Commands (${keyLabel('Mod+Shift+P', MAC)})`, 'aria-label': 'Command palette' }, icon('search')),
    );
    const main = h('main', { class: 'nb-main' }, this.banner, this.paramBar, this.cellsEl);
    const status = h('footer', { class: 'statusbar' }, this.statusEngine, this.statusInfo, h('span', { class: 'spacer' }), h('span', {}, `${keyLabel('Mod+Shift+P', MAC)} commands · ${keyLabel('Mod+/', MAC)} shortcuts`));
    replace(this.root, top, h('div', { class: 'layout' }, this.sidebar, main), status);
    document.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('beforeunload', (e) => {
      if (this.dirty) e.preventDefault();
    });
    let dragDepth = 0;
    const hint = h('div', { class: 'drop-hint' }, 'Drop an event file to open it');
    window.addEventListener('dragenter', (e) => {
      if (e.dataTransfer?.types.includes('Files') && dragDepth++ === 0) document.body.appendChild(hint);
    });
    window.addEventListener('dragleave', () => {
      if (--dragDepth <= 0) {
        dragDepth = 0;
        hint.remove();
      }
    });
    window.addEventListener('dragover', (e) => e.preventDefault());
    window.addEventListener('drop', (e) => {
      e.preventDefault();
      dragDepth = 0;
      hint.remove();
      const files = this.host.droppedFiles(e);
      if (files.length) this.useDataFiles(files);
    });
  }

  private showBanner(kind: 'warn' | 'err', text: string, actions: [string, () => void][] = []): void {
    const b: HTMLElement = h('div', { class: `banner ${kind}`, role: kind === 'err' ? 'alert' : 'status' }, icon('warn'), h('span', { style: { flex: '1' } }, text),
      actions.map(([label, fn]) => h('button', { class: 'btn small', onclick: () => {
        b.remove();
        fn();
      } }, label)),
      h('button', { class: 'btn ghost small', 'aria-label': 'Dismiss', onclick: () => b.remove() }, '×'));
    this.banner.appendChild(b);
  }

  private paintSaveState(): void {
    if (document.activeElement !== this.titleInput) this.titleInput.value = this.nb.title;
    this.saveState.textContent = `${this.fileName}${this.readOnly ? ' · read-only' : this.dirty ? ' · edited' : ' · saved'}`;
    document.title = `${this.nb.title} — Attribution Workbench`;
  }

  private setBusy(on: boolean): void {
    if (!this.session) return;
    this.statusEngine.replaceChildren(h('span', { class: `dot${on ? ' busy' : ''}` }), on ? 'running…' : `engine ready · ${this.engineName()}`);
    // The catalog query is slow on the wasm engine: read it once things are quiet, never in a slider's way.
    window.clearTimeout(this.catalogTimer);
    if (on) this.session.cancel('__catalog');
    else {
      this.madeThisRun.clear();
      this.catalogTimer = window.setTimeout(() => void this.refreshCatalog(), CATALOG_IDLE_MS);
    }
  }

  private async refreshCatalog(): Promise<void> {
    if (!this.session) return;
    let tables: Awaited<ReturnType<Session['catalog']>>;
    try {
      tables = await this.session.catalog();
    } catch {
      return;
    }
    this.renderCatalog(tables);
  }

  /** The sidebar (and SQL completion's names) for the engine's tables and views. */
  private renderCatalog(tables: Awaited<ReturnType<Session['catalog']>>): void {
    const shown = tables.filter((t) => !INTERNAL_TABLES.test(t.name));
    setCatalog({ tables: shown.map((t) => ({ name: t.name, columns: t.columns })), params: this.nb.cells.filter((c): c is ParamCell => c.kind === 'param').map((c) => c.name) });
    for (const t of shown) this.resultCols.set(t.name, t.columns);
    const open = new Set([...this.sidebar.querySelectorAll('.side-table[data-open]')].map((d) => d.getAttribute('data-table')));
    replace(this.sidebar,
      h('h2', {}, 'Tables'),
      shown.length ? shown.map((t, ti) => {
        // two controls side by side, not one inside another (a button in a <summary> is a nested
        // control to a screen reader): the name shows the table's rows, the chevron its columns
        const isOpen = open.has(t.name);
        const cols = h('div', { class: 'side-cols', id: `side-cols-${ti}`, hidden: !isOpen }, t.columns.map((c) => h('div', {}, h('span', {}, c.name), h('span', {}, c.type.toLowerCase()))));
        const toggle = h('button', { class: 'side-toggle', 'aria-expanded': String(isOpen), 'aria-controls': `side-cols-${ti}`, 'aria-label': `Columns of ${t.name}`, title: 'Show or hide its columns', onclick: () => {
          const now = cols.hidden;
          cols.hidden = !now;
          toggle.setAttribute('aria-expanded', String(now));
          d.toggleAttribute('data-open', now);
        } }, h('span', { class: 'chev', 'aria-hidden': 'true' }, '▸'), icon(t.kind === 'view' ? 'search' : 'table'));
        const d = h('div', { class: 'side-table', 'data-table': t.name, 'data-open': isOpen ? '' : undefined },
          h('div', { class: 'side-item' }, toggle,
            h('button', { class: 'side-name', title: `Show the rows of ${t.name}`, 'data-testid': 'show-table', onclick: () => void this.showTable(t.name, t.columns) }, t.name),
            // the count is of columns (it read as rows): said, and in full on hover
            h('span', { class: 'count', title: `${t.columns.length} column${t.columns.length === 1 ? '' : 's'}${t.kind === 'view' ? ' (a view)' : ''}` }, `${t.columns.length} col${t.columns.length === 1 ? '' : 's'}`)),
          cols);
        return d;
      }) : h('div', { class: 'side-empty' }, this.sideEmptyText()),
      h('h2', {}, 'Parameters'),
      this.nb.cells.filter((c): c is ParamCell => c.kind === 'param').map((p) => h('div', { class: 'side-item' }, `$${p.name}`, h('span', { class: 'count' }, Array.isArray(p.value) ? p.value.join('→') : String(p.value)))),
    );
  }

  /** A table's rows in a dialog (the sidebar's name was clicked): every row, paged by the grid. */
  private async showTable(name: string, columns: ColumnInfo[]): Promise<void> {
    await this.runner.idle();
    let total: number;
    try {
      total = Number((await this.session.query('__show', `SELECT count(*) AS n FROM ${qi(name)}`))[0].n);
    } catch (e) {
      toast(`Could not read ${name}: ${(e as Error).message.split('\n')[0]}`);
      return;
    }
    const grid = createGrid({ total, columns, fetch: async (o, l) => (await this.runner.idle(), this.session.page(name, o, l)) });
    const what = `${total.toLocaleString('en-US')} row${total === 1 ? '' : 's'} · ${columns.length} column${columns.length === 1 ? '' : 's'}`;
    showDialog(name, h('div', { 'data-testid': 'table-view' }, h('p', { class: 'note' }, what, ' · query it in a SQL cell: ', h('code', {}, `SELECT * FROM ${name}`)), grid.el), { wide: true, onClose: grid.dispose });
  }

  /**
   * Drops the results the notebook put aside had made (the tables the
   * sidebar shows), so none reads as the new notebook's before its own runs
   * make them. Every run of the new notebook waits for this first.
   */
  private async clearResults(): Promise<void> {
    if (this.engineFresh) {
      // a new engine holds no tables (the sidebar says so, or that a file is loading); the
      // catalog is read when the first run is done (setBusy)
      this.engineFresh = false;
      this.renderCatalog([]);
      return;
    }
    try {
      const rows = await this.session.query('__drop', `SELECT table_name AS name FROM duckdb_tables() WHERE schema_name = 'main'
        UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'`);
      await this.dropTables(rows.map((r) => String(r.name)).filter((n) => !INTERNAL_TABLES.test(n)).map((n) => n.toLowerCase()));
    } catch (e) {
      toast(`Could not clear the previous notebook's tables: ${(e as Error).message.split('\n')[0]}`);
    }
    void this.refreshCatalog();
  }

  // ------------------------------------------------------------ state and views

  private apply(msg: core.NotebookMsg, run: string[] = [], live = false): void {
    if (this.readOnly && msg.type !== 'setParam') {
      toast('This notebook is read-only (newer format). Use Save As to edit a copy.');
      return;
    }
    const before = this.nb;
    this.state = core.applyNotebook(this.state, msg);
    if (this.nb === before) return;
    this.dirty = true;
    this.untouchedTemplate = false;
    this.sync();
    this.paintSaveState();
    this.scheduleAutosave();
    const { gone, added } = tableChanges(before.cells, this.nb.cells);
    for (const n of added) this.orphans.delete(n);
    // an undone delete brings a cell back whose tables were dropped: it runs again, and what reads it
    if ((msg.type === 'undo' || msg.type === 'redo') && added.length) {
      run = [...run, ...this.nb.cells.filter((c) => core.cellDefines(c).some((n) => added.includes(n))).map((c) => c.id)];
    }
    if (gone.length) void this.dropOrphans(before.cells, gone);
    if (run.length) this.runner.request(run.filter((id) => this.nb.cells.some((c) => c.id === id)), { live });
  }

  /**
   * Drops engine tables or views by (lower-case) name, whichever exists: the
   * tables of a deleted cell, or those a failed run left from an earlier one.
   */
  private async dropTables(names: readonly string[]): Promise<void> {
    if (!names.length) return;
    try {
      const list = names.map(sqlString).join(', ');
      const objects = await this.session.query('__drop', `SELECT table_name AS name, 'TABLE' AS kind FROM duckdb_tables() WHERE schema_name = 'main' AND lower(table_name) IN (${list})
        UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' AND lower(view_name) IN (${list})`);
      for (const o of objects) await this.session.query('__drop', `DROP ${o.kind === 'VIEW' ? 'VIEW' : 'TABLE'} IF EXISTS ${qi(String(o.name))}`);
    } catch (e) {
      toast(`Could not remove out-of-date tables: ${(e as Error).message.split('\n')[0]}`);
    }
    for (const n of names) this.resultCols.delete(n);
  }

  /** The tables a cell makes (its outputs; not parameters). */
  private tablesOf(id: string): string[] {
    return [...definedTables(this.nb.cells.filter((x) => x.id === id))];
  }

  /** The sidebar's text when no table exists: a file loading now, or that none is open. */
  private sideEmptyText(): string {
    const cell = this.nb.cells.find((c): c is DataCell => c.kind === 'data' && core.isActive(this.runStates.get(c.id) ?? core.initialCellState()));
    return cell ? `Loading ${cell.path || 'the data'}…` : 'No tables yet: open a data file.';
  }

  /** A cell in words, for messages: "sql cell 'top_channels'" (its name where it has one, else its id). */
  private cellLabel(id: string): string {
    const c = this.nb.cells.find((x) => x.id === id);
    if (!c) return `cell ${id}`;
    const named = 'name' in c && typeof c.name === 'string' && c.name ? c.name : c.kind === 'chart' && c.title ? c.title : id;
    return `${c.kind} cell '${named}'`;
  }

  /**
   * Tables no cell makes any more leave the engine (so no cell, chart or the
   * sidebar shows them as current), and the cells that read them run again:
   * they fail with a message naming the table (see missingInput).
   */
  private async dropOrphans(before: readonly Cell[], gone: string[]): Promise<void> {
    for (const name of gone) {
      const cell = before.find((c) => core.cellDefines(c).includes(name));
      if (!cell) continue;
      const label = `${cell.kind} cell ${'name' in cell && cell.name ? `'${cell.name}'` : cell.id}`;
      this.orphans.set(name, { madeBy: label, how: this.nb.cells.some((c) => c.id === cell.id) ? 'renamed' : 'deleted' });
    }
    await this.runner.idle();
    await this.dropTables(gone);
    void this.refreshCatalog();
    const users = usersOf(core.buildGraph(this.nb.cells), gone);
    if (users.length) this.runner.request(users);
  }

  /**
   * The sticky parameter bar: every param cell's control, in notebook order.
   * Rebuilt when the parameters change, but never under the pointer (a
   * slider dragged in the bar keeps its element).
   */
  private renderParamBar(): void {
    const params = this.nb.cells.filter((c): c is ParamCell => c.kind === 'param');
    const key = JSON.stringify(params.map(({ value: _v, ...rest }) => rest));
    if (key === this.paramBarKey && this.paramBar.contains(document.activeElement)) return;
    this.paramBarKey = key;
    this.paramBar.style.display = params.length ? '' : 'none';
    replace(this.paramBar, params.map((p) => {
      const { control, valueText } = paramControl(p, this);
      return h('div', { class: 'pb-item', 'data-param': p.name, title: `$${p.name}` }, h('span', { class: 'pb-label' }, p.label ?? p.name), control, valueText);
    }));
  }

  /** Brings the views in line with the notebook: creates, updates, reorders, disposes. */
  private sync(): void {
    this.renderParamBar();
    const cells = this.nb.cells;
    const ids = new Set(cells.map((c) => c.id));
    for (const [id, v] of this.views) {
      if (!ids.has(id)) {
        v.dispose();
        v.el.remove();
        this.views.delete(id);
      }
    }
    const children: HTMLElement[] = [];
    children.push(this.adder(undefined, cells.length === 0));
    for (const c of cells) {
      let v = this.views.get(c.id);
      if (!v) {
        v = createCellView(c, this);
        this.views.set(c.id, v);
        const st = this.runStates.get(c.id);
        if (st) v.setState(st);
        const r = this.results.get(c.id);
        if (r) v.setResult(r);
      } else v.update(c);
      v.el.classList.toggle('selected', this.selected === c.id);
      children.push(v.el, this.adder(c.id, false));
    }
    if (!cells.length) {
      this.emptyEl ??= h('div', { class: 'empty' }, h('div', {}, 'This notebook is empty.'), h('button', { class: 'btn primary', onclick: () => this.command('data.open') }, 'Open a data file'), ' ', h('button', { class: 'btn', onclick: () => this.command('cell.addSql') }, 'Add a SQL cell'));
      children.push(this.emptyEl);
    }
    // Reorder without recreating (monaco editors keep their state).
    const current = [...this.cellsEl.children];
    if (current.length !== children.length || current.some((el, i) => el !== children[i])) this.cellsEl.replaceChildren(...children);
  }

  private adders = new Map<string, HTMLElement>();
  private emptyEl: HTMLElement | undefined;

  /** The add-cell bar after a cell (kept per position so re-syncing never moves focused elements). */
  private adder(after: string | undefined, always: boolean): HTMLElement {
    const key = `${after ?? '^'}${always ? '!' : ''}`;
    const known = this.adders.get(key);
    if (known) return known;
    const el = this.makeAdder(after, always);
    this.adders.set(key, el);
    return el;
  }

  private makeAdder(after: string | undefined, always: boolean): HTMLElement {
    const add = (kind: CellKind, label: string) => h('button', { class: 'btn ghost', onclick: () => this.addCell(kind, after) }, icon('plus'), label);
    return h('div', { class: `adder${always ? ' always' : ''}` }, add('sql', 'SQL'), add('markdown', 'Text'), add('chart', 'Chart'), add('param', 'Parameter'), add('model', 'Model'), add('data', 'Data'));
  }

  private transition(id: string, msg: core.CellMsg): void {
    const next = core.transitionCell(this.runStates.get(id) ?? core.initialCellState(), msg);
    this.runStates.set(id, next);
    this.views.get(id)?.setState(next);
    // an empty sidebar says a file is loading rather than that none is open
    const empty = this.sidebar.querySelector('.side-empty');
    if (empty) empty.textContent = this.sideEmptyText();
  }

  private setResult(id: string, r: CellResult | undefined): void {
    if (r) this.results.set(id, r);
    else this.results.delete(id);
    this.views.get(id)?.setResult(r);
  }

  // ------------------------------------------------------------ ViewHost

  dark(): boolean {
    return this.themeDark;
  }

  update(id: string, patch: Partial<Cell>, opts: { run?: boolean; coalesce?: boolean } = {}): void {
    const cell = this.nb.cells.find((c) => c.id === id);
    if (!cell) return;
    const isParamValue = cell.kind === 'param' && 'value' in patch && Object.keys(patch).length === 1;
    const msg: core.NotebookMsg = isParamValue
      ? { type: 'setParam', id, value: (patch as Partial<ParamCell>).value!, at: Date.now() }
      : { type: 'update', id, patch, at: opts.coalesce ? Date.now() : undefined };
    if (!opts.run && cell.kind === 'sql' && 'source' in patch) this.transition(id, { type: 'edit' });
    // a parameter's value as it is dragged: the run in flight finishes and shows it (Runner, live)
    this.apply(msg, opts.run ? [id] : [], isParamValue && opts.coalesce === true);
  }

  run(id: string): void {
    this.runner.request([id]);
  }

  cancel(id: string): void {
    this.runner.cancelAll('cancelled by you');
    this.session.cancel(id);
  }

  remove(id: string): void {
    const cell = this.nb.cells.find((c) => c.id === id);
    if (!cell) return;
    this.apply({ type: 'delete', id });
    toast(`Deleted the ${cell.kind} cell`, [['Undo', () => this.command('edit.undo')]]);
  }

  move(id: string, delta: -1 | 1): void {
    this.apply({ type: 'move', id, delta });
  }

  select(id: string): void {
    if (this.selected === id) return;
    this.selected = id;
    for (const [cid, v] of this.views) v.el.classList.toggle('selected', cid === id);
  }

  paramValue(name: string): unknown {
    return this.nb.cells.find((c): c is ParamCell => c.kind === 'param' && c.name === name)?.value;
  }

  paramNames(): string[] {
    return this.nb.cells.filter((c): c is ParamCell => c.kind === 'param').map((c) => c.name);
  }

  resultColumns(name: string): ColumnInfo[] | undefined {
    return this.resultCols.get(name);
  }

  resultNames(): string[] {
    const named = this.nb.cells.flatMap((c) => ('name' in c && c.kind !== 'param' ? [c.name] : []));
    return [...new Set([...named, ...this.resultCols.keys()])].sort();
  }

  pickData(id: string): void {
    void this.host.pickDataFiles().then((files) => {
      if (!files.length) return;
      this.files.set(id, files);
      const [path, ...more] = files.map((f) => f.relativePath ?? f.name);
      const morePaths = more.length ? more : undefined;
      // The file given again under the name the cell already has (a reopened notebook in web mode
      // asks for it): the notebook does not change, so apply() would not run anything. Run it.
      // That case keeps the saved fingerprint, so a file that changed since is flagged; another file
      // picked on purpose drops it: "changed since this notebook was saved" belongs to reopening.
      const same = this.nb.cells.some((c) => c.id === id && c.kind === 'data' && c.path === path && JSON.stringify(c.morePaths) === JSON.stringify(morePaths));
      if (same) this.runner.request([id]);
      else this.apply({ type: 'update', id, patch: { path, morePaths, fingerprint: undefined } as Partial<Cell> }, [id]);
    });
  }

  pickConversions(id: string): Promise<boolean> {
    return this.host.pickDataFiles().then((files) => {
      if (!files.length) return false;
      this.conversionFiles.set(id, files);
      const paths = files.map((f) => f.relativePath ?? f.name);
      const cell = this.nb.cells.find((c): c is DataCell => c.id === id && c.kind === 'data');
      if (!cell) return false;
      // the same files given again (a reopened notebook in web mode asks for them): nothing changes, so run
      if (JSON.stringify(cell.conversionPaths) === JSON.stringify(paths)) this.runner.request([id]);
      else {
        // other files: their columns differ, so an earlier mapping goes; a flag column is one definition too many
        const options = { ...cell.options, conversionFlag: undefined, conversionsMap: undefined };
        this.apply({ type: 'update', id, patch: { conversionPaths: paths, options } as Partial<Cell> }, [id]);
      }
      return true;
    });
  }

  async conversionColumns(id: string): Promise<string[]> {
    const cell = this.nb.cells.find((c): c is DataCell => c.id === id && c.kind === 'data');
    const [first] = cell ? await this.conversionRefs(cell) : [];
    if (!first) return [];
    return this.session.client.call('file_columns', { file: first.ref, options: {} }).result;
  }

  /** The pseudonym the data cell's import gives `id`, when it pseudonymises and its key is open. */
  private async pseudonymOf(id: string): Promise<string | null> {
    const keyIdOf = this.nb.cells.find((c): c is DataCell => c.kind === 'data' && !!c.options.pseudonymize)?.options.pseudonymize?.keyId;
    const key = keyIdOf ? await this.host.keys.get(keyIdOf) : null;
    return key ? pseudonymOf(fromHex(key), id) : null;
  }

  keyKeptIn(keyId: string): KeyInfo['kept'] | undefined {
    return this.keyKept.get(keyId);
  }

  pseudonymize(id: string, action: 'new' | 'file' | 'save' | 'off'): void {
    const cell = this.nb.cells.find((c): c is DataCell => c.id === id && c.kind === 'data');
    if (!cell) return;
    const turnOn = (info: KeyInfo | null) => {
      if (!info) return;
      const before = cell.options.pseudonymize?.keyId;
      if (action === 'file' && before && before !== info.keyId) {
        toast(`That key file is key ${info.keyId}; this data was pseudonymised with ${before}: the pseudonyms will differ from before`);
      }
      this.keyKept.set(info.keyId, info.kept);
      this.apply({ type: 'update', id, patch: { options: { ...cell.options, pseudonymize: { keyId: info.keyId } } } as Partial<Cell> }, [id]);
      toast(info.kept === 'keychain'
        ? `Pseudonymising with key ${info.keyId}, kept in the system keychain`
        : `Pseudonymising with key ${info.keyId}. Keep its key file: it is needed to reopen this notebook's data`);
    };
    // a key file that is not one names the file (AttribError.oneLine)
    const fail = (e: unknown) => toast(`Pseudonymisation: ${(e instanceof AttribError ? e.oneLine() : (e as Error).message).split('\n')[0]}`);
    if (action === 'new') void this.host.keys.create().then(turnOn, fail);
    else if (action === 'file') void this.host.keys.importFile().then(turnOn, fail);
    else if (action === 'save' && cell.options.pseudonymize) {
      void this.host.keys.exportFile(cell.options.pseudonymize.keyId).then((ok) => ok && toast('Saved the key file. Keep it private.'), fail);
    } else if (action === 'off') {
      const { pseudonymize: _, ...rest } = cell.options;
      this.apply({ type: 'update', id, patch: { options: rest } as Partial<Cell> }, [id]);
    }
  }

  freezeBaseline(id: string): void {
    const cell = this.nb.cells.find((c): c is ModelCell => c.id === id && c.kind === 'model');
    if (!cell) return;
    let params: Record<string, unknown>;
    try {
      params = resolveParamRefs(cell.params, (name) => this.paramValue(name));
    } catch (e) {
      toast(`Cannot freeze the baseline: ${(e as Error).message}`);
      return;
    }
    // Values, not "$param" links: the baseline stays put while the sliders move.
    const baseline = { model: DEFAULT_DIFF_MODEL, params: params as Record<string, number | string | boolean>, rules: structuredClone(cell.rules ?? DEFAULT_RULES) };
    this.apply({ type: 'update', id, patch: { baseline } as Partial<Cell> }, [id]);
  }

  async exportDiff(id: string): Promise<void> {
    // The engine's tables, in the order `attrib diff` writes its files; one download per table.
    const tables: [string, string][] = [['diff_totals', 'channel'], ['diff_matrix', 'from_channel, to_channel'], ['diff_conversions', 'conversion_id, channel']];
    let n = 0;
    try {
      for (const [t, order] of tables) {
        const cols = await this.session.describe(id, t);
        const rows = await this.session.query(id, `SELECT * FROM ${qi(t)} ORDER BY ${order}`);
        if (await this.host.exportFile(`${t}.csv`, new Blob([toCsv(cols.map((c) => c.name), rows)], { type: 'text/csv' }))) n++;
      }
    } catch (e) {
      toast(`Could not export the diff: ${(e as Error).message.split('\n')[0]}`);
      return;
    }
    if (n) toast(`Exported ${tables.slice(0, n).map(([t]) => `${t}.csv`).join(', ')}`);
  }

  openRejects(): void {
    const existing = this.nb.cells.find((c) => c.kind === 'sql' && c.name === 'rejected_rows');
    if (existing) return this.focusCell(existing.id);
    const id = this.addCell('sql', this.selected, { name: 'rejected_rows', source: 'SELECT * FROM rejects ORDER BY file, row_number' } as Partial<Cell>);
    if (id) this.runner.request([id]);
  }

  // ------------------------------------------------------------ running

  private plan(ids: string[]): string[] {
    const g = core.buildGraph(this.nb.cells);
    return core.dependents(g, ids);
  }

  runAll(): void {
    this.runner.request(this.nb.cells.map((c) => c.id));
  }

  private paramValues(): Record<string, SqlValue> {
    const out: Record<string, SqlValue> = {};
    for (const c of this.nb.cells) {
      if (c.kind !== 'param') continue;
      out[c.name] = Array.isArray(c.value) ? c.value.join('..') : (c.value as SqlValue);
      if (Array.isArray(c.value)) {
        out[`${c.name}_from`] = c.value[0];
        out[`${c.name}_to`] = c.value[1];
      }
    }
    return out;
  }

  private async execute(id: string, runId: number): Promise<void> {
    const cell = this.nb.cells.find((c) => c.id === id);
    if (!cell) return;
    const at = performance.now();
    this.transition(id, { type: 'start', runId, at: Date.now() });
    await this.engineReset;
    const progress = (done: number, total: number, label: string) => this.transition(id, { type: 'progress', runId, done, total, label });
    try {
      const missing = missingInput(this.nb.cells, id, this.orphans);
      if (missing) throw new Error(missing);
      let rows = 0;
      let columns = 0;
      switch (cell.kind) {
        case 'markdown':
        case 'param':
          break;
        case 'sql': {
          const r = await this.session.runSql(id, cell.name, cell.source, this.paramValues());
          if (r.table) {
            this.resultCols.set(r.table, r.columns);
            this.madeThisRun.add(r.table);
          }
          const table = r.table;
          // the grid's rows wait for the run to finish: a page read ahead of the chart's query would delay the chart
          this.setResult(id, { kind: 'sql', result: r, source: { total: r.total, columns: r.columns, fetch: async (o, l) => (table ? (await this.runner.idle(), this.session.page(table, o, l)) : []) } });
          rows = r.total;
          columns = r.columns.length;
          break;
        }
        case 'chart': {
          if (!cell.from) throw new Error('choose the result this chart draws');
          // the columns of a result made in this run are known; others are asked for
          const known = this.madeThisRun.has(cell.from) ? this.resultCols.get(cell.from) : undefined;
          const cols = known ?? (await this.session.describe(id, cell.from).catch(() => {
            throw new Error(`there is no result named ${cell.from}: run the cell that makes it, or choose another`);
          }));
          // a field the result lacks would draw as undefined or 0: the cell fails, naming it and the columns there are
          const problem = chartProblem(cell.builder, cell.spec, cols, cell.from);
          if (problem?.kind === 'missing_field') throw new Error(problem.message);
          const data = await this.session.query(id, `SELECT * FROM ${qi(cell.from)} LIMIT ${CHART_ROWS + 1}`);
          const truncated = data.length > CHART_ROWS;
          this.setResult(id, { kind: 'chart', data: { rows: data.slice(0, CHART_ROWS), columns: cols, truncated } });
          rows = Math.min(data.length, CHART_ROWS);
          columns = cols.length;
          break;
        }
        case 'data':
          rows = await this.runData(cell, progress).catch((e) => {
            if ((e as { code?: string }).code !== 'cancelled') this.statusInfo.textContent = `${cell.path || 'data'}: not loaded (see the data cell)`;
            throw e;
          });
          break;
        case 'model':
          rows = await this.runModel(cell, progress);
          break;
      }
      this.transition(id, { type: 'done', runId, at: Date.now(), meta: { rows, columns, ms: performance.now() - at } });
      // for measuring (bench/ui-latency.ts): each cell's run on the page's timeline
      performance.measure(`aw cell ${cell.kind} ${'name' in cell ? cell.name : id}`, { start: at });
    } catch (e) {
      const err = e as Error & { code?: string; where?: { file?: string; line?: number; column?: number } };
      const w = err.where ?? {};
      this.transition(id, { type: 'fail', runId, at: Date.now(), error: { name: err.name, message: err.message, code: err.code, file: w.file, line: w.line, column: w.column } });
      // what an earlier run made is not this run's result: no other cell, chart or the sidebar may read it as current
      if (err.code !== 'cancelled') await this.dropTables(this.tablesOf(id));
      throw e;
    }
  }

  /** The FileRefs of a data cell: the files picked this session, else its paths next to the notebook. */
  private async dataRefs(cell: DataCell): Promise<{ ref: FileRef; blob?: Blob; name: string }[]> {
    const picked = this.files.get(cell.id);
    if (picked?.length) return picked.map((p) => ({ ref: p.ref, blob: p.ref.kind === 'blob' ? p.ref.blob : undefined, name: p.name }));
    if (!cell.path) throw new Error('choose an event file (CSV, TSV, Parquet or NDJSON) for this cell');
    const out = [];
    for (const path of [cell.path, ...(cell.morePaths ?? [])]) out.push(await this.dataRef(path));
    return out;
  }

  /** The FileRefs of a data cell's orders files: those picked this session, else its conversionPaths next to the notebook. */
  private async conversionRefs(cell: DataCell): Promise<{ ref: FileRef; name: string }[]> {
    if (!cell.conversionPaths?.length) return [];
    const picked = this.conversionFiles.get(cell.id);
    // picked files belong to the paths they were picked as (a reopened notebook's paths are looked up)
    if (picked?.length && JSON.stringify(picked.map((p) => p.relativePath ?? p.name)) === JSON.stringify(cell.conversionPaths)) {
      return picked.map((p) => ({ ref: p.ref, name: p.name }));
    }
    const out = [];
    for (const path of cell.conversionPaths) out.push(await this.dataRef(path));
    return out;
  }

  /** The FileRef of one of a data cell's paths, next to the notebook. */
  private async dataRef(path: string): Promise<{ ref: FileRef; blob?: Blob; name: string }> {
    if (this.host.kind === 'electron' && typeof this.handle === 'string') {
      const dir = this.handle.replace(/[\\/][^\\/]*$/, '');
      return { ref: { kind: 'path', path: `${dir}/${path}` }, name: path.split('/').pop()! };
    }
    if (this.baseUrl) {
      const url = new URL(path, this.baseUrl);
      if (url.origin !== location.origin) throw new Error(`${path}: data must be a local file`);
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${path} is not available here: choose the file`);
      const blob = await res.blob();
      const name = path.split('/').pop()!;
      return { ref: { kind: 'blob', name, blob }, blob, name };
    }
    throw new Error(`${path}: the browser cannot open files by path; choose the file again`);
  }

  private async runData(cell: DataCell, progress: (d: number, t: number, l: string) => void): Promise<number> {
    // the status bar names what is loaded: nothing, until this import succeeds
    this.statusInfo.textContent = cell.path ? `loading ${cell.path}…` : '';
    const refs = await this.dataRefs(cell);
    const { blob } = refs[0];
    const name = refs.length > 1 ? `${refs[0].name} and ${refs.length - 1} more` : refs[0].name;
    let changed: string | undefined;
    let fingerprint = cell.fingerprint;
    // one file is fingerprinted (a reopened notebook says when it changed); a set of shards is not
    if (refs.length > 1) fingerprint = undefined;
    else if (blob) {
      const fp = await fingerprintBlob(blob);
      if (cell.fingerprint && !sameFingerprint(cell.fingerprint, fp)) {
        changed = `${cell.path} changed since this notebook was saved (size ${cell.fingerprint.size.toLocaleString('en-US')} → ${fp.size.toLocaleString('en-US')} bytes): results may differ from last time.`;
      }
      fingerprint = fp;
    }
    const { pseudonymize, ...rest } = cell.options;
    const options: ImportOptions = { ...rest };
    if (pseudonymize) {
      // the key goes to the engine for this import only; the notebook keeps the id
      const key = await this.host.keys.get(pseudonymize.keyId);
      if (!key) throw new Error(`this data is pseudonymised with key ${pseudonymize.keyId}: choose its key file (Pseudonymise ▸ Use a key file…)`);
      options.pseudonymize = { key };
      if (!this.keyKept.has(pseudonymize.keyId)) this.keyKept.set(pseudonymize.keyId, this.host.kind === 'electron' ? 'keychain' : 'session');
    }
    const conversions = await this.conversionRefs(cell);
    const report = await this.session.openData(cell.id, refs.map((r) => r.ref), options, progress, conversions.map((r) => r.ref));
    if (JSON.stringify(fingerprint) !== JSON.stringify(cell.fingerprint) && !changed) {
      // what the file was is recorded, not an edit of the user's: no undo step (Undo must not take it back)
      const next = core.applyNotebook(this.state, { type: 'update', id: cell.id, patch: { fingerprint } as Partial<Cell> });
      this.state = { ...next, past: this.state.past, future: this.state.future, lastChange: this.state.lastChange };
    }
    for (const t of ['events', 'rejects']) this.resultCols.set(t, await this.session.describe(cell.id, t));
    const total = report.rowsLoaded;
    // the preview: the user's fields (those with values in its rows), not staging's bookkeeping
    const shown = keptColumns((await this.session.query(cell.id, previewCountsSql()))[0] ?? {});
    const preview = { total: Math.min(total, PREVIEW_ROWS), columns: previewInfo(shown), fetch: (o: number, l: number) => this.session.read(previewPageSql(shown, o, l)) };
    this.setResult(cell.id, { kind: 'data', report, fileName: name, changed, preview, hidden: PREVIEW_COLUMNS.length - shown.length });
    this.statusInfo.textContent = `${name}: ${report.rowsLoaded.toLocaleString('en-US')} events, ${report.conversions.toLocaleString('en-US')} conversions`;
    return total;
  }

  private async runModel(cell: ModelCell, progress: (d: number, t: number, l: string) => void): Promise<number> {
    const params = resolveParamRefs(cell.params, (name) => this.paramValue(name));
    // what this run used, kept with its result (the report shows these, not the cells' values now)
    const used = { ...params };
    // a run that fails half way leaves tables the inspector cannot explain
    this.lastRun = undefined;
    const rules = cell.rules ?? DEFAULT_RULES;
    let diff: ModelResult['diff'];
    if (cell.baseline) {
      // The diff first: Engine.ruleDiff leaves the pipeline tables as its proposed side built them
      // (one model, no widest lookback) and forgets its journeys, so the run below rebuilds them
      // for the cell and channel_summary, credits... stay the cell's own.
      const t = performance.now();
      const result = await this.session.ruleDiff(cell.id, cell.baseline, { rules, model: cell.baseline.model, params: { ...params } }, progress);
      diff = { model: cell.baseline.model, result, ms: performance.now() - t };
    }
    // A lookback that follows a slider: gather journeys once for the slider's widest setting,
    // so every move only re-cuts them (the engine decides; see Engine.run).
    const lb = cell.params.lookback_days;
    if (typeof lb === 'string' && lb.startsWith('$')) {
      const p = this.nb.cells.find((c): c is ParamCell => c.kind === 'param' && c.name === lb.slice(1));
      if (p?.max !== undefined) params.widest_lookback_days = p.max;
    }
    const t0 = performance.now();
    const outputs = await this.session.runModel(cell.id, { models: cell.models, rules, params, outputs: 'summary', audit: cell.audit }, progress);
    if (cell.compare) {
      // models/compare.sql, as `attrib attribute --compare` runs it (common/compare.ts): model_order is the run's
      const b = bindNamed(LIBRARY.get('compare')!.sql, { baseline: cell.compare });
      await this.session.query(cell.id, b.sql, b.params);
    }
    // The footer's figures, read again only when what they count changed: a half-life move keeps
    // the journeys (and so the touches per rule and the conversions' status), a lookback move keeps
    // the touches. Every query here is time on the slider's path to the chart.
    const prev = this.modelFacts.get(cell.id);
    const keep = outputs.journeys === 'kept' || outputs.journeys === 'recut';
    const colsKey = `${cell.compare ?? ''}`;
    const [cols, status, rejects, ruleRows] = await Promise.all([
      prev && prev.colsKey === colsKey && outputs.journeys !== 'built' ? prev.cols : this.session.describe(cell.id, 'channel_summary'),
      prev && outputs.journeys === 'kept' ? prev.status : this.session.query(cell.id, 'SELECT touch_status AS s, count(*) AS n FROM conversions GROUP BY 1 ORDER BY 1'),
      prev && keep ? prev.rejects : this.session.query(cell.id, 'SELECT count(*) AS n FROM rejects'),
      prev && keep ? prev.ruleRows : this.session.query(cell.id, "SELECT coalesce(rule_id, 'fallback') AS r, count(*) AS n FROM touch_events GROUP BY 1"),
    ]);
    this.modelFacts.set(cell.id, { colsKey, cols, status, rejects, ruleRows });
    this.lastRun = this.inspectorRun(cell, params, outputs);
    // an open inspector follows the run (a slider move changes the journeys and credits it shows)
    this.inspector?.refresh();
    this.resultCols.set('channel_summary', cols);
    const n = outputs.channel_summary.length;
    const byStatus = Object.fromEntries(status.map((r) => [String(r.s), Number(r.n)]));
    const counts = { conversions: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus, rejects: Number(rejects[0].n) };
    const ruleCounts = Object.fromEntries(ruleRows.map((r) => [String(r.r), Number(r.n)]));
    this.setResult(cell.id, { kind: 'model', result: { outputs, ms: performance.now() - t0, counts, ruleCounts, diff, params: used }, summary: { total: n, columns: cols, fetch: async (o, l) => outputs.channel_summary.slice(o, o + l) } });
    return n;
  }

  /** Each model's parameters as the run resolved them (data-driven models: the paths stage's), for the journey inspector. */
  private inspectorRun(cell: ModelCell, params: Record<string, unknown>, outputs: Awaited<ReturnType<Session['runModel']>>): InspectorRun {
    const byModel: Record<string, Record<string, unknown>> = {};
    for (const m of cell.models) {
      const spec = LIBRARY.get(DATA_DRIVEN.includes(m) ? 'paths' : m);
      try {
        byModel[m] = spec ? resolveParams(spec.params, params, [], m) : {};
      } catch {
        byModel[m] = {};
      }
    }
    const re = outputs.dataDriven?.markov?.channels;
    return {
      cell: cell.name,
      models: [...cell.models],
      params: byModel,
      lookbackDays: Number(params.lookback_days ?? LIBRARY.get('windows')?.params.find((p) => p.name === 'lookback_days')?.default ?? 30),
      removalEffects: re ? Object.fromEntries(re.map((c) => [c.channel, c.removalEffect])) : undefined,
    };
  }

  private openInspector(): void {
    this.inspector = openInspector({ session: this.session, dark: () => this.themeDark, run: () => this.lastRun, pseudonym: (id) => this.pseudonymOf(id) });
  }

  // ------------------------------------------------------------ cells and files

  private addCell(kind: CellKind, after?: string, patch: Partial<Cell> = {}): string | undefined {
    const before = new Set(this.nb.cells.map((c) => c.id));
    if (kind === 'chart' && !('builder' in patch)) {
      // the chart of the result above it starts from that result's columns (an X and a Y), not an empty block
      const at = after ? this.nb.cells.findIndex((c) => c.id === after) : this.nb.cells.length - 1;
      const above = this.nb.cells.slice(0, at + 1).reverse().find((c) => c.kind === 'sql');
      const cols = above?.kind === 'sql' ? this.resultCols.get(above.name) : undefined;
      if (cols?.length) patch = { ...patch, builder: defaultBuilder(cols) } as Partial<Cell>;
    }
    this.apply({ type: 'add', kind, after, patch });
    const added = this.nb.cells.find((c) => !before.has(c.id));
    if (added) {
      // a chart of the result above it draws at once
      if (added.kind === 'chart' && added.from) this.runner.request([added.id]);
      this.select(added.id);
      requestAnimationFrame(() => {
        this.views.get(added.id)?.el.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
        this.views.get(added.id)?.focus();
      });
    }
    return added?.id;
  }

  private focusCell(id: string): void {
    this.select(id);
    this.views.get(id)?.el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }

  /** Data files chosen by menu or dropped: the first data cell takes them (one is added if none). */
  /** The engine as the status bar names it. */
  private engineName(): string {
    return this.host.engine === 'native' ? 'native DuckDB' : 'DuckDB-wasm';
  }

  /** Puts files in the notebook's data cell (a new one when it has none) and runs it: a drop, or `attrib web --data`. */
  useDataFiles(files: PickedFile[]): void {
    const file = files[0];
    const more = files.slice(1).map((f) => f.relativePath ?? f.name);
    const morePaths = more.length ? more : undefined;
    let cell = this.nb.cells.find((c): c is DataCell => c.kind === 'data');
    if (!cell) {
      const id = this.addCell('data', undefined, { path: file.relativePath ?? file.name, morePaths } as Partial<Cell>);
      cell = this.nb.cells.find((c): c is DataCell => c.id === id);
      if (!cell) return;
    } else this.apply({ type: 'update', id: cell.id, patch: { path: file.relativePath ?? file.name, morePaths, fingerprint: undefined } as Partial<Cell> });
    this.files.set(cell.id, files);
    this.runner.request([cell.id]);
  }

  // ------------------------------------------------------------ files

  private scheduleAutosave(): void {
    clearTimeout(this.autosaveTimer);
    this.autosaveTimer = window.setTimeout(() => void this.host.writeRecovery(core.serializeNotebook(this.nb)).catch(() => undefined), 800);
  }

  /** Saves (or Save As); true when the notebook was written. */
  private async save(as: boolean): Promise<boolean> {
    const text = core.serializeNotebook(this.nb);
    const name = this.fileName.endsWith('.attrib.md') ? this.fileName : `${this.nb.title.replace(/[^\w.-]+/g, '_') || 'notebook'}.attrib.md`;
    try {
      const saved = await this.host.saveNotebook(text, name, as || this.readOnly ? undefined : this.handle);
      if (!saved) return false;
      this.handle = saved.handle;
      this.fileName = saved.name;
      this.dirty = false;
      this.readOnly = false;
      await this.host.clearRecovery().catch(() => undefined);
      this.paintSaveState();
      toast(`Saved ${saved.name}`);
      return true;
    } catch (e) {
      this.showBanner('err', `Could not save: ${(e as Error).message}. The file on disk is unchanged.`);
      return false;
    }
  }

  private async open(): Promise<void> {
    const nb = await this.host.openNotebook();
    if (!nb) return;
    await this.replaceNotebook(nb.name, () => {
      this.load(nb.text, nb.name, nb.handle);
      this.runAll();
    });
  }

  private selectedTable(): { name: string; cellId: string } | undefined {
    const pick = (c: Cell | undefined) => (c && (c.kind === 'sql' || c.kind === 'model') ? { name: c.kind === 'model' ? 'channel_summary' : c.name, cellId: c.id } : undefined);
    const sel = this.nb.cells.find((c) => c.id === this.selected);
    return pick(sel) ?? pick([...this.nb.cells].reverse().find((c) => c.kind === 'sql' && this.results.has(c.id)));
  }

  private async exportCsv(): Promise<void> {
    const t = this.selectedTable();
    if (!t) return toast('Select a SQL or model cell with a result to export.');
    const cols = await this.session.describe(t.cellId, t.name);
    const rows = await this.session.query(t.cellId, `SELECT * FROM ${qi(t.name)}`);
    const ok = await this.host.exportFile(`${t.name}.csv`, new Blob([toCsv(cols.map((c) => c.name), rows)], { type: 'text/csv' }));
    if (ok) toast(`Exported ${rows.length.toLocaleString('en-US')} rows to ${t.name}.csv`);
  }

  private async exportParquet(): Promise<void> {
    const t = this.selectedTable();
    if (!t) return toast('Select a SQL or model cell with a result to export.');
    const file = `${t.name}.parquet`;
    try {
      const bytes = await this.session.exportParquet(t.cellId, t.name);
      if (await this.host.exportFile(file, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/vnd.apache.parquet' }))) toast(`Exported ${t.name} to ${file}`);
    } catch (e) {
      // one line: DuckDB's messages can carry a caret diagram below
      toast(`Could not export ${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  private async exportChart(format: 'png' | 'svg'): Promise<void> {
    const sel = this.nb.cells.find((c) => c.id === this.selected && c.kind === 'chart') ?? this.nb.cells.find((c) => c.kind === 'chart');
    const view = sel ? this.views.get(sel.id)?.chart?.() : undefined;
    if (!sel || !view) return toast('Select a chart that has been drawn.');
    const blob = await chartImage(view, format);
    if (await this.host.exportFile(`${(sel as { title?: string }).title ?? 'chart'}.${format}`.replace(/[^\w.-]+/g, '_'), blob)) toast(`Exported the chart as ${format.toUpperCase()}`);
  }

  // ------------------------------------------------------------ commands

  private handlers(): Record<string, () => void | Promise<void>> {
    return {
      'notebook.new': () => this.replaceNotebook('a new notebook', () => {
        this.load(core.serializeNotebook({ format: 'attribution-notebook/1', title: 'Untitled', cells: [] } as Notebook), 'Untitled.attrib.md');
      }).then(() => undefined),
      'notebook.newFromTemplate': () => this.chooseTemplate(),
      'notebook.open': () => this.open(),
      'data.open': async () => {
        const files = await this.host.pickDataFiles();
        if (files.length) this.useDataFiles(files);
      },
      'notebook.save': () => this.save(false).then(() => undefined),
      'notebook.saveAs': () => this.save(true).then(() => undefined),
      'export.html': async () => {
        const blob = await exportHtmlReport(this.nb, this.views, this.results, this.session);
        if (await this.host.exportFile(`${this.nb.title.replace(/[^\w.-]+/g, '_') || 'report'}.html`, blob)) toast('Exported the HTML report');
      },
      'export.csv': () => this.exportCsv(),
      'export.parquet': () => this.exportParquet(),
      'export.png': () => this.exportChart('png'),
      'export.svg': () => this.exportChart('svg'),
      // past the first edit of a notebook that replaced another, undo brings that one back
      'edit.undo': () => (!core.canUndo(this.state) && this.replaced ? this.undoReplace() : this.apply({ type: 'undo' })),
      'edit.redo': () => this.apply({ type: 'redo' }),
      'cell.addSql': () => void this.addCell('sql', this.selected),
      'cell.addMarkdown': () => void this.addCell('markdown', this.selected),
      'cell.addChart': () => void this.addCell('chart', this.selected),
      'cell.addParam': () => void this.addCell('param', this.selected),
      'cell.addModel': () => void this.addCell('model', this.selected),
      'cell.addData': () => void this.addCell('data', this.selected),
      'cell.delete': () => {
        if (this.selected) this.remove(this.selected);
      },
      'cell.moveUp': () => {
        if (this.selected) this.move(this.selected, -1);
      },
      'cell.moveDown': () => {
        if (this.selected) this.move(this.selected, 1);
      },
      'cell.run': () => {
        if (this.selected) this.run(this.selected);
      },
      'cell.runAndNext': () => {
        if (!this.selected) return;
        this.run(this.selected);
        this.command('view.focusNext');
      },
      'notebook.runAll': () => this.runAll(),
      'run.cancel': () => this.runner.cancelAll('cancelled by you'),
      'view.palette': () => openPalette(COMMANDS.filter((c) => c.id !== 'view.palette'), MAC, (id) => this.command(id)),
      'view.toggleTheme': () => {
        this.themeDark = !this.themeDark;
        localStorage.setItem('aw-theme', this.themeDark ? 'dark' : 'light');
        document.documentElement.dataset.theme = this.themeDark ? 'dark' : 'light';
        setEditorTheme(this.themeDark);
        // charts take their colours at drawing time: draw them again
        // (and the diff charts of model cells with a baseline)
        for (const [id, v] of this.views) {
          const c = this.nb.cells.find((x) => x.id === id);
          if (c?.kind === 'chart' || (c?.kind === 'model' && c.baseline)) v.setResult(this.results.get(id));
        }
        if (this.inspector && document.querySelector('.inspector')) this.inspector.retheme();
      },
      'journey.inspect': () => this.openInspector(),
      'view.focusNext': () => this.moveSelection(1),
      'view.focusPrev': () => this.moveSelection(-1),
      'help.shortcuts': () => showDialog('Keyboard shortcuts', h('table', { class: 'simple' }, COMMANDS.filter((c) => c.keys).map((c) => h('tr', {}, h('td', {}, c.label), h('td', { class: 'num' }, h('span', { class: 'kbd' }, keyLabel(c.keys!, MAC))))))),
      'help.about': async () => {
        const duckdb = await this.duckdbVersion();
        showDialog('Attribution Workbench', h('div', { 'data-testid': 'about' },
          h('p', {}, `Version ${__APP_VERSION__}. Offline marketing attribution: your data never leaves this machine.`),
          h('p', { class: 'note' }, `Engine: ${this.engineName()} (${this.host.kind === 'electron' ? 'utility process' : this.host.engine === 'native' ? 'local server' : 'Web Worker'})${duckdb ? `, DuckDB ${duckdb}` : ''}.`)));
      },
    };
  }

  /** DuckDB's version as the engine reports it ("v1.5.6"), or null before the engine is up or when it cannot say. */
  private async duckdbVersion(): Promise<string | null> {
    if (!this.session) return null;
    try {
      const rows = await this.session.client.call('query', { sql: 'SELECT version() AS v', params: [] }).result;
      return typeof rows[0]?.v === 'string' ? rows[0].v : null;
    } catch {
      return null; // About still shows the app's version
    }
  }

  /** Runs a command of the registry by id. */
  command(id: string): void {
    const fn = this.handlers()[id];
    if (!fn) return;
    Promise.resolve(fn()).catch((e) => this.showBanner('err', (e as Error).message));
  }

  private moveSelection(delta: number): void {
    const cells = this.nb.cells;
    const i = cells.findIndex((c) => c.id === this.selected);
    const next = cells[Math.max(0, Math.min(cells.length - 1, i < 0 ? 0 : i + delta))];
    if (next) this.focusCell(next.id);
  }

  private chooseTemplate(): void {
    const list = h('div', {}, core.TEMPLATES.map((t) => h('button', { class: 'btn', style: { display: 'flex', width: '100%', marginBottom: '6px' }, onclick: () => {
      document.querySelector('.overlay')?.remove();
      void this.replaceNotebook(t.title, () => {
        this.load(t.text, `${t.title}.attrib.md`, undefined, this.baseUrl ?? new URL('samples/', location.href).href);
        this.dirty = true;
        this.untouchedTemplate = true;
        this.paintSaveState();
        this.runAll();
      });
    } }, t.title)));
    showDialog('New from template', list);
  }

  private onKey(e: KeyboardEvent): void {
    const cmd: CommandSpec | undefined = commandForKeys(e, MAC);
    if (!cmd) return;
    const inEditor = (e.target as HTMLElement | null)?.closest?.('.monaco-editor, textarea, input');
    // Undo/redo inside a text field belong to that field.
    if (inEditor && cmd.editorFirst) return;
    // Enter chords inside the SQL editor are monaco's (it runs the cell itself).
    if ((e.target as HTMLElement | null)?.closest?.('.monaco-editor') && /Enter/.test(cmd.keys ?? '')) return;
    if (inEditor && cmd.keys && !/Mod|Alt/.test(cmd.keys)) return;
    e.preventDefault();
    this.command(cmd.id);
  }
}

declare const __APP_VERSION__: string;
