/**
 * The attribution engine: one interface for every front end (CLI, notebook,
 * desktop app), one implementation over either {@link Database}. It opens a
 * file, describes tables, runs the models, streams result rows, reports
 * progress and can be cancelled.
 */
import type { ColumnInfo, Database, ProgressFn, Row, SqlValue } from './db.ts';
import { ident, sqlString } from './db.ts';
import { AttribError } from './errors.ts';
import type { FileSource } from './import/source.ts';
import { fileColumns, importEvents, type ImportOptions, type ImportReport } from './import/importer.ts';
import { buildJourneys, cutWindows, isDataDriven, readOutputs, validateRun, withReported, JOURNEY_STAGES, type ModelLibrary, type RunOptions } from './pipeline.ts';
import { resolveParams } from './modelHeader.ts';
import { runModels, type DataDrivenResult } from './dataDriven.ts';
import { runAudit } from './audit.ts';
import { runRuleDiff, type DiffConfig, type RuleDiffResult } from './ruleDiff.ts';
import { checkUserSql } from './sqlGuard.ts';

/**
 * The four result tables of a run (spec section 8), plus what the
 * data-driven models found (Markov chain, removal effects) when they ran.
 */
export type RunOutputs = Awaited<ReturnType<typeof readOutputs>> & {
  dataDriven?: DataDrivenResult;
  /** What the run did to the journeys: built them, re-cut them for a new lookback, or kept them (Engine.run). */
  journeys?: 'built' | 'recut' | 'kept';
  /** The models whose credits the run recomputed (the others' were kept). */
  recomputed?: string[];
};

/**
 * The data-driven result as a run's answer: whole for 'all' (the CLI writes
 * its paths and transitions), or for 'summary' (the notebook's live runs)
 * only the removal effects the page shows. The paths and the Markov chain
 * are thousands of rows: sent on every slider move they cost the page more
 * than the credits (0.9 MB of text a move on 1M events, behind `attrib web`).
 */
export function forOutputs(d: DataDrivenResult | undefined, outputs: RunOptions['outputs']): DataDrivenResult | undefined {
  if (!d || outputs !== 'summary') return d;
  const { markov, shapley: _shapley, paths: _paths, ...rest } = d;
  return { ...rest, paths: [], ...(markov ? { markov: { ...markov, states: [], expectedVisits: [], transitions: [] } } : {}) };
}

/** What every engine front end can ask for. */
export interface AttributionEngine {
  /** Imports an event file into `events` / `rejects`; whole-file problems throw. */
  openFile(source: FileSource | FileSource[], opts?: ImportOptions): Promise<ImportReport>;
  /** The columns of a file, without importing it (importer.ts fileColumns). */
  fileColumns(source: FileSource, opts?: ImportOptions): Promise<string[]>;
  /** Columns of a table or view. */
  describe(table: string): Promise<ColumnInfo[]>;
  /** Builds journeys and credits for the chosen models and returns the result tables. */
  run(opts: RunOptions): Promise<RunOutputs>;
  /** Recomputes only the credits (same journeys), e.g. when a half-life, the Markov order or the path transforms change. */
  recredit(opts: RunOptions): Promise<RunOutputs>;
  /**
   * Rule-change diff of the opened file (common/ruleDiff.ts): leaves diff_conversions, diff_matrix,
   * diff_totals and diff_credits; the pipeline tables then hold the proposed run.
   */
  ruleDiff(baseline: DiffConfig, proposed: DiffConfig): Promise<RuleDiffResult>;
  /** Runs a query (the user's SQL: see common/sqlGuard.ts) with bound parameters. */
  query(sql: string, params?: SqlValue[]): Promise<Row[]>;
  /** Streams a query's rows in batches; returns the row count. */
  stream(sql: string, onRows: (rows: Row[]) => void | Promise<void>, batchRows?: number): Promise<number>;
  /** A table or view as the bytes of a Parquet file (its column types kept where Parquet has them). */
  exportParquet(table: string): Promise<Uint8Array>;
  /** Cancels the running step; the call in flight rejects with code `cancelled`. */
  cancel(): void;
  /** A new request starts: a cancel meant for an earlier one must not reach it (serveEngine calls this). */
  beginRequest?(): void;
  close(): Promise<void>;
}

