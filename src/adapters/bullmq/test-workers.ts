// Worker processes for the BullMQ tests: spawned through tsx, their JSON-line events collected.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestWorkerConfig } from './test-worker-process.js';

export interface WorkerEvent {
  type: 'ready' | 'start' | 'end' | 'skipped' | 'model-start' | 'model-end';
  worker: string;
  jobId?: string;
  at: number;
  status?: string;
}

export interface TestWorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly events: WorkerEvent[];
  readonly exited: Promise<void>;
  /** Resolves once an event matches, polling; fails past `timeoutMs` with what came. */
  waitFor(match: (event: WorkerEvent) => boolean, timeoutMs?: number): Promise<WorkerEvent>;
  signal(signal: NodeJS.Signals): void;
}

// Beside this module: the source through tsx in the tests, the compiled file in the bench.
const compiled = import.meta.url.endsWith('.js');
const script = fileURLToPath(
  new URL(`./test-worker-process.${compiled ? 'js' : 'ts'}`, import.meta.url),
);

export function spawnTestWorker(config: TestWorkerConfig): TestWorkerProcess {
  const loader = compiled ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, script, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: WorkerEvent[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('{')) events.push(JSON.parse(line) as WorkerEvent);
      newline = buffer.indexOf('\n');
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let alive = true;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      alive = false;
      resolve();
    }),
  );
  return {
    name: config.name,
    child,
    events,
    exited,
    async waitFor(match, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (!alive || Date.now() > deadline) {
          throw new Error(
            `worker ${config.name}: no matching event ${alive ? `within ${timeoutMs} ms` : '(it exited)'}; events: ${JSON.stringify(events).slice(-600)}; stderr: ${stderr.slice(-600)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    signal(signal) {
      if (alive) child.kill(signal);
    },
  };
}

/**
 * Most intervals open at once, from start/end events (an end before a start at the same ms);
 * `model`: of model requests (model-start/model-end) instead of jobs.
 */
export function maxOverlap(events: readonly WorkerEvent[], of: 'job' | 'model' = 'job'): number {
  const [opening, closing] = of === 'job' ? ['start', 'end'] : ['model-start', 'model-end'];
  const points = events
    .filter((e) => e.type === opening || e.type === closing)
    .map((e) => ({ at: e.at, delta: e.type === opening ? 1 : -1 }))
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const p of points) {
    open += p.delta;
    most = Math.max(most, open);
  }
  return most;
}
