/**
 * `attrib web`: the workbench page in the user's browser, served from this
 * machine, with the engine running natively in this process (or duckdb-wasm
 * in the page). `npm start` runs it when there is no Electron binary.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AttribError } from '../common/errors.ts';
import { numberOption, parseCommand } from './args.ts';
import { loadModelLibrary, MODELS_DIR } from '../worker/node/library.ts';
import { startWebServer, type WebEngine } from './web/server.ts';

/** `attrib web --help`. */
export const WEB_HELP = `attrib web [--engine native|wasm] [--port N] [--data FILE ...]

Serves the workbench page on http://127.0.0.1:PORT and prints its link,
which carries a token made for this launch: open that link (the page then
keeps the token in a cookie). Requests without the token, from another
site, or under another host name are refused.

Options:
  --engine native|wasm   native (default): DuckDB runs in this process and the
                         page talks to it over a WebSocket; wasm: duckdb-wasm in the page
  --port N               default $PORT or 5178; 0 picks a free one
  --data FILE            a data file the page may open (repeatable); files
                         chosen in the page's picker are uploaded to this server
  --dir DIR              the page's build (default dist/renderer of this checkout)
  --memory-limit SIZE    DuckDB's memory limit per page (native), e.g. 8GB

Nothing leaves this machine: the server listens on 127.0.0.1 only.
Ctrl+C stops it.`;

/** Runs the server until the process is stopped; returns an exit code only on a bad start. */
export async function webCommand(args: string[]): Promise<number> {
  const o = parseCommand('web', args, {
    engine: { type: 'string' },
    port: { type: 'string' },
    data: { type: 'string', multiple: true },
    dir: { type: 'string' },
    'memory-limit': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (o.help) {
    console.log(WEB_HELP);
    return 0;
  }
  const engine = (o.engine ?? 'native') as WebEngine;
  if (engine !== 'native' && engine !== 'wasm') throw new AttribError('bad_parameter', `--engine must be native or wasm, got '${o.engine}'`);
  if (engine === 'wasm' && o.data?.length) throw new AttribError('bad_parameter', '--data needs the native engine (the wasm engine opens the files chosen in the page)');
  const port = numberOption('port', o.port ?? process.env.PORT) ?? 5178;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AttribError('bad_parameter', `--port must be a port number (0 to 65535), got '${o.port ?? process.env.PORT}'`);
  const root = path.resolve(o.dir ?? path.join(path.dirname(MODELS_DIR), 'dist/renderer'));
  if (!existsSync(path.join(root, 'index.html'))) throw new AttribError('file_unreadable', 'the page is not built: run npm run build (or npm start, which builds it)', { file: root });
  const memoryLimit = o['memory-limit'];
  const server = await startWebServer({
    root,
    engine,
    port,
    data: o.data ?? [],
    library: loadModelLibrary(),
    openDatabase: async () => (await import('../worker/native/database.ts')).openNativeDatabase(memoryLimit ? { memoryLimit } : {}),
    log: (line) => console.error(`attrib web: ${line}`),
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE') throw new AttribError('bad_parameter', `port ${port} is in use: pass --port (or set PORT) to another one, or 0 for a free one`);
    throw e;
  });
  console.log(`Attribution Workbench (${engine} engine): ${server.url}`);
  console.log('Open that link; it carries this launch\'s token. Ctrl+C stops the server.');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
