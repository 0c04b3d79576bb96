/**
 * `attrib paths` through the real command: the toy peers' numbers in
 * channel_summary.csv, byte-identical reruns, the inspection files, and
 * one-line errors with exit code 1 (data) or 2 (command line).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-paths-'));
const at = (...p: string[]) => path.join(tmp, ...p);
const read = (...p: string[]) => readFileSync(at(...p), 'utf8');

/** Splits simple CSV text (no quoted fields) into objects. */
function rows(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

// toy_paths.csv holds two datasets; the command takes one path file each.
const toy = rows(readFileSync(path.join(root, 'test/fixtures/peers/toy/toy_paths.csv'), 'utf8'));
const expected = rows(readFileSync(path.join(root, 'test/fixtures/peers/toy/toy_expected.csv'), 'utf8'));
const PEER_MODELS: Record<string, string> = {
  markov_order1_with_null_exact: 'markov',
  first_touch: 'first_touch',
  last_touch: 'last_touch',
  linear: 'linear',
  position_based: 'position_based',
};
const HEADER = 'path,total_conversions,total_conversion_value,total_null';

function writePaths(name: string, dataset: string, reverse = false): string {
  const lines = toy.filter((r) => r.dataset === dataset).map((r) => [r.path, r.total_conversions, r.total_conversion_value, r.total_null].join(','));
  if (reverse) lines.reverse();
  writeFileSync(at(name), [HEADER, ...lines].join('\n') + '\n');
  return at(name);
}

describe('attrib paths on the toy peers', () => {
  before(() => {
    for (const ds of ['eeghor_conftest', 'eeghor_markov']) {
      const r = attrib('paths', '--paths', writePaths(`${ds}.csv`, ds), '--out', at(ds), '--quiet');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '');
    }
    const again = attrib('paths', '--paths', writePaths('reversed.csv', 'eeghor_conftest', true), '--out', at('reversed'), '--quiet');
    assert.equal(again.status, 0, again.stderr);
  });

  it('writes channel_summary.csv with the peers numbers (markov order 1, rule-based per occurrence)', () => {
    let checked = 0;
    for (const ds of ['eeghor_conftest', 'eeghor_markov']) {
      const got = rows(read(ds, 'channel_summary.csv'));
      for (const e of expected.filter((x) => x.dataset === ds && PEER_MODELS[x.model!])) {
        const g = got.find((r) => r.model === PEER_MODELS[e.model!] && r.channel === e.channel);
        assert.ok(g, `${ds} ${e.model} ${e.channel} is in channel_summary.csv`);
        assert.ok(Math.abs(Number(g.attributed_conversions) - Number(e.conversions)) <= 1e-6, `${ds} ${e.model} ${e.channel}: ${g.attributed_conversions} vs ${e.conversions}`);
        assert.ok(Math.abs(Number(g.attributed_revenue) - Number(e.value)) <= 1e-6, `${ds} ${e.model} ${e.channel} revenue`);
        checked++;
      }
    }
    assert.equal(checked, 19);
  });

  it('sorts by model (default order), then channel, and every model credits all conversions', () => {
    const got = rows(read('eeghor_conftest', 'channel_summary.csv'));
    assert.equal(read('eeghor_conftest', 'channel_summary.csv').split('\n')[0], 'model,channel,attributed_conversions,attributed_revenue');
    const models = [...new Set(got.map((r) => r.model))];
    assert.deepEqual(models, ['first_touch', 'last_touch', 'linear', 'position_based', 'markov', 'shapley']);
    for (const m of models) {
      const mine = got.filter((r) => r.model === m);
      assert.deepEqual(mine.map((r) => r.channel), ['direct', 'email', 'search', 'social']);
      const total = mine.reduce((s, r) => s + Number(r.attributed_conversions), 0);
      assert.ok(Math.abs(total - 10) < 1e-8, `${m} sums to ${total}`);
    }
  });

  it('is byte-deterministic: the same paths in another row order give the same three files', () => {
    for (const f of ['channel_summary.csv', 'markov_transitions.csv', 'removal_effects.csv']) {
      assert.equal(read('reversed', f), read('eeghor_conftest', f), f);
    }
  });

  it('writes the transition matrix and removal effects for inspection', () => {
    const t = rows(read('eeghor_conftest', 'markov_transitions.csv'));
    assert.deepEqual(t[0], { order: '1', from: '(start)', to: 'direct', weight: '3', probability: String(Math.round((3 / 17) * 1e10) / 1e10) });
    assert.ok(t.some((r) => r.from === 'social' && r.to === 'email' && r.probability === '1'));
    const re = rows(read('eeghor_conftest', 'removal_effects.csv'));
    assert.deepEqual(re.map((r) => [r.channel, r.removal_effect]), [['direct', '0.2'], ['email', '0.8'], ['search', '0.8'], ['social', String(Math.round((18 / 35) * 1e10) / 1e10)]]);
    assert.ok(re.every((r) => r.conversion_probability === String(Math.round((10 / 17) * 1e10) / 1e10)));
  });
});

