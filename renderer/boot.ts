/**
 * Starts the workbench: picks the host bridge (Electron preload or browser),
 * opens the demo notebook (web mode: the bundled sample beside it) and hands
 * over to the App. Errors before the app exists are shown in the page.
 */
import './styles.css';
import type { HostBridge } from '../common/bridge.ts';
import { App } from './app/app.ts';
import { h, replace } from './ui/dom.ts';
import { drawChart } from './ui/chart.ts';

/** Boots the app into `root` with `host`. */
export async function boot(root: HTMLElement, host: HostBridge): Promise<App> {
  performance.mark('aw boot');
  const app = new App(host, root);
  try {
    const demoUrl = new URL('samples/demo.attrib.md', document.baseURI).href;
    const res = await fetch(demoUrl);
    const text = res.ok ? await res.text() : '---\nformat: attribution-notebook/1\ntitle: Untitled\n---\n';
    await app.boot({ text, name: 'demo.attrib.md', baseUrl: demoUrl });
  } catch (e) {
    replace(root, h('div', { class: 'banner err', role: 'alert', style: { margin: '24px' } }, `The workbench could not start: ${(e as Error).message}`));
    throw e;
  }
  (window as unknown as { __workbench: App }).__workbench = app;
  // The chart renderer itself, for test/e2e/privacy-render.test.ts: it draws specs that
  // bypass the cells' sanitiser, to show the loader refuses URLs on its own (S14).
  (window as unknown as { __drawChart: typeof drawChart }).__drawChart = drawChart;
  return app;
}
