/**
 * ROAS and CPA: attributed results joined to ad spend (common/spend.ts), per
 * model and channel (spend_report) and per campaign (campaign_report), by
 * models/spend_report.sql. Needs the credits of a run and the spend tables.
 */
import type { Database, Row } from './db.ts';
import type { ModelLibrary, RunOptions } from './pipeline.ts';
import { runCampaignCredits } from './campaigns.ts';
import { readReport, runNamedStage, writeModelOrder, type ReportTable } from './reportTables.ts';

const MEASURES = ['attributed_conversions', 'attributed_revenue', 'spend', 'impressions', 'clicks', 'roas', 'cpa', 'note'];

/** spend_report.csv and campaign_report.csv: columns and row order. */
export const SPEND_TABLES = {
  spend_report: {
    file: 'spend_report', table: 'spend_report', byModel: true,
    columns: ['model', 'channel', ...MEASURES, 'conversion_kind'],
    orderBy: 'o.k, t.channel, t.conversion_kind',
  },
  campaign_report: {
    file: 'campaign_report', table: 'campaign_report', byModel: true,
    columns: ['model', 'channel', 'campaign', ...MEASURES, 'conversion_kind'],
    orderBy: 'o.k, t.channel, t.campaign, t.conversion_kind',
  },
} satisfies Record<string, ReportTable>;

/** The two spend reports, plus the models the campaign report had to leave out. */
export interface SpendReports {
  spend_report: Row[];
  campaign_report: Row[];
  /** Models without per-touch SQL credits, so without a campaign split. */
  skippedForCampaigns: string[];
}

/** Builds both reports from the current credits, journeys and spend tables. */
export async function runSpendReports(db: Database, lib: ModelLibrary, opts: RunOptions): Promise<SpendReports> {
  await writeModelOrder(db, opts.models);
  const skippedForCampaigns = await runCampaignCredits(db, lib, opts);
  await runNamedStage(db, lib, 'spend_report');
  return {
    spend_report: await readReport(db, SPEND_TABLES.spend_report),
    campaign_report: await readReport(db, SPEND_TABLES.campaign_report),
    skippedForCampaigns,
  };
}
