/** What a run sends back: the notebook's live runs ('summary') carry no paths or Markov chain, the CLI's ('all') everything. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forOutputs } from '../../common/engine.ts';
import type { DataDrivenResult } from '../../common/dataDriven.ts';

const result = {
  models: ['markov', 'shapley'],
  order: 1,
  transforms: [],
  paths: [{ path: ['email', 'paid_search'], conversions: 3, nonConversions: 1, value: 30 }],
  markov: {
    order: 1,
    states: [['email'], ['paid_search']],
    expectedVisits: [1, 1],
    transitions: [{ from: '(start)', to: 'email', weight: 4 }],
    conversionProbability: 0.75,
    expectedValue: 7.5,
    channels: [{ channel: 'email', removalEffect: 1 }],
    totalConversions: 3,
    totalValue: 30,
  },
  shapley: { channels: [] },
} as unknown as DataDrivenResult;

describe('forOutputs', () => {
  it('keeps only the removal effects for a summary run', () => {
    const s = forOutputs(result, 'summary')!;
    assert.deepEqual(s.paths, []);
    assert.equal(s.shapley, undefined);
    assert.deepEqual(s.markov!.channels, result.markov!.channels, 'what the inspector shows stays');
    assert.deepEqual([s.markov!.states, s.markov!.transitions, s.markov!.expectedVisits], [[], [], []]);
    assert.equal(s.markov!.conversionProbability, 0.75);
    assert.deepEqual(s.models, ['markov', 'shapley']);
    assert.ok(JSON.stringify(s).length < JSON.stringify(result).length);
  });

  it('leaves everything for a full run, and nothing to trim alone', () => {
    assert.equal(forOutputs(result, 'all'), result);
    assert.equal(forOutputs(result, undefined), result);
    assert.equal(forOutputs(undefined, 'summary'), undefined);
    const noMarkov = { ...result, markov: undefined, models: ['shapley'] } as DataDrivenResult;
    assert.equal(forOutputs(noMarkov, 'summary')!.markov, undefined);
  });
});
