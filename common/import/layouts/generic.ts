/**
 * The generic layout: spec section 1's canonical columns and their common
 * aliases. Every other layout falls back to these for a field it does not name.
 */
import type { Preset } from '../columns.ts';

/** Aliases of spec section 1, the generic preset. Order matters: the first present wins. */
export const GENERIC: Preset['fields'] = {
  event_id: ['event_id', 'id', 'message_id', 'messageid', 'uuid', '$insert_id', 'insert_id'],
  event_ts: ['event_ts', 'event_time', 'timestamp', 'event_timestamp', 'ts', 'time', 'datetime', 'date_time', 'received_at', 'sent_at', 'collector_tstamp',
    // a file of sessions (dbt's attribution playbook, analytics session tables) is a touch source too
    'started_at', 'session_start', 'session_started_at', 'session_start_ts'],
  event_name: ['event_name', 'event_type', 'event', 'name', 'action'],
  user_id: ['user_id', 'userid', 'customer_id', '$user_id', 'person_id'],
  anon_id: ['anon_id', 'anonymous_id', 'anonymousid', 'client_id', 'distinct_id', 'domain_userid', 'device_id', '$device_id', 'user_pseudo_id', 'cookie_id', 'visitor_id'],
  session_id: ['session_id', 'sessionid', '$session_id', 'domain_sessionid', 'ga_session_id', 'visit_id'],
  channel: ['channel', 'default_channel_group', 'channel_group'],
  utm_source: ['utm_source', 'source', 'traffic_source', 'mkt_source', 'context_campaign_source'],
  utm_medium: ['utm_medium', 'medium', 'mkt_medium', 'context_campaign_medium'],
  utm_campaign: ['utm_campaign', 'campaign', 'campaign_name', 'mkt_campaign', 'context_campaign_name'],
  utm_content: ['utm_content', 'content', 'mkt_content', 'context_campaign_content'],
  utm_term: ['utm_term', 'term', 'keyword', 'mkt_term', 'context_campaign_term'],
  referrer: ['referrer', 'referer', 'page_referrer', 'page_referer', '$referrer', 'context_page_referrer', 'refr_url'],
  page_url: ['page_url', 'url', 'page_location', 'landing_page', '$current_url', 'context_page_url'],
  gclid: ['gclid'],
  msclkid: ['msclkid'],
  fbclid: ['fbclid'],
  ttclid: ['ttclid'],
  li_fat_id: ['li_fat_id'],
  rdt_cid: ['rdt_cid'],
  click_token: ['click_token', 'click_id'],
  dclid: ['dclid'],
  srsltid: ['srsltid'],
  revenue: ['revenue', 'value', 'amount', 'order_value', 'total', 'purchase_revenue', 'tr_total'],
  currency: ['currency', 'currency_code', 'tr_currency'],
};

/** The fallback layout, used when no other layout's signature columns are all present. */
export const generic: Preset = { id: 'generic', label: 'Generic (spec aliases)', signature: [], fields: GENERIC };
