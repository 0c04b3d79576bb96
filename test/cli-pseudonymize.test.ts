/**
 * `attrib keygen` and `--pseudonymize --key-file` through the real command
 * (trust.md section 4.2, P1-P4): every file the commands write, and what they
 * print, is searched for every raw identifier of the privacy fixture (none
 * may be there); the pseudonyms are Node's HMAC of the ids; the key file is
 * private and never overwritten; mistakes are one line.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsvText } from './helpers.ts';
import { PII_DEVICES, PII_EMAILS, PII_FIXTURE, piiNeedles } from './privacyFixture.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-pseudo-'));
const at = (...p: string[]) => path.join(tmp, ...p);
const FIXTURE = path.relative(root, PII_FIXTURE);

const emails = PII_EMAILS;
const needles = piiNeedles(true);
const rows = (text: string) => {
  const [head, ...body] = parseCsvText(text).filter((r) => r.length > 1 || r[0] !== '');
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
};
/** The raw identifiers found in every file under `dir` and in the extra texts. */
function leaks(dir: string, ...texts: string[]): string[] {
  const hits: string[] = [];
  const all = [...readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]), ...texts.map((t, i) => [`output ${i}`, t])];
  for (const [name, text] of all) for (const n of needles) if (text.toLowerCase().includes(n.toLowerCase())) hits.push(`${name}: ${n}`);
  return hits;
}

describe('attrib --pseudonymize', () => {
  let key: Buffer;
  before(() => {
    const r = attrib('keygen', '--out', at('project.key'));
    assert.equal(r.status, 0, r.stderr);
    key = Buffer.from(/attrib-key-v1 ([0-9a-f]{64})/.exec(readFileSync(at('project.key'), 'utf8'))![1], 'hex');
    assert.match(r.stdout, /^wrote a new key to .*project\.key \(key id [0-9a-f]{16}\)\n$/);
    assert.ok(!r.stdout.includes(key.toString('hex')), 'keygen does not print the key');
  });

  it('keygen writes a private file and never overwrites one', () => {
    if (process.platform !== 'win32') assert.equal(statSync(at('project.key')).mode & 0o777, 0o600);
    const before = readFileSync(at('project.key'), 'utf8');
    const r = attrib('keygen', '--out', at('project.key'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /project\.key: the file exists: keygen never overwrites a key/);
    assert.equal(readFileSync(at('project.key'), 'utf8'), before);
  });

  it('attribute, audit and sweep write no raw identifier on either engine; the pseudonyms are the HMAC', () => {
    const outputs: string[] = [];
    for (const engine of ['native', 'wasm']) {
      for (const [cmd, more] of [['attribute', ['--models', 'all']], ['audit', []], ['sweep', ['--lookbacks', '7,30', '--half-lives', '3']]] as const) {
        const out = at(`${cmd}-${engine}`);
        const r = attrib(cmd, '--events', FIXTURE, '--out', out, '--engine', engine, '--pseudonymize', '--key-file', at('project.key'), ...more);
        assert.equal(r.status, 0, r.stderr);
        outputs.push(r.stdout, r.stderr);
        assert.deepEqual(leaks(out, r.stdout, r.stderr), [], `${cmd} ${engine}`);
        assert.ok(readdirSync(out).length >= 1);
      }
      assert.match(outputs.at(-6)!, /pseudonymised with key [0-9a-f]{16}: user_id \(user_id\), anon_id \(anonymous_id\), e-mail addresses/);
    }
    // P2: the people are the keyed hashes of the fixture's ids (user_id when known, else the device)
    const hmac = (v: string) => createHmac('sha256', key).update(v).digest('hex');
    const people = new Set(rows(readFileSync(at('attribute-native', 'conversions.csv'), 'utf8')).map((r) => r.person_key));
    const known = new Set([...emails.map((e) => hmac(e.toLowerCase())), ...PII_DEVICES.map(hmac)]);
    assert.equal(people.size, 6);
    for (const p of people) assert.ok(known.has(p), `${p} is not a pseudonym of a fixture id`);
    // the same bytes from both engines
    for (const f of readdirSync(at('attribute-native'))) assert.equal(readFileSync(at('attribute-wasm', f), 'utf8'), readFileSync(at('attribute-native', f), 'utf8'), f);
    // the rejects still say what is wrong and where
    const rejects = rows(readFileSync(at('attribute-native', 'rejects.csv'), 'utf8'));
    assert.deepEqual(rejects.map((r) => `${r.line} ${r.reason}`), ['44 invalid_timestamp', '45 invalid_revenue', '46 ragged_row']);
    assert.ok(rejects[0].raw.includes(hmac('grace.h@example.com')));
  });

  it('gives the channel totals of a plain run (HMAC is one-to-one on ids)', () => {
    const r = attrib('attribute', '--events', FIXTURE, '--out', at('plain'), '--models', 'all', '--quiet');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(at('attribute-native', 'channel_summary.csv'), 'utf8'), readFileSync(at('plain', 'channel_summary.csv'), 'utf8'));
    // and the plain run does hold the raw ids: the search above can find them
    assert.notDeepEqual(leaks(at('plain')), []);
  });

  it('refuses missing, unreadable or malformed keys and stray flags with one line', () => {
    writeFileSync(at('bad.key'), 'attrib-key-v1 1234\n');
    writeFileSync(at('open.key'), readFileSync(at('project.key')));
    if (process.platform !== 'win32') chmodSync(at('open.key'), 0o644);
    const cases: [string[], number, RegExp][] = [
      [['--pseudonymize'], 2, /--pseudonymize needs --key-file FILE/],
      [['--key-file', at('project.key')], 2, /--key-file needs --pseudonymize/],
      [['--pseudonymize', '--key-file', at('none.key')], 1, /none\.key: no such key file/],
      [['--pseudonymize', '--key-file', at('bad.key')], 1, /bad\.key: not a pseudonymisation key file/],
    ];
    for (const [flags, status, msg] of cases) {
      const r = attrib('attribute', '--events', FIXTURE, '--out', at('x'), ...flags);
      assert.equal(r.status, status, r.stderr);
      assert.match(r.stderr, msg);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    if (process.platform !== 'win32') {
      const r = attrib('attribute', '--events', FIXTURE, '--out', at('open'), '--quiet', '--pseudonymize', '--key-file', at('open.key'));
      assert.equal(r.status, 0);
      assert.match(r.stderr, /open\.key can be read by other users \(chmod 600/);
    }
  });
});
