/**
 * Live tweaking latency in web mode (headless Chromium), on each engine (native
 * behind `attrib web`'s server, wasm in the page; `--engine` picks one), each
 * figure printed beside its target (issue 14, section 2):
 *
 * - the demo notebook on the bundled 20k-event sample: time from navigation
 *   to its first chart drawn (engine start, import and models included),
 *   median of `--demo-runs` fresh page loads (fresh profile each);
 * - the demo notebook on the 1M-event export (bench/data/bench_1m.parquet):
 *   `--moves` half-life moves, lookback moves and channel-rule edits (a rule
 *   toggled on and off), each timed from the input event to the credit chart
 *   showing other numbers (its bars' labels changed, after the next frame);
 *   median and 90th percentile;
 * - dragging: input events every 16 ms for 4 s on each slider, counting how
 *   often the chart showed new numbers meanwhile (repaints per second).
 *
 * With UI_TRACE=1 it also prints, for the last move of each kind, the
 * engine's requests and SQL statements (worker/browser/trace.ts) and each
 * cell's run on the page's timeline (performance.measure in app.ts).
 *
 * Usage: tsx bench/ui-latency.ts [--file bench/data/bench_1m.parquet] [--moves 20] [--demo-runs 3] [--skip-demo] [--skip-sliders] [--skip-rules] [--engine native|wasm]
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { openApp, CHROMIUM, DIST, type App } from '../test/e2e/harness.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));

/** Targets of issue 14, section 2: a move within 100 ms on the native engine, 150 ms on wasm. */
export const TARGETS = { firstChartMs: 2000, moveMs: { native: 100, wasm: 150 }, repaintsPerSecond: 5 };

/** The page's engines: native behind `attrib web`'s server, wasm in the page. */
export type UiEngine = 'native' | 'wasm';

/** Median and 90th percentile. */
function stats(xs: number[]): { median: number; p90: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)], p90: s[Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)] };
}

const verdict = (ok: boolean) => (ok ? 'met' : 'missed');

/** The engine worker's trace and the page's cell measures, on the page's timeline (UI_TRACE). */
async function printTrace(app: App, since: number): Promise<void> {
  const worker = app.page.workers().find((w) => /engine\.worker/.test(w.url()));
  const page = await app.page.evaluate((since) => ({
    origin: performance.timeOrigin,
    cells: performance.getEntriesByType('measure').filter((m) => m.startTime >= since).map((m) => ({ what: m.name, at: m.startTime, ms: m.duration })),
    charts: performance.getEntriesByName('aw chart drawn').filter((m) => m.startTime >= since).map((m) => m.startTime),
  }), since);
  const lines: [number, string][] = page.cells.map((c) => [c.at, `page   ${c.ms.toFixed(0).padStart(5)} ms  ${c.what}`]);
  for (const t of page.charts) lines.push([t, 'page          chart drawn']);
  if (worker) {
    type Entry = { what: string; at: number; ms: number };
    const t = await worker.evaluate(() => ({ origin: performance.timeOrigin, ...(globalThis as unknown as { __awTrace: { start: Entry[]; requests: Entry[]; statements: Entry[] } }).__awTrace }));
    const shift = t.origin - page.origin;
    for (const [kind, list] of [['start', t.start], ['request', t.requests], ['sql', t.statements]] as const) {
      for (const e of list) {
        if (e.at + shift >= since) lines.push([e.at + shift, `${kind.padEnd(7)}${e.ms.toFixed(0).padStart(5)} ms  ${e.what.slice(0, 110)}`]);
      }
    }
  }
  lines.sort((a, b) => a[0] - b[0]);
  console.log(lines.map(([at, l]) => `  +${at.toFixed(0).padStart(6)}  ${l}`).join('\n'));
}

/** Time from navigation to the demo notebook's first chart drawn, on the 20k sample (a fresh profile each time). */
async function demoFirstChart(runs: number, engine: UiEngine): Promise<number | undefined> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const app = await openApp('', { engine });
    try {
      await app.page.waitForFunction(() => performance.getEntriesByName('aw chart drawn').length > 0, null, { timeout: 240_000, polling: 50 });
      times.push(await app.page.evaluate(() => performance.getEntriesByName('aw chart drawn')[0].startTime));
      if (process.env.UI_TRACE && i === runs - 1) {
        console.log(`ui latency: where the demo's first chart's time went (last of ${runs} loads):`);
        await printTrace(app, 0);
      }
    } finally {
      await app.close();
    }
  }
  const s = stats(times);
  console.log(`demo first chart (20k sample, ${engine}), ${runs} loads: median ${s.median.toFixed(0)} ms (runs ${times.map((t) => t.toFixed(0)).join(', ')}); target <= ${TARGETS.firstChartMs} ms: ${verdict(s.median <= TARGETS.firstChartMs)}`);
  return s.median;
}

