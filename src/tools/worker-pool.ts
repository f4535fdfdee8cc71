import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';
import { assertCount, assertTimeoutMs } from '../validate-options.js';

/** From the pool to a worker: a job to run, or the answer to an event the job sent. */
type ToWorker = { kind: 'job'; job: unknown } | { kind: 'reply'; value: unknown };

/** From a worker to the pool: the job's result or error, or an event that waits for a reply. */
type FromWorker =
  | { kind: 'done'; value: unknown }
  | { kind: 'failed'; name: string; message: string }
  | { kind: 'event'; value: unknown };

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /**
   * The worker's module, which calls {@link serveJobs}. A `.ts` module (the sources, as tests run
   * them) is loaded through tsx, a development dependency.
   */
  entry: URL;
  /** Workers alive at once; more jobs wait for one. @default 2 to 4, by the cores available */
  maxWorkers?: number;
  /** An idle worker ends after this long; `Infinity`: never. @default 60_000 */
  idleMs?: number;
}

/** Options of {@link WorkerPool.run}. */
export interface RunJobOptions {
  /** Aborting it terminates the worker at once, wherever its code is; the run rejects with the reason. */
  signal: AbortSignal;
  /** Answers an event of the job, which waits for the answer. Throwing ends the job. */
  onEvent?: ((event: unknown) => unknown) | undefined;
}

interface Running {
  settle: (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => void;
  onEvent: ((event: unknown) => unknown) | undefined;
}

interface Slot {
  worker: Worker;
  running: Running | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * Worker threads that run one job at a time each, for work that must never hold the main thread
 * (a regular expression can backtrack for hours and cannot be interrupted on the thread running
 * it). Workers start on demand and are kept for the next job; a job whose signal aborts has its
 * worker terminated, which stops even a running regular expression. Idle workers do not keep the
 * process alive.
 */
export class WorkerPool {
  readonly #entry: URL;
  readonly #maxWorkers: number;
  readonly #idleMs: number;
  readonly #idle: Slot[] = [];
  #alive = 0;
  readonly #waiting: { resolve: (slot: Slot) => void }[] = [];

  constructor(options: WorkerPoolOptions) {
    const {
      entry,
      maxWorkers = Math.min(4, Math.max(2, availableParallelism())),
      idleMs = 60_000,
    } = options;
    assertCount('maxWorkers', maxWorkers, { allowInfinity: false });
    assertTimeoutMs('idleMs', idleMs);
    this.#entry = entry;
    this.#maxWorkers = maxWorkers;
    this.#idleMs = idleMs;
  }

  /** Workers alive now, running or idle. */
  get size(): number {
    return this.#alive;
  }

