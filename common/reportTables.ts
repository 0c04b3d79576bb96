/**
 * Helpers shared by the report builders (spend, comparison, sweep, report
 * tables): run a bundled stage file by name, fix the model order, and read a
 * result table with its documented columns in a documented order, so that
 * both engines write byte-identical files.
 */
import type { Database, Row } from './db.ts';
import { AttribError } from './errors.ts';
import { runStage, type ModelLibrary } from './pipeline.ts';

/** A result table and how it is written: its file, columns and sort keys. */
export interface ReportTable {
  /** File name without .csv. */
  file: string;
  table: string;
  columns: string[];
  /** ORDER BY over the table (alias t) and model_order (alias o, joined when `byModel`). */
  orderBy: string;
  byModel?: boolean;
}

/** Runs the stage file `name` of the library with its parameters bound. */
export async function runNamedStage(db: Database, lib: ModelLibrary, name: string, values: Record<string, unknown> = {}): Promise<void> {
  const spec = lib.get(name);
  if (!spec) throw new AttribError('internal', `the ${name} stage is missing from the model library`);
  await runStage(db, spec, values);
}

/** The temp table model_order(model, k) that reports sort by (same as readOutputs writes). */
export async function writeModelOrder(db: Database, models: string[]): Promise<void> {
  await db.run('CREATE OR REPLACE TEMP TABLE model_order (model VARCHAR, k INTEGER)');
  for (let i = 0; i < models.length; i++) await db.run('INSERT INTO model_order VALUES ($1, $2)', [models[i], i]);
}

/** Reads a result table's columns in its order. */
export function readReport(db: Database, t: ReportTable): Promise<Row[]> {
  const cols = t.columns.map((c) => `t."${c}"`).join(', ');
  const join = t.byModel ? ' JOIN model_order o ON o.model = t.model' : '';
  return db.all(`SELECT ${cols} FROM ${t.table} t${join} ORDER BY ${t.orderBy}`);
}
