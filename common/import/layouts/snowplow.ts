/**
 * Snowplow's atomic events table (`domain_userid`, `domain_sessionid`,
 * `mkt_*`, `tr_*`).
 */
import type { Preset } from '../columns.ts';

/** The snowplow layout: its signature columns and where each canonical field comes from. */
export const snowplow: Preset = {
  id: 'snowplow',
  label: 'Snowplow (atomic events)',
  signature: ['domain_userid', 'domain_sessionid'],
  fields: {
    event_id: ['event_id'],
    event_ts: ['derived_tstamp', 'collector_tstamp', 'dvce_created_tstamp'],
    event_name: ['event_name', 'event'],
    user_id: ['user_id'],
    anon_id: ['domain_userid', 'network_userid'],
    session_id: ['domain_sessionid'],
    utm_source: ['mkt_source'],
    utm_medium: ['mkt_medium'],
    utm_campaign: ['mkt_campaign'],
    utm_content: ['mkt_content'],
    utm_term: ['mkt_term'],
    referrer: ['page_referrer', 'refr_urlhost'],
    page_url: ['page_url'],
    click_token: ['mkt_clickid'],
    revenue: ['tr_total', 'revenue'],
    currency: ['tr_currency'],
  },
};