  /** Runs a job in a worker; resolves with what the worker's handler returned. */
  async run(job: unknown, options: RunJobOptions): Promise<unknown> {
    const { signal, onEvent } = options;
    const slot = await this.#acquire(signal);
    if (signal.aborted) {
      this.#release(slot);
      throw signal.reason;
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        slot.running = undefined;
        stop(slot).then(() => reject(signal.reason));
      };
      slot.running = {
        onEvent,
        settle: (outcome) => {
          signal.removeEventListener('abort', onAbort);
          slot.running = undefined;
          if (outcome.ok) resolve(outcome.value);
          else reject(outcome.error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      slot.worker.postMessage({ kind: 'job', job } satisfies ToWorker);
    });
  }

  /** An idle worker, a new one, or the next one to come free. */
  async #acquire(signal: AbortSignal): Promise<Slot> {
    signal.throwIfAborted();
    const idle = this.#idle.pop();
    if (idle) {
      clearTimeout(idle.idleTimer);
      idle.idleTimer = undefined;
      idle.worker.ref();
      return idle;
    }
    if (this.#alive < this.#maxWorkers) return this.#start();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (slot: Slot) => {
          signal.removeEventListener('abort', onAbort);
          resolve(slot);
        },
      };
      const onAbort = () => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #start(): Slot {
    this.#alive++;
    const slot: Slot = {
      worker: startWorker(this.#entry),
      running: undefined,
      idleTimer: undefined,
    };
    slot.worker.on('message', (message: FromWorker) => this.#onMessage(slot, message));
    // An uncaught error in the worker ends it: 'exit' follows.
    slot.worker.on('error', (error) => slot.running?.settle({ ok: false, error }));
    slot.worker.on('exit', (code) => {
      slot.running?.settle({
        ok: false,
        error: new Error(`The worker stopped (exit code ${code}).`),
      });
      this.#gone(slot);
    });
    return slot;
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    const running = slot.running;
    if (!running) return;
    if (message.kind === 'event') {
      Promise.resolve()
        .then(() => running.onEvent?.(message.value))
        .then(
          (value) => {
            if (slot.running === running) slot.worker.postMessage({ kind: 'reply', value });
          },
          (error: unknown) => {
            if (slot.running !== running) return;
            slot.running = undefined;
            stop(slot).then(() => running.settle({ ok: false, error }));
          },
        );
      return;
    }
    running.settle(
      message.kind === 'done'
        ? { ok: true, value: message.value }
        : { ok: false, error: Object.assign(new Error(message.message), { name: message.name }) },
    );
    this.#release(slot);
  }

  /** A worker whose job is over goes to the next waiting job, or rests. */
  #release(slot: Slot): void {
    const waiter = this.#waiting.shift();
    if (waiter) {
      waiter.resolve(slot);
      return;
    }
    slot.worker.unref();
    if (Number.isFinite(this.#idleMs)) {
      slot.idleTimer = setTimeout(() => stop(slot), this.#idleMs);
      slot.idleTimer.unref();
    }
    this.#idle.push(slot);
  }

  /** A worker exited: its place goes to the next waiting job. */
  #gone(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    const at = this.#idle.indexOf(slot);
    if (at !== -1) this.#idle.splice(at, 1);
    this.#alive--;
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(this.#start());
  }
}

/** Terminates a slot's worker; resolves once its thread is gone (its 'exit' has fired). */
function stop(slot: Slot): Promise<void> {
  return slot.worker.terminate().then(
    () => {},
    () => {},
  );
}

function startWorker(entry: URL): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  // The TypeScript sources (tests): tsx, a development dependency, compiles the worker's modules
  // as it loads them. Its ESM API is found through its package exports: the worker's code is
  // evaluated as a script, which would resolve `tsx/esm/api` from the working directory.
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as {
    exports: { './esm/api': { import: { default: string } } };
  };
  const api = new URL(exports['./esm/api'].import.default, pathToFileURL(manifest)).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true });
}

/**
 * In a worker of a {@link WorkerPool}: runs each job with `handler` and sends back its result.
 * `emit` sends an event to the pool's `onEvent` and resolves with its answer.
 */
export function serveJobs<Job>(
  handler: (job: Job, emit: (event: unknown) => Promise<unknown>) => Promise<unknown>,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs in a worker thread of a WorkerPool.');
  let answer: ((value: unknown) => void) | undefined;
  const emit = (event: unknown) =>
    new Promise<unknown>((resolve) => {
      answer = resolve;
      port.postMessage({ kind: 'event', value: event } satisfies FromWorker);
    });
  port.on('message', (message: ToWorker) => {
    if (message.kind === 'reply') {
      const reply = answer;
      answer = undefined;
      reply?.(message.value);
      return;
    }
    // A result that cannot be sent (not cloneable) fails the job like a thrown error.
    Promise.resolve(message.job as Job)
      .then((job) => handler(job, emit))
      .then((value) => port.postMessage({ kind: 'done', value } satisfies FromWorker))
      .catch((error: unknown) => {
        const { name, message: text } =
          error instanceof Error ? error : { name: 'Error', message: String(error) };
        port.postMessage({ kind: 'failed', name, message: text } satisfies FromWorker);
      });
  });
}
