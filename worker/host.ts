/**
 * An engine host: serves protocol requests from one port with one engine.
 * Used by the browser Web Worker, Node worker threads and the Electron
 * utility process alike; only how a FileRef becomes a FileSource differs.
 */
import { AttribError, toPlainError } from '../common/errors.ts';
import { Engine, type AttributionEngine } from '../common/engine.ts';
import type { Database } from '../common/db.ts';
import type { ModelLibrary } from '../common/pipeline.ts';
import { isToHost, type FileRef, type FromHost, type Request } from '../common/protocol.ts';
import type { FileSource } from '../common/import/source.ts';
import type { Port } from '../common/client.ts';
import { checkDiffConfig } from '../common/ruleDiff.ts';

/**
 * Serves an engine on `port`. Requests run one at a time, in order; cancel acts at once: the
 * running request is interrupted, and a request still waiting its turn never starts (it answers
 * `cancelled`), so a superseded run is dropped, never queued behind the one in flight.
 */
export function serveEngine(
  port: Port,
  makeEngine: (onProgress: (done: number, total: number, label: string) => void) => AttributionEngine,
  toSource: (f: FileRef) => FileSource,
): void {
  let queue: Promise<void> = Promise.resolve();
  let running: number | undefined;
  // requests received and not yet started: a cancel for one of them drops it
  const waiting = new Set<number>();
  const dropped = new Set<number>();
  const send = (m: FromHost) => port.postMessage(m);
  // Progress belongs to whichever request is running.
  const engine = makeEngine((done, total, label) => running !== undefined && send({ id: running, type: 'progress', done, total, label }));
  const handle = (data: unknown) => {
    if (!isToHost(data)) return; // not ours, or malformed: never trusted
    if (data.type === 'cancel') {
      if (running === data.id) engine.cancel();
      else if (waiting.has(data.id)) dropped.add(data.id);
      return;
    }
    const req = data;
    waiting.add(req.id);
    queue = queue.then(async () => {
      waiting.delete(req.id);
      if (dropped.delete(req.id)) {
        send({ id: req.id, type: 'error', error: toPlainError(new AttribError('cancelled', 'cancelled')) });
        return;
      }
      running = req.id;
      try {
        engine.beginRequest?.();
        send({ id: req.id, type: 'result', result: await dispatch(engine, req, send, toSource) });
      } catch (e) {
        send({ id: req.id, type: 'error', error: toPlainError(e) });
      } finally {
        running = undefined;
      }
    });
  };
  if (port.addEventListener) port.addEventListener('message', (e) => handle((e as MessageEvent).data));
  else port.on?.('message', handle);
}

/**
 * One page's session on a database of its own (the desktop app's utility
 * process and `attrib web` give each connected page one): serves it on
 * `port` and returns what ends it, cancelling what runs and closing the
 * database, when the page's end goes away.
 */
export function serveSession(port: Port, db: Database, lib: ModelLibrary, toSource: (f: FileRef) => FileSource): () => Promise<void> {
  let engine: Engine | undefined;
  serveEngine(port, (onProgress) => (engine = new Engine(db, lib, onProgress)), toSource);
  return async () => {
    engine?.cancel();
    await (engine ? engine.close() : db.close());
  };
}

/** Answers every request on `port` with `error` (e.g. the database could not be opened). */
export function serveError(port: Port, error: unknown): void {
  const plain = toPlainError(error);
  const handle = (m: unknown) => {
    if (isToHost(m) && m.type !== 'cancel') port.postMessage({ id: m.id, type: 'error', error: plain } satisfies FromHost);
  };
  if (port.addEventListener) port.addEventListener('message', (e) => handle((e as MessageEvent).data));
  else port.on?.('message', handle);
}

async function dispatch(engine: AttributionEngine, req: Request, send: (m: FromHost) => void, toSource: (f: FileRef) => FileSource): Promise<unknown> {
  switch (req.type) {
    case 'open_file': {
      // several files are one import; a `more` that is not a list of refs is refused by toSource
      const files = Array.isArray(req.more) && req.more.length ? [toSource(req.file), ...req.more.map(toSource)] : toSource(req.file);
      // files of conversions come only as refs through toSource, never as sources inside the options
      const { conversionFiles: _ignored, ...options } = req.options ?? {};
      const conversions = Array.isArray(req.conversions) && req.conversions.length ? req.conversions.map(toSource) : undefined;
      return engine.openFile(files, conversions ? { ...options, conversionFiles: conversions } : options);
    }
    case 'file_columns':
      return engine.fileColumns(toSource(req.file), req.options);
    case 'describe':
      return engine.describe(req.table);
    case 'run':
      return engine.run(req.options);
    case 'recredit':
      return engine.recredit(req.options);
    case 'rule_diff':
      // the configurations crossed a port: checked before the engine sees them
      return engine.ruleDiff(checkDiffConfig(req.baseline, 'baseline'), checkDiffConfig(req.proposed, 'proposed'));
    case 'query':
      return engine.query(req.sql, req.params);
    case 'stream':
      return { rows: await engine.stream(req.sql, (rows) => send({ id: req.id, type: 'rows', rows }), req.batchRows) };
    case 'export_parquet':
      return engine.exportParquet(req.table);
  }
}
