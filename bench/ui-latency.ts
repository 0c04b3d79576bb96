/**
 * Live tweaking latency in web mode: the demo notebook on the 1M-event
 * export (bench/data/bench_1m.parquet) in headless Chromium on the wasm
 * engine; each slider move is timed from the input event to the repainted
 * credit chart (the chart's new SVG in the page, after the next frame).
 * Prints median and 90th percentile per slider. Target: median <= 150 ms.
 *
 * Usage: tsx bench/ui-latency.ts [--file bench/data/bench_1m.parquet] [--moves 21]
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { openApp, skipReason, DIST } from '../test/e2e/harness.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { file: { type: 'string' }, moves: { type: 'string' } }, strict: false });

/** Median and 90th percentile. */
function stats(xs: number[]): { median: number; p90: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))] };
}

export async function uiLatency(opts: { file?: string; moves?: number } = {}): Promise<void> {
  const file = path.resolve(opts.file ?? (values.file as string | undefined) ?? path.join(repo, 'bench/data/bench_1m.parquet'));
  const moves = opts.moves ?? Number(values.moves ?? 21);
  if (skipReason) {
    console.log(`ui latency: skipped (${skipReason})`);
    return;
  }
  if (!existsSync(file)) {
    console.log(`ui latency: skipped (${file} is missing: run npm run bench first, it generates it)`);
    return;
  }
  if (!existsSync(path.join(DIST, 'index.html'))) spawnSync(process.execPath, [path.join(repo, 'scripts/webbuild.mjs')], { stdio: 'inherit' });
  // The built page with the demo notebook pointed at the big export.
  const root = mkdtempSync(path.join(tmpdir(), 'attrib-uibench-'));
  // copies, not links: the server refuses files that resolve outside its root
  for (const f of readdirSync(DIST)) if (f !== 'samples') cpSync(path.join(DIST, f), path.join(root, f), { recursive: true });
  mkdirSync(path.join(root, 'samples'));
  cpSync(file, path.join(root, 'samples', path.basename(file)));
  const demo = readFileSync(path.join(repo, 'samples/demo.attrib.md'), 'utf8').replace('"path": "sample.parquet"', `"path": "${path.basename(file)}"`);
  if (!demo.includes(path.basename(file))) throw new Error('could not point the demo notebook at the export');
  writeFileSync(path.join(root, 'samples/demo.attrib.md'), demo);
  const app = await openApp('', { root });
  app.page.on('crash', () => console.log('ui latency: the page crashed (out of memory?)'));
  app.page.on('close', () => console.log('ui latency: the page closed'));
  try {
    const t0 = Date.now();
    await app.page.waitForFunction(() => document.querySelectorAll('.status.done').length >= 7 && !document.querySelector('.status.running, .status.queued'), null, { timeout: 240_000, polling: 1000 }).catch(async (e) => {
      const cells = await app.page.evaluate(() => Array.from(document.querySelectorAll('.cell')).map((c) => `${c.getAttribute('data-kind')}: ${c.querySelector('.status-text')?.textContent ?? ''} ${c.querySelector('.error-box')?.textContent ?? ''}`.trim()).join('; ')).catch(() => '(page gone)');
      console.log(`ui latency: the notebook did not finish: ${cells} ${app.pageErrors.concat(app.consoleErrors).slice(0, 3).join(' | ')}`);
      throw e;
    });
    const events = await app.page.locator('[data-kind=data] .status-text').textContent();
    console.log(`ui latency: ${path.basename(file)} opened and every cell ran in ${((Date.now() - t0) / 1000).toFixed(1)} s (${events})`);
    // Every engine request of a move, timed from the page (printed for the last move of each slider).
    await app.page.evaluate(() => {
      const g = globalThis as unknown as { __trace: string[]; __workbench: { session: { client: { call: (...a: unknown[]) => { result: Promise<unknown> } } } } };
      g.__trace = [];
      // main-thread work of 50 ms or more, which delays every engine answer behind it
      new PerformanceObserver((l) => l.getEntries().forEach((e) => g.__trace.push(`long task ${e.duration.toFixed(0)} ms at +${e.startTime.toFixed(0)}`))).observe({ entryTypes: ['longtask'] });
      const client = g.__workbench.session.client;
      const call = client.call.bind(client);
      client.call = (...a: unknown[]) => {
        const t = performance.now();
        const r = call(...a);
        const args = a[1] as { sql?: string; table?: string };
        const what = `${String(a[0])} ${(args?.sql ?? args?.table ?? '').replace(/\s+/g, ' ').slice(0, 60)}`;
        r.result.then(() => g.__trace.push(`${(performance.now() - t).toFixed(0).padStart(5)} ms (+${t.toFixed(0)}) ${what}`), () => g.__trace.push(`failed ${what}`));
        return r;
      };
    });
    const results: Record<string, number[]> = {};
    for (const [param, valuesCycle] of [['half_life_days', [1, 3, 7, 14, 5, 2]], ['lookback_days', [7, 14, 30, 60, 45, 21]]] as const) {
      const times: number[] = [];
      for (let i = 0; i < moves; i++) {
        const v = valuesCycle[i % valuesCycle.length];
        await app.page.evaluate(() => ((globalThis as unknown as { __trace: string[] }).__trace = []));
        const ms = await app.page.evaluate(async ({ param, v }) => {
          const cell = Array.from(document.querySelectorAll('[data-kind=param]')).find((c) => c.textContent?.includes(`$${param}`))!;
          const input = cell.querySelector('input[type=range]') as HTMLInputElement;
          const chart = document.querySelector('[data-kind=chart] .chart-wrap')!;
          // (no named helper functions in here: the bundler would wrap them in a helper the page lacks)
          const before = Array.from(chart.querySelectorAll('svg [aria-roledescription=bar]')).map((e) => e.getAttribute('aria-label')).join('|');
          return new Promise<number>((resolve) => {
            // done when the chart shows other numbers, i.e. the new credits are drawn
            const obs = new MutationObserver(() => {
              if (Array.from(chart.querySelectorAll('svg [aria-roledescription=bar]')).map((e) => e.getAttribute('aria-label')).join('|') === before) return;
              obs.disconnect();
              requestAnimationFrame(() => resolve(performance.now() - t));
            });
            obs.observe(chart, { childList: true });
            const t = performance.now();
            (globalThis as unknown as { __trace: string[] }).__trace.push(`input at +${t.toFixed(0)}`);
            input.value = String(v);
            input.dispatchEvent(new Event('input', { bubbles: true }));
          });
        }, { param, v });
        times.push(ms);
        await app.page.waitForFunction(() => !document.querySelector('.status.running, .status.queued'), null, { timeout: 120_000 });
      }
      results[param] = times;
      // where the last move's time went: each cell's own run time, as its status line shows it
      const cells = await app.page.evaluate(() => Array.from(document.querySelectorAll('.cell')).map((c) => `${c.querySelector('.cell-name')?.getAttribute('value') || c.getAttribute('data-kind')}: ${c.querySelector('.status-text')?.textContent ?? ''}`).filter((t) => /ms|s$/.test(t)).join(', '));
      console.log(`ui latency: ${param}: last move per cell: ${cells}`);
      if (process.env.UI_TRACE) console.log((await app.page.evaluate(() => (globalThis as unknown as { __trace: string[] }).__trace)).join('\n'));
    }
    console.log('slider            moves  median ms  p90 ms   (target: median <= 150 ms)');
    for (const [p, t] of Object.entries(results)) {
      const s = stats(t);
      console.log(`${p.padEnd(18)}${String(t.length).padStart(5)}${s.median.toFixed(0).padStart(11)}${s.p90.toFixed(0).padStart(8)}`);
    }
  } finally {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await uiLatency();
