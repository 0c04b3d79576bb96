/**
 * PostHog's event export (`distinct_id`, `$session_id`, `$current_url`).
 */
import type { Preset } from '../columns.ts';

/** The posthog layout: its signature columns and where each canonical field comes from. */
export const posthog: Preset = {
  id: 'posthog',
  label: 'PostHog',
  signature: ['distinct_id', '$session_id'],
  fields: {
    event_id: ['uuid'],
    event_ts: ['timestamp'],
    event_name: ['event'],
    user_id: ['person_id', '$user_id'],
    anon_id: ['distinct_id'],
    session_id: ['$session_id'],
    utm_source: ['utm_source', '$utm_source'],
    utm_medium: ['utm_medium', '$utm_medium'],
    utm_campaign: ['utm_campaign', '$utm_campaign'],
    utm_content: ['utm_content'],
    utm_term: ['utm_term'],
    referrer: ['$referrer'],
    page_url: ['$current_url'],
    gclid: ['gclid'],
    fbclid: ['fbclid'],
    revenue: ['revenue', '$revenue', 'value'],
    currency: ['currency'],
  },
};
