/**
 * `attrib attribute --fraud-max-repeats N`: fraud_dropped.csv, hand-checked;
 * with the filter off (0, or a window given with 0) the files are
 * byte-identical to a run without the option; one-line errors.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-cli-fraud-'));
const read = (...p: string[]) => readFileSync(path.join(tmp, ...p), 'utf8');

// bot: 8 clicks on 'promo' 30 s apart, each its own session, then a purchase; a person with one email visit buys too
const lines = ['event_id,event_ts,event_name,anon_id,session_id,utm_source,utm_medium,utm_campaign,revenue'];
for (let i = 1; i <= 8; i++) lines.push(`b${i},2026-01-10T12:0${Math.floor((i - 1) / 2)}:${(i - 1) % 2 ? '30' : '00'}Z,page_view,bot,s${i},fb,paid_social,promo,`);
lines.push('b9,2026-01-10T13:00:00Z,purchase,bot,,,,,40', 'p1,2026-01-10T09:00:00Z,page_view,p,sp,news,email,,', 'p2,2026-01-10T10:00:00Z,purchase,p,,,,,10');

describe('attrib attribute --fraud-max-repeats', () => {
  before(() => writeFileSync(path.join(tmp, 'events.csv'), lines.join('\n') + '\n'));
  const run = (out: string, ...extra: string[]) => {
    const r = attrib('attribute', '--events', path.join(tmp, 'events.csv'), '--out', path.join(tmp, out), '--models', 'linear', ...extra);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  it('off: byte-identical to a run without the option, and no fraud_dropped.csv', () => {
    run('plain', '--quiet');
    run('zero', '--quiet', '--fraud-max-repeats', '0', '--fraud-window-minutes', '3');
    assert.deepEqual(readdirSync(path.join(tmp, 'zero')).sort(), readdirSync(path.join(tmp, 'plain')).sort());
    for (const f of readdirSync(path.join(tmp, 'plain'))) assert.equal(read('zero', f), read('plain', f), f);
    assert.equal(existsSync(path.join(tmp, 'zero', 'fraud_dropped.csv')), false);
  });
  it('on: the 6th to 8th clicks are dropped, on both engines alike; linear credit follows', () => {
    const stdout = run('native', '--fraud-max-repeats', '5');
    run('wasm', '--quiet', '--fraud-max-repeats', '5', '--engine', 'wasm');
    assert.match(stdout, /fraud filter: dropped 3 campaign touch event\(s\); wrote .*fraud_dropped\.csv/);
    assert.equal(read('native', 'fraud_dropped.csv'), [
      'event_id,person_key,anon_id,campaign,event_ts,repeats_in_window',
      'b6,anon:bot,bot,promo,2026-01-10T12:02:30.000000Z,6',
      'b7,anon:bot,bot,promo,2026-01-10T12:03:00.000000Z,7',
      'b8,anon:bot,bot,promo,2026-01-10T12:03:30.000000Z,8',
    ].join('\n') + '\n');
    for (const f of readdirSync(path.join(tmp, 'native'))) assert.equal(read('wasm', f), read('native', f), f);
    // all-paid_social either way (the bot has no other channel), so its sessions go from 8 to 5
    assert.match(read('plain', 'conversions.csv'), /b9,anon:bot,[^,]+,40,attributed,8,/);
    assert.match(read('native', 'conversions.csv'), /b9,anon:bot,[^,]+,40,attributed,5,/);
  });
  it('a wrong value is one line naming the option or parameter, exit code 2', () => {
    for (const [args, msg] of [
      [['--fraud-max-repeats', 'many'], "attrib: --fraud-max-repeats must be a number, got 'many'\n"],
      [['--fraud-max-repeats', '2.5'], 'attrib: touches: fraud_max_repeats must be a whole number, got 2.5\n'],
      [['--fraud-window-minutes', '5'], 'attrib: --fraud-window-minutes needs --fraud-max-repeats N\n'],
    ] as const) {
      const r = attrib('attribute', '--events', path.join(tmp, 'events.csv'), '--out', path.join(tmp, 'bad'), ...args);
      assert.deepEqual([r.status, r.stderr], [2, msg]);
    }
  });
});
