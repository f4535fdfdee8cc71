import { describe, expect, it, vi } from 'vitest';
import type { TestJob } from './test-pool-worker.js';
import { WorkerPool } from './worker-pool.js';

const entry = new URL('./test-pool-worker.ts', import.meta.url);
const never = new AbortController().signal;
const run = (pool: WorkerPool, job: TestJob, signal = never) => pool.run(job, { signal });

describe('WorkerPool', () => {
  it('runs jobs in a worker and keeps it for the next job', async () => {
    const pool = new WorkerPool({ entry, maxWorkers: 1 });
    expect(await run(pool, { echo: { a: [1, 2] } })).toEqual({ a: [1, 2] });
    expect(await run(pool, { echo: 'again' })).toBe('again');
    expect(pool.size).toBe(1);
  });

  it('terminates a worker that never ends when the signal aborts, and goes on', async () => {
    const pool = new WorkerPool({ entry, maxWorkers: 1 });
    const controller = new AbortController();
    const spinning = run(pool, { spin: true }, controller.signal);
    // With one worker, this waits for the spinning job's worker.
    const next = run(pool, { echo: 'after' });
    controller.abort(new Error('enough'));
    await expect(spinning).rejects.toThrow('enough');
    expect(await next).toBe('after');
    expect(pool.size).toBe(1);
  });

  it('stops waiting for a worker when the signal aborts', async () => {
    const pool = new WorkerPool({ entry, maxWorkers: 1 });
    const busy = new AbortController();
    const spinning = run(pool, { spin: true }, busy.signal);
    const waiting = new AbortController();
    const queued = run(pool, { echo: 'never' }, waiting.signal);
    waiting.abort(new Error('gave up'));
    await expect(queued).rejects.toThrow('gave up');
    busy.abort(new Error('done'));
    await expect(spinning).rejects.toThrow('done');
    await expect(run(pool, { echo: 'x' }, AbortSignal.abort(new Error('early')))).rejects.toThrow(
      'early',
    );
  });

  it('rejects with the error a job throws, keeping the worker', async () => {
    const pool = new WorkerPool({ entry, maxWorkers: 1 });
    await expect(run(pool, { fail: 'bad input' })).rejects.toMatchObject({
      name: 'TypeError',
      message: 'bad input',
    });
    expect(await run(pool, { echo: 1 })).toBe(1);
  });

  it('rejects when the worker exits, and starts another for the next job', async () => {
    const pool = new WorkerPool({ entry, maxWorkers: 1 });
    await expect(run(pool, { exit: 3 })).rejects.toThrow('The worker stopped (exit code 3).');
    expect(await run(pool, { echo: 'fresh' })).toBe('fresh');
  });

  it("answers a job's events, and ends the job when answering fails", async () => {
    const pool = new WorkerPool({ entry, maxWorkers: 1 });
    const onEvent = (event: unknown) => `re: ${String(event)}`;
    expect(await pool.run({ ask: 'hi' }, { signal: never, onEvent })).toEqual({ answer: 're: hi' });
    const failing = () => {
      throw new Error('no answer');
    };
    await expect(pool.run({ ask: 'hi' }, { signal: never, onEvent: failing })).rejects.toThrow(
      'no answer',
    );
    expect(await run(pool, { echo: 'still' })).toBe('still');
  });

  it('ends idle workers after idleMs', async () => {
    const pool = new WorkerPool({ entry, maxWorkers: 2, idleMs: 1 });
    expect(await run(pool, { echo: 1 })).toBe(1);
    expect(pool.size).toBe(1);
    await vi.waitUntil(() => pool.size === 0, { timeout: 10_000 });
  });
});
