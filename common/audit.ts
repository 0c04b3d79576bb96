/**
 * The audit (models/audit.sql): health per day and conversion kind, XmR
 * process limits with signals, the pipeline trace (rows in and out of every
 * step, each drop labelled expected filter or data loss) and the campaign
 * values and click ids no rule classifies. Runs on journeys already built
 * (buildJourneys); leaves its tables in the database for notebook cells and
 * reads them in a documented order so both engines write the same files.
 */
import type { Database, Row } from './db.ts';
import type { ModelLibrary } from './pipeline.ts';
import { readReport, runNamedStage, type ReportTable } from './reportTables.ts';

/** The audit's tables as `attrib audit` writes them (file, columns, sort keys). */
export const AUDIT_TABLES = {
  health_daily: {
    file: 'health_daily',
    table: 'health_daily',
    columns: ['date', 'conversion_kind', 'conversions', 'attributed', 'direct_only', 'no_touch', 'coverage_rate', 'direct_only_rate', 'click_id_rate', 'identified_rate'],
    orderBy: 't.date, t.conversion_kind',
  },
  pipeline_trace: {
    file: 'pipeline_trace',
    table: 'pipeline_trace',
    // lane last: the columns first, as documented
    columns: ['step', 'rows_in', 'rows_out', 'dropped', 'reason', 'kind', 'lane'],
    orderBy: 't.k',
  },
  unattributable: {
    file: 'unattributable',
    table: 'unattributable',
    columns: ['field', 'value', 'channel', 'events', 'people', 'first_seen', 'last_seen'],
    orderBy: 't.events DESC, t.field, t.value, t.channel',
  },
  health_xmr: {
    file: 'health_xmr',
    table: 'health_xmr',
    columns: ['metric', 'conversion_kind', 'date', 'value', 'centre', 'lower', 'upper', 'moving_range', 'mr_upper', 'signal'],
    orderBy: 't.metric, t.conversion_kind, t.date',
  },
  health_inputs_daily: {
    file: 'health_inputs_daily',
    table: 'health_inputs_daily',
    columns: ['date', 'events', 'touch_events', 'utm_touch_events', 'utm_complete_rate', 'rejected'],
    orderBy: 't.date',
  },
} as const satisfies Record<string, ReportTable>;

/** The audit's result tables, by name. */
export type AuditTables = Record<keyof typeof AUDIT_TABLES, Row[]>;

/** Runs models/audit.sql on the built journeys and reads its tables. */
export async function runAudit(db: Database, lib: ModelLibrary): Promise<AuditTables> {
  await runNamedStage(db, lib, 'audit');
  const out = {} as AuditTables;
  for (const [k, t] of Object.entries(AUDIT_TABLES) as [keyof typeof AUDIT_TABLES, ReportTable][]) {
    out[k] = (await readReport(db, t)).map((r) => ('date' in r && r.date !== null ? { ...r, date: String(r.date).slice(0, 10) } : r));
  }
  return out;
}
