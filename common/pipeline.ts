/**
 * The attribution pipeline after import: identity -> touches (channel rules,
 * sessions) -> conversions and journeys -> credits per model. Every step is
 * a model SQL file with bound parameters; the same code drives both engines.
 */
import type { Database, ProgressFn, Row, SqlValue } from './db.ts';
import { sqlString, tableExists } from './db.ts';
import { AttribError } from './errors.ts';
import { bindNamed, resolveParams, type ModelSpec } from './modelHeader.ts';
import { parseTransforms } from './paths/transforms.ts';
import { compileRules, type RuleSet } from './rules.ts';
import { checkConversionKinds, writeConversionKinds, type ConversionKind } from './kinds.ts';

/** The bundled models by name (parsed SQL files). */
export type ModelLibrary = Map<string, ModelSpec>;

/** The rule-based credit models of spec section 6, in report order. */
export const RULE_BASED_MODELS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based', 'participation', 'j_curve', 'inverse_j', 'custom'];

/**
 * The data-driven models of spec section 7 on events: they have no SQL file
 * of their own; models/paths.sql builds their paths and common/dataDriven.ts
 * runs them.
 */
export const DATA_DRIVEN_MODELS = ['markov', 'shapley', 'fractribution'] as const;

/** One of {@link DATA_DRIVEN_MODELS}. */
export type DataDrivenModel = (typeof DATA_DRIVEN_MODELS)[number];

/** Whether a model name is one of {@link DATA_DRIVEN_MODELS}. */
export function isDataDriven(model: string): model is DataDrivenModel {
  return (DATA_DRIVEN_MODELS as readonly string[]).includes(model);
}

/** The default models of `attrib attribute`. */
export const DEFAULT_MODELS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'];

/** What a run needs besides the imported events. */
export interface RunOptions {
  models: string[];
  rules: RuleSet;
  /** Parameter values by name; each model and stage takes the ones its header declares. */
  params: Record<string, unknown>;
  /** Per-model overrides, e.g. { custom: { first_weight: 0.5 } }. */
  modelParams?: Record<string, Record<string, unknown>>;
  /** Per-event-name windows and values (common/kinds.ts); the names must be conversion events at import. */
  conversionKinds?: ConversionKind[];
  /**
   * What to return: every output (default) or only channel_summary (the
   * notebook's live charts: credits and conversions stay in the engine as
   * tables, sending them on every slider move would cost more than computing them).
   */
  outputs?: 'all' | 'summary';
  /** Also run the audit (common/audit.ts) on the journeys; its tables stay in the engine. */
  audit?: boolean;
  signal?: AbortSignal;
}

/** Runs one stage file: its statements in order, parameters bound. */
export async function runStage(db: Database, spec: ModelSpec, values: Record<string, unknown>, fragments: Record<string, string> = {}): Promise<void> {
  const params = resolveParams(spec.params, values, spec.checks, spec.name);
  let sql = spec.sql;
  // Compiled fragments (the channel rules) are SQL produced by our compiler, never user values.
  for (const [k, v] of Object.entries(fragments)) sql = sql.split(`{{${k}}}`).join(v);
  for (const stmt of splitStatements(sql)) {
    const bound = bindNamed(stmt, params as Record<string, SqlValue>);
    await db.run(bound.sql, bound.params);
  }
}

/** Splits a stage file on semicolons that end a line. */
export function splitStatements(sql: string): string[] {
  return sql.split(/;\s*$/m).map((s) => s.trim()).filter((s) => s && !/^(--[^\n]*\n?\s*)*$/.test(s));
}

function need(lib: ModelLibrary, name: string): ModelSpec {
  const m = lib.get(name);
  if (!m) {
    const available = [...[...lib.values()].filter((x) => x.kind === 'credit' && !x.reported).map((x) => x.name), ...DATA_DRIVEN_MODELS];
    throw new AttribError('bad_parameter', `unknown model '${name}' (available: ${available.join(', ')})`);
  }
  return m;
}

