/**
 * Report tables for `attrib attribute --report DIR` (models/reports.sql):
 * first- and last-touch attribution, client journeys, channel performance,
 * top paths, time to convert and touches to convert, all per conversion kind.
 */
import type { Database, Row } from './db.ts';
import type { ModelLibrary } from './pipeline.ts';
import { readReport, runNamedStage, type ReportTable } from './reportTables.ts';

const SHARES = ['attributed_conversions', 'attributed_revenue', 'share_of_conversions', 'share_of_revenue', 'conversion_kind'];

/** Every report file: columns and row order (conversion_kind first, so each kind reads as one block). */
export const REPORT_TABLES: ReportTable[] = [
  { file: 'first_touch_attribution', table: 'report_first_touch', columns: ['channel', ...SHARES], orderBy: 't.conversion_kind, t.channel' },
  { file: 'last_touch_attribution', table: 'report_last_touch', columns: ['channel', ...SHARES], orderBy: 't.conversion_kind, t.channel' },
  {
    file: 'client_journeys', table: 'report_client_journeys',
    columns: ['conversion_id', 'person_key', 'journey_length_days', 'touches', 'channels', 'total_revenue', 'conversion_kind'],
    orderBy: 't.conversion_id',
  },
  {
    file: 'channel_performance', table: 'report_channel_performance',
    columns: ['channel', 'touches', 'journeys', 'first_touch_conversions', 'last_touch_conversions', 'linear_conversions', 'linear_revenue', 'avg_days_before', 'conversion_kind'],
    orderBy: 't.conversion_kind, t.channel',
  },
  {
    file: 'top_paths', table: 'report_top_paths',
    columns: ['rank', 'path', 'steps', 'conversions', 'revenue', 'share_of_conversions', 'conversion_kind'],
    orderBy: 't.conversion_kind, t.rank',
  },
  {
    file: 'time_to_convert', table: 'report_time_to_convert',
    columns: ['bucket', 'min_days', 'max_days', 'conversions', 'revenue', 'share_of_conversions', 'conversion_kind'],
    orderBy: 't.conversion_kind, t.k',
  },
  {
    file: 'touches_to_convert', table: 'report_touches_to_convert',
    columns: ['bucket', 'min_touches', 'max_touches', 'conversions', 'revenue', 'share_of_conversions', 'conversion_kind'],
    orderBy: 't.conversion_kind, t.k',
  },
];

/** Builds every report table from the current journeys; returns rows by file name. */
export async function runReports(db: Database, lib: ModelLibrary, opts: { clickProof?: boolean } = {}): Promise<Record<string, Row[]>> {
  await runNamedStage(db, lib, 'reports', { click_proof: opts.clickProof ?? false });
  const out: Record<string, Row[]> = {};
  for (const t of REPORT_TABLES) out[t.file] = await readReport(db, t);
  return out;
}
