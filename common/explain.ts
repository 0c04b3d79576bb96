/**
 * "Explain this number": each model's credit for one conversion, worked out
 * again from the conversion's journey (its journey_touches rows) and the
 * parameters the run used, with the numbers behind it (time-decay weights,
 * first/middle/last positions, 1/n, removal effects). The journey inspector
 * shows these beside the `credits` table's rows and checks that they agree.
 *
 * The maths follows the model SQL files (models/*.sql) and common/dataDriven.ts:
 * credits are summed per channel, and a journey without non-direct touches
 * gives direct 1 under every model (the direct rule). Pure: no engine, no DOM.
 */

/** One credited touch of a journey (a journey_touches row). */
export interface ExplainTouch {
  /** Position among the journey's non-direct touches, 1..n, by (time, session key). */
  i: number;
  n: number;
  channel: string;
  days_before: number;
  session_key?: string;
  has_click_token?: boolean;
}

/** A touch's part in one model's credit. */
export interface TouchShare {
  i: number;
  channel: string;
  days_before: number;
  /** The model's weight before normalising (time decay: 0.5^(d/h); positions: the position weight). */
  weight: number;
  /** The touch's share of the conversion (the weights normalised to sum 1). */
  share: number;
  /** Why: "first", "middle", "last", "only", "click proof"... */
  role?: string;
}

/** A channel's weight in a model that splits by channel (markov, shapley, participation). */
export interface ChannelWeight {
  channel: string;
  weight: number;
  share: number;
}

/** One model's credit for a conversion, explained. */
export interface Explanation {
  model: string;
  /** The rule, in one line, with the parameters filled in. */
  formula: string;
  /** Per touch, for models that credit touches (empty for channel-level models). */
  touches: TouchShare[];
  /** Per distinct channel, for channel-level models. */
  channelWeights: ChannelWeight[];
  /** Credit per channel, summed as the credits table sums it (zeros left out). */
  channels: Record<string, number>;
  /** False when the credit cannot be worked out here (fractribution, path transforms): `channels` is empty then. */
  reproducible: boolean;
}

/** What the run used: each model's resolved parameters (data-driven models: the paths stage's) and Markov's removal effects. */
export interface ExplainContext {
  params: Record<string, Record<string, unknown>>;
  /** Markov removal effect per channel (RunOutputs.dataDriven.markov.channels). */
  removalEffects?: Record<string, number>;
}

/** Models with first / middle / last weights (one formula, their own defaults). */
export const POSITION_MODELS = ['position_based', 'j_curve', 'inverse_j', 'custom'];

const DEFAULT_WEIGHTS: Record<string, [number, number, number]> = {
  position_based: [0.4, 0.2, 0.4],
  j_curve: [0.2, 0.2, 0.6],
  inverse_j: [0.6, 0.2, 0.2],
  custom: [0.3, 0.4, 0.3],
};

