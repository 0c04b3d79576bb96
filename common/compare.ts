/**
 * Model comparison: each model's channel results against a baseline model
 * (models/compare.sql), for `attrib attribute --compare MODEL`.
 */
import type { Database, Row } from './db.ts';
import { AttribError } from './errors.ts';
import type { ModelLibrary } from './pipeline.ts';
import { readReport, runNamedStage, writeModelOrder, type ReportTable } from './reportTables.ts';

/** model_comparison.csv: columns and row order. */
export const COMPARISON_TABLE: ReportTable = {
  file: 'model_comparison', table: 'model_comparison', byModel: true,
  columns: [
    'model', 'channel', 'baseline_model', 'attributed_conversions', 'baseline_conversions', 'delta', 'delta_pct',
    'attributed_revenue', 'baseline_revenue', 'revenue_delta', 'revenue_delta_pct', 'conversion_kind',
  ],
  orderBy: 'o.k, t.channel, t.conversion_kind',
};

/** Checks before any data is read that the baseline is one of the models run. */
export function checkBaseline(baseline: string, models: string[]): void {
  if (!models.includes(baseline)) {
    throw new AttribError('bad_parameter', `--compare ${baseline}: the baseline must be one of the models run (${models.join(', ')}); add it to --models`);
  }
}

/** Compares every model of the run with `baseline`, from the current credits. */
export async function runComparison(db: Database, lib: ModelLibrary, models: string[], baseline: string): Promise<Row[]> {
  checkBaseline(baseline, models);
  await writeModelOrder(db, models);
  await runNamedStage(db, lib, 'compare', { baseline });
  return readReport(db, COMPARISON_TABLE);
}
