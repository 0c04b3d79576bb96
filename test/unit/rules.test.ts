/** The channel rule compiler: validation messages, literal quoting, first match wins. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, validateRules, type RuleSet } from '../../common/rules.ts';
import { loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';

const set = (rules: unknown[]): RuleSet => ({ format: 'attribution-channel-rules/1', rules }) as RuleSet;

describe('channel rule compiler', () => {
  it('the default rule file is valid and follows spec section 3 in order', () => {
    const r = loadRules();
    // spec section 3, plus Google's two auto-tags (issue 12): dclid (a display ad click) right after the
    // search click ids; srsltid (Merchant Center's organic listings) after the UTM mediums, before referrers
    assert.deepEqual(r.rules.map((x) => x.channel), ['paid_search', 'display', 'paid_search', 'paid_social', 'email', 'affiliate', 'display', 'organic_shopping', 'direct', 'organic_search', 'organic_social', 'referral', 'other']);
    assert.deepEqual(r.rules.map((x) => x.id).slice(0, 2), ['click_id_search', 'click_id_display']);
    assert.equal(r.rules[7].id, 'merchant_listing');
  });
  it('refuses bad rules with a message naming the rule', () => {
    assert.throws(() => validateRules({ format: 'x', rules: [] }), /unknown rule file format/);
    assert.throws(() => validateRules(set([{ id: 'a', channel: 'Paid Search', all: [{ field: 'utm_medium', op: 'present' }] }])), /rule 1 \(a\): "channel" must be lower-case/);
    assert.throws(() => validateRules(set([{ id: 'a', channel: 'x', all: [{ field: 'utm_mediumm', op: 'present' }] }])), /unknown field 'utm_mediumm'/);
    assert.throws(() => validateRules(set([{ id: 'a', channel: 'x', all: [{ field: 'utm_medium', op: 'in' }] }])), /needs a non-empty "values"/);
    assert.throws(() => validateRules(set([{ id: 'a', channel: 'x', all: [{ field: 'utm_medium', op: 'regex', values: ['('] }] }])), /bad regex/);
    assert.throws(() => validateRules(set([{ id: 'a', channel: 'x' }])), /at least one condition/);
    assert.throws(() => validateRules(set([{ id: 'a', channel: 'x', any: [{ field: 'gclid', op: 'present' }] }, { id: 'a', channel: 'y', any: [{ field: 'gclid', op: 'present' }] }])), /used twice/);
  });
  it('quotes values as literals: a quote in a rule value cannot break out', async () => {
    const rules = validateRules(set([
      { id: 'q', channel: 'quoted', all: [{ field: 'utm_campaign', op: 'in', values: ["it's'); DROP TABLE e; --"] }] },
      { id: 'c', channel: 'spring', all: [{ field: 'utm_campaign', op: 'contains', values: ['spring'] }] },
      { id: 'r', channel: 'brand', all: [{ field: 'utm_term', op: 'regex', values: ['^acme( |$)'] }] },
    ]));
    const c = compileRules(rules);
    const db = await openNativeDatabase();
    try {
      await db.run(`CREATE TABLE e AS SELECT * FROM (VALUES
        (1, 'it''s''); drop table e; --', NULL), (2, 'big spring sale', NULL), (3, NULL, 'acme shoes'), (4, NULL, 'acmeshoes')) t(k, utm_campaign, utm_term)`);
      await db.run(`ALTER TABLE e ADD COLUMN channel_explicit VARCHAR`);
      const rows = await db.all(`SELECT k, ${c.channel} AS ch, ${c.rule} AS rule FROM e ORDER BY k`);
      assert.deepEqual(rows.map((r) => [r.ch, r.rule]), [['quoted', 'q'], ['spring', 'c'], ['brand', 'r'], ['direct', 'fallback']]);
    } finally {
      await db.close();
    }
  });
  it('a rule file may name its fallback channel and display labels (the fractribution preset does)', () => {
    const r = loadRules(new URL('../../models/presets/snowplow_fractribution_rules.json', import.meta.url).pathname);
    assert.equal(r.fallback, 'unmatched_channel');
    assert.equal(r.labels?.organic_search, 'Organic_Search');
    assert.match(compileRules(r).channel, /ELSE 'unmatched_channel' END$/);
    assert.match(compileRules(loadRules()).channel, /ELSE 'direct' END$/);
    assert.throws(() => validateRules({ ...set([]), fallback: 'Unmatched' }), /"fallback" must be a channel id/);
    assert.throws(() => validateRules({ ...set([]), labels: { Direct: 'Direct' } }), /labels: 'Direct' is not a channel id/);
    assert.throws(() => validateRules({ ...set([]), labels: { direct: '' } }), /must be a non-empty string/);
  });
  it('disabled rules are skipped', () => {
    const c = compileRules(validateRules(set([{ id: 'a', channel: 'x', enabled: false, any: [{ field: 'gclid', op: 'present' }] }])));
    assert.ok(!c.channel.includes("'x'"));
  });
});
