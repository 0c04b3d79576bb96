/**
 * Ad spend file layouts: our generic one (date, channel, campaign, spend,
 * impressions, clicks) and the raw ad-report tables Fivetran lands for the
 * big ad platforms, recognised by their column names.
 */
import { AttribError } from './errors.ts';

/** Where each canonical spend field comes from in one layout. */
export interface SpendLayout {
  id: string;
  label: string;
  /** Lower-case columns that must all be present for the layout to match. */
  signature: string[];
  date: string[];
  spend: string[];
  /** Platform reports carry no channel column: every row gets this one (overridable). */
  channel?: string;
  channelCol?: string[];
  campaign?: string[];
  impressions?: string[];
  clicks?: string[];
  /** Spend is in millionths of the currency (Google cost_micros, Pinterest spend_in_micro_dollar). */
  micros?: boolean;
}

/**
 * Checked in order; platform layouts first because their files would
 * otherwise look like a generic file without a channel column. Each field
 * lists candidate columns, the first present wins.
 */
export const SPEND_LAYOUTS: SpendLayout[] = [
  {
    id: 'google_ads', label: 'Google Ads campaign stats (Fivetran)', signature: ['date', 'id', 'cost_micros'],
    date: ['date'], spend: ['cost_micros'], micros: true, channel: 'paid_search', campaign: ['id'], impressions: ['impressions'], clicks: ['clicks'],
  },
  {
    id: 'microsoft_ads', label: 'Microsoft Ads campaign performance daily (Fivetran)', signature: ['date', 'campaign_id', 'spend', 'ad_distribution'],
    date: ['date'], spend: ['spend'], channel: 'paid_search', campaign: ['campaign_id'], impressions: ['impressions'], clicks: ['clicks'],
  },
  {
    id: 'facebook_ads', label: 'Facebook Ads basic ad (Fivetran)', signature: ['date', 'ad_id', 'spend', 'inline_link_clicks'],
    // ad level: the campaign is only in the ad history table, so it stays empty
    date: ['date'], spend: ['spend'], channel: 'paid_social', impressions: ['impressions'], clicks: ['inline_link_clicks'],
  },
  {
    id: 'linkedin_ads', label: 'LinkedIn Ads analytics by campaign (Fivetran)', signature: ['day', 'campaign_id', 'cost_in_local_currency'],
    date: ['day'], spend: ['cost_in_local_currency'], channel: 'paid_social', campaign: ['campaign_id'], impressions: ['impressions'], clicks: ['clicks'],
  },
  {
    id: 'pinterest_ads', label: 'Pinterest Ads campaign report (Fivetran)', signature: ['date', 'campaign_id', 'spend_in_micro_dollar'],
    date: ['date'], spend: ['spend_in_micro_dollar'], micros: true, channel: 'paid_social', campaign: ['campaign_name', 'campaign_id'],
    impressions: ['impression_1'], clicks: ['clickthrough_1'],
  },
  {
    id: 'apple_search_ads', label: 'Apple Search Ads campaign report (Fivetran)', signature: ['date', 'id', 'local_spend_amount'],
    date: ['date'], spend: ['local_spend_amount'], channel: 'paid_search', campaign: ['id'], impressions: ['impressions'], clicks: ['taps'],
  },
  {
    id: 'amazon_ads', label: 'Amazon Ads campaign level report (Fivetran)', signature: ['date', 'campaign_id', 'cost', 'campaign_budget_amount'],
    date: ['date'], spend: ['cost'], channel: 'paid_search', campaign: ['campaign_id'], impressions: ['impressions'], clicks: ['clicks'],
  },
  {
    id: 'generic', label: 'generic (date, channel, campaign, spend, impressions, clicks)', signature: ['channel'],
    date: ['date', 'day'], spend: ['spend', 'cost', 'amount'], channelCol: ['channel'], campaign: ['campaign', 'campaign_name', 'utm_campaign'],
    impressions: ['impressions'], clicks: ['clicks'],
  },
];

/** Layout ids that take a default channel (the ones --spend-channel can override). */
export const PLATFORM_LAYOUTS = SPEND_LAYOUTS.filter((l) => l.channel).map((l) => l.id);

/** A layout matched to a file's header: each canonical field's column name as in the file. */
export interface ResolvedSpendLayout {
  layout: SpendLayout;
  columns: { date: string; spend: string; channel?: string; campaign?: string; impressions?: string; clicks?: string };
}

/** Finds the layout of a header (names compared case-insensitively); throws naming what is missing. */
export function resolveSpendLayout(header: string[], file: string): ResolvedSpendLayout {
  const byLower = new Map(header.map((h) => [h.trim().toLowerCase(), h]));
  const pick = (cands?: string[]) => cands?.map((c) => byLower.get(c)).find((x) => x !== undefined);
  for (const layout of SPEND_LAYOUTS) {
    if (!layout.signature.every((c) => byLower.has(c))) continue;
    const date = pick(layout.date);
    const spend = pick(layout.spend);
    if (date === undefined || spend === undefined) continue;
    return {
      layout,
      columns: { date, spend, channel: pick(layout.channelCol), campaign: pick(layout.campaign), impressions: pick(layout.impressions), clicks: pick(layout.clicks) },
    };
  }
  throw new AttribError(
    'file_missing_column',
    `not a spend file: need columns date, channel and spend (campaign, impressions, clicks optional), or a Fivetran ad report (${PLATFORM_LAYOUTS.join(', ')}); found ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', ...' : ''}`,
    { file },
  );
}

/** Parses `--spend-channel layout=channel` items into a map, checking the layout ids. */
export function parseSpendChannels(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const m = /^\s*([a-z_]+)\s*=\s*(\S.*?)\s*$/.exec(item);
    if (!m) throw new AttribError('bad_parameter', `--spend-channel ${item}: expected layout=channel, e.g. google_ads=paid_search`);
    if (!PLATFORM_LAYOUTS.includes(m[1])) throw new AttribError('bad_parameter', `--spend-channel ${item}: unknown layout '${m[1]}' (one of ${PLATFORM_LAYOUTS.join(', ')})`);
    out[m[1]] = m[2].toLowerCase();
  }
  return out;
}
