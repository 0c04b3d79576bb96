/**
 * The attribution pipeline after import: identity -> touches (channel rules,
 * sessions) -> conversions and journeys -> credits per model. Every step is
 * a model SQL file with bound parameters; the same code drives both engines.
 */
import type { Database, ProgressFn, Row, SqlValue } from './db.ts';
import { AttribError } from './errors.ts';
import { bindNamed, resolveParams, type ModelSpec } from './modelHeader.ts';
import { compileRules, type RuleSet } from './rules.ts';
import { checkConversionKinds, writeConversionKinds, type ConversionKind } from './kinds.ts';

/** The bundled models by name (parsed SQL files). */
export type ModelLibrary = Map<string, ModelSpec>;

/** The rule-based credit models of spec section 6, in report order. */
export const RULE_BASED_MODELS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based', 'participation', 'j_curve', 'inverse_j', 'custom'];

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
  if (!m) throw new AttribError('bad_parameter', `unknown model '${name}' (available: ${[...lib.values()].filter((x) => x.kind === 'credit').map((x) => x.name).join(', ')})`);
  return m;
}

/** Checks every parameter of the chosen models and stages before anything runs. */
export function validateRun(lib: ModelLibrary, opts: RunOptions): void {
  for (const s of ['identity', 'touches', 'conversions']) resolveParams(need(lib, s).params, opts.params, [], s);
  checkConversionKinds(need(lib, 'conversions'), opts.conversionKinds ?? []);
  if (!opts.models.length) throw new AttribError('bad_parameter', 'choose at least one model');
  for (const m of opts.models) {
    const spec = need(lib, m);
    if (spec.kind !== 'credit') throw new AttribError('bad_parameter', `'${m}' is a pipeline stage, not a model`);
    resolveParams(spec.params, { ...opts.params, ...opts.modelParams?.[m] }, spec.checks, m);
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
  const steps: [string, Record<string, string>][] = [
    ['identity', {}],
    ['touches', { channel_case: compiled.channel, rule_case: compiled.rule }],
    ['conversions', {}],
  ];
  for (let i = 0; i < steps.length; i++) {
    checkAbort(opts.signal);
    onProgress?.(i, steps.length, steps[i][0]);
    await runStage(db, need(lib, steps[i][0]), opts.params, steps[i][1]);
  }
}

/** Computes the `credits` table for the chosen models from journey_touches. */
export async function runCreditModels(db: Database, lib: ModelLibrary, opts: RunOptions, onProgress?: ProgressFn): Promise<void> {
  await db.run('CREATE OR REPLACE TABLE credits (conversion_id VARCHAR, model VARCHAR, channel VARCHAR, credit DOUBLE)');
  for (let i = 0; i < opts.models.length; i++) {
    checkAbort(opts.signal);
    const name = opts.models[i];
    onProgress?.(i, opts.models.length, `model ${name}`);
    const spec = need(lib, name);
    const params = resolveParams(spec.params, { ...opts.params, ...opts.modelParams?.[name] }, spec.checks, name);
    const bound = bindNamed(
      `INSERT INTO credits SELECT conversion_id, $model_name, channel, sum(credit) FROM (${spec.sql}) GROUP BY conversion_id, channel HAVING sum(credit) <> 0`,
      { ...(params as Record<string, SqlValue>), model_name: name },
    );
    await db.run(bound.sql, bound.params);
    // Direct rule: a direct-only or touch-less journey gives credit 1 to direct.
    await db.run(`INSERT INTO credits SELECT conversion_id, $1, 'direct', 1.0 FROM conversions WHERE touch_status <> 'attributed'`, [name]);
  }
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AttribError('cancelled', 'cancelled');
}

/** The four result tables of spec section 8, sorted for byte-identical output. */
export async function readOutputs(db: Database, models: string[]): Promise<Record<'channel_summary' | 'credits' | 'conversions' | 'rejects', Row[]>> {
  await db.run('CREATE OR REPLACE TEMP TABLE model_order (model VARCHAR, k INTEGER)');
  for (let i = 0; i < models.length; i++) await db.run('INSERT INTO model_order VALUES ($1, $2)', [models[i], i]);
  const channel_summary = await db.all(`
    SELECT c.model, c.channel, sum(c.credit) AS attributed_conversions, sum(c.credit * v.value) AS attributed_revenue, v.conversion_kind
    FROM credits c JOIN conversions v USING (conversion_id) JOIN model_order o ON o.model = c.model
    GROUP BY c.model, c.channel, v.conversion_kind, o.k ORDER BY o.k, c.channel, v.conversion_kind`);
  const credits = await db.all(`
    SELECT c.conversion_id, v.person_key, c.model, c.channel, c.credit, c.credit * v.value AS attributed_revenue, v.conversion_kind
    FROM credits c JOIN conversions v USING (conversion_id) JOIN model_order o ON o.model = c.model
    ORDER BY c.conversion_id, o.k, c.channel`);
  const conversions = await db.all(`
    SELECT conversion_id, person_key, strftime(make_timestamp(conversion_us), '%Y-%m-%dT%H:%M:%S.%fZ') AS conversion_ts,
      value, touch_status, touches, conversion_kind, has_click_proof
    FROM conversions ORDER BY conversion_id`);
  const rejects = await db.all(`SELECT file, row_number, reason, raw, line, detail FROM rejects ORDER BY file, row_number, reason`);
  return { channel_summary, credits, conversions, rejects };
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
