/**
 * Rule-change diff: the same events credited under a baseline and a proposed
 * configuration (channel rules, model, parameters such as the lookback or the
 * half-life), compared conversion by conversion (models/rule_diff.sql).
 *
 * Both configurations go through the ordinary pipeline (buildJourneys, then
 * runModels), one after the other, on the database the events were imported
 * into; each run's per-conversion credits of its model are copied aside, then
 * compared. The tables diff_conversions, diff_matrix and diff_totals stay in
 * the database, so a notebook SQL cell can query and chart them; the
 * pipeline's own tables (touches, journeys, credits) are left as the proposed
 * configuration built them.
 *
 * Definitions (also in the stage file's header and the README):
 *  - diff_conversions: per conversion, the channels whose credit changed:
 *    baseline_credit, proposed_credit, delta = proposed - baseline.
 *  - diff_matrix: per conversion, moved = max(total lost, total gained); each
 *    losing channel i gives lost_i x gained_j / moved to each gaining channel
 *    j; the matrix sums these over conversions (credit, and the number of
 *    conversions that moved credit from i to j). Row sums are the channels'
 *    losses and column sums their gains. Credit-count models conserve credit
 *    per conversion; participation does not, and the pseudo-channel '(none)'
 *    stands for credit that appeared from, or vanished to, no channel (an
 *    imbalance below 1e-9 is rounding, not that).
 *  - diff_totals: per channel, baseline, proposed, delta, delta_pct = 100 x
 *    delta / baseline (NULL when the baseline is 0), and kept / lost / gained
 *    with baseline = kept + lost and proposed = kept + gained. Kept credit is
 *    reported here rather than on the matrix's diagonal (which is empty: a
 *    channel cannot both lose and gain in one conversion).
 * Credits are compared rounded to 10 decimals, as the files write them.
 */
import type { Database, ProgressFn, Row, SqlValue } from './db.ts';
import { AttribError } from './errors.ts';
import { runModels } from './dataDriven.ts';
import { buildJourneys, isDataDriven, validateRun, DATA_DRIVEN_MODELS, JOURNEY_STAGES, type ModelLibrary, type RunOptions } from './pipeline.ts';
import { validateRules, type RuleSet } from './rules.ts';
import { readReport, runNamedStage, type ReportTable } from './reportTables.ts';

/** One side of a diff: the rules, the model and the parameter values. */
export interface DiffConfig {
  rules: RuleSet;
  model: string;
  /** Parameter values by name (stages' and the model's, e.g. lookback_days, half_life_days). */
  params: Record<string, unknown>;
}

/**
 * The model of a configuration that names none. linear, because every touch
 * of the journey carries credit, so a rule change on any touch shows (last
 * touch would hide changes to earlier touches).
 */
export const DEFAULT_DIFF_MODEL = 'linear';

/** The fields a configuration file may hold. */
export const DIFF_CONFIG_FIELDS = ['description', 'rules', 'model', 'params'] as const;

/** diff_conversions.csv: columns and row order. */
export const DIFF_CONVERSIONS_TABLE: ReportTable = {
  file: 'diff_conversions', table: 'diff_conversions',
  columns: ['conversion_id', 'channel', 'baseline_credit', 'proposed_credit', 'delta'],
  orderBy: 't.conversion_id, t.channel',
};

/** diff_matrix.csv: columns and row order ('(none)' sorts before every channel id). */
export const DIFF_MATRIX_TABLE: ReportTable = {
  file: 'diff_matrix', table: 'diff_matrix',
  columns: ['from_channel', 'to_channel', 'credit', 'conversions'],
  orderBy: 't.from_channel, t.to_channel',
};

/** diff_totals.csv: columns and row order. */
export const DIFF_TOTALS_TABLE: ReportTable = {
  file: 'diff_totals', table: 'diff_totals',
  columns: ['channel', 'baseline', 'proposed', 'delta', 'delta_pct', 'kept', 'lost', 'gained'],
  orderBy: 't.channel',
};

/** The three result tables as rows, in file order. */
export interface RuleDiffResult {
  conversions: Row[];
  matrix: Row[];
  totals: Row[];
}

/** Parameter names a configuration may set: the journey stages', the paths stage's and every credit model's. */
export function diffParamNames(lib: ModelLibrary): string[] {
  const names = new Set<string>();
  for (const spec of lib.values()) {
    if (spec.kind === 'credit' || (JOURNEY_STAGES as readonly string[]).includes(spec.name) || spec.name === 'paths') {
      for (const p of spec.params) names.add(p.name);
    }
  }
  return [...names].sort();
}

/**
 * Reads a configuration file's text. `rules` is a rule set inline or a path
 * that `readRules` resolves (the CLI: relative to the configuration file);
 * missing fields take `defaults`. Every problem is one `bad_parameter` line
 * naming `file`.
 */
