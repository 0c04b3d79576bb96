/**
 * The data-driven models on events (spec section 7): `markov`, `shapley` and
 * `fractribution` over the paths that models/paths.sql builds from the
 * journeys. The models themselves are common/paths (Markov, Shapley) and
 * common/fractribution.ts (google/fractribution's leave-one-out model); this
 * file feeds them and turns what they find into per-conversion rows of the
 * `credits` table, so readOutputs reports them like every other model.
 *
 * Per conversion, a model's credit 1 is shared by the distinct channels of
 * the conversion's (transformed) path:
 *  - markov: in proportion to the channels' removal effects;
 *  - shapley: the Shapley value of the conversion's own game. v(S) of spec
 *    section 7 is a sum over converting paths of "this path's conversions
 *    when S holds all its channels", so by linearity the whole game's
 *    Shapley values are the sums of these per-conversion ones, and each is
 *    an equal share of the path's distinct channels;
 *  - fractribution: the credits fractribution.py gives the conversion's path.
 * attributed_revenue is credit x the conversion's value, as for the
 * rule-based models. For shapley and fractribution channel_summary sums the
 * credits, which are the models' own channel totals. For markov it reports
 * the spec's totals, RE_k / sum(RE) x conversions (table model_totals, also
 * in removal_effects.csv): no per-conversion split can sum to those, since a
 * channel only on non-converting paths can have a removal effect, so
 * credits.csv's markov rows are an allocation whose channel sums differ
 * (see README, "Data-driven models on events").
 */
import { tableExists, type Database, type ProgressFn, type Row } from './db.ts';
import { AttribError } from './errors.ts';
import { attributePaths } from './fractribution.ts';
import { resolveParams } from './modelHeader.ts';
import { runCreditModels, runStage, isDataDriven, type DataDrivenModel, type ModelLibrary, type RunOptions } from './pipeline.ts';
import {
  compareStrings,
  mergePaths,
  parseTransforms,
  runPathModels,
  transformSteps,
  type AggregatedPath,
  type MarkovResult,
  type PathModel,
  type PathTransform,
  type ShapleyResult,
} from './paths/index.ts';

/** What the data-driven models found, besides their rows in `credits`. */
export interface DataDrivenResult {
  /** The data-driven models that ran, in run order. */
  models: DataDrivenModel[];
  /** Markov order. */
  order: number;
  /** The path transforms, in the order applied. */
  transforms: PathTransform[];
  /** The paths the models saw: after the transforms, equal ones summed, in path-list order. */
  paths: AggregatedPath[];
  /** Present when markov ran: states, transitions, removal effects (removal_effects.csv). */
  markov?: MarkovResult;
  /** Present when shapley ran. */
  shapley?: ShapleyResult;
}

/** One path as models/paths.sql numbers it. */
export interface NumberedPath extends AggregatedPath {
  id: number;
}

/** One row of credit for every conversion of a raw path. */
export interface PathCredit {
  pathId: number;
  model: DataDrivenModel;
  channel: string;
  credit: number;
}

/**
 * Runs every chosen model: the rule-based ones in SQL, then the data-driven
 * ones. This is what the Engine and the CLI call after buildJourneys.
 */
export async function runModels(db: Database, lib: ModelLibrary, opts: RunOptions, onProgress?: ProgressFn, incremental = false): Promise<DataDrivenResult | undefined> {
  await runCreditModels(db, lib, opts, onProgress, incremental);
  return runDataDrivenModels(db, lib, opts, onProgress);
}

/**
 * Builds the paths (models/paths.sql), runs the chosen data-driven models
 * and appends their per-conversion rows to `credits` (created by
 * runCreditModels). Returns undefined when none was chosen.
 *
 * @throws AttribError `too_many_channels` (Shapley above 20 channels, Markov state limit), `cancelled`.
 */
