/** Conversion kinds syntax (CLI text and JSON) and spend layout recognition: parsing and one-line errors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conversionEventsFor, conversionKindsFromJson, parseConversionKinds, checkConversionKinds } from '../../common/kinds.ts';
import { parseSpendChannels, resolveSpendLayout } from '../../common/spendLayouts.ts';
import { loadModelLibrary } from '../../worker/node/library.ts';

describe('--conversion-kinds', () => {
  it('reads kinds with windows and value rules; missing settings take the defaults', () => {
    assert.deepEqual(parseConversionKinds('checkout:lookback=7,value=revenue; Signup : lookback = 30 , value=none;lead:value=constant:2.5;purchase'), [
      { name: 'checkout', lookbackDays: 7, value: { rule: 'revenue' } },
      { name: 'signup', lookbackDays: 30, value: { rule: 'none' } },
      { name: 'lead', value: { rule: 'constant', amount: 2.5 } },
      { name: 'purchase', value: { rule: 'revenue' } },
    ]);
  });
  it('the JSON form gives the same kinds (a bare number is a constant)', () => {
    assert.deepEqual(conversionKindsFromJson({ checkout: { lookback: 7, value: 'revenue' }, lead: { value: 2.5 } }, 'k.json'), [
      { name: 'checkout', lookbackDays: 7, value: { rule: 'revenue' } },
      { name: 'lead', value: { rule: 'constant', amount: 2.5 } },
    ]);
    assert.throws(() => conversionKindsFromJson([], 'k.json'), /expected an object of kind name/);
    assert.throws(() => conversionKindsFromJson({ a: 3 }, 'k.json'), /kind 'a': expected an object/);
  });
  it('says what is wrong in one line, naming the item', () => {
    const bad: [string, RegExp][] = [
      ['checkout:lookbak=7', /--conversion-kinds: 'checkout:lookbak=7': unknown setting 'lookbak' \(use lookback=DAYS, value=revenue\|none\|constant:N\)/],
      ['checkout:lookback=a', /lookback must be a number of days, got 'a'/],
      ['checkout:value=margin', /value must be revenue, none or constant:N, got 'margin' \(the importer keeps only the revenue column/],
      ['checkout:value=constant:-1', /constant:N needs a number >= 0, got '-1'/],
      ['checkout:7', /'7' is not setting=value/],
      [':lookback=7', /the kind needs an event name/],
      ['a;A', /kind 'a' is given twice/],
      [' ; ', /no kinds given/],
    ];
    for (const [text, re] of bad) {
      assert.throws(() => parseConversionKinds(text), (e: Error) => re.test(e.message) && !e.message.includes('\n'), text);
    }
  });
  it('windows are range-checked like --lookback-days', () => {
    const conv = loadModelLibrary().get('conversions')!;
    assert.throws(() => checkConversionKinds(conv, parseConversionKinds('checkout:lookback=400')), /conversion kind checkout: lookback_days must be between 1 and 365 days, got 400/);
    checkConversionKinds(conv, parseConversionKinds('checkout:lookback=365'));
  });
  it('conversion events at import: the kinds plus --conversion-events, lower-case, once each', () => {
    assert.deepEqual(conversionEventsFor(parseConversionKinds('checkout;signup'), [' Purchase', 'checkout']), ['checkout', 'signup', 'purchase']);
    assert.deepEqual(conversionEventsFor(parseConversionKinds('checkout'), undefined), ['checkout']);
  });
});

describe('spend layouts', () => {
  it('recognises the Fivetran ad reports by their columns, and the generic layout', () => {
    const cases: [string[], string, Record<string, string | undefined>][] = [
      [['_fivetran_id', 'date', 'clicks', 'cost_micros', 'id', 'impressions'], 'google_ads', { spend: 'cost_micros', campaign: 'id', clicks: 'clicks' }],
      [['date', 'campaign_id', 'ad_distribution', 'clicks', 'impressions', 'spend'], 'microsoft_ads', { spend: 'spend', campaign: 'campaign_id' }],
      [['ad_id', 'date', 'impressions', 'inline_link_clicks', 'spend'], 'facebook_ads', { campaign: undefined, clicks: 'inline_link_clicks' }],
      [['campaign_id', 'day', 'clicks', 'cost_in_local_currency', 'cost_in_usd'], 'linkedin_ads', { date: 'day', spend: 'cost_in_local_currency' }],
      [['date', 'campaign_id', 'campaign_name', 'impression_1', 'clickthrough_1', 'spend_in_micro_dollar'], 'pinterest_ads', { campaign: 'campaign_name', impressions: 'impression_1' }],
      [['date', 'id', 'impressions', 'local_spend_amount', 'taps'], 'apple_search_ads', { clicks: 'taps' }],
      [['campaign_id', 'date', 'campaign_budget_amount', 'clicks', 'cost', 'impressions'], 'amazon_ads', { spend: 'cost' }],
      [['Day', 'Channel', 'Campaign_Name', 'Cost'], 'generic', { date: 'Day', channel: 'Channel', campaign: 'Campaign_Name', spend: 'Cost' }],
    ];
    for (const [header, id, cols] of cases) {
      const r = resolveSpendLayout(header, 'f.csv');
      assert.equal(r.layout.id, id, header.join(','));
      for (const [k, v] of Object.entries(cols)) assert.equal(r.columns[k as keyof typeof r.columns], v, `${id} ${k}`);
    }
    assert.equal(resolveSpendLayout(['date', 'id', 'cost_micros'], 'f').layout.micros, true);
  });
  it('a file of no known layout: one line naming what is needed and what was found', () => {
    assert.throws(() => resolveSpendLayout(['date', 'spend'], 'x.csv'), (e: Error & { where?: { file?: string } }) => {
      assert.match(e.message, /^not a spend file: need columns date, channel and spend .*; found date, spend$/);
      assert.equal(e.where?.file, 'x.csv');
      return true;
    });
  });
  it('--spend-channel maps a platform layout to a channel', () => {
    assert.deepEqual(parseSpendChannels(['google_ads=SEM', 'facebook_ads = paid_social']), { google_ads: 'sem', facebook_ads: 'paid_social' });
    assert.throws(() => parseSpendChannels(['generic=x']), /unknown layout 'generic'/);
    assert.throws(() => parseSpendChannels(['google_ads']), /expected layout=channel/);
  });
});
