/**
 * Aggregated paths (spec section 7): the input of the path models, as
 * ChannelAttribution and most path exports lay it out, one row per distinct
 * channel sequence with its outcome counts.
 */

/** One aggregated path: a channel sequence and what the journeys that followed it led to. */
export interface AggregatedPath {
  /** Channels in time order; never empty. */
  readonly steps: readonly string[];
  /** Conversions of the journeys with this path (non-negative; may be fractional, e.g. weighted exports). */
  readonly conversions: number;
  /** Conversion value (revenue) of those conversions. */
  readonly value: number;
  /** Journeys with this path that did not convert. */
  readonly nulls: number;
}

/** What one model gives one channel. */
export interface ChannelCredit {
  channel: string;
  /** Attributed conversions. */
  conversions: number;
  /** Attributed conversion value. */
  value: number;
}

/** Totals over a set of paths. */
export interface PathTotals {
  conversions: number;
  value: number;
  nulls: number;
}

/**
 * Orders strings by UTF-16 code units, like DuckDB orders the engine's
 * channel_summary, and unlike localeCompare independent of the machine's locale.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders channel tuples element by element, a shorter prefix first. */
export function compareTuples(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * A map key for a step sequence. NUL cannot occur in a channel name read
 * from a file (the text decoder refuses it), so the join is unambiguous.
 */
export function pathKey(steps: readonly string[]): string {
  return steps.join('\u0000');
}

/** Sums paths with the same step sequence; the first occurrence fixes the order. */
export function mergePaths(paths: readonly AggregatedPath[]): AggregatedPath[] {
  const byKey = new Map<string, { steps: readonly string[]; conversions: number; value: number; nulls: number }>();
  for (const p of paths) {
    const k = pathKey(p.steps);
    const m = byKey.get(k);
    if (m) {
      m.conversions += p.conversions;
      m.value += p.value;
      m.nulls += p.nulls;
    } else byKey.set(k, { steps: p.steps, conversions: p.conversions, value: p.value, nulls: p.nulls });
  }
  return [...byKey.values()];
}

/** Every channel that occurs in the paths, sorted with {@link compareStrings}. */
export function channelsOf(paths: readonly AggregatedPath[]): string[] {
  const set = new Set<string>();
  for (const p of paths) for (const s of p.steps) set.add(s);
  return [...set].sort(compareStrings);
}

/** Total conversions, value and nulls. */
export function totalsOf(paths: readonly AggregatedPath[]): PathTotals {
  const t = { conversions: 0, value: 0, nulls: 0 };
  for (const p of paths) {
    t.conversions += p.conversions;
    t.value += p.value;
    t.nulls += p.nulls;
  }
  return t;
}

/** Turns per-channel sums into credits for every channel of `channels`, zeros included. */
export function creditsFor(channels: readonly string[], conv: Map<string, number>, value: Map<string, number>): ChannelCredit[] {
  return channels.map((channel) => ({ channel, conversions: conv.get(channel) ?? 0, value: value.get(channel) ?? 0 }));
}