export async function runDataDrivenModels(db: Database, lib: ModelLibrary, opts: RunOptions, onProgress?: ProgressFn): Promise<DataDrivenResult | undefined> {
  const models = [...new Set(opts.models.filter(isDataDriven))];
  if (!models.length) return undefined;
  const spec = lib.get('paths');
  if (!spec) throw new AttribError('internal', 'the paths stage is missing from the library (models/paths.sql)');
  const params = resolveParams(spec.params, opts.params, [], 'paths');
  const order = Number(params.markov_order);
  const transforms = parseTransforms(String(params.path_transforms));
  checkAbort(opts.signal);
  onProgress?.(0, 1, 'paths');
  // The lookback-free candidates are built once per set of journeys (buildJourneys drops them).
  if (!(await tableExists(db, 'path_nc_cuts'))) {
    const candidates = lib.get('path_candidates');
    if (!candidates) throw new AttribError('internal', 'the path_candidates stage is missing from the library (models/path_candidates.sql)');
    await runStage(db, candidates, opts.params);
  }
  await runStage(db, spec, opts.params);
  const raw = await readNumberedPaths(db);

  // Transforms per raw path, so each conversion's credit follows its own transformed path.
  const transformed = raw.map((p) => transforms.reduce<readonly string[]>((s, t) => transformSteps(s, t), p.steps));
  const paths = mergePaths(raw.map((p, i) => ({ steps: transformed[i]!, conversions: p.conversions, value: p.value, nulls: p.nulls })));
  const pathModels = models.filter((m): m is DataDrivenModel & PathModel => m !== 'fractribution');
  const run = pathModels.length && paths.length ? runPathModels(paths, { models: pathModels, order, onProgress, signal: opts.signal }) : undefined;
  const frequency = transforms.some((t) => t.kind === 'frequency');

  const credits: PathCredit[] = [];
  for (const model of paths.length ? models : []) {
    checkAbort(opts.signal);
    let perPath: (steps: readonly string[]) => Map<string, number>;
    if (model === 'markov') {
      // Weights are the removal effects of the steps as the chain saw them (after the transforms).
      const re = new Map(run!.markov!.channels.map((c) => [c.channel, c.removalEffect]));
      perPath = (steps) => allocate(steps, (s) => re.get(s) ?? 0);
    } else if (model === 'shapley') {
      // The conversion's own game, v(S) = 1 when S holds every channel of its path: equal shares.
      perPath = (steps) => allocate(steps, () => 1);
    } else {
      const byPath = fractributionCredits(paths);
      perPath = (steps) => byPath.get(steps.join('\u0000'))!;
    }
    raw.forEach((p, i) => {
      if (p.conversions === 0) return;
      for (const [channel, credit] of toChannels(perPath(transformed[i]!), frequency)) credits.push({ pathId: p.id, model, channel, credit });
    });
  }
  await writeCredits(db, credits);
  await writeModelTotals(db, run?.markov);
  return { models, order, transforms, paths, markov: run?.markov, shapley: run?.shapley };
}

/** Reads path_aggregates and path_steps (models/paths.sql) in path-id order. */
export async function readNumberedPaths(db: Database): Promise<NumberedPath[]> {
  // One row per path, its steps joined by U+0001: reading path_steps row by row cost more than the
  // models on large exports. A channel name holding U+0001 itself (from data) shows as a step count
  // that does not match, and then the steps are read row by row.
  const heads = await db.all(
    'SELECT CAST(path_id AS INTEGER) AS id, CAST(conversions AS DOUBLE) AS conversions, CAST(value AS DOUBLE) AS value, CAST(nulls AS DOUBLE) AS nulls, array_to_string(steps, chr(1)) AS joined, CAST(len(steps) AS INTEGER) AS n FROM path_aggregates ORDER BY path_id',
  );
  const split = (h: Row) => (Number(h.n) === 0 ? [] : String(h.joined).split('\u0001'));
  let byId: Map<number, string[]> | undefined;
  if (heads.some((h) => split(h).length !== Number(h.n))) {
    byId = new Map();
    for (const s of await db.all('SELECT CAST(path_id AS INTEGER) AS id, channel FROM path_steps ORDER BY path_id, pos')) {
      const list = byId.get(Number(s.id)) ?? [];
      list.push(String(s.channel));
      byId.set(Number(s.id), list);
    }
  }
  return heads.map((h: Row) => ({
    id: Number(h.id),
    steps: byId ? (byId.get(Number(h.id)) ?? []) : split(h),
    conversions: Number(h.conversions),
    value: Number(h.value),
    nulls: Number(h.nulls),
  }));
}

/**
 * Splits one conversion among the distinct steps of a path in proportion to
 * their weights; equal shares when the weights sum to 0 (nothing to tell
 * them apart, and the conversion still carries its unit of credit).
 */
export function allocate(steps: readonly string[], weight: (step: string) => number): Map<string, number> {
  const distinct = [...new Set(steps)];
  const w = distinct.map((s) => Math.max(0, weight(s)));
  const sum = w.reduce((a, b) => a + b, 0);
  return new Map(distinct.map((s, i) => [s, sum > 0 ? w[i]! / sum : 1 / distinct.length]));
}

