/**
 * Data-driven models on aggregated paths (issue 3's bench additions): exact
 * Markov of order 1-3 and exact Shapley on 10k deterministic synthetic paths
 * over 12 channels (Shapley also over 20), timed in this process.
 */
import { markov, shapley, type AggregatedPath } from '../common/paths/index.ts';

/** Deterministic pseudo-random numbers (mulberry32): the same paths every run (test/engine/csvSql.test.ts uses it too). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct paths of 1-8 steps over `channels` channels, skewed like real traffic. */
export function syntheticPaths(count: number, channels: number, seed = 7): AggregatedPath[] {
  const r = rng(seed);
  const names = Array.from({ length: channels }, (_, i) => `ch${String(i + 1).padStart(2, '0')}`);
  const seen = new Map<string, AggregatedPath>();
  while (seen.size < count) {
    const len = 1 + Math.floor(-Math.log(1 - r()) * 2.2) % 8;
    const steps = Array.from({ length: len }, () => names[Math.floor(channels * r() ** 1.7)]);
    const key = steps.join('>');
    if (seen.has(key)) continue;
    const conversions = Math.floor(r() * 20);
    seen.set(key, { steps, conversions, value: conversions * (20 + r() * 80), nulls: Math.floor(r() * 200) });
  }
  return [...seen.values()];
}

const time = <T>(fn: () => T): [T, number] => {
  const t = performance.now();
  const v = fn();
  return [v, (performance.now() - t) / 1000];
};

/** Prints the table; returns nothing (figures only, no assertions). */
export function benchPathModels(): void {
  console.log('\n## data-driven models on 10,000 distinct synthetic paths');
  console.log(`${'model'.padEnd(34)}${'channels'.padStart(9)}${'states'.padStart(8)}${'seconds'.padStart(9)}`);
  const p12 = syntheticPaths(10_000, 12);
  for (const order of [1, 2, 3] as const) {
    const [m, s] = time(() => markov(p12, { order }));
    console.log(`${`markov order ${order} (exact, 13 solves)`.padEnd(34)}${String(12).padStart(9)}${String(m.states.length).padStart(8)}${s.toFixed(3).padStart(9)}`);
  }
  for (const n of [12, 20]) {
    const paths = n === 12 ? p12 : syntheticPaths(10_000, n);
    const [, s] = time(() => shapley(paths));
    console.log(`${'shapley (exact, 2^n coalitions)'.padEnd(34)}${String(n).padStart(9)}${'-'.padStart(8)}${s.toFixed(3).padStart(9)}`);
  }
}