/**
 * One move: `act` runs in the page (sets an input and dispatches its event);
 * resolves with ms from that event to the credit chart showing other bars.
 */
function timeMove(page: Page, act: { param?: string; value?: number; rule?: string }): Promise<number> {
  return page.evaluate(async ({ param, value, rule }) => {
    const chart = document.querySelector('[data-kind=chart] .chart-wrap')!;
    const labels = () => Array.from(chart.querySelectorAll('svg [aria-roledescription=bar]')).map((e) => e.getAttribute('aria-label')).join('|');
    const before = labels();
    return new Promise<number>((resolve) => {
      // done when the chart shows other numbers, i.e. the new credits are drawn (a new chart or
      // the same one's marks changed in place)
      const obs = new MutationObserver(() => {
        if (labels() === before) return;
        obs.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - t));
      });
      obs.observe(chart, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
      const t = performance.now();
      if (rule) {
        const box = document.querySelector(`input[aria-label="rule ${rule} enabled"]`) as HTMLInputElement;
        box.checked = !box.checked;
        box.dispatchEvent(new Event('change', { bubbles: true }));
      } else {
        const cell = Array.from(document.querySelectorAll('[data-kind=param]')).find((c) => c.textContent?.includes(`$${param}`))!;
        const input = cell.querySelector('input[type=range]') as HTMLInputElement;
        input.value = String(value);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
  }, act);
}

/** Drags a slider for `ms` (an input event every 16 ms, sweeping its range); returns repaints per second. */
function drag(page: Page, param: string, ms: number): Promise<{ repaints: number; perSecond: number }> {
  return page.evaluate(async ({ param, ms }) => {
    const chart = document.querySelector('[data-kind=chart] .chart-wrap')!;
    const labels = () => Array.from(chart.querySelectorAll('svg [aria-roledescription=bar]')).map((e) => e.getAttribute('aria-label')).join('|');
    const cell = Array.from(document.querySelectorAll('[data-kind=param]')).find((c) => c.textContent?.includes(`$${param}`))!;
    const input = cell.querySelector('input[type=range]') as HTMLInputElement;
    const [min, max, step] = [Number(input.min), Number(input.max), Number(input.step) || 1];
    let last = labels();
    let repaints = 0;
    const obs = new MutationObserver(() => {
      const now = labels();
      if (now !== last) {
        last = now;
        repaints++;
      }
    });
    obs.observe(chart, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
    const t0 = performance.now();
    let v = Number(input.value);
    let dir = 1;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (performance.now() - t0 >= ms) {
          clearInterval(timer);
          resolve();
          return;
        }
        // a pointer moving steadily: one step per event, back at either end
        if (v + dir * step > max || v + dir * step < min) dir = -dir;
        v += dir * step;
        input.value = String(v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, 16);
    });
    const elapsed = performance.now() - t0;
    obs.disconnect();
    return { repaints, perSecond: repaints / (elapsed / 1000) };
  }, { param, ms });
}

/** The slider moves, rule edits and drags on the 1M-event export. */
async function sliders(file: string, moves: number, withRules: boolean, engine: UiEngine): Promise<void> {
  if (!existsSync(file)) {
    console.log(`ui latency: skipped (${file} is missing: run npm run bench first, it generates it)`);
    return;
  }
  // The built page with the demo notebook pointed at the big export.
  const root = mkdtempSync(path.join(tmpdir(), 'attrib-uibench-'));
  // copies, not links: the server refuses files that resolve outside its root
  for (const f of readdirSync(DIST)) if (f !== 'samples') cpSync(path.join(DIST, f), path.join(root, f), { recursive: true });
  mkdirSync(path.join(root, 'samples'));
  cpSync(file, path.join(root, 'samples', path.basename(file)));
  const demo = readFileSync(path.join(repo, 'samples/demo.attrib.md'), 'utf8').replace('"path": "sample.parquet"', `"path": "${path.basename(file)}"`);
  if (!demo.includes(path.basename(file))) throw new Error('could not point the demo notebook at the export');
  writeFileSync(path.join(root, 'samples/demo.attrib.md'), demo);
  const app = await openApp('', { root, engine });
  // tsx keeps function names with a helper (__name) the page lacks: functions passed to evaluate use it
  await app.page.evaluate('globalThis.__name = (f) => f');
  app.page.on('crash', () => console.log('ui latency: the page crashed (out of memory?)'));
  try {
    const t0 = Date.now();
    const settled = () => app.page.waitForFunction(() => document.querySelectorAll('.status.done').length >= 7 && !document.querySelector('.status.running, .status.queued'), null, { timeout: 240_000, polling: 100 });
    await settled().catch(async (e) => {
      const cells = await app.page.evaluate(() => Array.from(document.querySelectorAll('.cell')).map((c) => `${c.getAttribute('data-kind')}: ${c.querySelector('.status-text')?.textContent ?? ''} ${c.querySelector('.error-box')?.textContent ?? ''}`.trim()).join('; ')).catch(() => '(page gone)');
      console.log(`ui latency: the notebook did not finish: ${cells} ${app.pageErrors.concat(app.consoleErrors).slice(0, 3).join(' | ')}`);
      throw e;
    });
    const events = await app.page.locator('[data-kind=data] .status-text').textContent();
    console.log(`ui latency: ${path.basename(file)} opened and every cell ran in ${((Date.now() - t0) / 1000).toFixed(1)} s (${events})`);
    const kinds: [string, { param?: string; value?: number; rule?: string }[]][] = [
      ['half-life', [1, 3, 7, 14, 5, 2].map((value) => ({ param: 'half_life_days', value }))],
      ['lookback', [7, 14, 30, 60, 45, 21].map((value) => ({ param: 'lookback_days', value }))],
    ];
    // a rule toggled off and on again: each edit changes which channel the touches get
    if (withRules) kinds.push(['rule edit', [{ rule: 'medium_email' }]]);
    const results: [string, number[]][] = [];
    for (const [kind, cycle] of kinds) {
      const times: number[] = [];
      let since = 0;
      for (let i = 0; i < moves; i++) {
        since = await app.page.evaluate(() => performance.now());
        times.push(await timeMove(app.page, cycle[i % cycle.length]));
        await settled();
      }
      results.push([kind, times]);
      if (process.env.UI_TRACE) {
        console.log(`ui latency: ${kind}: the last move, on the page's timeline:`);
        await printTrace(app, since);
      }
    }
    console.log(`${`1M events, ${engine}`.padEnd(20)}${'moves'.padStart(6)}${'median ms'.padStart(11)}${'p90 ms'.padStart(8)}`);
    for (const [kind, t] of results) {
      const s = stats(t);
      console.log(`${kind.padEnd(20)}${String(t.length).padStart(6)}${s.median.toFixed(0).padStart(11)}${s.p90.toFixed(0).padStart(8)}   target <= ${TARGETS.moveMs[engine]} ms: ${verdict(s.median <= TARGETS.moveMs[engine] && s.p90 <= TARGETS.moveMs[engine])}`);
    }
    for (const param of ['half_life_days', 'lookback_days']) {
      const d = await drag(app.page, param, 4000);
      await settled();
      console.log(`dragging (${engine}) ${param.padEnd(15)} ${d.repaints} repaints in 4 s: ${d.perSecond.toFixed(1)} per second   target >= ${TARGETS.repaintsPerSecond}/s: ${verdict(d.perSecond >= TARGETS.repaintsPerSecond)}`);
    }
  } finally {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Every live-tweaking figure of issue 14 section 2 beside its target (see the file's comment). */
export async function uiLatency(opts: { file?: string; moves?: number; demoRuns?: number; skipDemo?: boolean; skipSliders?: boolean; skipRules?: boolean; engines?: UiEngine[] } = {}): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`ui latency: skipped (no Chromium at ${CHROMIUM}; set CHROMIUM_PATH)`);
    return;
  }
  // a page older than its sources would measure old code
  const build = spawnSync(process.execPath, ['-e', "import('./scripts/webbuild.mjs').then((m) => process.exit(m.ensureWebBuild() ? 0 : 1))"], { cwd: repo, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the web build failed');
  const engines = opts.engines ?? ['native', 'wasm'];
  if (!opts.skipDemo) for (const engine of engines) await demoFirstChart(opts.demoRuns ?? 3, engine);
  if (!opts.skipSliders) {
    for (const engine of engines) await sliders(path.resolve(opts.file ?? path.join(repo, 'bench/data/bench_1m.parquet')), opts.moves ?? 20, !opts.skipRules, engine);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { file: { type: 'string' }, moves: { type: 'string' }, 'demo-runs': { type: 'string' }, 'skip-demo': { type: 'boolean' }, 'skip-sliders': { type: 'boolean' }, 'skip-rules': { type: 'boolean' }, engine: { type: 'string' } },
  });
  const engine = values.engine;
  if (engine !== undefined && engine !== 'native' && engine !== 'wasm') throw new Error(`--engine must be native or wasm, got '${engine}'`);
  await uiLatency({
    file: values.file, moves: values.moves ? Number(values.moves) : undefined, demoRuns: values['demo-runs'] ? Number(values['demo-runs']) : undefined,
    skipDemo: values['skip-demo'], skipSliders: values['skip-sliders'], skipRules: values['skip-rules'], engines: engine ? [engine] : undefined,
  });
}
