/**
 * Help > About in the desktop app: a native message box. Pure, so a Node test
 * can check its text (test/unit/packaging.test.ts); app.ts shows it.
 */
import type { MessageBoxOptions } from 'electron';
import type { AppInfo } from '../common/electronApi.ts';

/** The About box for `info`: the app and its version (package.json's, via app.getVersion()), then the runtime's versions. */
export function aboutBoxOptions(info: AppInfo): MessageBoxOptions {
  return {
    type: 'info',
    title: `About ${info.name}`,
    message: `${info.name} ${info.version}`,
    detail: `Electron ${info.electron}\nChromium ${info.chrome}\nNode ${info.node}\nEngine: native DuckDB (utility process)\n\nOffline marketing attribution. Your data never leaves this computer.`,
    buttons: ['OK'],
  };
}
