/**
 * Rule-based models on aggregated paths (spec sections 6 and 8), per
 * occurrence: every step of a path is a touch, so a channel that occurs
 * twice gets two shares. Credits are per conversion, times the path's
 * conversions (and value). `time_decay` needs touch times, which paths do
 * not have.
 */
import { AttribError } from '../errors.ts';
import { channelsOf, creditsFor, type AggregatedPath, type ChannelCredit } from './types.ts';

/** The rule-based models that run on paths. */
export const PATH_RULE_MODELS = ['first_touch', 'last_touch', 'linear', 'position_based'] as const;

/** One of {@link PATH_RULE_MODELS}. */
export type PathRuleModel = (typeof PATH_RULE_MODELS)[number];

/** First / middle / last weights of `position_based`. */
export interface PositionWeights {
  first: number;
  middle: number;
  last: number;
}

/** The spec's 40/20/40. */
export const DEFAULT_POSITION_WEIGHTS: Readonly<PositionWeights> = { first: 0.4, middle: 0.2, last: 0.4 };

/**
 * Credit of each of n touches; sums to 1. For position weights: one touch
 * gets 1, two share first and last renormalised (40/40 -> 50/50), three or
 * more give the middle weight in equal parts (README, "Models with
 * first/middle/last weights").
 */
export function touchWeights(model: PathRuleModel, n: number, pw: PositionWeights = DEFAULT_POSITION_WEIGHTS): number[] {
  const w = new Array<number>(n).fill(0);
  if (n === 0) return w;
  switch (model) {
    case 'first_touch':
      w[0] = 1;
      break;
    case 'last_touch':
      w[n - 1] = 1;
      break;
    case 'linear':
      w.fill(1 / n);
      break;
    case 'position_based':
      if (n === 1) w[0] = 1;
      else if (n === 2) {
        w[0] = pw.first / (pw.first + pw.last);
        w[1] = pw.last / (pw.first + pw.last);
      } else {
        w.fill(pw.middle / (n - 2));
        w[0] = pw.first;
        w[n - 1] = pw.last;
      }
      break;
  }
  return w;
}

/**
 * Runs a rule-based model on paths. Every channel of the paths is listed,
 * with 0 where it gets nothing.
 *
 * @throws AttribError `bad_parameter` for time_decay or an unknown model.
 */
export function ruleBased(paths: readonly AggregatedPath[], model: PathRuleModel, pw?: PositionWeights): ChannelCredit[] {
  if (!(PATH_RULE_MODELS as readonly string[]).includes(model)) throw unsupportedRuleModel(model);
  const conv = new Map<string, number>();
  const value = new Map<string, number>();
  for (const p of paths) {
    if (p.conversions === 0 && p.value === 0) continue;
    const w = touchWeights(model, p.steps.length, pw);
    p.steps.forEach((s, i) => {
      if (w[i] === 0) return;
      conv.set(s, (conv.get(s) ?? 0) + w[i]! * p.conversions);
      value.set(s, (value.get(s) ?? 0) + w[i]! * p.value);
    });
  }
  return creditsFor(channelsOf(paths), conv, value);
}

/** The error for a model that cannot run on paths, saying why for time_decay. */
export function unsupportedRuleModel(model: string): AttribError {
  if (model === 'time_decay') {
    return new AttribError(
      'bad_parameter',
      "time_decay needs the time of each touch, and aggregated paths have none; run 'attrib attribute' on the events, or pick another model",
    );
  }
  return new AttribError('bad_parameter', `model '${model}' does not run on paths; use ${PATH_RULE_MODELS.join(', ')}, markov or shapley`);
}
