// The entry of grep's search workers: runs searchFiles for each job of a WorkerPool.
import { type GrepJob, searchFiles } from './grep-search.js';
import { serveJobs } from './worker-pool.js';

/** A job of grep's workers: the search, and whether to report each folder listed. */
export interface GrepWorkerJob {
  job: GrepJob;
  /** Send `{ listed: folder }` after each folder is listed and wait for the answer. */
  reportListed: boolean;
}

serveJobs<GrepWorkerJob>((work, emit) =>
  searchFiles(work.job, {
    onListed: work.reportListed ? (folder) => emit({ listed: folder }) : undefined,
  }),
);
