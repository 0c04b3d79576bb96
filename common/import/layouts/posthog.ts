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
 * Identity without `person_id`: after `posthog.identify(id)` the events'
 * `distinct_id` is `id`, and the `$identify` event links the anonymous id
 * used before (`properties.$anon_distinct_id`) to it. That row is read as
 * user `distinct_id` on anonymous id `$anon_distinct_id` (the link), and the
 * rows whose `distinct_id` is an identified id are that user's
 * (anonIdBecomesUserId), so the anonymous visits before identify are
 * stitched to the user's later ones like any user_id/anon_id link
 * (models/identity.sql). With `person_id`, PostHog's own merge is used.
 *
 * Not read: `$initial_*` and `person_properties` (first-touch copies repeated
 * on later events), `elements_chain`, `$set`, `$create_alias` and `$merge_dangerously`
 * links (only `$identify`'s).
 */
import type { Preset } from '../columns.ts';

const ANON = ['properties.$anon_distinct_id', '$anon_distinct_id'];

/** The posthog layout: its signature columns and where each canonical field comes from. */
export const posthog: Preset = {
  id: 'posthog',
  label: 'PostHog',
  signature: ['distinct_id', '$session_id'],
  altSignatures: [['distinct_id', 'properties.$session_id'], ['uuid', 'distinct_id', 'properties.$current_url']],
  expand: {
    firstOf: [
      // on $identify rows only: the identified id is the user, the earlier anonymous id the device
      { name: 'posthog:identified', from: ['distinct_id'], when: ANON },
      { name: 'posthog:anon_id', from: [...ANON, 'distinct_id'] },
    ],
  },
  anonIdBecomesUserId: true,
  fields: {
    event_id: ['uuid'],
    event_ts: ['timestamp'],
    event_name: ['event'],
    user_id: ['person_id', '$user_id', 'properties.$user_id', 'posthog:identified'],
    anon_id: ['posthog:anon_id', 'distinct_id'],
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
  // person_id where the export has it, else the identified id of an $identify row
  coalesce: ['user_id'],
};
