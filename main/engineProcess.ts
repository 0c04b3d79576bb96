/**
 * Supervises the native engine's utility process (dist/main/engine-host.cjs).
 * For each page that asks (`connect`), main makes a MessageChannelMain, gives
 * one port to the utility process and the other to the page; the page then
 * speaks common/protocol.ts straight to the engine, with no hop through main.
 * When the process dies, it is started again and the page gets a new port
 * with `restarted: true` (the UI says "engine restarted"); after too many
 * deaths in a short time main gives up and tells the page `failed: true`.
 * Electron comes in through `SupervisorDeps`, so tests drive it with fakes
 * (test/unit/electron-engine.test.ts).
 */
import type { EnginePortMessage } from '../common/electronApi.ts';

/** The utility process, as the supervisor uses it. */
export interface EngineChild<P> {
  on(event: 'exit', fn: (code: number) => void): unknown;
  postMessage(message: unknown, transfer?: P[]): void;
  kill(): boolean;
}

/** A page that receives engine ports (main/app.ts wraps webContents.postMessage). */
export interface EngineTarget<P> {
  /** Delivers `info` (and `port`, unless failed); false when the page is gone. */
  deliver(info: Omit<EnginePortMessage, 'type'>, port?: P): boolean;
}

export interface SupervisorDeps<P extends { close(): void }> {
  /** utilityProcess.fork of the engine host, with its arguments. */
  fork(): EngineChild<P>;
  /** new MessageChannelMain(). */
  channel(): { port1: P; port2: P };
  now?(): number;
  schedule?(fn: () => void, ms: number): void;
  log?(message: string): void;
  /** Deaths within `windowMs` after which main stops restarting (default 5 in 60 s). */
  maxCrashes?: number;
  windowMs?: number;
  /** Wait before a restart (default 250 ms). */
  restartDelayMs?: number;
}

/** The message main sends the engine host with each port. */
export const CONNECT_MESSAGE = { type: 'connect' } as const;

export class EngineSupervisor<P extends { close(): void }> {
  private child: EngineChild<P> | undefined;
  private generation = 0;
  private crashes: number[] = [];
  private target: EngineTarget<P> | undefined;
  private stopped = false;
  private failure: string | undefined;
  private pendingRestart = false;

  constructor(private readonly deps: SupervisorDeps<P>) {}

  /** The engine generation now running (1 for the first process); 0 before any. */
  get currentGeneration(): number {
    return this.generation;
  }

  /** Whether a process is running. */
  get running(): boolean {
    return !!this.child;
  }

  /** Starts the process if it is not running (early, so DuckDB is warm when the page asks). */
  start(): void {
    if (!this.child && !this.stopped && !this.failure && !this.pendingRestart) this.spawn();
  }

  /** Gives `target` a fresh port to the engine (each page load asks once; each port is its own engine session). */
  connect(target: EngineTarget<P>): void {
    this.target = target;
    if (this.failure) {
      target.deliver({ generation: this.generation, restarted: false, failed: true, reason: this.failure });
      return;
    }
    this.start();
    if (this.child) this.offer(false);
  }

  /** Stops the process for good (app quitting). */
  stop(): void {
    this.stopped = true;
    const c = this.child;
    this.child = undefined;
    c?.kill();
  }

  private spawn(): void {
    this.generation++;
    const child = this.deps.fork();
    this.child = child;
    child.on('exit', (code) => this.onExit(child, code));
    this.deps.log?.(`engine ${this.generation} started`);
  }

  private offer(restarted: boolean, reason?: string): void {
    if (!this.child || !this.target) return;
    const { port1, port2 } = this.deps.channel();
    this.child.postMessage(CONNECT_MESSAGE, [port1]);
    const info = { generation: this.generation, restarted, failed: false, ...(reason ? { reason } : {}) };
    if (!this.target.deliver(info, port2)) {
      port2.close();
      this.target = undefined;
    }
  }

  private onExit(child: EngineChild<P>, code: number): void {
    if (child !== this.child) return; // an old process, already replaced or stopped
    this.child = undefined;
    if (this.stopped) return;
    const reason = `the engine process exited (code ${code})`;
    this.deps.log?.(reason);
    const now = (this.deps.now ?? Date.now)();
    const windowMs = this.deps.windowMs ?? 60_000;
    this.crashes = [...this.crashes.filter((t) => now - t < windowMs), now];
    if (this.crashes.length >= (this.deps.maxCrashes ?? 5)) {
      this.failure = `${reason}; it stopped ${this.crashes.length} times within ${Math.round(windowMs / 1000)} s, so it was not restarted`;
      this.deps.log?.(this.failure);
      this.target?.deliver({ generation: this.generation, restarted: false, failed: true, reason: this.failure });
      return;
    }
    this.pendingRestart = true;
    const schedule = this.deps.schedule ?? ((fn, ms) => void setTimeout(fn, ms));
    schedule(() => {
      this.pendingRestart = false;
      if (this.stopped || this.child) return;
      this.spawn();
      this.offer(true, reason);
    }, this.deps.restartDelayMs ?? 250);
  }
}