function num(ctx: ExplainContext, model: string, name: string, fallback: number): number {
  const v = ctx.params[model]?.[name];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

const pct = (x: number) => `${+(x * 100).toFixed(4)}%`;
const fmt = (x: number) => String(+x.toPrecision(6));

function sumByChannel(rows: { channel: string; share: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.channel] = (out[r.channel] ?? 0) + r.share;
  for (const k of Object.keys(out)) if (out[k] === 0) delete out[k];
  return out;
}

function byTouch(model: string, formula: string, touches: ExplainTouch[], weight: (t: ExplainTouch) => [number, string?], normalise: boolean): Explanation {
  const w = touches.map((t) => weight(t));
  const total = w.reduce((a, [x]) => a + x, 0);
  const rows: TouchShare[] = touches.map((t, k) => ({ i: t.i, channel: t.channel, days_before: t.days_before, weight: w[k][0], share: normalise ? w[k][0] / total : w[k][0], role: w[k][1] }));
  return { model, formula, touches: rows, channelWeights: [], channels: sumByChannel(rows), reproducible: true };
}

function byChannel(model: string, formula: string, touches: ExplainTouch[], weight: (channel: string) => number): Explanation {
  // the path's steps in journey order, each channel once (common/dataDriven.ts allocate)
  const distinct = [...new Set([...touches].sort((a, b) => a.i - b.i).map((t) => t.channel))];
  const w = distinct.map((c) => Math.max(0, weight(c)));
  const sum = w.reduce((a, b) => a + b, 0);
  const channelWeights = distinct.map((c, k) => ({ channel: c, weight: w[k], share: sum > 0 ? w[k] / sum : 1 / distinct.length }));
  return { model, formula, touches: [], channelWeights, channels: sumByChannel(channelWeights), reproducible: true };
}

/** One model's credit for a journey (its journey_touches rows, any order). */
export function explainModel(model: string, journey: readonly ExplainTouch[], ctx: ExplainContext): Explanation {
  const touches = [...journey].sort((a, b) => a.i - b.i);
  if (!touches.length && model !== 'fractribution') {
    return {
      model,
      formula: 'No non-direct touch inside the lookback: the direct rule gives direct the whole conversion (1).',
      touches: [],
      channelWeights: [{ channel: 'direct', weight: 1, share: 1 }],
      channels: { direct: 1 },
      reproducible: true,
    };
  }
  const n = touches.length;
  switch (model) {
    case 'first_touch':
      return byTouch(model, 'The first non-direct touch of the journey gets 1, the others 0.', touches, (t) => (t.i === 1 ? [1, 'first'] : [0]), false);
    case 'last_touch': {
      const proof = ctx.params.last_touch?.click_proof === true || ctx.params.last_touch?.click_proof === 'true';
      const withToken = touches.filter((t) => t.has_click_token).map((t) => t.i);
      const winner = proof && withToken.length ? Math.max(...withToken) : n;
      const formula = proof
        ? 'Click proof on: the latest touch whose session carried a click token gets 1 (else the last touch), the others 0.'
        : 'The last non-direct touch before the conversion gets 1, the others 0.';
      return byTouch(model, formula, touches, (t) => (t.i === winner ? [1, proof && withToken.length ? 'latest with click token' : 'last'] : [0]), false);
    }
    case 'linear':
      return byTouch(model, `Every non-direct touch gets 1/n = 1/${n} = ${fmt(1 / n)}.`, touches, () => [1 / n], false);
    case 'participation': {
      const distinct = [...new Set(touches.map((t) => t.channel))];
      const channelWeights = distinct.map((c) => ({ channel: c, weight: 1, share: 1 }));
      return { model, formula: 'Every distinct channel of the journey gets 1 (participation does not sum to 1).', touches: [], channelWeights, channels: sumByChannel(channelWeights), reproducible: true };
    }
    case 'time_decay': {
      const h = num(ctx, model, 'half_life_days', 7);
      return byTouch(model, `weight = 2^(−days_before / ${fmt(h)}) (half-life ${fmt(h)} days); share = weight / Σ weights.`, touches, (t) => [Math.pow(0.5, t.days_before / h)], true);
    }
    case 'markov': {
      const re = ctx.removalEffects;
      const transforms = String(ctx.params.markov?.path_transforms ?? '').trim();
      if (!re || transforms) {
        return { model, formula: transforms ? `The removal-effect share of the channels of the path after the transforms (${transforms}): taken from the credits table, not recomputed here.` : 'The removal-effect share of the path\'s channels: the removal effects of this run are not known here.', touches: [], channelWeights: [], channels: {}, reproducible: false };
      }
      return byChannel(model, 'Each distinct channel of the path gets its removal effect RE(c) / Σ RE over the path\'s channels.', touches, (c) => re[c] ?? 0);
    }
    case 'shapley': {
      const transforms = String(ctx.params.shapley?.path_transforms ?? '').trim();
      if (transforms) return { model, formula: `Equal shares of the channels of the path after the transforms (${transforms}): taken from the credits table.`, touches: [], channelWeights: [], channels: {}, reproducible: false };
      const k = new Set(touches.map((t) => t.channel)).size;
      return byChannel(model, `The conversion's own game: each of the path's ${k} distinct channel${k === 1 ? '' : 's'} gets an equal Shapley value, 1/${k}.`, touches, () => 1);
    }
    case 'fractribution':
      return { model, formula: 'fractribution.py\'s leave-one-out credits for the conversion\'s path (from the whole data set): taken from the credits table.', touches: [], channelWeights: [], channels: {}, reproducible: false };
    default: {
      if (!POSITION_MODELS.includes(model)) return { model, formula: 'Not explained here: see the model\'s SQL header.', touches: [], channelWeights: [], channels: {}, reproducible: false };
      const [df, dm, dl] = DEFAULT_WEIGHTS[model];
      const f = num(ctx, model, 'first_weight', df);
      const m = num(ctx, model, 'middle_weight', dm);
      const l = num(ctx, model, 'last_weight', dl);
      let formula: string;
      if (n === 1) formula = 'One touch: it gets 1.';
      else if (n === 2) formula = f + l === 0 ? 'Two touches, first and last weights both 0: 0.5 each.' : `Two touches: first and last weights renormalised, ${fmt(f)}/(${fmt(f)}+${fmt(l)}) and ${fmt(l)}/(${fmt(f)}+${fmt(l)}).`;
      else formula = `First ${pct(f)}, last ${pct(l)}, the middle ${pct(m)} shared by the ${n - 2} middle touch${n - 2 === 1 ? '' : 'es'} (${fmt(m / (n - 2))} each).`;
      return byTouch(model, formula, touches, (t) => {
        if (n === 1) return [1, 'only'];
        if (n === 2) return f + l === 0 ? [0.5, t.i === 1 ? 'first' : 'last'] : t.i === 1 ? [f / (f + l), 'first'] : [l / (f + l), 'last'];
        if (t.i === 1) return [f, 'first'];
        if (t.i === n) return [l, 'last'];
        return [m / (n - 2), 'middle'];
      }, false);
    }
  }
}

/** Every model's explanation, in the run's model order. */
export function explainJourney(models: readonly string[], journey: readonly ExplainTouch[], ctx: ExplainContext): Explanation[] {
  return models.map((m) => explainModel(m, journey, ctx));
}

/** One channel of the comparison with the credits table. */
export interface CreditCheck {
  channel: string;
  /** Worked out here (undefined when the model is not reproducible). */
  explained: number | undefined;
  /** The credits table's row (0 when it has none: zeros are left out). */
  credit: number;
  diff: number;
  ok: boolean;
}

/** Compares an explanation with the credits table's rows for the conversion and model; ok when every |explained − credit| < tol. */
export function checkCredits(e: Explanation, credits: Record<string, number>, tol = 1e-9): { rows: CreditCheck[]; ok: boolean; maxDiff: number } {
  const channels = [...new Set([...Object.keys(e.channels), ...Object.keys(credits)])].sort();
  const rows = channels.map((channel) => {
    const credit = credits[channel] ?? 0;
    const explained = e.reproducible ? (e.channels[channel] ?? 0) : undefined;
    const diff = explained === undefined ? NaN : Math.abs(explained - credit);
    return { channel, explained, credit, diff, ok: explained !== undefined && diff < tol };
  });
  const maxDiff = rows.reduce((a, r) => (Number.isNaN(r.diff) ? a : Math.max(a, r.diff)), 0);
  return { rows, ok: e.reproducible && rows.every((r) => r.ok), maxDiff };
}