export function parseDiffConfig(
  text: string,
  file: string,
  lib: ModelLibrary,
  defaults: { rules: RuleSet },
  readRules: (ref: string) => RuleSet,
): DiffConfig {
  const fail = (msg: string) => new AttribError('bad_parameter', msg, { file });
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch (e) {
    throw fail(`not valid JSON (${(e as Error).message})`);
  }
  if (!x || typeof x !== 'object' || Array.isArray(x)) throw fail('a configuration must be a JSON object with any of: ' + DIFF_CONFIG_FIELDS.join(', '));
  const o = x as Record<string, unknown>;
  const known = diffParamNames(lib);
  for (const k of Object.keys(o)) {
    if ((DIFF_CONFIG_FIELDS as readonly string[]).includes(k)) continue;
    const hint = known.includes(k) ? `; put it under "params": {"${k}": ...}` : '';
    throw fail(`unknown field '${k}' (allowed: ${DIFF_CONFIG_FIELDS.join(', ')})${hint}`);
  }
  let model = DEFAULT_DIFF_MODEL;
  if (o.model !== undefined) {
    if (typeof o.model !== 'string') throw fail('"model" must be a model name, e.g. "linear"');
    const credit = [...lib.values()].filter((m) => m.kind === 'credit' && !m.reported).map((m) => m.name);
    if (!credit.includes(o.model) && !isDataDriven(o.model)) throw fail(`unknown model '${o.model}' (available: ${[...credit, ...DATA_DRIVEN_MODELS].join(', ')})`);
    model = o.model;
  }
  const params: Record<string, unknown> = {};
  if (o.params !== undefined) {
    if (!o.params || typeof o.params !== 'object' || Array.isArray(o.params)) throw fail('"params" must be an object of parameter name -> value, e.g. {"lookback_days": 14}');
    for (const [k, v] of Object.entries(o.params)) {
      if (!known.includes(k)) throw fail(`params: unknown parameter '${k}' (known: ${known.join(', ')})`);
      if (v === null || typeof v === 'object') throw fail(`params: ${k} must be a number, string or boolean`);
      params[k] = v;
    }
  }
  let rules = defaults.rules;
  if (typeof o.rules === 'string') rules = readRules(o.rules);
  else if (o.rules !== undefined) {
    try {
      rules = validateRules(o.rules);
    } catch (e) {
      throw fail(`rules: ${(e as Error).message}`);
    }
  }
  const config = { rules, model, params };
  // ranges and model checks (e.g. lookback_days 1..365, weights summing to 1) now, before any data is read
  try {
    validateRun(lib, runOptions(config));
  } catch (e) {
    if (e instanceof AttribError) throw fail(e.message);
    throw e;
  }
  return config;
}

/**
 * Checks a configuration that crossed a boundary (the engine protocol's `rule_diff` request):
 * an object of exactly rules (a valid rule set), model (a name) and params (name -> number,
 * string or boolean). Which model and which parameter values are allowed is the library's to
 * say (validateRun, when the diff runs). Throws `bad_parameter` naming `side`.
 */
export function checkDiffConfig(x: unknown, side: string): DiffConfig {
  const fail = (msg: string) => new AttribError('bad_parameter', `rule_diff ${side}: ${msg}`);
  if (!x || typeof x !== 'object' || Array.isArray(x)) throw fail('must be an object {rules, model, params}');
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['rules', 'model', 'params'].includes(k)) throw fail(`unknown field '${k}' (allowed: rules, model, params)`);
  if (typeof o.model !== 'string' || !o.model) throw fail('"model" must be a model name, e.g. "linear"');
  if (!o.params || typeof o.params !== 'object' || Array.isArray(o.params)) throw fail('"params" must be an object of parameter name -> value');
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o.params)) {
    if (!(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) throw fail(`params: ${k} must be a number, string or boolean`);
    params[k] = v;
  }
  let rules: RuleSet;
  try {
    rules = validateRules(o.rules);
  } catch (e) {
    throw fail(`rules: ${(e as Error).message}`);
  }
  return { rules, model: o.model, params };
}

/** A configuration as the pipeline's run options. */
function runOptions(c: DiffConfig, signal?: AbortSignal): RunOptions {
  return { models: [c.model], rules: c.rules, params: c.params, signal };
}

/** Runs one configuration and copies its model's per-conversion credits, rounded to 10 decimals, into `table`. */
async function creditsOf(db: Database, lib: ModelLibrary, c: DiffConfig, table: string, signal?: AbortSignal, onProgress?: ProgressFn): Promise<void> {
  const opts = runOptions(c, signal);
  await buildJourneys(db, lib, opts, onProgress);
  await runModels(db, lib, opts, onProgress);
  // DECIMAL(38, 10): the files' rounding, and exact sums from here on
  const params: SqlValue[] = [c.model];
  await db.run(`CREATE OR REPLACE TABLE ${table} AS
    SELECT conversion_id, channel, CAST(credit AS DECIMAL(38, 10)) AS credit FROM credits WHERE model = $1`, params);
}

/**
 * Runs the baseline and the proposed configuration on the imported events and
 * leaves diff_conversions, diff_matrix and diff_totals in the database (see
 * the file comment for their definitions); returns their rows in file order.
 */
export async function runRuleDiff(
  db: Database,
  lib: ModelLibrary,
  baseline: DiffConfig,
  proposed: DiffConfig,
  opts: { signal?: AbortSignal; onProgress?: ProgressFn } = {},
): Promise<RuleDiffResult> {
  validateRun(lib, runOptions(baseline));
  validateRun(lib, runOptions(proposed));
  await creditsOf(db, lib, baseline, 'diff_baseline_credits', opts.signal, opts.onProgress);
  await creditsOf(db, lib, proposed, 'diff_proposed_credits', opts.signal, opts.onProgress);
  await runNamedStage(db, lib, 'rule_diff');
  return readRuleDiff(db);
}

/** Reads the diff tables in their documented order. */
export async function readRuleDiff(db: Database): Promise<RuleDiffResult> {
  return {
    conversions: await readReport(db, DIFF_CONVERSIONS_TABLE),
    matrix: await readReport(db, DIFF_MATRIX_TABLE),
    totals: await readReport(db, DIFF_TOTALS_TABLE),
  };
}