/** Checks every parameter of the chosen models and stages before anything runs. */
export function validateRun(lib: ModelLibrary, opts: RunOptions): void {
  for (const s of JOURNEY_STAGES) resolveParams(need(lib, s).params, opts.params, [], s);
  checkConversionKinds(need(lib, 'conversions'), opts.conversionKinds ?? []);
  if (!opts.models.length) throw new AttribError('bad_parameter', 'choose at least one model');
  for (const m of opts.models) {
    if (isDataDriven(m)) continue;
    const spec = need(lib, m);
    if (spec.kind !== 'credit') throw new AttribError('bad_parameter', `'${m}' is a pipeline stage, not a model`);
    resolveParams(spec.params, { ...opts.params, ...opts.modelParams?.[m] }, spec.checks, m);
  }
  if (opts.models.some(isDataDriven)) {
    // The data-driven models' options live in the paths stage header; a bad transform fails here, before any data is read.
    const p = resolveParams(need(lib, 'paths').params, opts.params, [], 'paths');
    parseTransforms(String(p.path_transforms));
  }
}

/**
 * Builds identity, touches, conversions and journeys (the left side of the
 * pipeline, which depends on the data, the rules and the windows).
 */
export async function buildJourneys(db: Database, lib: ModelLibrary, opts: RunOptions, onProgress?: ProgressFn): Promise<void> {
  validateRun(lib, opts);
  const compiled = compileRules(opts.rules);
  await writeConversionKinds(db, opts.conversionKinds ?? []);
  // New journeys: the paths' candidates (models/path_candidates.sql) are rebuilt when next asked for.
  await db.run('DROP TABLE IF EXISTS path_nc_cuts');
  const steps: [string, Record<string, string>][] = [
    ['identity', {}],
    ['touches', { channel_case: compiled.channel, rule_case: compiled.rule }],
    ['conversions', {}],
    // the vendor's own figure per conversion (GA4's), its channel by the same rules
    ['reported', { channel_case: compiled.channel }],
    ['windows', {}],
  ];
  for (let i = 0; i < steps.length; i++) {
    checkAbort(opts.signal);
    onProgress?.(i, steps.length, steps[i][0]);
    await runStage(db, need(lib, steps[i][0]), opts.params, steps[i][1]);
  }
}

/**
 * Re-cuts the journeys for a new lookback from the candidates the last
 * buildJourneys gathered (valid while the lookback stays within the window
 * they were gathered for: max(lookback_days, widest_lookback_days)).
 */
export async function cutWindows(db: Database, lib: ModelLibrary, opts: RunOptions, onProgress?: ProgressFn): Promise<void> {
  validateRun(lib, opts);
  checkAbort(opts.signal);
  onProgress?.(0, 1, 'windows');
  await runStage(db, need(lib, 'windows'), opts.params);
}

/** The stages that build journeys, in order (their parameters are the journey-side ones). */
export const JOURNEY_STAGES = ['identity', 'touches', 'conversions', 'windows'] as const;

/**
 * Computes the `credits` table for the chosen rule-based models from
 * journey_touches. Data-driven models are skipped here; runDataDrivenModels
 * (common/dataDriven.ts) appends their rows afterwards.
 */
export async function runCreditModels(db: Database, lib: ModelLibrary, opts: RunOptions, onProgress?: ProgressFn, incremental = false): Promise<void> {
  if (incremental) {
    // Only these models' rows are replaced; the others' credits (and Markov's totals) stay.
    const list = opts.models.map(sqlString).join(', ');
    await db.run(`DELETE FROM credits WHERE model IN (${list})`);
    // only the data-driven models (markov) have totals of their own: a half-life move deletes none
    const withTotals = opts.models.filter(isDataDriven);
    if (withTotals.length) await db.run(`DELETE FROM model_totals WHERE model IN (${withTotals.map(sqlString).join(', ')})`);
  } else {
    await db.run('CREATE OR REPLACE TABLE credits (conversion_id VARCHAR, model VARCHAR, channel VARCHAR, credit DOUBLE)');
    await db.run('CREATE OR REPLACE TABLE model_totals (model VARCHAR, channel VARCHAR, conversions DOUBLE, revenue DOUBLE)');
  }
  for (let i = 0; i < opts.models.length; i++) {
    checkAbort(opts.signal);
    const name = opts.models[i];
    if (isDataDriven(name)) continue;
    onProgress?.(i, opts.models.length, `model ${name}`);
    const spec = need(lib, name);
    if (spec.reported && !(await reportedPresent(db, name))) {
      throw new AttribError('bad_parameter', `${name} is ${spec.reported}'s own figure read from the export, and this data has none (for GA4: session_traffic_source_last_click.cross_channel_campaign on conversion rows)`);
    }
    const params = resolveParams(spec.params, { ...opts.params, ...opts.modelParams?.[name] }, spec.checks, name);
    const bound = bindNamed(
      `INSERT INTO credits SELECT conversion_id, $model_name, channel, sum(credit) FROM (${spec.sql}) GROUP BY conversion_id, channel HAVING sum(credit) <> 0`,
      { ...(params as Record<string, SqlValue>), model_name: name },
    );
    await db.run(bound.sql, bound.params);
    // A vendor's figure gives every conversion its credit itself: our direct rule is ours, not its.
    if (spec.reported) continue;
    // Direct rule: a direct-only or touch-less journey gives credit 1 to direct.
    await db.run(`INSERT INTO credits SELECT conversion_id, $1, 'direct', 1.0 FROM conversions WHERE touch_status <> 'attributed'`, [name]);
  }
}

