// A worker for the WorkerPool tests: each job says what to do.
import { serveJobs } from './worker-pool.js';

export type TestJob =
  | { echo: unknown }
  | { spin: true }
  | { fail: string }
  | { ask: unknown }
  | { exit: number };

serveJobs<TestJob>(async (job, emit) => {
  if ('echo' in job) return job.echo;
  if ('spin' in job) for (;;); // never ends: only terminating the worker stops it
  if ('fail' in job) throw new TypeError(job.fail);
  if ('ask' in job) return { answer: await emit(job.ask) };
  process.exit(job.exit);
});
