/**
 * Mixpanel's event export, flattened (`time` in seconds, `distinct_id`,
 * `$insert_id`).
 */
import type { Preset } from '../columns.ts';

/** The mixpanel layout: its signature columns and where each canonical field comes from. */
export const mixpanel: Preset = {
  id: 'mixpanel',
  label: 'Mixpanel',
  signature: ['distinct_id', 'time', '$insert_id'],
  timeUnit: 's',
  fields: {
    event_id: ['$insert_id'],
    event_ts: ['time'],
    event_name: ['event'],
    user_id: ['$user_id'],
    anon_id: ['$device_id', 'distinct_id'],
    utm_source: ['utm_source'],
    utm_medium: ['utm_medium'],
    utm_campaign: ['utm_campaign'],
    utm_content: ['utm_content'],
    utm_term: ['utm_term'],
    referrer: ['$referrer', '$initial_referrer'],
    page_url: ['$current_url'],
    gclid: ['gclid'],
    fbclid: ['fbclid'],
    revenue: ['revenue', 'amount', 'value'],
    currency: ['currency'],
  },
};
