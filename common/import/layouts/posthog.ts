/**
 * PostHog's events, as its CSV export of the events table writes them
 * (`uuid`, `event`, `distinct_id`, `timestamp`, `person_id`, and the event's
 * properties as `properties.$current_url`, `properties.utm_source`...) or as
 * JSON lines of the same event objects (`properties` nested, flattened by
 * ndjson.ts to the same names); older flat exports name the properties
 * without the prefix (`$session_id`, `$current_url`).
 *
 * Read: `uuid` as the event id, `person_id` (PostHog's own merged person, so
 * its identity merges are kept) as the user where the export has it,
 * `distinct_id` as the device, `$session_id` as the session, `utm_*`,
 * `$referrer` (`$direct` has no host, so it is no referral), `$current_url`
 * (its UTMs and click ids too), `gclid`, `fbclid`, `msclkid`, revenue from
 * `revenue` or `$revenue`.
 * Not read: `$initial_*` and `person_properties` (first-touch copies repeated
 * on later events), `elements_chain`, `$set`. Without `person_id`, an
 * identified user's events and their anonymous ones before `identify` are
 * two people (PostHog links them in `$identify`'s `$anon_distinct_id`, which
 * one column mapping cannot follow).
 */
import type { Preset } from '../columns.ts';

/** The posthog layout: its signature columns and where each canonical field comes from. */
export const posthog: Preset = {
  id: 'posthog',
  label: 'PostHog',
  signature: ['distinct_id', '$session_id'],
  altSignatures: [['distinct_id', 'properties.$session_id'], ['uuid', 'distinct_id', 'properties.$current_url']],
  fields: {
    event_id: ['uuid'],
    event_ts: ['timestamp'],
    event_name: ['event'],
    user_id: ['person_id', '$user_id', 'properties.$user_id'],
    anon_id: ['distinct_id'],
    session_id: ['$session_id', 'properties.$session_id'],
    utm_source: ['utm_source', '$utm_source', 'properties.utm_source'],
    utm_medium: ['utm_medium', '$utm_medium', 'properties.utm_medium'],
    utm_campaign: ['utm_campaign', '$utm_campaign', 'properties.utm_campaign'],
    utm_content: ['utm_content', 'properties.utm_content'],
    utm_term: ['utm_term', 'properties.utm_term'],
    referrer: ['$referrer', 'properties.$referrer'],
    page_url: ['$current_url', 'properties.$current_url'],
    gclid: ['gclid', 'properties.gclid'],
    fbclid: ['fbclid', 'properties.fbclid'],
    msclkid: ['msclkid', 'properties.msclkid'],
    revenue: ['revenue', '$revenue', 'value', 'properties.revenue', 'properties.$revenue', 'properties.value'],
    currency: ['currency', 'properties.currency'],
  },
};
