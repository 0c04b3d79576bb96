/**
 * `attrib attribute` on 2M events of Parquet as a user runs it, a whole
 * process (start, import, the five default models, the four files written),
 * beside the floor (bench/floor.mjs: node, DuckDB and one hand-written query
 * of the same credits) as a process: issue 14's target is <= 1.5x. Runs are
 * interleaved, median of `times` each; CPU time (user + sys, GNU time) is
 * printed too, as it moves less than wall time on a shared machine.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../samples/generate.ts';
import { useBuilt } from '../cli/launch.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const EVENTS = 2_000_000;
const FIVE = new Set(['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based']);

type Run = { wall: number; cpu: number; totals: Map<string, number[]> };

/** One process timed from spawn to exit; its CPU from GNU time where installed (NaN without). */
function timed(args: string[]): { wall: number; cpu: number; stdout: string } {
  const gnu = existsSync('/usr/bin/time');
  const tmp = mkdtempSync(path.join(tmpdir(), 'aw-bench-cpu-'));
  try {
    const t = performance.now();
    const r = gnu
      ? spawnSync('/usr/bin/time', ['-o', path.join(tmp, 't'), '-f', '%U %S', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })
      : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
    const wall = (performance.now() - t) / 1000;
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stderr}`);
    const cpu = gnu ? readFileSync(path.join(tmp, 't'), 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number).reduce((a, b) => a + b, 0) : NaN;
    return { wall, cpu, stdout: r.stdout };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** model|channel -> [conversions, revenue] */
type Totals = Map<string, number[]>;

function attribRun(file: string): Run {
  const out = mkdtempSync(path.join(tmpdir(), 'aw-bench-cli-'));
  try {
    const r = timed([path.join(root, 'cli', 'attrib.mjs'), 'attribute', '--events', file, '--out', out, '--quiet']);
    const files = ['channel_summary.csv', 'credits.csv', 'conversions.csv', 'rejects.csv'];
    if (!files.every((f) => existsSync(path.join(out, f)))) throw new Error('attrib attribute did not write its four files');
    const [head, ...lines] = readFileSync(path.join(out, 'channel_summary.csv'), 'utf8').trim().split('\n');
    const cols = head.split(',');
    const totals: Totals = new Map();
    for (const l of lines) {
      const row = Object.fromEntries(l.split(',').map((v, i) => [cols[i], v]));
      totals.set(`${row.model}|${row.channel}`, [Number(row.attributed_conversions), Number(row.attributed_revenue)]);
    }
    return { wall: r.wall, cpu: r.cpu, totals };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function floorRun(file: string): Run {
  const r = timed([path.join(here, 'floor.mjs'), file]);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!).summary as { model: string; channel: string; attributed_conversions: number; attributed_revenue: number }[];
  return { wall: r.wall, cpu: r.cpu, totals: new Map(summary.filter((x) => FIVE.has(x.model)).map((x) => [`${x.model}|${x.channel}`, [x.attributed_conversions, x.attributed_revenue]])) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmt = (x: number) => x.toFixed(2).padStart(9);

/** Largest difference between the two processes' channel totals (Infinity when their channels differ). */
function maxDiff(a: Totals, b: Totals): number {
  if (a.size !== b.size) return Infinity;
  let d = 0;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w) return Infinity;
    d = Math.max(d, Math.abs(v[0] - w[0]), Math.abs(v[1] - w[1]));
  }
  return d;
}

/** Prints the comparison; generates bench_2m.parquet in `dataDir` when missing. */
export async function cliParquet(dataDir: string, times = 3): Promise<void> {
  const file = path.join(dataDir, 'bench_2m.parquet');
  if (!existsSync(file)) await generate({ events: EVENTS, outDir: dataDir, name: 'bench_2m', formats: ['parquet'] });
  const built = useBuilt(path.join(root, 'dist/cli/main.mjs'), ['cli', 'common', 'worker'].map((d) => path.join(root, d)));
  const ours: Run[] = [];
  const floor: Run[] = [];
  // interleaved, so a busy spell on a shared machine does not fall on one side only
  for (let i = 0; i < times; i++) {
    ours.push(attribRun(file));
    floor.push(floorRun(file));
  }
  const row = (name: string, runs: Run[]) =>
    console.log(`${name.padEnd(52)}${fmt(median(runs.map((r) => r.wall)))}${fmt(Math.min(...runs.map((r) => r.wall)))}${fmt(median(runs.map((r) => r.cpu)))}`);
  console.log(`\n## 2,000,000 events from Parquet: whole processes, median of ${times} (attrib attribute: start, import, five default models, four files)`);
  console.log(`${'process'.padEnd(52)}${'median s'.padStart(9)}${'best s'.padStart(9)}${'cpu s'.padStart(9)}`);
  row(`attrib attribute (${built ? 'built CLI, dist/cli' : 'sources through tsx: the build is stale, npm run build:cli'})`, ours);
  row('floor: node + DuckDB, one hand-written query', floor);
  const ratio = median(ours.map((r) => r.wall)) / median(floor.map((r) => r.wall));
  const cpuRatio = median(ours.map((r) => r.cpu)) / median(floor.map((r) => r.cpu));
  console.log(`attrib / floor: ${ratio.toFixed(2)}x wall (median), ${cpuRatio.toFixed(2)}x CPU; target <= 1.5x: ${ratio <= 1.5 ? 'met' : 'missed'}; ` +
    `same channel totals as the floor (max abs diff): ${maxDiff(ours.at(-1)!.totals, floor.at(-1)!.totals).toExponential(1)}`);
}