/** Whether the import found the figure a reported model shows (reported_attribution, common/import/importer.ts). */
async function reportedPresent(db: Database, model: string): Promise<boolean> {
  if (!(await tableExists(db, 'reported_attribution'))) return false;
  return (await db.all('SELECT 1 FROM reported_attribution WHERE model = $1 LIMIT 1', [model])).length > 0;
}

/**
 * `models` plus the reported models (a vendor's own figure, e.g.
 * ga4_reported) whose figure the imported data carries, after them: the
 * comparison column appears whenever the export has it and never otherwise.
 * Run after the import.
 */
export async function withReported(db: Database, lib: ModelLibrary, models: string[]): Promise<string[]> {
  const out = [...models];
  for (const spec of lib.values()) {
    if (spec.kind === 'credit' && spec.reported && !out.includes(spec.name) && (await reportedPresent(db, spec.name))) out.push(spec.name);
  }
  return out;
}

/** Whether a model is a vendor's own figure (header `reported:`), not a model of ours. */
export function isReported(lib: ModelLibrary, model: string): boolean {
  return !!lib.get(model)?.reported;
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AttribError('cancelled', 'cancelled');
}

/**
 * The four result tables of spec section 8, sorted for byte-identical output.
 * With `stale` (the models a run just recomputed, the others' credits kept),
 * only their rows of the channel_summary table are rebuilt.
 */
export async function readOutputs(db: Database, models: string[], outputs: 'all' | 'summary' = 'all', stale?: string[]): Promise<Record<'channel_summary' | 'credits' | 'conversions' | 'rejects', Row[]>> {
  const channel_summary = await summarizeOutputs(db, models, stale);
  if (outputs === 'summary') return { channel_summary, credits: [], conversions: [], rejects: [] };
  const credits = await db.all(OUTPUT_ROWS_SQL.credits);
  const conversions = await db.all(OUTPUT_ROWS_SQL.conversions);
  const rejects = await db.all(OUTPUT_ROWS_SQL.rejects);
  return { channel_summary, credits, conversions, rejects };
}

/** The output files with one row per credit, conversion or reject (read with {@link OUTPUT_ROWS_SQL}). */
export const ROW_OUTPUTS = ['credits', 'conversions', 'rejects'] as const;

/**
 * The queries of the row-level output files, in output order. They read the
 * temp table model_order that {@link summarizeOutputs} writes. Shared by
 * readOutputs (rows into memory) and the CLI, which streams them to its files
 * (cli/output.ts): at 100M events the credits are tens of millions of rows.
 */
export const OUTPUT_ROWS_SQL: Record<(typeof ROW_OUTPUTS)[number], string> = {
  credits: `
    SELECT c.conversion_id, v.person_key, c.model, c.channel, c.credit, c.credit * v.value AS attributed_revenue, v.conversion_kind
    FROM credits c JOIN conversions v USING (conversion_id) JOIN model_order o ON o.model = c.model
    ORDER BY c.conversion_id, o.k, c.channel`,
  conversions: `
    SELECT conversion_id, person_key, strftime(make_timestamp(conversion_us), '%Y-%m-%dT%H:%M:%S.%fZ') AS conversion_ts,
      value, touch_status, touches, conversion_kind, has_click_proof
    FROM conversions ORDER BY conversion_id`,
  rejects: `SELECT file, row_number, reason, raw, line, detail FROM rejects ORDER BY file, row_number, reason`,
};

