/**
 * Entry of the engine utility process (bundled to dist/main/engine-host.cjs,
 * started by main with utilityProcess.fork). Everything is in engineHost.ts.
 */
import { parseHostArgs, runEngineHost, type ParentPortLike } from './engineHost.ts';

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!parentPort) {
  console.error('engine-host: start me from the Electron main process (utilityProcess.fork); there is no parentPort here');
  process.exit(2);
} else {
  try {
    runEngineHost(parentPort, parseHostArgs(process.argv));
  } catch (e) {
    console.error(`engine-host: cannot start: ${(e as Error).message}`);
    process.exit(3);
  }
}