/**
 * fractribution.py's attribution ("shapley", leave-one-out) per transformed
 * path, keyed by the path's steps joined with NUL. Steps are renamed to
 * plain tokens first: attributePaths splits paths on ' > ' and cuts a name at
 * '(' (the package's frequency suffix), which would mangle channels such as
 * an explicit `tv (brand)`; the frequency suffix is handled by toChannels.
 */
export function fractributionCredits(paths: readonly AggregatedPath[]): Map<string, Map<string, number>> {
  const token = new Map<string, string>();
  const label = new Map<string, string>();
  const tok = (s: string) => {
    let t = token.get(s);
    if (t === undefined) {
      t = `c${token.size}`;
      token.set(s, t);
      label.set(t, s);
    }
    return t;
  };
  const keyOf = new Map<string, string>();
  const rows = paths.map((p) => {
    const encoded = p.steps.map(tok).join(' > ');
    keyOf.set(encoded, p.steps.join('\u0000'));
    // The package's path summary: revenue is NULL for a path nobody converted on.
    return { transformed_path: encoded, conversions: p.conversions, non_conversions: p.nulls, revenue: p.conversions > 0 ? p.value : null };
  });
  const out = new Map<string, Map<string, number>>();
  for (const a of attributePaths(rows, 'shapley')) {
    out.set(keyOf.get(a.transformed_path)!, new Map([...a.attribution].map(([t, c]) => [label.get(t)!, c])));
  }
  return out;
}

/**
 * Turns step credits into channel credits. Only the `frequency` transform
 * makes steps that are not channels (`email(3)`); the count is dropped, as
 * fractribution.py does, and equal channels are summed.
 */
export function toChannels(stepCredits: Map<string, number>, frequency: boolean): Map<string, number> {
  if (!frequency) return stepCredits;
  const out = new Map<string, number>();
  for (const [s, c] of stepCredits) {
    const ch = s.replace(/\(\d+\)$/, '');
    out.set(ch, (out.get(ch) ?? 0) + c);
  }
  return out;
}

/**
 * Markov's channel totals as spec section 7 defines them (RE_k / sum RE x
 * conversions, value by value removal effects): channel_summary reports
 * these, not the sums of the per-conversion allocation (see the file head).
 */
async function writeModelTotals(db: Database, mk: MarkovResult | undefined): Promise<void> {
  // (runCreditModels emptied Markov's rows: the table holds the other models' totals, if any)
  const rows = mk?.channels ?? [];
  if (!rows.length) return;
  await db.run(
    `INSERT INTO model_totals VALUES ${rows.map((_, i) => `('markov', $${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(', ')}`,
    rows.flatMap((c) => [c.channel, c.conversions, c.value]),
  );
}

/** Appends the per-path credits to `credits`, one row per conversion of the path and channel (zeros left out, as in SQL models). */
async function writeCredits(db: Database, rows: PathCredit[]): Promise<void> {
  await db.run('CREATE OR REPLACE TEMP TABLE path_credits (path_id INTEGER, model VARCHAR, channel VARCHAR, credit DOUBLE)');
  if (rows.length) {
    // The bulk text appender is the one loading path both engines share; String(x) round-trips a double exactly.
    const sorted = [...rows].sort((a, b) => a.pathId - b.pathId || compareStrings(a.model, b.model) || compareStrings(a.channel, b.channel));
    await db.appendText(
      'path_credits_text',
      ['path_id', 'model', 'channel', 'credit'],
      {
        columns: [sorted.map((r) => String(r.pathId)), sorted.map((r) => r.model), sorted.map((r) => r.channel), sorted.map((r) => String(r.credit))],
        rowNumbers: sorted.map((_, i) => i + 1),
        lines: sorted.map(() => 0),
        rowCount: sorted.length,
      },
      true,
    );
    await db.run('INSERT INTO path_credits SELECT CAST(path_id AS INTEGER), model, channel, CAST(credit AS DOUBLE) FROM path_credits_text');
    await db.run('DROP TABLE path_credits_text');
  }
  await db.run(`INSERT INTO credits SELECT c.conversion_id, p.model, p.channel, p.credit
    FROM converting_paths c JOIN path_credits p USING (path_id) WHERE p.credit <> 0`);
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AttribError('cancelled', 'cancelled');
}

