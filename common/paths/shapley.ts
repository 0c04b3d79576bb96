/**
 * The `shapley` model (spec section 7): exact Shapley values of the game
 * v(S) = conversions (separately: value) of the converting paths whose
 * channel set is a subset of S.
 *
 * Paths are first reduced to channel-set bitmasks, so v needs one number
 * per mask; a subset-sum (zeta) transform turns "value of paths with exactly
 * this set" into "with a subset of this set" for all 2^n coalitions in
 * n 2^n additions, and the Shapley sum visits each (coalition, missing
 * channel) pair once. At 20 channels that is ~2 x 10^7 steps and two 8 MB
 * arrays. The Shapley values sum to v(all channels), which is the total
 * conversions (value), so they come out normalised to the totals.
 */
import { AttribError } from '../errors.ts';
import { channelsOf, compareStrings, type AggregatedPath, type ChannelCredit } from './types.ts';

/** Most channels (players) solved exactly: 2^20 coalitions. */
export const MAX_SHAPLEY_CHANNELS = 20;

/** Options for {@link shapley}. */
export interface ShapleyOptions {
  /** Lower the channel limit (it cannot be raised above {@link MAX_SHAPLEY_CHANNELS}). */
  maxChannels?: number;
}

/** The model's output. */
export interface ShapleyResult {
  /** The players: channels of converting paths, sorted; bit i of a coalition mask is players[i]. */
  players: string[];
  /** One entry per channel of the paths, sorted; channels only on non-converting paths get 0. */
  channels: ChannelCredit[];
  totalConversions: number;
  totalValue: number;
}

/**
 * In place, turns f[mask] into the sum of f over all subsets of mask
 * (the zeta transform over the subset lattice of n bits).
 */
export function subsetSums(f: Float64Array, n: number): void {
  const size = 1 << n;
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    for (let mask = 0; mask < size; mask++) if (mask & bit) f[mask] = f[mask]! + f[mask ^ bit]!;
  }
}

/**
 * Shapley values of the n-player games whose characteristic functions are
 * given over all 2^n coalition masks (v[0] = v(empty set)). Each game in `games`
 * gets its own result; they share the pass over coalitions.
 *
 * phi_i = sum over S not containing i of |S|! (n - |S| - 1)! / n! (v(S + i) - v(S)).
 */
export function shapleyValues(n: number, games: readonly Float64Array[]): Float64Array[] {
  const size = 1 << n;
  const phis = games.map(() => new Float64Array(n));
  if (n === 0) return phis;
  // weight[s] = s! (n-s-1)! / n! = 1 / (n C(n-1, s)); C(19, 9) = 92378 is exact in a double.
  const weight = new Float64Array(n);
  let binom = 1;
  for (let s = 0; s < n; s++) {
    weight[s] = 1 / (n * binom);
    binom = (binom * (n - 1 - s)) / (s + 1);
  }
  const popcount = new Uint8Array(size);
  for (let mask = 1; mask < size; mask++) popcount[mask] = popcount[mask >> 1]! + (mask & 1);
  const full = size - 1;
  for (let g = 0; g < games.length; g++) {
    const v = games[g]!;
    const phi = phis[g]!;
    for (let mask = 0; mask < full; mask++) {
      const w = weight[popcount[mask]!]!;
      const vS = v[mask]!;
      let missing = full & ~mask;
      while (missing !== 0) {
        const bit = missing & -missing;
        const i = 31 - Math.clz32(bit);
        phi[i] = phi[i]! + w * (v[mask | bit]! - vS);
        missing ^= bit;
      }
    }
  }
  return phis;
}

/**
 * Runs the Shapley model on paths.
 *
 * @throws AttribError `too_many_channels` above {@link MAX_SHAPLEY_CHANNELS}
 *   channels on converting paths (or `maxChannels`).
 */
export function shapley(paths: readonly AggregatedPath[], opts: ShapleyOptions = {}): ShapleyResult {
  const limit = Math.min(MAX_SHAPLEY_CHANNELS, opts.maxChannels ?? MAX_SHAPLEY_CHANNELS);
  // Channels seen only on non-converting paths are null players (always 0);
  // leaving them out of the game changes no one else's value.
  const converting = paths.filter((p) => p.conversions > 0 || p.value > 0);
  const players = shapleyPlayers(paths);
  checkShapleyLimit(players, limit);
  const n = players.length;
  const bitOf = new Map(players.map((c, i) => [c, 1 << i]));
  const conv = new Float64Array(1 << n);
  const value = new Float64Array(1 << n);
  for (const p of converting) {
    let mask = 0;
    for (const s of p.steps) mask |= bitOf.get(s)!;
    conv[mask] = conv[mask]! + p.conversions;
    value[mask] = value[mask]! + p.value;
  }
  subsetSums(conv, n);
  subsetSums(value, n);
  const [phiConv, phiValue] = shapleyValues(n, [conv, value]);
  const byChannel = new Map(players.map((c, i) => [c, i]));
  const totalConversions = n > 0 ? conv[(1 << n) - 1]! : 0;
  const totalValue = n > 0 ? value[(1 << n) - 1]! : 0;
  return {
    players,
    channels: channelsOf(paths).map((channel) => {
      const i = byChannel.get(channel);
      return { channel, conversions: i === undefined ? 0 : phiConv![i]!, value: i === undefined ? 0 : phiValue![i]! };
    }),
    totalConversions,
    totalValue,
  };
}

/** The players of the Shapley game: distinct channels of paths with conversions or value, sorted. */
export function shapleyPlayers(paths: readonly AggregatedPath[]): string[] {
  const set = new Set<string>();
  for (const p of paths) if (p.conversions > 0 || p.value > 0) for (const s of p.steps) set.add(s);
  return [...set].sort(compareStrings);
}

/**
 * Refuses a game with more players than the limit, naming a few of them.
 *
 * @throws AttribError `too_many_channels`.
 */
export function checkShapleyLimit(players: readonly string[], limit: number = MAX_SHAPLEY_CHANNELS): void {
  if (players.length <= limit) return;
  const some = players.slice(0, 5).join(', ') + (players.length > 5 ? ', ...' : '');
  throw new AttribError(
    'too_many_channels',
    `shapley: the converting paths have ${players.length} channels (${some}) and exact Shapley values are limited to ${limit} (2^${limit} coalitions); merge or remove channels with a path transform, or leave shapley out`,
  );
}
