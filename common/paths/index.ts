/**
 * Paths and data-driven models (spec section 7): aggregated path files, path
 * transforms, Markov (exact absorbing chain), Shapley (exact) and the
 * rule-based models per occurrence. Pure TypeScript, so the same code runs
 * in the CLI and in a browser Web Worker.
 */
export * from './types.ts';
export * from './read.ts';
export * from './transforms.ts';
export * from './markov.ts';
export * from './shapley.ts';
export * from './rules.ts';
export * from './run.ts';
export { solveInPlace } from './linalg.ts';
