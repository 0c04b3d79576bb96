/**
 * GA4's BigQuery export (Google's `events_*` tables), here as flattened
 * columns: nested fields as dot names (`collected_traffic_source.manual_source`).
 */
import type { Preset } from '../columns.ts';

/** The ga4 layout: its signature columns and where each canonical field comes from. */
export const ga4: Preset = {
  id: 'ga4',
  label: 'GA4 BigQuery export (flattened)',
  signature: ['event_timestamp', 'user_pseudo_id'],
  timeUnit: 'us',
  fields: {
    event_id: ['event_id'],
    event_ts: ['event_timestamp'],
    event_name: ['event_name'],
    user_id: ['user_id'],
    anon_id: ['user_pseudo_id'],
    session_id: ['ga_session_id', 'event_params.ga_session_id', 'session_id'],
    utm_source: ['collected_traffic_source.manual_source', 'traffic_source.source'],
    utm_medium: ['collected_traffic_source.manual_medium', 'traffic_source.medium'],
    utm_campaign: ['collected_traffic_source.manual_campaign_name', 'traffic_source.name'],
    utm_content: ['collected_traffic_source.manual_content'],
    utm_term: ['collected_traffic_source.manual_term'],
    gclid: ['collected_traffic_source.gclid'],
    referrer: ['page_referrer', 'event_params.page_referrer'],
    page_url: ['page_location', 'event_params.page_location'],
    revenue: ['ecommerce.purchase_revenue', 'event_value_in_usd', 'purchase_revenue'],
    currency: ['ecommerce.currency', 'currency'],
  },
};
