/**
 * The `markov` model (spec section 7), computed exactly as an absorbing chain.
 *
 * States: (start), the transient states, (conversion) and (null). For order
 * k a transient state is a tuple of k consecutive channels (the windows of
 * the path, as ChannelAttribution builds them; a path shorter than k is one
 * state). Every step of a path adds its weight, conversions + nulls; its
 * last state goes to (conversion) with the conversions and to (null) with
 * the nulls. Repeats stay as self-loops: they change expected visits, not
 * where the chain ends.
 *
 * With Q the transient-to-transient probabilities and N = (I - Q)^-1, the
 * row x = N[start,:] solves (I - Q)^T x = q_start, so one linear solve per
 * chain gives P = sum_l x_l R_l(conversion) and the expected value
 * V = sum_l x_l R_l(conversion) mv_l, mv_l being the value per conversion of
 * the paths that end in l. Removing channel k sends every transition into a
 * state containing k to (null), i.e. the chain restricted to the other
 * states: RE_k = 1 - P_-k / P, credit_k = RE_k / sum(RE) x total
 * conversions, and for value VRE_k = 1 - V_-k / V (the spec's
 * sum_l mv_l R_l (N[start,l] - N_-k[start,l]) over V) normalised to the
 * total value.
 */
import { AttribError } from '../errors.ts';
import { solveInPlace } from './linalg.ts';
import { channelsOf, compareTuples, pathKey, totalsOf, type AggregatedPath } from './types.ts';

/** Label of the start state. */
export const MARKOV_START = '(start)';
/** Label of the conversion state. */
export const MARKOV_CONVERSION = '(conversion)';
/** Label of the null (no conversion) state. */
export const MARKOV_NULL = '(null)';
/** Highest order allowed. */
export const MAX_MARKOV_ORDER = 3;
/**
 * Most transient states solved exactly. The dense matrix takes 8 n^2 bytes
 * (128 MB at 4000) and must also fit a browser worker.
 */
export const MAX_MARKOV_STATES = 4000;

/** Options for {@link markov}. */
export interface MarkovOptions {
  /** 1 (default), 2 or 3: how many past channels make a state. */
  order?: number;
  /** Called after each linear solve (one for the whole chain, one per channel): order 3 can take seconds. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between solves; aborting throws AttribError `cancelled`. */
  signal?: AbortSignal;
}

/** One observed transition. */
export interface MarkovTransition {
  /** State labels (see {@link stateLabel}). */
  from: string;
  to: string;
  /** Summed path weight. */
  weight: number;
  /** weight / all weight leaving `from`. */
  probability: number;
}

/** What the model finds for one channel. */
export interface MarkovChannel {
  channel: string;
  /** RE_k = 1 - P_-k / P (0 when nothing converts). */
  removalEffect: number;
  /** P_-k: the conversion probability with the channel removed. */
  conversionProbabilityWithout: number;
  /** 1 - V_-k / V: the share of expected value lost without the channel. */
  valueRemovalEffect: number;
  /** Attributed conversions. */
  conversions: number;
  /** Attributed value. */
  value: number;
}

/** The model's output, everything needed to re-derive the credits by hand. */
export interface MarkovResult {
  order: number;
  /** Transient states (channel tuples) in matrix order: shorter tuples first, then element by element. */
  states: string[][];
  /** N[start, l] for each state of {@link states}: expected visits per journey. */
  expectedVisits: number[];
  /** Every transition with weight, from (start) first, in state order. */
  transitions: MarkovTransition[];
  /** P: the probability that a journey from (start) converts. */
  conversionProbability: number;
  /** V: expected conversion value per journey. */
  expectedValue: number;
  /** One entry per channel of the paths, sorted by name. */
  channels: MarkovChannel[];
  totalConversions: number;
  totalValue: number;
}

/** How a state is written in outputs: its channels joined by ` > `. */
export function stateLabel(tuple: readonly string[]): string {
  return tuple.join(' > ');
}

/** The states a path walks through for a given order. */
export function pathStates(steps: readonly string[], order: number): string[][] {
  if (steps.length <= order) return [[...steps]];
  const out: string[][] = [];
  for (let i = 0; i + order <= steps.length; i++) out.push(steps.slice(i, i + order));
  return out;
}

/**
 * Runs the Markov model on paths.
 *
 * @throws AttribError `bad_parameter` for an order other than 1..3,
 *   `too_many_channels` when the chain has more than {@link MAX_MARKOV_STATES} states,
 *   `cancelled` when `signal` aborts.
 */
