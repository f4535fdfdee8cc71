import { hostname } from 'node:os';
import { type Job, Worker } from 'bullmq';
import type { Model } from '../../agent/model.js';
import { runAgent } from '../../agent/run-agent.js';
import { Scheduler, type SchedulerOptions } from '../../schedule/scheduler.js';
import type { SubagentDefinition } from '../../subagent/subagent-manager.js';
import { subagentToolNames } from '../../subagent/subagent-manager.js';
import type { Tool } from '../../tool/define-tool.js';
import { assertCount } from '../../validate-options.js';
import { modelGroups } from './model-groups.js';
import {
  bullConnection,
  newClient,
  type RedisConnection,
  salvoKeys,
  settleWithin,
} from './redis-connection.js';
import { readTaskPayload } from './task-payload.js';
import { errorResult, toWire, type WireResult } from './wire-result.js';

export interface SubagentWorkerOptions {
  /** Where Redis is: a `redis://` URL or ioredis options. */
  connection: RedisConnection;
  /** @default 'salvo-subagents' */
  queueName?: string;
  /** BullMQ's key prefix. @default 'bull' */
  prefix?: string;
  /** Subagents this worker runs at once. @default 4 */
  concurrency?: number;
  /** The model, or the model for a definition (`undefined`: the task named none). This worker's own credentials. */
  model: Model | ((definition: SubagentDefinition | undefined) => Model);
  /** This worker's tools, or a function of its workspace that builds them once. @default none */
  tools?: readonly Tool[] | ((workspace: string) => readonly Tool[]);
  /** The definitions tasks may name: the coordinator's, by name. */
  definitions?: readonly SubagentDefinition[];
  /** The folder the tools work in. @default process.cwd() */
  workspace?: string;
  /** Options of the scheduler the tools run on; nobody is there to ask. @default { approvalMode: 'never-ask' } */
  scheduler?: Omit<SchedulerOptions, 'tools'>;
  /** Model requests a task may make at most, whatever it asks for. @default 50 */
  maxTurns?: number;
  /** How long a job's lock lasts without renewal: a dead worker's jobs move on after about this. @default 4_000 */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired. @default 2_000 */
  stalledIntervalMs?: number;
  /** Times a job may be picked up again after its worker died, before it fails. @default 2 */
  maxStalledCount?: number;
  /** How often running jobs' cancel marks are read (besides the channel). @default 250 */
  cancelCheckMs?: number;
  /** Least time between two reports of a job's answer so far. @default 250 */
  progressIntervalMs?: number;
  /**
   * Named caps counted around each model request, across every worker that uses the same Redis
   * and `prefix`: `{ 'model:anthropic': 50 }` (a provider's rate limit). A request waits for a
   * lease of each group its model is in (see `modelGroups`) and gives them back when it ends,
   * whichever way; a dead worker's leases come back after `groupLeaseMs`.
   */
  groups?: Readonly<Record<string, number>>;
  /**
   * The groups a model's requests count in. @default the ones of `groups` named
   * `model:<provider>` and `model:<provider>/<modelId>`
   */
  modelGroups?: (model: Model) => readonly string[];
  /** A group lease not renewed for this long is given back (its worker died). @default 10_000 */
  groupLeaseMs?: number;
  /** The name reported with each job it runs. @default `${hostname()}:${process.pid}` */
  name?: string;
  /** A job starts or ends here (for logs and the live view); listeners must not throw. */
  onJob?: (event: {
    /** `skipped`: cancelled before it started, so it never ran. */
    type: 'start' | 'end' | 'skipped';
    jobId: string;
    /** Date.now() */
    at: number;
    /** How it ended: `finishReason` of its run, or `error`. */
    status?: string;
  }) => void;
}

