import { Queue, QueueEvents } from 'bullmq';
import type { AgentResult } from '../../agent/run-agent.js';
import type {
  SubagentDispatch,
  SubagentDispatcher,
  SubagentProgress,
} from '../../subagent/subagent-dispatcher.js';
import { assertCount } from '../../validate-options.js';
import {
  bullConnection,
  newClient,
  type RedisConnection,
  salvoKeys,
  settleWithin,
} from './redis-connection.js';
import type { TaskPayload } from './task-payload.js';
import { errorResult, fromWire } from './wire-result.js';

export interface BullmqDispatcherOptions {
  /** Where Redis is: a `redis://` URL or ioredis options. */
  connection: RedisConnection;
  /** The queue the workers take subagents from. @default 'salvo-subagents' */
  queueName?: string;
  /** BullMQ's key prefix. @default 'bull' */
  prefix?: string;
  /** Subagents running at once on all workers together (BullMQ's global concurrency). @default no cap */
  maxConcurrent?: number;
  /** How long a finished job stays in Redis, so the same id sent again gets its result. @default 3_600_000 */
  keepJobsMs?: number;
  /**
   * How often the jobs it waits for are looked up in Redis, in one round trip: an answer whose
   * event was missed (trimmed from the events stream before it was read, a reconnect), or a job
   * that had finished before it was sent again, is found this way. @default 1_000
   */
  reconcileMs?: number;
  /** Events the queue keeps for `QueueEvents` (BullMQ's `streams.events.maxLen`). @default 50_000 */
  eventsMaxLen?: number;
}

export interface BullmqDispatcher extends SubagentDispatcher {
  /** Resolves once Redis answered and the global cap is set; rejects when it cannot be. */
  ready(): Promise<void>;
  /** Jobs this dispatcher waits for. */
  readonly pending: number;
  /** Stops waiting: pending agents end as errors; the jobs themselves are cancelled. Idempotent. */
  close(): Promise<void>;
}

interface Pending {
  dispatch: SubagentDispatch;
  settle(result: AgentResult & { worker?: string }): void;
  /** Set once the job was added: only then can it be looked up. */
  queued: boolean;
}

/** Jobs per `addBulk` at most (see `enqueue`). */
const bulkSize = 100;

/**
 * Runs subagents on worker processes (`startSubagentWorker`) through a BullMQ queue. Each agent
 * is one job whose id is its task id (`run:turn:call`), so sending it again never runs it twice;
 * its data is the task alone. The first answer per job wins: a duplicate or late one is dropped.
 * A cancelled agent's job is marked cancelled in Redis and announced on a channel, so the
 * worker running it aborts it, and a worker that has not started it never does.
 */
