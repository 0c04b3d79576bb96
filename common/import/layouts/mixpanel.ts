/**
 * Mixpanel, in the three shapes its events leave it:
 *
 * - the raw Event Export API (`/api/2.0/export`, JSON lines of
 *   `{"event": ..., "properties": {"time", "distinct_id", "$insert_id", ...}}`),
 *   which ndjson.ts flattens to `event`, `properties.time`, `properties.$insert_id`...;
 * - the same properties already flat (`time`, `distinct_id`, `$insert_id`), as
 *   older tools and CSV conversions write them;
 * - Fivetran's Mixpanel `event` table (`time`, `name`, `distinct_id`,
 *   `device_id`, `insert_id`, `current_url`, `referrer`, and the other
 *   properties as JSON text in `properties`).
 *
 * Read: `time` in seconds or, with the export's `time_in_ms`, milliseconds
 * (told apart by magnitude); `$insert_id` as the event id, and a repeat
 * with the same event name, person and time is rejected as
 * `duplicate_event_id`, Mixpanel's own dedupe rule (duplicateKey); the same
 * `$insert_id` on another event, person or time is another event (seen in
 * Fivetran's dbt_mixpanel test data), kept with `~2` added to its id; `$user_id` (Simplified ID
 * Merge) as the user and `$device_id`, else `distinct_id`, as the device, so
 * events carrying both stitch the device's earlier visits; `utm_*`,
 * `$referrer`, `$current_url` (its UTMs and click ids too), `gclid`,
 * `fbclid`, and revenue from `revenue`, `amount` or `value`.
 * The `properties` object (nested in the raw export, JSON text in Fivetran's
 * table) is read for the keys below (expand.ts, in TypeScript, so both
 * engines agree), so Fivetran's table gets its UTMs, `$referrer`,
 * `$current_url`, `$insert_id` (Mixpanel's dedupe key) and revenue from it,
 * the table's own `insert_id`, `current_url` and `referrer` columns where
 * the JSON lacks them.
 * Not read: other properties, `$initial_referrer` (the first referrer ever,
 * repeated on every event: it would credit the first referrer again), the Original
 * ID Merge's `$identify` links (`$anon_distinct_id`): such projects stitch
 * only through a shared `$device_id`.
 */
import type { Preset } from '../columns.ts';

/** The keys of `properties` read (as `properties.<key>` columns). */
const KEYS = [
  'time', 'distinct_id', '$device_id', '$user_id', '$insert_id',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
  '$referrer', '$current_url', 'gclid', 'fbclid', 'msclkid',
  'revenue', 'amount', 'value', 'currency',
];

/** The mixpanel layout: its signature columns and where each canonical field comes from. */
export const mixpanel: Preset = {
  id: 'mixpanel',
  label: 'Mixpanel',
  signature: ['distinct_id', 'time', '$insert_id'],
  altSignatures: [['properties.distinct_id', 'properties.time'], ['distinct_id', 'time', 'insert_id', 'name']],
  expand: { objects: [{ column: 'properties', paths: KEYS }] },
  shapes: ['Mixpanel export, properties as columns', 'Mixpanel raw export', "Fivetran's Mixpanel event table"],
  // Mixpanel's dedupe: same $insert_id, event name, distinct_id and time
  duplicateKey: ['event_name', 'user_id', 'anon_id', 'ts_us'],
  fields: {
    event_id: ['$insert_id', 'properties.$insert_id', 'insert_id'],
    event_ts: ['time', 'properties.time'],
    event_name: ['event', 'name'],
    user_id: ['$user_id', 'properties.$user_id'],
    anon_id: ['$device_id', 'properties.$device_id', 'device_id', 'distinct_id', 'properties.distinct_id'],
    utm_source: ['utm_source', 'properties.utm_source'],
    utm_medium: ['utm_medium', 'properties.utm_medium'],
    utm_campaign: ['utm_campaign', 'properties.utm_campaign'],
    utm_content: ['utm_content', 'properties.utm_content'],
    utm_term: ['utm_term', 'properties.utm_term'],
    referrer: ['$referrer', 'properties.$referrer', 'referrer'],
    page_url: ['$current_url', 'properties.$current_url', 'current_url'],
    gclid: ['gclid', 'properties.gclid'],
    fbclid: ['fbclid', 'properties.fbclid'],
    msclkid: ['msclkid', 'properties.msclkid'],
    revenue: ['revenue', 'amount', 'value', 'properties.revenue', 'properties.amount', 'properties.value'],
    currency: ['currency', 'properties.currency'],
  },
  // a server-side event may carry only distinct_id: it is the device id then; Fivetran's table has
  // a value in its own column or in the properties JSON
  coalesce: ['anon_id', 'event_id', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'referrer', 'page_url', 'revenue'],
};
