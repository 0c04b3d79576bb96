/**
 * Sensitivity sweep of time_decay over lookback windows and half-lives
 * (models/sweep.sql). Journeys are built once, for the largest lookback;
 * every cell of the grid is then a filter and a recomputation inside one
 * SQL statement, not a pipeline run per cell.
 */
import type { Database, Row } from './db.ts';
import { AttribError } from './errors.ts';
import { resolveParams } from './modelHeader.ts';
import { buildJourneys, type ModelLibrary, type RunOptions } from './pipeline.ts';
import { readReport, runNamedStage, type ReportTable } from './reportTables.ts';

/** Default grid of `attrib sweep`. */
export const DEFAULT_LOOKBACKS = [7, 14, 30, 60, 90];
export const DEFAULT_HALF_LIVES = [1, 3, 7, 14];

/** sweep.csv: columns and row order. */
export const SWEEP_TABLE: ReportTable = {
  file: 'sweep', table: 'sweep',
  columns: ['lookback_days', 'half_life_days', 'channel', 'attributed_conversions', 'attributed_revenue', 'conversion_kind'],
  orderBy: 't.lookback_days, t.half_life_days, t.channel, t.conversion_kind',
};

/** What a sweep needs: the run's rules and stage parameters (lookback_days and half_life_days come from the grid). */
export interface SweepOptions extends Omit<RunOptions, 'models'> {
  lookbacks: number[];
  halfLives: number[];
}

/** Checks every grid value against the model headers' ranges (same messages as --lookback-days / --half-life-days). */
export function checkSweepGrid(lib: ModelLibrary, lookbacks: number[], halfLives: number[]): void {
  if (!lookbacks.length || !halfLives.length) throw new AttribError('bad_parameter', 'the sweep needs at least one lookback and one half-life');
  const conv = lib.get('conversions')!;
  const td = lib.get('time_decay')!;
  for (const l of lookbacks) resolveParams(conv.params, { lookback_days: l }, [], '--lookbacks');
  for (const h of halfLives) resolveParams(td.params, { half_life_days: h }, [], '--half-lives');
}

/** Builds journeys for max(lookbacks) and computes every cell; returns sweep rows. */
export async function runSweep(db: Database, lib: ModelLibrary, opts: SweepOptions): Promise<Row[]> {
  checkSweepGrid(lib, opts.lookbacks, opts.halfLives);
  const lookbacks = [...new Set(opts.lookbacks)];
  const halfLives = [...new Set(opts.halfLives)];
  const params = { ...opts.params, lookback_days: Math.max(...lookbacks) };
  // per-kind windows would make "the lookback" of a cell ambiguous: the grid's lookback applies to every kind
  await buildJourneys(db, lib, { ...opts, conversionKinds: undefined, models: ['time_decay'], params });
  await db.run('CREATE OR REPLACE TABLE sweep_grid (lookback_days DOUBLE, half_life_days DOUBLE)');
  for (const l of lookbacks) for (const h of halfLives) await db.run('INSERT INTO sweep_grid VALUES ($1, $2)', [l, h]);
  await runNamedStage(db, lib, 'sweep');
  return readReport(db, SWEEP_TABLE);
}