/**
 * Writes the temp table model_order (the models in the order asked) and the
 * channel_summary table, and returns channel_summary's rows in output order.
 * With `stale`, only the recomputed models' rows are rebuilt.
 */
export async function summarizeOutputs(db: Database, models: string[], stale?: string[]): Promise<Row[]> {
  // one statement, not a CREATE and an INSERT: each is a round trip on a slider's path
  if (models.length) {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE model_order AS SELECT CAST(m AS VARCHAR) AS model, CAST(k AS INTEGER) AS k FROM (VALUES ${models.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}) t(m, k)`,
      models.flatMap((m, i) => [m, i]),
    );
  } else await db.run('CREATE OR REPLACE TEMP TABLE model_order (model VARCHAR, k INTEGER)');
  // Models with their own channel totals (markov, spec section 7) report those; the others sum their credits.
  await db.run('CREATE TABLE IF NOT EXISTS model_totals (model VARCHAR, channel VARCHAR, conversions DOUBLE, revenue DOUBLE)');
  const summary = (only: string) => `
    -- Sums are exact (DECIMAL) so parallel aggregation order cannot change the 10th decimal:
    -- same inputs, byte-identical files.
    SELECT s.model, s.channel, s.attributed_conversions, s.attributed_revenue, s.conversion_kind
    FROM (
      SELECT c.model, c.channel, CAST(sum(CAST(c.credit AS DECIMAL(38, 15))) AS DOUBLE) AS attributed_conversions,
        CAST(sum(CAST(c.credit * v.value AS DECIMAL(38, 15))) AS DOUBLE) AS attributed_revenue, v.conversion_kind
      FROM credits c JOIN conversions v USING (conversion_id)
      WHERE c.model NOT IN (SELECT model FROM model_totals) ${only}
      GROUP BY c.model, c.channel, v.conversion_kind
      UNION ALL
      -- markov's totals are over all conversions: their kind, or '(all)' when there are several
      SELECT t.model, t.channel, t.conversions, t.revenue,
        (SELECT CASE WHEN count(DISTINCT conversion_kind) = 1 THEN min(conversion_kind) ELSE '(all)' END FROM conversions)
      FROM model_totals t WHERE true ${only.replace('c.model', 't.model')}
    ) s JOIN model_order o ON o.model = s.model
    ORDER BY o.k, s.channel, s.conversion_kind`;
  if (stale !== undefined && (await tableExists(db, 'channel_summary'))) {
    // Kept models' rows stay; the recomputed ones' (and any model no longer asked for) are replaced.
    const list = stale.map(sqlString).join(', ');
    await db.run(`DELETE FROM channel_summary WHERE model NOT IN (SELECT model FROM model_order)${stale.length ? ` OR model IN (${list})` : ''}`);
    if (stale.length) await db.run(`INSERT INTO channel_summary ${summary(`AND c.model IN (${list})`)}`);
  } else {
    // Kept as a table too, so notebook cells and reports can query it.
    await db.run(`CREATE OR REPLACE TABLE channel_summary AS ${summary('')}`);
  }
  return db.all(`SELECT c.* FROM channel_summary c JOIN model_order o ON o.model = c.model ORDER BY o.k, c.channel, c.conversion_kind`);
}

/** The rejects table in output order (also written by runs that have no credits, e.g. a model preset). */
export function readRejects(db: Database): Promise<Row[]> {
  return db.all(OUTPUT_ROWS_SQL.rejects);
}

/**
 * Output columns of each file: spec section 8's, then appended ones (rejects: line and detail;
 * the others: conversion_kind, which channel_summary also groups by). conversions.csv gets
 * has_click_proof appended only with --click-proof (cli/extras.ts).
 */
export const OUTPUT_COLUMNS = {
  channel_summary: ['model', 'channel', 'attributed_conversions', 'attributed_revenue', 'conversion_kind'],
  credits: ['conversion_id', 'person_key', 'model', 'channel', 'credit', 'attributed_revenue', 'conversion_kind'],
  conversions: ['conversion_id', 'person_key', 'conversion_ts', 'value', 'touch_status', 'touches', 'conversion_kind'],
  rejects: ['file', 'row_number', 'reason', 'raw', 'line', 'detail'],
} as const;
