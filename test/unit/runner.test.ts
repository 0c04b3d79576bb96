/**
 * The cell runner: dependency order, one cell at a time, superseding runs
 * (a change mid-run cancels the cell in flight and the new plan carries what
 * was left), and a failure stops exactly its dependents.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Runner } from '../../common/runner.ts';

/** A tiny chain a -> b -> c plus an unrelated d; execute() resolves when the test says so. */
function harness(deps: Record<string, string[]>, order: string[], shows: string[] = []) {
  const log: string[] = [];
  const waiting = new Map<string, { resolve(): void; reject(e: Error): void }>();
  const down = (ids: string[]) => {
    const out = new Set(ids);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [k, ups] of Object.entries(deps)) {
        if (!out.has(k) && ups.some((u) => out.has(u))) {
          out.add(k);
          grew = true;
        }
      }
    }
    return order.filter((x) => out.has(x));
  };
  const runner = new Runner({
    plan: down,
    queued: (id, r) => log.push(`queue ${id}@${r}`),
    execute: (id, r) => {
      log.push(`run ${id}@${r}`);
      return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
    },
    skipped: (id, _r, why, failed) => log.push(`skip ${id} (${why})${failed ? ` after ${failed}` : ''}`),
    cancel: (id) => {
      log.push(`cancel ${id}`);
      waiting.get(id)?.reject(new Error('cancelled'));
    },
    busy: (on) => log.push(on ? 'busy' : 'idle'),
    shows: (id) => shows.includes(id),
  });
  const finish = async (id: string, fail = false) => {
    await new Promise((r) => setTimeout(r, 0));
    const w = waiting.get(id);
    assert.ok(w, `${id} is running`);
    waiting.delete(id);
    if (fail) w.reject(new Error('boom'));
    else w.resolve();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { runner, log, finish };
}

describe('runner', () => {
  const deps = { b: ['a'], c: ['b'] };
  const order = ['a', 'b', 'c', 'd'];

  it('runs a change and its dependents in order, nothing else', async () => {
    const { runner, log, finish } = harness(deps, order);
    runner.request(['b']);
    await finish('b');
    await finish('c');
    await runner.idle();
    assert.deepEqual(log, ['queue b@1', 'queue c@1', 'busy', 'run b@1', 'run c@1', 'idle']);
  });

  it('a change while a cell runs cancels it and reruns it under the new run id', async () => {
    const { runner, log, finish } = harness(deps, order);
    runner.request(['a']);
    await new Promise((r) => setTimeout(r, 0));
    runner.request(['a']); // e.g. a slider moved again
    await new Promise((r) => setTimeout(r, 0));
    await finish('a');
    await finish('b');
    await finish('c');
    await runner.idle();
    assert.deepEqual(log.slice(0, 8), ['queue a@1', 'queue b@1', 'queue c@1', 'busy', 'run a@1', 'queue a@2', 'queue b@2', 'queue c@2']);
    assert.equal(log[8], 'cancel a');
    assert.deepEqual(log.slice(9), ['run a@2', 'run b@2', 'run c@2', 'idle']);
  });

  it('a live request (a slider dragged) lets the plan in flight finish, then runs only the latest value', async () => {
    const { runner, log, finish } = harness(deps, order);
    runner.request(['a']);
    await new Promise((r) => setTimeout(r, 0));
    // three more values while `a` runs: none cancels it, the last two replace the first, nothing queues
    runner.request(['a'], { live: true });
    runner.request(['a'], { live: true });
    runner.request(['b'], { live: true });
    await finish('a');
    await finish('b');
    await finish('c');
    // the first plan ran to its end (its charts show an intermediate value), then one plan of a
    // and b's dependents (b, c: already in a's) under a new run id
    assert.deepEqual(log.slice(0, 7), ['queue a@1', 'queue b@1', 'queue c@1', 'busy', 'run a@1', 'run b@1', 'run c@1']);
    assert.ok(!log.some((l) => l.startsWith('cancel')), log.join('; '));
    await finish('a');
    await finish('b');
    await finish('c');
    await runner.idle();
    assert.deepEqual(log.slice(7), ['queue a@2', 'queue b@2', 'queue c@2', 'run a@2', 'run b@2', 'run c@2', 'idle']);
  });

  it('while a live value waits, the plan in flight stops after its first chart', async () => {
    // a -> b (a chart) -> c; d after c
    const { runner, log, finish } = harness({ b: ['a'], c: ['b'], d: ['c'] }, ['a', 'b', 'c', 'd'], ['b']);
    runner.request(['a']);
    await new Promise((r) => setTimeout(r, 0));
    runner.request(['a'], { live: true });
    await finish('a');
    await finish('b'); // the chart showed the first value: c and d of that plan are superseded
    assert.ok(log.includes('skip c (superseded by a newer value)') && log.includes('skip d (superseded by a newer value)'), log.join('; '));
    assert.ok(!log.includes('run c@1') && !log.includes('run d@1'));
    await finish('a');
    await finish('b');
    await finish('c');
    await finish('d');
    await runner.idle();
    assert.deepEqual(log.slice(-5), ['run a@2', 'run b@2', 'run c@2', 'run d@2', 'idle'], 'the newest value runs every cell');
  });

  it('a live request with nothing running runs at once; cancelAll drops one that waits', async () => {
    const { runner, log, finish } = harness(deps, order);
    runner.request(['c'], { live: true });
    await finish('c');
    await runner.idle();
    assert.deepEqual(log, ['queue c@1', 'busy', 'run c@1', 'idle']);
    runner.request(['a']);
    await new Promise((r) => setTimeout(r, 0));
    runner.request(['c'], { live: true });
    runner.cancelAll('stop');
    await runner.idle();
    assert.ok(!log.includes('run c@3') && !log.some((l) => /queue c@[34]/.test(l)), log.join('; '));
  });

  it('a failure skips its dependents only', async () => {
    const { runner, log, finish } = harness(deps, order);
    runner.request(['a', 'd']);
    await finish('a', true);
    await finish('d');
    await runner.idle();
    assert.ok(log.includes('skip b (an upstream cell did not finish) after a'), log.join('; '));
    assert.ok(log.includes('skip c (an upstream cell did not finish) after a'), log.join('; '));
    assert.ok(log.includes('run d@1'));
    assert.ok(!log.includes('run b@1'));
  });

  it('cancelAll drops the plan and cancels the running cell', async () => {
    const { runner, log } = harness(deps, order);
    runner.request(['a']);
    await new Promise((r) => setTimeout(r, 0));
    runner.cancelAll('stop');
    await runner.idle();
    assert.deepEqual(log.filter((l) => l.startsWith('skip') || l.startsWith('cancel')), ['skip b (stop)', 'skip c (stop)', 'cancel a']);
  });
});
