/**
 * The options beyond spec section 8 through the real `attrib` command:
 * conversion kinds, click proof, spend, comparison, report tables and the
 * sweep; their files, byte-identical across engines; one-line errors.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-cli-extras-'));
const read = (...p: string[]) => readFileSync(path.join(tmp, ...p), 'utf8');
const head = (...p: string[]) => read(...p).split('\n')[0];
const FT = 'test/fixtures/datasets/fivetran_ad_reporting';
const OUT_FILES = ['channel_summary.csv', 'credits.csv', 'conversions.csv', 'rejects.csv', 'spend_report.csv', 'campaign_report.csv', 'spend_rejects.csv', 'model_comparison.csv'];
const REPORT_FILES = ['first_touch_attribution.csv', 'last_touch_attribution.csv', 'client_journeys.csv', 'channel_performance.csv', 'top_paths.csv', 'time_to_convert.csv', 'touches_to_convert.csv'];

describe('attrib attribute with kinds, click proof, spend, comparison and reports', () => {
  before(() => {
    // a spend file in the generic layout for the sample's channels and campaigns
    writeFileSync(path.join(tmp, 'spend.csv'), 'date,channel,campaign,spend,impressions,clicks\n2026-02-01,paid_search,brand_search,120.5,4000,300\n2026-02-01,email,welcome_series,0,,\n2026-02-02,display,,80,9000,45\n2026-02-03,paid_search,,bad,,\n');
    for (const engine of ['native', 'wasm']) {
      const r = attrib('attribute', '--events', 'samples/tiny.csv', '--out', path.join(tmp, engine), '--engine', engine, '--quiet',
        '--models', 'first_touch,last_touch,linear,time_decay', '--conversion-kinds', 'purchase:lookback=14,value=revenue;signup:lookback=30,value=constant:5',
        '--click-proof', '--spend', path.join(tmp, 'spend.csv'), '--spend', `${FT}/google_ads_campaign_stats_data.csv`, '--spend-channel', 'google_ads=paid_search',
        '--compare', 'last_touch', '--report', path.join(tmp, engine, 'report'));
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '', '--quiet');
    }
  });
  it('writes every file, with conversion_kind appended to the spec columns', () => {
    for (const f of OUT_FILES) assert.ok(existsSync(path.join(tmp, 'native', f)), f);
    for (const f of REPORT_FILES) assert.ok(existsSync(path.join(tmp, 'native', 'report', f)), f);
    assert.equal(head('native', 'channel_summary.csv'), 'model,channel,attributed_conversions,attributed_revenue,conversion_kind');
    assert.equal(head('native', 'conversions.csv'), 'conversion_id,person_key,conversion_ts,value,touch_status,touches,conversion_kind,has_click_proof');
    assert.equal(head('native', 'spend_report.csv'), 'model,channel,attributed_conversions,attributed_revenue,spend,impressions,clicks,roas,cpa,note,conversion_kind');
    assert.equal(head('native', 'campaign_report.csv'), 'model,channel,campaign,attributed_conversions,attributed_revenue,spend,impressions,clicks,roas,cpa,note,conversion_kind');
    assert.equal(head('native', 'model_comparison.csv'),
      'model,channel,baseline_model,attributed_conversions,baseline_conversions,delta,delta_pct,attributed_revenue,baseline_revenue,revenue_delta,revenue_delta_pct,conversion_kind');
    assert.equal(head('native', 'report', 'client_journeys.csv'), 'conversion_id,person_key,journey_length_days,touches,channels,total_revenue,conversion_kind');
    assert.equal(head('native', 'report', 'top_paths.csv'), 'rank,path,steps,conversions,revenue,share_of_conversions,conversion_kind');
  });
  it('native and wasm write byte-identical files', () => {
    for (const f of OUT_FILES) assert.equal(read('wasm', f), read('native', f), f);
    for (const f of REPORT_FILES) assert.equal(read('wasm', 'report', f), read('native', 'report', f), f);
  });
  it('spend: the bad row is a reject; spend per channel adds the files up; ROAS = revenue / spend', () => {
    assert.match(read('native', 'spend_rejects.csv'), /^file,row_number,reason,raw,line,detail\nspend\.csv,4,invalid_spend,"2026-02-03,paid_search,,bad,,",5,"spend 'bad' is not a number/);
    const rows = read('native', 'spend_report.csv').trim().split('\n').slice(1).map((l) => l.split(','));
    const ps = rows.find((r) => r[0] === 'last_touch' && r[1] === 'paid_search' && r[10] === 'purchase')!;
    // 120.5 (generic) + 231.33 (Google, cost_micros / 1e6) = 351.83
    assert.equal(ps[4], '351.83');
    assert.ok(Math.abs(Number(ps[7]) - Number(ps[3]) / 351.83) < 1e-9, 'roas = revenue / spend');
    assert.ok(Math.abs(Number(ps[8]) - 351.83 / Number(ps[2])) < 1e-9, 'cpa = spend / conversions');
    assert.ok(rows.some((r) => r[1] === 'email' && r[9] === 'spend is 0' && r[7] === '' && r[8] === ''));
    assert.ok(rows.some((r) => r[10] === 'signup' && r[2] === '0'), 'a kind without conversions still gets its spend rows');
  });
  it('the comparison has every model x channel, the baseline at delta 0', () => {
    const rows = read('native', 'model_comparison.csv').trim().split('\n').slice(1).map((l) => l.split(','));
    const channels = new Set(rows.map((r) => r[1]));
    assert.equal(rows.length, 4 * channels.size);
    for (const r of rows.filter((x) => x[0] === 'last_touch')) assert.equal(r[5], '0');
  });
});

describe('attrib sweep', () => {
  it('writes sweep.csv for the grid; cell (30, 7) equals attribute --models time_decay', () => {
    let r = attrib('sweep', '--events', 'samples/tiny.csv', '--out', path.join(tmp, 'sweep'), '--lookbacks', '7,30', '--half-lives', '3,7');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 lookbacks x 2 half-lives, journeys built once for 30 days/);
    r = attrib('attribute', '--events', 'samples/tiny.csv', '--out', path.join(tmp, 'td'), '--models', 'time_decay', '--quiet');
    assert.equal(r.status, 0, r.stderr);
    const lines = read('sweep', 'sweep.csv').trim().split('\n');
    assert.equal(lines[0], 'lookback_days,half_life_days,channel,attributed_conversions,attributed_revenue,conversion_kind');
    const cell = lines.filter((l) => l.startsWith('30,7,')).map((l) => l.split(',').slice(2));
    const run = read('td', 'channel_summary.csv').trim().split('\n').slice(1).map((l) => l.split(',').slice(1));
    assert.equal(cell.length, run.length);
    cell.forEach((c, i) => {
      assert.equal(c[0], run[i][0]);
      for (const k of [1, 2]) assert.ok(Math.abs(Number(c[k]) - Number(run[i][k])) < 1e-8, `${c[0]}: ${c[k]} vs ${run[i][k]}`);
    });
  });
  it('checks the grid before reading data; --help', () => {
    let r = attrib('sweep', '--events', 'samples/tiny.csv', '--out', tmp, '--lookbacks', '7,400');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^attrib: --lookbacks: lookback_days must be between 1 and 365 days, got 400\n$/);
    r = attrib('sweep', '--events', 'samples/tiny.csv', '--out', tmp, '--half-lives', 'x');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--half-lives must be numbers separated by commas/);
    assert.match(attrib('sweep', '--help').stdout, /--lookbacks a,b/);
    assert.match(attrib('help', 'sweep').stdout, /journeys are\s+built once|built once for the largest lookback/);
  });
});

describe('attrib attribute: errors in the new options are one line, before any data is read', () => {
  const base = ['attribute', '--events', 'samples/tiny.csv', '--out', path.join(tmp, 'err')];
  const cases: [string[], number, RegExp][] = [
    [['--conversion-kinds', 'checkout:lookbak=7'], 2, /^attrib: --conversion-kinds: 'checkout:lookbak=7': unknown setting 'lookbak'/],
    [['--conversion-kinds', 'checkout:lookback=400'], 2, /conversion kind checkout: lookback_days must be between 1 and 365 days, got 400/],
    [['--conversion-kinds', '@nope.json'], 2, /^attrib: nope\.json: cannot read the conversion kinds file/],
    [['--compare', 'linear', '--models', 'first_touch'], 2, /--compare linear: the baseline must be one of the models run/],
    [['--spend-channel', 'tiktok=paid_social'], 2, /unknown layout 'tiktok'/],
    [['--spend', 'samples/tiny.csv'], 1, /^attrib: tiny\.csv: not a spend file: need columns date, channel and spend/],
    [['--spend', 'missing.csv'], 1, /^attrib: missing\.csv: no such file/],
  ];
  for (const [args, code, re] of cases) {
    it(args.join(' '), () => {
      const r = attrib(...base, ...args);
      assert.equal(r.status, code, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, re);
    });
  }
  it('--help lists the new options', () => {
    const h = attrib('attribute', '--help').stdout;
    for (const o of ['--conversion-kinds', '--click-proof', '--spend FILE', '--spend-channel', '--compare MODEL', '--report DIR']) assert.ok(h.includes(o), o);
    assert.match(attrib('help').stdout, /attrib sweep --events FILE --out DIR/);
  });
  it('a JSON kinds file works like the text form', () => {
    const f = path.join(tmp, 'kinds.json');
    writeFileSync(f, JSON.stringify({ purchase: { lookback: 14, value: 'revenue' } }));
    let r = attrib(...base, '--conversion-kinds', `@${f}`, '--out', path.join(tmp, 'kj'), '--quiet');
    assert.equal(r.status, 0, r.stderr);
    r = attrib(...base, '--conversion-kinds', 'purchase:lookback=14', '--out', path.join(tmp, 'kt'), '--quiet');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(read('kj', 'credits.csv'), read('kt', 'credits.csv'));
  });
});
