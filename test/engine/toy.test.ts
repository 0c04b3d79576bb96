/**
 * eeghor/mta's toy paths, turned into events, checked against its published
 * heuristic credits (first, last, linear, position-based), on both engines.
 * Each path occurrence becomes one person with one session per step, one day
 * apart, converting (or not) a minute after the last step.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { attribute, byChannel, csv, memorySource } from '../helpers.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';

const dir = new URL('../fixtures/peers/toy/', import.meta.url);
const parse = (f: string) => {
  const [head, ...lines] = readFileSync(new URL(f, dir), 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
};

/** Channels of the toy data as utm_medium values that the default rules map back to the same name. */
function eventsFor(dataset: string): string {
  const rows: (string | number)[][] = [];
  let person = 0;
  for (const p of parse('toy_paths.csv').filter((r) => r.dataset === dataset)) {
    const steps = p.path.split('>').map((s) => s.trim());
    const conv = Number(p.total_conversions);
    const valueEach = Number(p.total_conversion_value) / conv;
    for (let k = 0; k < conv + Number(p.total_null); k++) {
      person++;
      steps.forEach((ch, i) => {
        const day = String(i + 1).padStart(2, '0');
        rows.push([`e${person}_${i}`, `2026-01-${day}T10:00:00Z`, 'page_view', `p${person}`, `s${person}_${i}`, ch, '']);
      });
      if (k < conv) rows.push([`c${person}`, `2026-01-${String(steps.length).padStart(2, '0')}T10:01:00Z`, 'purchase', `p${person}`, '', '', valueEach]);
    }
  }
  return csv(['event_id', 'event_ts', 'event_name', 'user_id', 'session_id', 'channel', 'revenue'], rows);
}

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`toy paths, heuristic models (${name})`, () => {
    it('eeghor_conftest: first, last, linear and position-based match the published credits', async () => {
      const models = ['first_touch', 'last_touch', 'linear', 'position_based'];
      const { engine, out } = await attribute(open, memorySource('toy.csv', eventsFor('eeghor_conftest')), { run: { models } });
      try {
        assert.deepEqual(out.rejects, [], 'the generated events are all valid');
        for (const m of models) {
          const expected = Object.fromEntries(
            parse('toy_expected.csv').filter((r) => r.dataset === 'eeghor_conftest' && r.model === m).map((r) => [r.channel, Number(r.conversions)]),
          );
          const got = byChannel(out.channel_summary, m);
          for (const [ch, v] of Object.entries(expected)) assert.ok(Math.abs((got[ch] ?? 0) - v) < 1e-6, `${m} ${ch}: expected ${v}, got ${got[ch]}`);
          assert.ok(Math.abs(Object.values(got).reduce((a, b) => a + b, 0) - 10) < 1e-6, `${m} sums to the 10 conversions`);
          const rev = Object.fromEntries(
            parse('toy_expected.csv').filter((r) => r.dataset === 'eeghor_conftest' && r.model === m).map((r) => [r.channel, Number(r.value)]),
          );
          for (const r of out.channel_summary.filter((x) => x.model === m)) {
            if (rev[String(r.channel)] !== undefined) assert.ok(Math.abs(Number(r.attributed_revenue) - rev[String(r.channel)]) < 1e-5, `${m} ${r.channel} revenue`);
          }
        }
      } finally {
        await engine.close();
      }
    });
  });
}
