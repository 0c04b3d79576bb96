/**
 * Amplitude's Export API (`/api/2/export`: zipped JSON lines, one event
 * object per line, as its S3/GCS exports also write them): `event_type`,
 * `user_id`, `device_id`, `event_time` (UTC, `2024-01-01 10:00:00.123456`),
 * `session_id` (the session's start in epoch ms, per device; -1 outside a
 * session), `$insert_id`, `uuid`, `amplitude_id`, and the nested
 * `event_properties.*` and `user_properties.*`, flattened by ndjson.ts.
 *
 * Read: `$insert_id` as the event id, else `uuid` (never `event_id`: that is
 * a counter per device, not unique); `user_id` and `device_id`, so an event
 * with both stitches the device's earlier visits; `session_id` (-1 is no
 * session: staging.sql); UTMs, `referrer`, `gclid`, `fbclid` and `msclkid`
 * from `event_properties`, else `user_properties` (where the Browser SDK's
 * web attribution puts them); the page from `event_properties`'
 * `[Amplitude] Page Location` (the full URL: its UTMs and click ids count),
 * `page_url` or `url`; revenue from `revenue` or `event_properties.$revenue`
 * / `revenue`.
 * Not read: `amplitude_id` (Amplitude's own merge of ids), `initial_*`
 * properties, `groups`, `data`. A user property keeps its value on later
 * events until it changes, so a campaign carried only there marks every
 * later session of the user with it, as it does in Amplitude's own charts.
 */
import type { Preset } from '../columns.ts';

const from = (name: string) => [`event_properties.${name}`, `user_properties.${name}`];

/** The amplitude layout: its signature columns and where each canonical field comes from. */
export const amplitude: Preset = {
  id: 'amplitude',
  label: 'Amplitude export',
  signature: ['amplitude_id', 'event_type'],
  altSignatures: [['event_type', 'device_id', 'event_time']],
  fields: {
    event_id: ['$insert_id', 'uuid'],
    event_ts: ['event_time', 'client_event_time', 'server_upload_time'],
    event_name: ['event_type'],
    user_id: ['user_id'],
    anon_id: ['device_id'],
    session_id: ['session_id'],
    utm_source: from('utm_source'),
    utm_medium: from('utm_medium'),
    utm_campaign: from('utm_campaign'),
    utm_content: from('utm_content'),
    utm_term: from('utm_term'),
    referrer: from('referrer'),
    page_url: ['event_properties.[amplitude] page location', 'event_properties.page_url', 'event_properties.url'],
    gclid: from('gclid'),
    fbclid: from('fbclid'),
    msclkid: from('msclkid'),
    revenue: ['revenue', 'event_properties.$revenue', 'event_properties.revenue'],
    currency: ['event_properties.currency', 'event_properties.$currency'],
  },
  coalesce: ['event_id', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'referrer', 'gclid', 'fbclid', 'msclkid', 'revenue'],
};
