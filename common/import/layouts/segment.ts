/**
 * Segment's warehouse tables (tracks/pages: `context_campaign_*`,
 * `context_page_*` columns).
 */
import type { Preset } from '../columns.ts';

/** The segment layout: its signature columns and where each canonical field comes from. */
export const segment: Preset = {
  id: 'segment',
  label: 'Segment',
  signature: ['anonymous_id', 'context_campaign_source'],
  fields: {
    event_id: ['message_id', 'id'],
    event_ts: ['timestamp', 'original_timestamp', 'received_at'],
    event_name: ['event', 'event_text', 'type'],
    user_id: ['user_id'],
    anon_id: ['anonymous_id'],
    utm_source: ['context_campaign_source'],
    utm_medium: ['context_campaign_medium'],
    utm_campaign: ['context_campaign_name'],
    utm_content: ['context_campaign_content'],
    utm_term: ['context_campaign_term'],
    referrer: ['context_page_referrer', 'referrer'],
    page_url: ['context_page_url', 'url'],
    revenue: ['revenue', 'properties_revenue', 'total', 'value'],
    currency: ['currency', 'properties_currency'],
  },
};