/** The journey stages' parameter values (lookback aside: a narrower one only re-cuts). */
function resolveStageParams(lib: ModelLibrary, params: Record<string, unknown>): [string, unknown][] {
  const out = new Map<string, unknown>();
  for (const s of JOURNEY_STAGES) {
    const spec = lib.get(s);
    if (!spec) continue;
    for (const [k, v] of Object.entries(resolveParams(spec.params, params, [], s))) if (k !== 'lookback_days' && k !== 'widest_lookback_days') out.set(k, v);
  }
  return [...out.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** A model's own parameter values (data-driven ones: the paths stage's), as a string to compare runs by. */
function modelSignature(lib: ModelLibrary, model: string, o: RunOptions): string {
  const spec = lib.get(isDataDriven(model) ? 'paths' : model);
  if (!spec) return model;
  return JSON.stringify(resolveParams(spec.params, { ...o.params, ...o.modelParams?.[model] }, [], model));
}

/** The shared engine implementation. */
export class Engine implements AttributionEngine {
  private abort = new AbortController();
  private imported = false;
  /** What the journey candidates were last gathered for: inputs other than the lookback, and the window. */
  /** The journeys in the tables: their inputs, the window gathered, the lookback cut, and each model's credit inputs. */
  private built: { key: string; window: number; cut: number; models: Map<string, string> } | undefined;
  private reused = false;
  private lastStale: string[] = [];
  private lastDataDriven: DataDrivenResult | undefined;
  /** The journeys (key and lookback) the audit tables were last made from. */
  private auditedCut: string | undefined;
  /** The reported models (a vendor's own figure) the imported data carries: asked once per import. */
  private reportedModels: Promise<string[]> | undefined;

  constructor(
    readonly db: Database,
    private readonly lib: ModelLibrary,
    private readonly onProgress?: ProgressFn,
  ) {}

  async openFile(source: FileSource | FileSource[], opts: ImportOptions = {}): Promise<ImportReport> {
    this.abort = new AbortController();
    const staging = this.lib.get('staging');
    if (!staging) throw new AttribError('internal', 'the staging model is missing from the library');
    this.built = undefined;
    this.reportedModels = undefined;
    const report = await importEvents(this.db, source, staging, opts, this.onProgress);
    this.imported = true;
    return report;
  }

  fileColumns(source: FileSource, opts: ImportOptions = {}): Promise<string[]> {
    return fileColumns(this.db, source, opts);
  }

  async describe(table: string): Promise<ColumnInfo[]> {
    const rows = await this.db.all(`SELECT column_name AS name, column_type AS type FROM (DESCRIBE ${ident(table)})`);
    return rows.map((r) => ({ name: String(r.name), type: String(r.type) }));
  }

  async run(opts: RunOptions): Promise<RunOutputs> {
    this.requireImport();
    this.abort = new AbortController();
    // a vendor's own figure (ga4_reported) joins the chosen models whenever the data carries it
    const o = { ...opts, models: await this.withReported(opts.models), signal: this.abort.signal };
    validateRun(this.lib, o);
    // Journeys gathered for a window at least this lookback wide, from the same data, rules and
    // other stage parameters, only need re-cutting: a lookback slider does not rebuild sessions.
    const lookback = Number(o.params.lookback_days ?? 30);
    const window = Math.max(lookback, Number(o.params.widest_lookback_days ?? 0));
    const stageParams = resolveStageParams(this.lib, o.params);
    const key = JSON.stringify({ rules: o.rules, kinds: o.conversionKinds ?? [], params: stageParams });
    const previous = this.built;
    // A run that fails or is cancelled half way leaves tables of unknown state: rebuild next time.
    this.built = undefined;
    this.reused = previous !== undefined && previous.key === key && lookback <= previous.window;
    const sameCut = this.reused && previous!.cut === lookback;
    if (!this.reused) await buildJourneys(this.db, this.lib, o, this.onProgress);
    else if (!sameCut) await cutWindows(this.db, this.lib, o, this.onProgress);
    // Same journeys: only models whose own parameters changed are recomputed (a half-life slider
    // reruns time_decay, not Markov); their credits replace theirs, the others' rows stay.
    const cut = `${key}|${lookback}`;
    const sig = (m: string) => `${cut}|${modelSignature(this.lib, m, o)}`;
    const stale = sameCut ? o.models.filter((m) => previous!.models.get(m) !== sig(m)) : o.models;
    const kept = o.models.filter((m) => !stale.includes(m));
    let dataDriven = this.lastDataDriven;
    const dropped = sameCut ? [...previous!.models.keys()].filter((m) => !o.models.includes(m)) : [];
    if (kept.length && dropped.length) {
      // Models no longer asked for leave with their rows.
      const list = o.models.map(sqlString).join(', ');
      await this.db.run(`DELETE FROM credits WHERE model NOT IN (${list})`);
      await this.db.run(`DELETE FROM model_totals WHERE model NOT IN (${list})`);
    }
    if (stale.length) {
      // With credits kept, only the stale models' rows are replaced (runCreditModels' incremental mode).
      dataDriven = await runModels(this.db, this.lib, { ...o, models: stale }, this.onProgress, kept.length > 0);
      if (!stale.some(isDataDriven)) dataDriven = this.lastDataDriven;
    }
    const models = new Map(o.models.map((m) => [m, sig(m)]));
    this.built = { key, window: this.reused ? previous!.window : window, cut: lookback, models };
    this.lastDataDriven = o.models.some(isDataDriven) ? dataDriven : undefined;
    this.lastStale = stale;
    const journeys = !this.reused ? 'built' : sameCut ? 'kept' : 'recut';
    // The audit counts journeys, not credits: it reruns only when they changed.
    if (o.audit && (journeys !== 'kept' || this.auditedCut !== cut)) {
      await runAudit(this.db, this.lib);
      this.auditedCut = cut;
    } else if (!o.audit) this.auditedCut = undefined;
    return { ...(await readOutputs(this.db, o.models, opts.outputs, kept.length ? stale : undefined)), dataDriven: forOutputs(this.lastDataDriven, opts.outputs), journeys, recomputed: stale };
  }

  /**
   * `models` and the reported models the data carries (pipeline.ts withReported), whose
   * presence is read once per import: two queries fewer on every slider move.
   */
  private async withReported(models: string[]): Promise<string[]> {
    this.reportedModels ??= withReported(this.db, this.lib, []);
    const present = await this.reportedModels.catch((e) => {
      this.reportedModels = undefined;
      throw e;
    });
    return [...models, ...present.filter((m) => !models.includes(m))];
  }

  /** Models whose credits the last run recomputed (the others were kept). */
  get lastRunRecomputed(): string[] {
    return this.lastStale;
  }

  /** Whether the last run re-cut existing journeys instead of building them (for the UI's footer and tests). */
  get lastRunReusedJourneys(): boolean {
    return this.reused;
  }

  async recredit(opts: RunOptions): Promise<RunOutputs> {
    this.requireImport();
    this.abort = new AbortController();
    const o = { ...opts, models: await this.withReported(opts.models), signal: this.abort.signal };
    validateRun(this.lib, o);
    const dataDriven = await runModels(this.db, this.lib, o, this.onProgress);
    return { ...(await readOutputs(this.db, o.models, opts.outputs)), dataDriven: forOutputs(dataDriven, opts.outputs) };
  }

  /**
   * Rule-change diff of the opened file (common/ruleDiff.ts): leaves diff_conversions, diff_matrix and
   * diff_totals for SQL cells. The pipeline tables then hold the proposed run, so the next run rebuilds.
   */
  async ruleDiff(baseline: DiffConfig, proposed: DiffConfig): Promise<RuleDiffResult> {
    this.requireImport();
    this.abort = new AbortController();
    this.built = undefined;
    this.lastDataDriven = undefined;
    return runRuleDiff(this.db, this.lib, baseline, proposed, { signal: this.abort.signal, onProgress: this.onProgress });
  }

  async query(sql: string, params: SqlValue[] = []): Promise<Row[]> {
    // query and stream carry the user's SQL (SQL cells): the few functions that pass DuckDB's
    // configuration lock are refused first (common/sqlGuard.ts); the lock does the rest.
    checkUserSql(sql);
    // SQL that names the table of reported figures may have changed it: read it again next run
    if (/reported_attribution/i.test(sql)) this.reportedModels = undefined;
    return this.db.all(sql, params);
  }

  async stream(sql: string, onRows: (rows: Row[]) => void | Promise<void>, batchRows = 10000): Promise<number> {
    checkUserSql(sql);
    if (/reported_attribution/i.test(sql)) this.reportedModels = undefined;
    // Paged with LIMIT/OFFSET over a materialised result so each page is stable.
    await this.db.run(`CREATE OR REPLACE TEMP TABLE __stream AS ${sql}`);
    const total = Number((await this.db.all('SELECT count(*) AS n FROM __stream'))[0].n);
    for (let off = 0; off < total; off += batchRows) {
      if (this.abort.signal.aborted) throw new AttribError('cancelled', 'cancelled');
      await onRows(await this.db.all(`SELECT * FROM __stream LIMIT ${batchRows} OFFSET ${off}`));
    }
    await this.db.run('DROP TABLE __stream');
    return total;
  }

  async exportParquet(table: string): Promise<Uint8Array> {
    try {
      return await this.db.toParquet(`SELECT * FROM ${ident(table)}`);
    } catch (e) {
      if (/Table with name .* does not exist/i.test(String(e))) throw new AttribError('bad_parameter', `there is no table named ${table} to export: run its cell first`);
      throw e;
    }
  }

  cancel(): void {
    this.abort.abort();
    this.db.interrupt();
  }

  beginRequest(): void {
    // A cancel that arrived as the previous request finished left its marks: clear them.
    if (this.abort.signal.aborted) this.abort = new AbortController();
    this.db.clearInterrupt?.();
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private requireImport(): void {
    if (!this.imported) throw new AttribError('bad_parameter', 'open an event file first');
  }
}