describe('attrib paths options', () => {
  it('reads other column names, a separator and TSV; runs order 2, transforms and the direct rule', () => {
    writeFileSync(at('custom.tsv'), 'journey\tconv\tnull_count\nDirect | search | search\t2\t1\nsearch | Direct\t1\t0\ndirect\t4\t4\n');
    const r = attrib('paths', '--paths', at('custom.tsv'), '--out', at('custom'), '--sep', '|', '--path-col', 'journey', '--conversions-col', 'conv',
      '--null-col', 'null_count', '--models', 'last_touch,markov', '--order', '2', '--transforms', 'exposure', '--exclude-direct');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /3 rows, 2 distinct paths after exposure, 2 channels/);
    assert.match(r.stdout, /no total_conversion_value column; read as 0/);
    // Direct rule then exposure: search (2 + 1 conversions, 1 null) and direct (4, 4).
    assert.deepEqual(rows(read('custom', 'channel_summary.csv')).map((x) => [x.model, x.channel, x.attributed_conversions]), [
      ['last_touch', 'direct', '4'], ['last_touch', 'search', '3'], ['markov', 'direct', '4'], ['markov', 'search', '3'],
    ]);
    assert.ok(rows(read('custom', 'markov_transitions.csv')).every((x) => x.order === '2'));
  });

  it('--help, and help paths, print the options', () => {
    for (const args of [['paths', '--help'], ['help', 'paths']]) {
      const r = attrib(...args);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /--transforms t1,t2/);
      assert.match(r.stdout, /--exclude-direct/);
    }
    assert.match(attrib('help').stdout, /attrib paths --paths FILE --out DIR/);
  });

  it('exits 2 with one line for a bad command line, before reading anything', () => {
    const cases: [string[], RegExp][] = [
      [['--out', at('x')], /paths needs --paths FILE/],
      [['--paths', 'nonexistent.csv', '--out', at('x'), '--models', 'linear,time_decay'], /time_decay needs the time of each touch/],
      [['--paths', 'nonexistent.csv', '--out', at('x'), '--order', '4'], /--order must be 1, 2 or 3/],
      [['--paths', 'nonexistent.csv', '--out', at('x'), '--transforms', 'exposure,shuffle'], /unknown path transform 'shuffle'/],
      [['--paths', 'nonexistent.csv', '--out', at('x'), '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, msg] of cases) {
      const r = attrib('paths', ...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  it('exits 1 with file:line:column for a bad row, and for more than 20 channels in shapley', () => {
    writeFileSync(at('bad.csv'), `${HEADER}\na > b,1,10,0\nb > > c,1,1,0\n`);
    const r = attrib('paths', '--paths', at('bad.csv'), '--out', at('bad'));
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), `attrib: bad.csv:3:1: path: step 2 of 'b > > c' is empty (two separators in a row, or one at an end); the separator is '>'`);
    const wide = Array.from({ length: 21 }, (_, i) => `c${i},1,1,0`);
    writeFileSync(at('wide.csv'), [HEADER, ...wide].join('\n') + '\n');
    const w = attrib('paths', '--paths', at('wide.csv'), '--out', at('wide'), '--models', 'linear,shapley');
    assert.equal(w.status, 1);
    assert.match(w.stderr, /^attrib: shapley: the converting paths have 21 channels .* limited to 20/);
    assert.equal(attrib('paths', '--paths', at('wide.csv'), '--out', at('wide'), '--models', 'linear', '--quiet').status, 0);
  });
});
