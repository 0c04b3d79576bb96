/**
 * Entry of the Electron main process (bundled to dist/main/main.cjs, the
 * package's "main"). Only works out where things are; startApp does the rest.
 */
import path from 'node:path';
import * as electron from 'electron';
import { startApp } from './app.ts';

// __dirname is dist/main in the bundle (and inside app.asar when packaged).
const here = __dirname;
const root = path.resolve(here, '..', '..');
const packaged = electron.app.isPackaged;
// Tests of the shell may serve another page folder, never a packaged app.
const rendererOverride = !packaged ? process.env.ATTRIB_RENDERER_DIR : undefined;

startApp(electron, {
  rendererDir: rendererOverride ? path.resolve(rendererOverride) : path.resolve(here, '..', 'renderer'),
  preload: path.join(here, 'preload.cjs'),
  engineHost: path.join(here, 'engine-host.cjs'),
  // Packaged: models/ is shipped as an extra resource beside app.asar (readable by the utility process).
  modelsDir: packaged ? path.join(process.resourcesPath, 'models') : path.join(root, 'models'),
  // Packaged: electron-builder.cjs ships build/icons/512x512.png as resources/icon.png (extraResources).
  icon: packaged ? path.join(process.resourcesPath, 'icon.png') : path.join(root, 'build', 'icons', '512x512.png'),
});
