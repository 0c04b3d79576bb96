/**
 * One run of the path models, as `attrib paths` and the workbench do it:
 * direct rule (optional), transforms in order, then each model, collected
 * into channel_summary rows.
 */
import { AttribError } from '../errors.ts';
import { markov, MAX_MARKOV_ORDER, type MarkovResult } from './markov.ts';
import { ruleBased, unsupportedRuleModel, PATH_RULE_MODELS, type PathRuleModel } from './rules.ts';
import { checkShapleyLimit, shapley, shapleyPlayers, type ShapleyResult } from './shapley.ts';
import { applyDirectRule, applyTransforms, type PathTransform } from './transforms.ts';
import { channelsOf, mergePaths, totalsOf, type AggregatedPath, type ChannelCredit, type PathTotals } from './types.ts';

/** Every model that runs on paths, in their default order. */
export const PATH_MODELS = [...PATH_RULE_MODELS, 'markov', 'shapley'] as const;

/** One of {@link PATH_MODELS}. */
export type PathModel = (typeof PATH_MODELS)[number];

/** Options for {@link runPathModels}. */
export interface PathRunOptions {
  /** Models in output order (default {@link PATH_MODELS}). */
  models?: readonly PathModel[];
  /** Markov order, 1..3 (default 1). */
  order?: number;
  /** Transforms, applied in this order after the direct rule. */
  transforms?: readonly PathTransform[];
  /** Apply the direct rule of spec section 5 first. */
  excludeDirect?: boolean;
  /** Progress of the Markov solves (the only step that can take seconds). */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Cancels between Markov solves. */
  signal?: AbortSignal;
}

/** One row of channel_summary.csv. */
export interface ChannelSummaryRow {
  [column: string]: string | number;
  model: string;
  channel: string;
  attributed_conversions: number;
  attributed_revenue: number;
}

/** Everything a run produced. */
export interface PathRun {
  /** The paths the models saw: after the direct rule and transforms, equal ones summed. */
  paths: AggregatedPath[];
  /** Their channels, sorted. */
  channels: string[];
  totals: PathTotals;
  /** Model order, then channel order. */
  summary: ChannelSummaryRow[];
  /** Present when markov ran. */
  markov?: MarkovResult;
  /** Present when shapley ran. */
  shapley?: ShapleyResult;
}

/**
 * Checks model names (`all` = every path model) and removes repeats.
 *
 * @throws AttribError `bad_parameter` for an unknown model, with a reason for time_decay.
 */
export function checkPathModels(names: readonly string[]): PathModel[] {
  if (names.length === 1 && names[0] === 'all') return [...PATH_MODELS];
  if (names.length === 0) throw new AttribError('bad_parameter', `no models given; use ${PATH_MODELS.join(', ')} or all`);
  const out: PathModel[] = [];
  for (const n of names) {
    if (!(PATH_MODELS as readonly string[]).includes(n)) throw unsupportedRuleModel(n);
    if (!out.includes(n as PathModel)) out.push(n as PathModel);
  }
  return out;
}

/**
 * Runs the models. Limits are checked before any model runs, so a Shapley
 * refusal does not come after a long Markov solve.
 *
 * @throws AttribError `bad_parameter` (order), `too_many_channels` (Shapley above 20 channels, Markov state limit).
 */
export function runPathModels(input: readonly AggregatedPath[], opts: PathRunOptions = {}): PathRun {
  const models = checkPathModels(opts.models ?? PATH_MODELS);
  const order = opts.order ?? 1;
  if (!Number.isInteger(order) || order < 1 || order > MAX_MARKOV_ORDER) {
    throw new AttribError('bad_parameter', `the Markov order must be 1, 2 or 3, got ${order}`);
  }
  let paths = opts.excludeDirect ? applyDirectRule(input) : mergePaths(input);
  paths = applyTransforms(paths, opts.transforms ?? []);
  if (models.includes('shapley')) checkShapleyLimit(shapleyPlayers(paths));
  const channels = channelsOf(paths);
  const run: PathRun = { paths, channels, totals: totalsOf(paths), summary: [] };
  for (const model of models) {
    let credits: ChannelCredit[];
    if (model === 'markov') {
      const onProgress = opts.onProgress && ((done: number, total: number) => opts.onProgress!(done, total, `markov order ${order}`));
      run.markov = markov(paths, { order, onProgress, signal: opts.signal });
      credits = run.markov.channels;
    } else if (model === 'shapley') {
      run.shapley = shapley(paths);
      credits = run.shapley.channels;
    } else credits = ruleBased(paths, model as PathRuleModel);
    for (const c of credits) run.summary.push({ model, channel: c.channel, attributed_conversions: c.conversions, attributed_revenue: c.value });
  }
  return run;
}