export function bullmqDispatcher(options: BullmqDispatcherOptions): BullmqDispatcher {
  const queueName = options.queueName ?? 'salvo-subagents';
  if (typeof queueName !== 'string' || queueName === '' || queueName.includes(':')) {
    throw new TypeError(
      `Expected \`queueName\` to be a name without \`:\`, got \`${String(queueName)}\``,
    );
  }
  const prefix = options.prefix ?? 'bull';
  const keepJobsMs = options.keepJobsMs ?? 3_600_000;
  const reconcileMs = options.reconcileMs ?? 1_000;
  const eventsMaxLen = options.eventsMaxLen ?? 50_000;
  assertCount('eventsMaxLen', eventsMaxLen, { allowInfinity: false });
  assertCount('keepJobsMs', keepJobsMs, { allowInfinity: false });
  assertCount('reconcileMs', reconcileMs, { allowInfinity: false });
  if (options.maxConcurrent !== undefined) {
    assertCount('maxConcurrent', options.maxConcurrent, { allowInfinity: false });
  }
  const connection = bullConnection(options.connection);
  const keys = salvoKeys(prefix, queueName);
  const queue = new Queue(queueName, {
    connection,
    prefix,
    streams: { events: { maxLen: eventsMaxLen } },
  });
  const events = new QueueEvents(queueName, { connection, prefix });
  const client = newClient(options.connection);
  // Connection trouble is retried; the waits it holds up are ended by their signals.
  queue.on('error', () => {});
  events.on('error', () => {});
  const pending = new Map<string, Pending>();
  let closed = false;

  events.on('completed', ({ jobId, returnvalue }) => {
    pending.get(jobId)?.settle(fromWire(returnvalue));
  });
  events.on('failed', ({ jobId, failedReason }) => {
    pending.get(jobId)?.settle(errorResult(`its job failed: ${failedReason}`));
  });
  events.on('progress', ({ jobId, data }) => {
    const progress = readProgress(data);
    if (progress) pending.get(jobId)?.dispatch.progress(progress);
  });

  let connected = false;
  const ready = (async () => {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    connected = true;
    if (options.maxConcurrent !== undefined)
      await queue.setGlobalConcurrency(options.maxConcurrent);
  })();
  ready.catch(() => {});

  /** A finished job's answer, read from the job itself (its event was missed). */
  async function collect(jobId: string): Promise<void> {
    const entry = pending.get(jobId);
    const job = entry && (await queue.getJob(jobId));
    if (!entry || !job?.finishedOn) return;
    const state = await job.getState();
    entry.settle(
      state === 'failed'
        ? errorResult(`its job failed: ${job.failedReason ?? 'no reason given'}`)
        : fromWire(job.returnvalue),
    );
  }
  /** Looks every queued job up in one round trip; collects those that finished. */
  async function reconcile(): Promise<void> {
    const ids = [...pending.entries()].filter(([, e]) => e.queued).map(([id]) => id);
    if (ids.length === 0) return;
    const pipeline = client.pipeline();
    for (const id of ids) pipeline.hget(queue.toKey(id), 'finishedOn');
    const replies = (await pipeline.exec()) ?? [];
    await Promise.all(ids.map((id, i) => (replies[i]?.[1] ? collect(id) : undefined)));
  }
  let reconciling = false;
  const reconcileTimer = setInterval(() => {
    if (reconciling) return;
    reconciling = true;
    reconcile()
      .catch(() => {})
      .finally(() => {
        reconciling = false;
      });
  }, reconcileMs);
  reconcileTimer.unref();

  // Jobs sent in the same tick go in `addBulk`s of at most `bulkSize`: a fan-out of thousands is
  // a few round trips, and the first jobs start while the rest are still being sent (one
  // `addBulk` is one transaction: none of its jobs can start before all are in).
  let batch: { jobId: string; payload: TaskPayload; entry: Pending }[] = [];
  const keep = { age: Math.ceil(keepJobsMs / 1000) };
  function enqueue(jobId: string, payload: TaskPayload, entry: Pending): void {
    batch.push({ jobId, payload, entry });
    if (batch.length === 1) setImmediate(flush);
    else if (batch.length >= bulkSize) flush();
  }
  function flush(): void {
    if (batch.length === 0) return;
    const jobs = batch.filter((job) => pending.get(job.jobId) === job.entry);
    batch = [];
    if (jobs.length === 0) return;
    (async () => {
      await ready;
      await queue.addBulk(
        jobs.map(({ jobId, payload }) => ({
          name: 'subagent',
          data: payload,
          opts: { jobId, attempts: 1, removeOnComplete: keep, removeOnFail: keep },
        })),
      );
      for (const job of jobs) job.entry.queued = true;
    })().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      for (const job of jobs) job.entry.settle(errorResult(`could not queue it: ${message}`));
    });
  }

  async function cancelJob(jobId: string): Promise<void> {
    // The mark first: a worker that starts the job after this sees it and does not run it.
    await client.set(keys.cancelledKey(jobId), '1', 'PX', keepJobsMs);
    await client.publish(keys.cancelChannel, jobId);
  }

  async function dispatch(d: SubagentDispatch): Promise<AgentResult> {
    const jobId = d.task.id;
    if (closed) return errorResult('the BullMQ dispatcher was closed');
    if (pending.has(jobId))
      return errorResult(`a subagent with task id ${jobId} is already running`);
    let release: () => void;
    try {
      release = await d.takeSlot();
    } catch {
      return errorResult('cancelled before it started', 'cancelled');
    }
    return new Promise<AgentResult>((resolve) => {
      let done = false;
      const onAbort = () => {
        cancelJob(jobId).catch(() => {});
        settle(errorResult('cancelled', 'cancelled'));
      };
      const settle = (result: AgentResult & { worker?: string }) => {
        if (done) return;
        done = true;
        pending.delete(jobId);
        d.signal.removeEventListener('abort', onAbort);
        release();
        const { worker, ...rest } = result;
        if (worker !== undefined) d.progress({ worker });
        resolve(rest);
      };
      const entry: Pending = { dispatch: d, settle, queued: false };
      pending.set(jobId, entry);
      if (d.signal.aborted) {
        onAbort();
        return;
      }
      d.signal.addEventListener('abort', onAbort, { once: true });
      const { id: _id, ...task } = d.task;
      enqueue(jobId, task, entry);
    });
  }

  return {
    dispatch,
    ready: () => ready,
    get pending() {
      return pending.size;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(reconcileTimer);
      const left = [...pending.entries()];
      for (const [, entry] of left) entry.settle(errorResult('the BullMQ dispatcher was closed'));
      // Its jobs are cancelled, for at most a second: a server that is gone cannot be told.
      await settleWithin(
        left.map(([jobId]) => cancelJob(jobId)),
        1000,
      );
      await settleWithin([queue.close(), events.close()], connected ? 5000 : 100);
      client.disconnect();
    },
  };
}

/** A worker's progress report, read as untrusted. */
function readProgress(data: unknown): SubagentProgress | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  return {
    ...(d.started === true ? { started: true } : {}),
    ...(typeof d.worker === 'string' ? { worker: d.worker.slice(0, 200) } : {}),
    ...(typeof d.text === 'string' ? { text: d.text } : {}),
  };
}
