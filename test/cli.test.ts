/**
 * The headless contract (spec section 8) through the real `attrib` command:
 * the four files, byte-identical across engines and runs, CSV equal to
 * Parquet, one-line errors with non-zero exit codes, --help everywhere.
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
const FILES = ['channel_summary.csv', 'credits.csv', 'conversions.csv', 'rejects.csv'];
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-cli-'));
const read = (dir: string, f: string) => readFileSync(path.join(tmp, dir, f), 'utf8');

describe('attrib attribute on the committed sample', () => {
  before(() => {
    for (const [dir, file, engine] of [['pq-native', 'sample.parquet', 'native'], ['pq-wasm', 'sample.parquet', 'wasm'], ['csv-native', 'sample.csv', 'native'], ['csv-wasm', 'sample.csv', 'wasm'], ['pq-native-2', 'sample.parquet', 'native']]) {
      const r = attrib('attribute', '--events', `samples/${file}`, '--out', path.join(tmp, dir), '--engine', engine, '--models', 'all');
      assert.equal(r.status, 0, r.stderr);
    }
  });
  it('writes the four files with the spec columns', () => {
    const heads = FILES.map((f) => read('pq-native', f).split('\n')[0]);
    assert.deepEqual(heads, [
      'model,channel,attributed_conversions,attributed_revenue,conversion_kind',
      'conversion_id,person_key,model,channel,credit,attributed_revenue,conversion_kind',
      'conversion_id,person_key,conversion_ts,value,touch_status,touches,conversion_kind',
      'file,row_number,reason,raw,line,detail',
    ]);
    for (const f of FILES) assert.ok(read('pq-native', f).split('\n').length > 3, `${f} has rows`);
  });
  it('native and wasm write byte-identical files; a second run too', () => {
    for (const f of FILES) {
      assert.equal(read('pq-wasm', f), read('pq-native', f), `${f}: wasm = native (Parquet)`);
      assert.equal(read('csv-wasm', f), read('csv-native', f), `${f}: wasm = native (CSV)`);
      assert.equal(read('pq-native-2', f), read('pq-native', f), `${f}: same inputs, same bytes`);
    }
  });
  it('CSV and Parquet of the same data give the same numbers and the same rejected rows', () => {
    for (const f of ['channel_summary.csv', 'credits.csv', 'conversions.csv']) assert.equal(read('csv-native', f), read('pq-native', f), f);
    const rejects = (dir: string) => read(dir, 'rejects.csv').trim().split('\n').slice(1).map((l) => l.split(',').slice(1, 3).join(','));
    assert.deepEqual(rejects('csv-native'), rejects('pq-native'));
    const reasons = new Set(rejects('pq-native').map((r) => r.split(',')[1]));
    assert.deepEqual([...reasons].sort(), ['duplicate_event_id', 'invalid_revenue', 'invalid_timestamp', 'missing_identity']);
  });
  it('every conversion carries exactly one unit of credit per model (participation apart)', () => {
    const sums = new Map<string, number>();
    for (const line of read('pq-native', 'credits.csv').trim().split('\n').slice(1)) {
      const [cid, , model, , credit] = line.split(',');
      if (model !== 'participation') sums.set(`${cid}|${model}`, (sums.get(`${cid}|${model}`) ?? 0) + Number(credit));
    }
    const conversions = read('pq-native', 'conversions.csv').trim().split('\n').length - 1;
    assert.equal(sums.size, conversions * 8);
    for (const [k, v] of sums) assert.ok(Math.abs(v - 1) < 1e-9, `${k} sums to ${v}`);
  });
});

describe('attrib errors and help', () => {
  it('a corrupt Parquet file: one line naming the file, exit 1, no stack trace', () => {
    const r = attrib('attribute', '--events', 'test/fixtures/badinputs/parquet_broken__garbledfooter.parquet', '--out', path.join(tmp, 'x'));
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^attrib: parquet_broken__garbledfooter\.parquet: not a readable Parquet file/);
  });
  it('a missing file, an unknown model and a bad parameter', () => {
    let r = attrib('attribute', '--events', 'nope.csv', '--out', tmp);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^attrib: nope\.csv: no such file\n$/);
    r = attrib('attribute', '--events', 'samples/tiny.csv', '--out', tmp, '--models', 'linear,magic');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown model 'magic'/);
    r = attrib('attribute', '--events', 'samples/tiny.csv', '--out', tmp, '--lookback-days', '400');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /lookback_days must be between 1 and 365 days, got 400/);
    r = attrib('attribute', '--events', 'samples/tiny.csv', '--out', tmp, '--half-life-days', '0');
    assert.match(r.stderr, /half_life_days must be between 0.01 and 365/);
    r = attrib('attribute', '--events', 'samples/tiny.csv', '--out', tmp, '--models', 'custom', '--param', 'custom.first_weight=0.9');
    assert.match(r.stderr, /must sum to 1/);
    r = attrib('attribute', '--bogus');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Unknown option '--bogus'/);
  });
  it('a bad rule file names the rule', () => {
    const f = path.join(tmp, 'rules.json');
    writeFileSync(f, JSON.stringify({ format: 'attribution-channel-rules/1', rules: [{ id: 'x', channel: 'Bad Name', any: [{ field: 'gclid', op: 'present' }] }] }));
    const r = attrib('attribute', '--events', 'samples/tiny.csv', '--out', tmp, '--rules', f);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /rules\.json: rule 1 \(x\): "channel" must be lower-case/);
  });
  it('--help for every command, with parameters from the model headers', () => {
    const a = attrib('attribute', '--help');
    assert.equal(a.status, 0);
    assert.match(a.stdout, /--lookback-days N/);
    assert.match(a.stdout, /session_timeout_minutes \(double, default 30 minutes \[1\.\.1440\]\)/);
    assert.match(attrib('help').stdout, /attrib attribute --events FILE --out DIR/);
    assert.match(attrib('models').stdout, /time_decay \(v1, credit\).*\n +half_life_days \(double, default 7 days \[0\.01\.\.365\]\)/);
    assert.match(attrib('models', '--help').stdout, /Lists every bundled model/);
    assert.match(attrib('presets').stdout, /ga4 +GA4 BigQuery export/);
    assert.match(attrib('presets', '--help').stdout, /import presets/);
  });
});

describe('attrib on damaged Parquet data pages (valid footer)', () => {
  // samples/tiny.parquet with 64 bytes overwritten in the middle of its data pages: DuckDB
  // fails while decoding, parquet-wasm panics inside a microtask; both must end in one line.
  const bytes = readFileSync(path.join(root, 'samples/tiny.parquet'));
  const at = Math.floor(bytes.length / 2);
  bytes.fill(0xff, at, at + 64);
  const dir = mkdtempSync(path.join(tmpdir(), 'aw-parquet-'));
  const file = path.join(dir, 'damaged.parquet');
  writeFileSync(file, bytes);
  for (const engine of ['native', 'wasm']) {
    it(`${engine}: exit 1, one line naming the file, no stack trace`, () => {
      const r = attrib('attribute', '--events', file, '--out', path.join(dir, 'out-' + engine), '--engine', engine);
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /damaged\.parquet: not a readable Parquet file \(.+\).*export it again$/);
      assert.doesNotMatch(r.stderr, /at .*\.(ts|js|mjs):\d+/);
    });
  }
});
