import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { compileGlob } from './glob-pattern.js';
import { createMatcher, renderMatches } from './grep-match.js';
import { type GrepFound, type GrepJob, searchFiles } from './grep-search.js';
import type { GrepWorkerJob } from './grep-worker.js';
import { isLinearPattern } from './linear-pattern.js';
import { assertRegularFile } from './open-file.js';
import { fileError, formatBytes } from './text-file.js';
import { defaults, parallelNote, pathClaim } from './tool-support.js';
import { WorkerPool } from './worker-pool.js';
import type { Workspace } from './workspace.js';

export const grepInput = z.object({
  pattern: z
    .string()
    .min(1)
    .describe(
      'JavaScript regular expression, matched against each line (e.g. `function\\s+load`, `TODO|FIXME`). Escape ( [ . * + ? with \\ to match them literally.',
    ),
  path: z.string().default('.').describe('File or folder to search. Default: the whole workspace.'),
  glob: z
    .string()
    .optional()
    .describe(
      'Only search files whose path matches this glob; without `/` it matches the file name at any depth (`*.ts`, `*.{js,jsx}`).',
    ),
  ignore_case: z.boolean().default(false).describe('Match case-insensitively.'),
  context: z
    .int()
    .min(0)
    .max(20)
    .default(0)
    .describe('Lines of context to show before and after each match.'),
  max_results: z
    .int()
    .min(1)
    .max(5000)
    .optional()
    .describe('Stop after this many matching lines (default: see the tool description).'),
});

export type GrepInput = z.infer<typeof grepInput>;

/** Options of {@link grepTool}. */
export interface GrepToolOptions {
  workspace: Workspace;
  /** Matching lines returned when the call sets no `max_results`. @default 100 */
  defaultMaxResults?: number;
  /** Larger files are skipped. @default 10 MiB */
  maxFileBytes?: number;
  /**
   * Worker threads searching at once, for patterns that could backtrack; more such calls wait.
   * @default 2 to 4, by the cores available
   */
  maxWorkers?: number;
  /**
   * Called with each folder's absolute path once the search has listed it and holds it open,
   * before anything in it is read; the search waits for it. A seam for tests of races (a folder
   * swapped for a symlink). @default undefined
   */
  onListed?: ((folder: string) => unknown) | undefined;
}

/** The module grep's workers run: compiled beside this one, or the TypeScript source in tests. */
const workerEntry = new URL(
  import.meta.url.endsWith('.ts') ? './grep-worker.ts' : './grep-worker.js',
  import.meta.url,
);

/** `grep`: lines matching a regex in a file or a tree. Read claim on the file or the folder. */
export function grepTool(options: GrepToolOptions): Tool<GrepInput> {
  const {
    workspace,
    defaultMaxResults = defaults.grepResults,
    maxFileBytes = defaults.maxFileBytes,
    maxWorkers,
    onListed,
  } = options;
  const workers = new WorkerPool({ entry: workerEntry, maxWorkers });
  return defineTool({
    name: 'grep',
    description: [
      'Searches file contents with a regular expression (JavaScript syntax) and returns `path:line:text` for each matching line (context lines as `path-line-text`, groups separated by `--`).',
      'Searches the whole workspace unless `path` names a file or folder; `glob` filters files by name.',
      `Skips binary files, files over ${formatBytes(maxFileBytes)}, and \`.git\` and \`node_modules\` folders (search them by naming them in \`path\`); symlinks are not followed.`,
      `Stops after ${defaultMaxResults} matching lines unless \`max_results\` is set.`,
      parallelNote,
    ].join(' '),
    input: grepInput,
    claims: (input) => pathClaim(workspace, input.path, 'read'),
    approval: 'auto',
    async execute(input, ctx) {
      const target = workspace.resolve(input.path);
      createMatcher(input.pattern, input.ignore_case); // refuses an invalid pattern here
      if (input.glob) compileGlob({ pattern: input.glob, matchBase: true });
      const max = input.max_results ?? defaultMaxResults;
      let info: Stats;
      try {
        info = await stat(target.path);
      } catch (error) {
        throw await fileError(workspace, target, error);
      }
      const isDir = info.isDirectory();
      if (!isDir) assertRegularFile(workspace, target.path, info);
      const job: GrepJob = {
        root: workspace.root,
        target: target.path,
        isDir,
        pattern: input.pattern,
        ignoreCase: input.ignore_case,
        glob: input.glob,
        context: input.context,
        max,
        maxFileBytes,
      };
      // A pattern that cannot backtrack runs here, without a worker's round trip. Any other may
      // run for hours: only terminating its worker stops it, and the event loop stays free.
      const { results, searched, skipped, capped } = isLinearPattern(input.pattern)
        ? await searchFiles(job, { signal: ctx.signal, onListed })
        : ((await workers.run(
            { job, reportListed: onListed !== undefined } satisfies GrepWorkerJob,
            {
              signal: ctx.signal,
              onEvent: (event) => onListed?.((event as { listed: string }).listed),
            },
          )) as GrepFound);
      const lines = renderMatches({ results, context: input.context });
      const where = `\`${target.relative}\``;
      const skippedNote =
        skipped > 0
          ? ` ${skipped} binary or oversized file${skipped === 1 ? ' was' : 's were'} skipped.`
          : '';
      if (lines.length === 0) {
        return `No matches for \`${input.pattern}\` in ${where} (${searched} file${searched === 1 ? '' : 's'} searched).${skippedNote}`;
      }
      if (capped) {
        lines.push(
          `[Stopped at ${max} matching lines; there may be more. Narrow the pattern, \`path\` or \`glob\`, or raise max_results.]`,
        );
      } else if (skippedNote) {
        lines.push(`[${skippedNote.trim()}]`);
      }
      return lines.join('\n');
    },
  });
}
