/**
 * Runs cells in dependency order, one at a time, and supersedes itself: a
 * new request while a plan is running cancels the cell in flight (in the
 * engine, by message) and starts the new plan, which already includes
 * everything the old one still had to do. Late answers of a cancelled run
 * carry an old run id and are ignored by the cell state machine.
 *
 * A live request (a slider being dragged: a new value every few ms) is the
 * exception: cancelling the plan in flight at every step would repaint
 * nothing until the pointer stops. The plan in flight finishes and shows its
 * value; the live request waits, and a later one replaces it (values the
 * pointer passed meanwhile are dropped, never queued). Once the plan in
 * flight has shown a chart (hooks.shows), its other cells are dropped too
 * (the waiting plan reruns them), so the first chart follows the drag at the
 * pace of the cells it needs and the others catch up when the pointer rests.
 */
export interface RunnerHooks {
  /** The cells to run for a change of `ids`, in order (the ids and their dependents). */
  plan(ids: string[]): string[];
  /** Marks a cell queued under a run id. */
  queued(id: string, runId: number): void;
  /** Runs one cell; rejects on failure (the hook records the error). */
  execute(id: string, runId: number): Promise<void>;
  /**
   * A planned cell will not run: the plan was cancelled (`failed` absent), or
   * the upstream cell `failed` failed (the cell's input is missing).
   */
  skipped(id: string, runId: number, because: string, failed?: string): void;
  /** Cancels whatever the engine is doing for this cell. */
  cancel(id: string): void;
  /** The runner went idle or busy (status bar). */
  busy(on: boolean): void;
  /**
   * Whether a cell shows its result to the user (a chart). While a live value waits, the plan in
   * flight stops after the first such cell: what it was still to run, the waiting plan reruns.
   */
  shows?(id: string): boolean;
}

export class Runner {
  private runId = 0;
  private pending: string[] = [];
  private current: string | undefined;
  private loop: Promise<void> | undefined;
  /** Cells of live requests waiting for the plan in flight to finish (see the class comment). */
  private held: string[] | undefined;

  constructor(private readonly hooks: RunnerHooks) {}

  /** Whether a plan is running. */
  get running(): boolean {
    return this.loop !== undefined;
  }

  /**
   * Runs `ids` and their dependents; supersedes what is running when it overlaps. `live`: a
   * value that will soon be replaced (a slider dragged): waits for the plan in flight instead.
   */
  request(ids: string[], opts: { live?: boolean } = {}): void {
    if (opts.live && this.loop) {
      this.held = [...new Set([...(this.held ?? []), ...ids])];
      return;
    }
    this.enqueue(ids);
    this.start();
  }

  /** Plans `ids` (with what the plan in flight still had to do) under a new run id. */
  private enqueue(ids: string[]): void {
    const plan = this.hooks.plan(ids);
    const runId = ++this.runId;
    // Keep what the superseded plan still had to run, in the new plan's order.
    const carry = new Set([...this.pending, ...(this.current ? [this.current] : [])]);
    const merged = this.hooks.plan([...new Set([...plan, ...carry])]);
    this.pending = merged;
    for (const id of merged) this.hooks.queued(id, runId);
    if (this.current && merged.includes(this.current)) this.hooks.cancel(this.current);
  }

  /** Cancels the running cell and drops the rest of the plan. */
  cancelAll(because = 'cancelled'): void {
    const runId = ++this.runId;
    this.held = undefined;
    for (const id of this.pending) this.hooks.skipped(id, runId, because);
    this.pending = [];
    if (this.current) this.hooks.cancel(this.current);
    // The cancelled cell is not carried into a later plan (after another notebook opens, its id may name another cell).
    this.current = undefined;
  }

  /** Resolves when the runner is idle. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private start(): void {
    if (this.loop) return;
    this.hooks.busy(true);
    this.loop = (async () => {
      while (this.pending.length || this.held) {
        if (!this.pending.length) {
          // the plan in flight is done: the latest live value runs now
          const held = this.held!;
          this.held = undefined;
          this.enqueue(held);
          continue;
        }
        const id = this.pending.shift()!;
        const runId = this.runId;
        this.current = id;
        try {
          await this.hooks.execute(id, runId);
          if (this.held && runId === this.runId && this.hooks.shows?.(id)) {
            // a chart showed the value in flight: a newer one waits, so the rest is superseded
            for (const p of this.pending) this.hooks.skipped(p, runId, 'superseded by a newer value');
            this.pending = [];
          }
        } catch {
          // A failure stops the cells that depend on it (when the failing run is still current).
          if (runId === this.runId) {
            const downstream = new Set(this.hooks.plan([id]));
            downstream.delete(id);
            this.pending = this.pending.filter((p) => {
              if (!downstream.has(p)) return true;
              this.hooks.skipped(p, runId, `an upstream cell did not finish`, id);
              return false;
            });
          }
        } finally {
          this.current = undefined;
        }
      }
    })().finally(() => {
      this.loop = undefined;
      this.hooks.busy(false);
    });
  }
}
