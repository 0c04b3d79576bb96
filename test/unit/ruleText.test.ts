/** The rule table's text form of conditions: round trip and one-line errors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatConditions, parseConditions } from '../../common/ruleText.ts';
import { validateRules } from '../../common/rules.ts';

describe('rule condition text', () => {
  it('round-trips every condition of the default rules', () => {
    const rules = validateRules(JSON.parse(readFileSync(new URL('../../models/channel_rules.json', import.meta.url), 'utf8')));
    for (const r of rules.rules) {
      for (const group of [r.all, r.any]) {
        if (!group) continue;
        assert.deepEqual(parseConditions(formatConditions(group)), group, r.id);
      }
    }
  });
  it('reads the written form', () => {
    assert.deepEqual(parseConditions(' utm_source absent ;referrer_host host_in google., bing. ;'), [
      { field: 'utm_source', op: 'absent' },
      { field: 'referrer_host', op: 'host_in', values: ['google.', 'bing.'] },
    ]);
    assert.equal(formatConditions([{ field: 'utm_medium', op: 'in', values: ['cpc', 'ppc'] }, { field: 'gclid', op: 'present' }]), 'utm_medium in cpc,ppc; gclid present');
  });
  it('says what is wrong, naming the condition', () => {
    assert.throws(() => parseConditions('utm_mediun in cpc'), /'utm_mediun in cpc': unknown field utm_mediun/);
    assert.throws(() => parseConditions('utm_medium is cpc'), /unknown operator is/);
    assert.throws(() => parseConditions('utm_medium in'), /in needs at least one value/);
    assert.throws(() => parseConditions('gclid present yes'), /present takes no values/);
  });
});