export function markov(paths: readonly AggregatedPath[], opts: MarkovOptions = {}): MarkovResult {
  const order = opts.order ?? 1;
  if (!Number.isInteger(order) || order < 1 || order > MAX_MARKOV_ORDER) {
    throw new AttribError('bad_parameter', `the Markov order must be 1, 2 or 3, got ${order}`);
  }
  const channels = channelsOf(paths);
  const totals = totalsOf(paths);
  // Paths with neither conversions nor nulls carry no weight and add no transition.
  const weighted = paths.filter((p) => p.conversions + p.nulls > 0);

  // States, sorted: the order fixes the output and, as it happens, keeps
  // elimination fill-in low (tuples sharing a prefix are neighbours).
  const tupleByKey = new Map<string, string[]>();
  const walks = weighted.map((p) => {
    const keys: string[] = [];
    for (const t of pathStates(p.steps, order)) {
      const k = pathKey(t);
      if (!tupleByKey.has(k)) tupleByKey.set(k, t);
      keys.push(k);
    }
    return keys;
  });
  const states = [...tupleByKey.values()].sort((a, b) => a.length - b.length || compareTuples(a, b));
  const m = states.length;
  if (m > MAX_MARKOV_STATES) {
    throw new AttribError(
      'too_many_channels',
      `markov order ${order}: the paths make ${m} states from ${channels.length} channels, more than the ${MAX_MARKOV_STATES} solved exactly; lower the order or merge channels`,
    );
  }
  const index = new Map<string, number>(states.map((t, i) => [pathKey(t), i]));

  // Indices: transient 0..m-1, then start, conversion, null.
  const START = m;
  const CONV = m + 1;
  const NUL = m + 2;
  const width = m + 3;
  const edges = new Map<number, number>();
  const add = (f: number, t: number, w: number) => {
    if (w > 0) edges.set(f * width + t, (edges.get(f * width + t) ?? 0) + w);
  };
  const endValue = new Float64Array(m);
  weighted.forEach((p, i) => {
    const w = p.conversions + p.nulls;
    let prev = START;
    for (const k of walks[i]!) {
      const s = index.get(k)!;
      add(prev, s, w);
      prev = s;
    }
    add(prev, CONV, p.conversions);
    add(prev, NUL, p.nulls);
    endValue[prev] = endValue[prev]! + p.value;
  });
  const out = new Float64Array(width);
  for (const [k, w] of edges) out[Math.floor(k / width)] += w;
  const rank = (s: number) => (s === START ? -1 : s);
  const list = [...edges]
    .map(([k, w]) => ({ f: Math.floor(k / width), t: k % width, w }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.t - b.t);

  // Per state: probability of converting next, and of converting times the value per conversion.
  const rConv = new Float64Array(m);
  const rVal = new Float64Array(m);
  for (const e of list) if (e.t === CONV && e.f < m) rConv[e.f] = e.w / out[e.f]!;
  // mv_l R_l = (value / conversions of paths ending in l) x (conversions / weight out of l).
  for (let l = 0; l < m; l++) rVal[l] = out[l]! > 0 ? endValue[l]! / out[l]! : 0;

  // Transient-to-transient edges as flat arrays for the solves.
  const inner = list.filter((e) => e.t < m);
  const ef = Int32Array.from(inner, (e) => e.f);
  const et = Int32Array.from(inner, (e) => e.t);
  const ep = Float64Array.from(inner, (e) => e.w / out[e.f]!);
  const chIndex = new Map(channels.map((c, i) => [c, i]));
  const stateChannels = states.map((t) => new Set(t.map((c) => chIndex.get(c)!)));
  const buf = new Float64Array(m * m);

  /** Solves the chain without the states containing channel `removed` (-1: none). */
  const solve = (removed: number) => {
    const pos = new Int32Array(m);
    let n = 0;
    for (let l = 0; l < m; l++) pos[l] = removed >= 0 && stateChannels[l]!.has(removed) ? -1 : n++;
    const a = buf.subarray(0, n * n).fill(0);
    for (let i = 0; i < n; i++) a[i * n + i] = 1;
    const b = new Float64Array(n);
    for (let e = 0; e < ef.length; e++) {
      const t = pos[et[e]!]!;
      if (t < 0) continue; // into a removed state: that mass goes to (null)
      const f = ef[e]!;
      if (f === START) b[t] = b[t]! + ep[e]!;
      else if (pos[f]! >= 0) a[t * n + pos[f]!] = a[t * n + pos[f]!]! - ep[e]!;
    }
    // a = (I - Q)^T on the kept states, b = q_start: b becomes x = N[start, :].
    solveInPlace(a, n, b);
    const x = new Float64Array(m);
    let p = 0;
    let v = 0;
    for (let l = 0; l < m; l++) {
      if (pos[l]! < 0) continue;
      x[l] = b[pos[l]!]!;
      p += x[l]! * rConv[l]!;
      v += x[l]! * rVal[l]!;
    }
    return { x, p, v };
  };

  let solves = 0;
  const step = () => {
    if (opts.signal?.aborted) throw new AttribError('cancelled', 'cancelled');
    opts.onProgress?.(solves++, channels.length + 1);
  };
  step();
  const full = solve(-1);
  const P = full.p;
  const V = full.v;
  const clamp01 = (r: number) => Math.min(1, Math.max(0, r));
  const rows = channels.map((channel, c) => {
    // A channel absent from every weighted state changes nothing; so does removal when nothing converts.
    const present = stateChannels.some((s) => s.has(c));
    step();
    const r = present && (P > 0 || V > 0) ? solve(c) : { p: P, v: V };
    return {
      channel,
      removalEffect: P > 0 ? clamp01(1 - r.p / P) : 0,
      conversionProbabilityWithout: r.p,
      valueRemovalEffect: V > 0 ? clamp01(1 - r.v / V) : 0,
    };
  });
  opts.onProgress?.(solves, channels.length + 1);
  const sumRE = rows.reduce((s, r) => s + r.removalEffect, 0);
  const sumVRE = rows.reduce((s, r) => s + r.valueRemovalEffect, 0);
  const label = (s: number) => (s === START ? MARKOV_START : s === CONV ? MARKOV_CONVERSION : s === NUL ? MARKOV_NULL : stateLabel(states[s]!));
  return {
    order,
    states,
    expectedVisits: [...full.x],
    transitions: list.map((e) => ({ from: label(e.f), to: label(e.t), weight: e.w, probability: e.w / out[e.f]! })),
    conversionProbability: P,
    expectedValue: V,
    channels: rows.map((r) => ({
      ...r,
      conversions: sumRE > 0 ? (r.removalEffect / sumRE) * totals.conversions : 0,
      value: sumVRE > 0 ? (r.valueRemovalEffect / sumVRE) * totals.value : 0,
    })),
    totalConversions: totals.conversions,
    totalValue: totals.value,
  };
}
