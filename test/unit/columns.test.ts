/** Presets recognise the usual exports by their columns; --map overrides. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveMapping, parseMapOption, requireCoreColumns } from '../../common/import/columns.ts';
import { zoneOffsets } from '../../common/import/timezone.ts';
import { formatNumber, toCsv } from '../../common/csvWrite.ts';

describe('column mapping and presets', () => {
  const cases: [string, string[], Record<string, string>][] = [
    ['ga4', ['event_date', 'event_timestamp', 'event_name', 'user_pseudo_id', 'user_id', 'ga_session_id', 'collected_traffic_source.manual_source', 'collected_traffic_source.manual_medium', 'collected_traffic_source.manual_campaign_name', 'collected_traffic_source.gclid', 'page_location', 'page_referrer', 'ecommerce.purchase_revenue'],
      { event_ts: 'event_timestamp', anon_id: 'user_pseudo_id', session_id: 'ga_session_id', utm_source: 'collected_traffic_source.manual_source', utm_medium: 'collected_traffic_source.manual_medium', gclid: 'collected_traffic_source.gclid', revenue: 'ecommerce.purchase_revenue', referrer: 'page_referrer', page_url: 'page_location' }],
    ['segment', ['message_id', 'timestamp', 'event', 'user_id', 'anonymous_id', 'context_campaign_source', 'context_campaign_medium', 'context_campaign_name', 'context_page_referrer', 'context_page_url', 'revenue'],
      { event_id: 'message_id', event_ts: 'timestamp', event_name: 'event', anon_id: 'anonymous_id', utm_source: 'context_campaign_source', referrer: 'context_page_referrer' }],
    ['posthog', ['uuid', 'event', 'distinct_id', 'timestamp', '$session_id', 'utm_source', 'utm_medium', '$referrer', '$current_url'],
      { event_id: 'uuid', anon_id: 'distinct_id', session_id: '$session_id', referrer: '$referrer', page_url: '$current_url' }],
    ['mixpanel', ['event', 'time', 'distinct_id', '$device_id', '$user_id', '$insert_id', 'utm_source', '$referrer'],
      { event_ts: 'time', anon_id: '$device_id', user_id: '$user_id', event_id: '$insert_id' }],
    ['snowplow', ['event_id', 'collector_tstamp', 'derived_tstamp', 'event_name', 'domain_userid', 'domain_sessionid', 'user_id', 'mkt_source', 'mkt_medium', 'mkt_campaign', 'page_referrer', 'page_url', 'tr_total'],
      { event_ts: 'derived_tstamp', anon_id: 'domain_userid', session_id: 'domain_sessionid', utm_source: 'mkt_source', utm_campaign: 'mkt_campaign', revenue: 'tr_total' }],
    ['generic', ['Event_Time', 'client_id', 'Event_Type', 'Amount'], { event_ts: 'Event_Time', anon_id: 'client_id', event_name: 'Event_Type', revenue: 'Amount' }],
  ];
  for (const [id, header, expect] of cases) {
    it(`recognises ${id}`, () => {
      const r = resolveMapping(header);
      assert.equal(r.preset.id, id);
      for (const [k, v] of Object.entries(expect)) assert.equal(r.mapping[k as keyof typeof r.mapping], v, k);
    });
  }
  it('GA4 fixes the time unit (µs); Mixpanel leaves it to the magnitude (s, or ms with time_in_ms)', () => {
    assert.equal(resolveMapping(cases[0][1]).preset.timeUnit, 'us');
    assert.equal(resolveMapping(cases[3][1]).preset.timeUnit, undefined);
  });
  // Other shapes of the same vendors' exports, as the importer sees their columns.
  const shapes: [string, string, string[], Record<string, string>, Record<string, string[]>][] = [
    ['Mixpanel raw export (flattened NDJSON)', 'mixpanel', ['event', 'properties.time', 'properties.distinct_id', 'properties.$device_id', 'properties.$user_id', 'properties.$insert_id', 'properties.utm_source', 'properties.$current_url', 'properties.$referrer'],
      { event_ts: 'properties.time', event_id: 'properties.$insert_id', anon_id: 'properties.$device_id', user_id: 'properties.$user_id', utm_source: 'properties.utm_source', page_url: 'properties.$current_url' },
      { anon_id: ['properties.distinct_id'] }],
    ['Mixpanel via Fivetran', 'mixpanel', ['_fivetran_id', 'time', 'name', 'distinct_id', 'device_id', 'insert_id', 'current_url', 'referrer', 'properties'],
      { event_ts: 'time', event_name: 'name', event_id: 'insert_id', anon_id: 'device_id', page_url: 'current_url' }, { anon_id: ['distinct_id'] }],
    ['Segment JSON messages', 'segment', ['type', 'event', 'anonymousId', 'userId', 'messageId', 'timestamp', 'context.campaign.source', 'context.campaign.medium', 'context.campaign.name', 'context.page.url', 'properties.revenue', 'properties.total'],
      { event_id: 'messageId', event_name: 'event', anon_id: 'anonymousId', user_id: 'userId', utm_campaign: 'context.campaign.name', page_url: 'context.page.url', revenue: 'properties.revenue' },
      { event_name: ['type'], revenue: ['properties.total'] }],
    ['RudderStack warehouse, upper case', 'segment', ['ID', 'ANONYMOUS_ID', 'USER_ID', 'EVENT', 'TIMESTAMP', 'CONTEXT_CAMPAIGN_SOURCE', 'CONTEXT_PAGE_URL'],
      { event_id: 'ID', anon_id: 'ANONYMOUS_ID', event_ts: 'TIMESTAMP', utm_source: 'CONTEXT_CAMPAIGN_SOURCE', page_url: 'CONTEXT_PAGE_URL' }, {}],
    ['Segment pages table without campaign columns', 'segment', ['id', 'anonymous_id', 'timestamp', 'context_library_name', 'context_page_url'], { anon_id: 'anonymous_id', page_url: 'context_page_url' }, {}],
    ['PostHog CSV export', 'posthog', ['uuid', 'event', 'distinct_id', 'timestamp', 'properties.$current_url', 'properties.$referrer', 'properties.utm_source'],
      { event_id: 'uuid', anon_id: 'distinct_id', page_url: 'properties.$current_url', referrer: 'properties.$referrer', utm_source: 'properties.utm_source' }, {}],
    ['Amplitude export', 'amplitude', ['$insert_id', 'uuid', 'event_id', 'amplitude_id', 'event_type', 'event_time', 'user_id', 'device_id', 'session_id', 'event_properties.utm_source', 'user_properties.utm_source', 'user_properties.referrer'],
      { event_id: '$insert_id', event_ts: 'event_time', event_name: 'event_type', anon_id: 'device_id', session_id: 'session_id', utm_source: 'event_properties.utm_source', referrer: 'user_properties.referrer' },
      { event_id: ['uuid'], utm_source: ['user_properties.utm_source'] }],
  ];
  for (const [what, id, header, expect, fallbacks] of shapes) {
    it(`recognises ${what} as ${id}`, () => {
      const r = resolveMapping(header);
      assert.equal(r.preset.id, id);
      for (const [k, v] of Object.entries(expect)) assert.equal(r.mapping[k as keyof typeof r.mapping], v, k);
      assert.deepEqual(r.fallbacks, fallbacks);
      // Amplitude's event_id is a counter per device: left unused, never the id
      if (id === 'amplitude') assert.ok(r.unused.includes('event_id'));
    });
  }
  it('fallbacks follow --map: an overridden field has none', () => {
    const r = resolveMapping(['event', 'properties.time', 'properties.distinct_id', 'properties.$device_id'], { overrides: { anon_id: 'properties.distinct_id' } });
    assert.equal(r.mapping.anon_id, 'properties.distinct_id');
    assert.deepEqual(r.fallbacks, {});
  });
  it('--map overrides, case-insensitively; a missing column is a clear error', () => {
    const r = resolveMapping(['when', 'who', 'timestamp'], { overrides: parseMapOption(['event_ts=WHEN', 'anon_id=who']) });
    assert.equal(r.mapping.event_ts, 'when');
    assert.deepEqual(r.unused, ['timestamp']);
    assert.throws(() => resolveMapping(['a'], { overrides: { event_ts: 'nope' }, file: 'f.csv' }), /--map event_ts=nope: the file has no column 'nope'/);
    assert.throws(() => parseMapOption(['evt=x']), /expected field=column/);
    // an empty override is "(none)" in a mapping step: the field stays empty, no alias fills it
    const none = resolveMapping(['event_ts', 'user_id', 'revenue'], { overrides: { revenue: '' } });
    assert.equal(none.mapping.revenue, undefined);
    assert.deepEqual(none.unused, ['revenue']);
    // a file of orders names its own option in the message
    assert.throws(() => resolveMapping(['a'], { presetId: 'orders', overrides: { event_ts: 'Paid' }, file: 'o.csv', mapFlag: '--conversions-map' }), /^AttribError: --conversions-map event_ts=Paid: the file has no column 'Paid' \(columns: a\)$/);
  });
  it('no time or identity column is refused naming the columns', () => {
    assert.throws(() => requireCoreColumns(resolveMapping(['a', 'b']), ['a', 'b'], 'f.csv'), /no time column.*columns: a, b/);
    assert.throws(() => requireCoreColumns(resolveMapping(['ts']), ['ts'], 'f.csv'), /no identity column/);
  });
});

describe('time zones without ICU', () => {
  it('UTC is one row; Berlin has +1 in winter and +2 in summer', () => {
    assert.deepEqual(zoneOffsets('UTC').map((r) => r.offset_us), [0]);
    const b = zoneOffsets('Europe/Berlin');
    const at = (localIso: string) => {
      const us = Date.parse(localIso + 'Z') * 1000;
      return b.filter((r) => r.local_from_us <= us).at(-1)!.offset_us / 3.6e9;
    };
    assert.equal(at('2024-01-15T12:00:00'), 1);
    assert.equal(at('2024-07-15T12:00:00'), 2);
    assert.equal(at('2024-03-31T03:30:00'), 2); // just after the spring-forward gap
    assert.throws(() => zoneOffsets('Mars/Olympus'), /not a known IANA time zone/);
  });
});

describe('CSV output', () => {
  it('rounds to 10 decimals without exponents and quotes when needed', () => {
    assert.equal(formatNumber(1 / 3), '0.3333333333');
    assert.equal(formatNumber(0.1 + 0.2), '0.3');
    assert.equal(formatNumber(1e-12), '0');
    assert.equal(formatNumber(-0), '0');
    assert.equal(formatNumber(12345678.5), '12345678.5');
    assert.equal(toCsv(['a', 'b'], [{ a: 'x,"y"', b: 2 }]), 'a,b\n"x,""y""",2\n');
  });
});