export interface SubagentWorker {
  readonly name: string;
  /** Jobs running on this worker now. */
  readonly running: number;
  /** Resolves once it is connected and listening for cancels and jobs. */
  ready(): Promise<void>;
  /**
   * Takes no more jobs and waits for the running ones. `force`: aborts them, and each job fails
   * (its call gets an error result) instead of finishing. Idempotent.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

const defaultSystem =
  'You are a subagent: do the task you are given, then answer with what you found or did.';

/**
 * A worker process's side of `bullmqDispatcher`: takes subagent jobs from the queue and runs each
 * with `runAgent`, on this worker's own tools, model and workspace. A job whose cancel mark is set
 * never starts; a running one is aborted when its cancel is announced, its mark is seen, or this
 * worker loses the job's lock (another worker may have it by then).
 */
export function startSubagentWorker(options: SubagentWorkerOptions): SubagentWorker {
  const queueName = options.queueName ?? 'salvo-subagents';
  const prefix = options.prefix ?? 'bull';
  const concurrency = options.concurrency ?? 4;
  const maxTurns = options.maxTurns ?? 50;
  const lockDuration = options.lockDurationMs ?? 4_000;
  const stalledInterval = options.stalledIntervalMs ?? 2_000;
  const maxStalledCount = options.maxStalledCount ?? 2;
  const cancelCheckMs = options.cancelCheckMs ?? 250;
  const progressIntervalMs = options.progressIntervalMs ?? 250;
  assertCount('concurrency', concurrency, { allowInfinity: false });
  assertCount('maxTurns', maxTurns, { allowInfinity: false });
  assertCount('lockDurationMs', lockDuration, { allowInfinity: false });
  assertCount('stalledIntervalMs', stalledInterval, { allowInfinity: false });
  assertCount('maxStalledCount', maxStalledCount, { min: 0, allowInfinity: false });
  assertCount('cancelCheckMs', cancelCheckMs, { allowInfinity: false });
  assertCount('progressIntervalMs', progressIntervalMs, { min: 0, allowInfinity: false });
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const workspace = options.workspace ?? process.cwd();
  const tools = (
    typeof options.tools === 'function' ? options.tools(workspace) : (options.tools ?? [])
  )
    // No nesting from a worker: its subagents would bypass the coordinator's limits.
    .filter((tool) => !(subagentToolNames as readonly string[]).includes(tool.name));
  const scheduler = new Scheduler({ approvalMode: 'never-ask', ...options.scheduler, tools });
  const definitions = new Map((options.definitions ?? []).map((d) => [d.name, d]));
  const keys = salvoKeys(prefix, queueName);
  const client = newClient(options.connection);
  let groups: ReturnType<typeof modelGroups>;
  try {
    groups = modelGroups({ ...options, client, prefix });
  } catch (error) {
    client.disconnect();
    throw error;
  }
  const subscriber = newClient(options.connection);
  const running = new Map<string, AbortController>();

  /** `byCoordinator`: its result is `cancelled`; else the job fails here (see `processJob`). */
  const abort = (jobId: string, reason: string, byCoordinator = true) =>
    running.get(jobId)?.abort(Object.assign(new Error(reason), { byCoordinator }));
  subscriber.on('message', (channel: string, jobId: string) => {
    if (channel === keys.cancelChannel) abort(jobId, 'cancelled by the coordinator');
  });
  // The channel can miss a message (a reconnect): the marks are read as well.
  const checker = setInterval(() => {
    const ids = [...running.keys()];
    if (ids.length === 0) return;
    client
      .mget(ids.map((id) => keys.cancelledKey(id)))
      .then((marks) => {
        marks.forEach((mark, i) => {
          if (mark !== null) abort(ids[i] as string, 'cancelled by the coordinator');
        });
      })
      .catch(() => {});
  }, cancelCheckMs);
  checker.unref();

  const report = (event: Parameters<NonNullable<SubagentWorkerOptions['onJob']>>[0]) => {
    try {
      options.onJob?.(event);
    } catch {
      // A listener's failure must not fail the job.
    }
  };

  async function processJob(
    job: Job,
    _token?: string,
    jobSignal?: AbortSignal,
  ): Promise<WireResult> {
    const jobId = job.id as string;
    const controller = new AbortController();
    const onJobAbort = () => controller.abort(jobSignal?.reason);
    jobSignal?.addEventListener('abort', onJobAbort, { once: true });
    running.set(jobId, controller);
    let progressTimer: ReturnType<typeof setTimeout> | undefined;
    let status: string | undefined;
    try {
      const task = readTaskPayload(job.data);
      if ((await client.exists(keys.cancelledKey(jobId))) > 0) {
        report({ type: 'skipped', jobId, at: Date.now() });
        return toWire(errorResult('cancelled before it started', 'cancelled'), name);
      }
      status = 'error';
      report({ type: 'start', jobId, at: Date.now() });
      const definition = task.agent === undefined ? undefined : definitions.get(task.agent);
      if (task.agent !== undefined && !definition) {
        throw new Error(
          `worker ${name} has no agent definition named "${task.agent}": give startSubagentWorker the coordinator's definitions`,
        );
      }
      const model = groups.wrap(
        typeof options.model === 'function' ? options.model(definition) : options.model,
      );
      const allowed = definition?.tools
        ? tools.filter((tool) => definition.tools?.includes(tool.name))
        : tools;
      job.updateProgress({ started: true, worker: name }).catch(() => {});
      let text = '';
      const sendText = () => {
        progressTimer = undefined;
        job.updateProgress({ worker: name, text }).catch(() => {});
      };
      const result = await runAgent({
        model,
        system: definition?.prompt ?? defaultSystem,
        tools: allowed,
        scheduler,
        messages: task.prompt,
        maxSteps: Math.min(task.maxTurns, definition?.maxTurns ?? maxTurns, maxTurns),
        signal: controller.signal,
        path: task.path,
        onEvent: (event) => {
          if (event.type === 'step-start') text = '';
          if (event.type !== 'text-delta') return;
          text += event.text;
          progressTimer ??= setTimeout(sendText, progressIntervalMs);
        },
      });
      const reason = controller.signal.reason as { byCoordinator?: boolean } | undefined;
      if (controller.signal.aborted && reason?.byCoordinator !== true) {
        // Stopped here (this worker is stopping, or lost the job's lock), not cancelled: the
        // job fails rather than report a cancel nobody asked for. Without the lock, BullMQ
        // refuses this too, and the worker that has the job now answers.
        throw reason instanceof Error ? reason : new Error(`worker ${name} stopped the job`);
      }
      status = result.finishReason;
      return toWire(result, name);
    } finally {
      clearTimeout(progressTimer);
      jobSignal?.removeEventListener('abort', onJobAbort);
      running.delete(jobId);
      if (status !== undefined) report({ type: 'end', jobId, at: Date.now(), status });
    }
  }

  const worker = new Worker(queueName, processJob, {
    connection: bullConnection(options.connection),
    prefix,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    autorun: false,
    name,
  });
  worker.on('error', () => {});
  // Its lock is gone: another worker may run the job now, so this one stops (its result would
  // be refused anyway).
  worker.on('lockRenewalFailed', (jobIds: string[]) => {
    for (const jobId of jobIds) abort(jobId, `worker ${name} lost the job's lock`, false);
  });

  let connected = false;
  const ready = (async () => {
    await subscriber.subscribe(keys.cancelChannel);
    await worker.waitUntilReady();
    connected = true;
    worker.run().catch(() => {});
  })();
  ready.catch(() => {});

  let closing: Promise<void> | undefined;
  return {
    name,
    get running() {
      return running.size;
    },
    ready: () => ready,
    close({ force = false } = {}) {
      // Also after a close that waits: its running jobs stop now.
      if (force) {
        for (const jobId of running.keys()) {
          abort(jobId, `worker ${name} stopped before it finished`, false);
        }
      }
      closing ??= (async () => {
        // Never connected: BullMQ's close would wait for a connection that may never come.
        if (!connected) await settleWithin([worker.close(true)], 100);
        else if (!force) await worker.close().catch(() => {});
        else {
          // Its aborted jobs fail now (an error result each) rather than wait for another
          // worker to take them over; a run that ignores its abort is given 5 s.
          await settleWithin([worker.close()], 5_000);
          await worker.close(true).catch(() => {});
        }
        clearInterval(checker);
        subscriber.disconnect();
        client.disconnect();
      })();
      return closing;
    },
  };
}
