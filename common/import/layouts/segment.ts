/**
 * Segment (and RudderStack, which keeps Segment's spec), in two shapes:
 *
 * - the Spec's JSON messages, one per line (an S3/Data Lakes or webhook
 *   dump): `type` (track, page, identify...), `event`, `anonymousId`,
 *   `userId`, `messageId`, `timestamp`, `context.campaign.{source, medium,
 *   name, term, content}`, `context.page.{url, referrer}`,
 *   `properties.{revenue, total, currency}`, flattened by ndjson.ts;
 * - the warehouse tables (`tracks`, `pages`, one table per event):
 *   `anonymous_id`, `context_campaign_*`, `context_page_*`; RudderStack's
 *   Snowflake twins are the same names upper-case (names match
 *   case-insensitively).
 *
 * Read: the event name is `event` on track calls, else the call's `type`
 * (`page`, `identify`); the campaign from `context.campaign` (analytics.js
 * fills it from the page's UTMs; the page URL's own UTMs and click ids count
 * too); revenue from `revenue`, else `total` (Segment's e-commerce spec);
 * an identify call carrying both `anonymousId` and `userId` links the two like
 * any event with both (models/identity.sql), so the device's earlier visits
 * are the user's.
 * Not read: `traits`, `context.referrer` (mobile install referrers) and the
 * other `properties`; an identify call is an event like any other, so it sits
 * in the session of the page views around it.
 */
import type { Preset } from '../columns.ts';

/** The segment layout: its signature columns and where each canonical field comes from. */
export const segment: Preset = {
  id: 'segment',
  label: 'Segment',
  signature: ['anonymous_id', 'context_campaign_source'],
  altSignatures: [['messageid', 'type'], ['anonymous_id', 'context_library_name']],
  shapes: ['Segment warehouse table', 'Segment JSON messages', 'Segment warehouse table'],
  fields: {
    event_id: ['message_id', 'messageid', 'id'],
    event_ts: ['timestamp', 'original_timestamp', 'originaltimestamp', 'received_at', 'receivedat'],
    event_name: ['event', 'event_text', 'type'],
    user_id: ['user_id', 'userid'],
    anon_id: ['anonymous_id', 'anonymousid'],
    utm_source: ['context_campaign_source', 'context.campaign.source'],
    utm_medium: ['context_campaign_medium', 'context.campaign.medium'],
    utm_campaign: ['context_campaign_name', 'context.campaign.name'],
    utm_content: ['context_campaign_content', 'context.campaign.content'],
    utm_term: ['context_campaign_term', 'context.campaign.term'],
    referrer: ['context_page_referrer', 'context.page.referrer', 'referrer', 'properties.referrer'],
    page_url: ['context_page_url', 'context.page.url', 'url', 'properties.url'],
    revenue: ['revenue', 'properties_revenue', 'properties.revenue', 'total', 'properties.total', 'value', 'properties.value'],
    currency: ['currency', 'properties_currency', 'properties.currency'],
  },
  // track calls name the event, page and identify calls only have their type; revenue else total
  coalesce: ['event_name', 'revenue'],
};
