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
import { findRipgrep, type WalkChoices } from './ripgrep.js';
import { toRipgrepPattern } from './ripgrep-pattern.js';
import { Ripgrep, typeGlob } from './ripgrep-search.js';
import { fileError, formatBytes } from './text-file.js';
import { defaults, ignoredNote, parallelNote, pathClaim, walkChoices } from './tool-support.js';
import { defaultRipgrepAfterFiles } from './walked-files.js';
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
  include_ignored: z
    .boolean()
    .default(false)
    .describe(
      'Also search what .gitignore leaves out, and `node_modules` folders. Only when truly needed: it can be much slower.',
    ),
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
  /**
   * Leave out what `.gitignore`, `.ignore`, `.rgignore` and `.git/info/exclude` leave out (a
   * call can still ask for it with `include_ignored`). @default true
   */
  respectGitignore?: boolean;
  /**
   * The `rg` program that searches folders: its path, or `false` to search in JavaScript only.
   * Both return the same results. @default `rg` on `PATH`, if any (not one inside the workspace)
   */
  ripgrep?: string | false;
  /**
   * With `rg`, a folder is still searched in JavaScript first, and only a search that meets more
   * than this many files before it is done (or has found its cap) goes on with `rg`: a small
   * folder, or a search that stops early, is answered in a few milliseconds, where starting `rg`
   * costs ten or more. `0`: every folder goes to `rg`. @default 1000
   */
  ripgrepAfterFiles?: number;
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
    respectGitignore = true,
    ripgrepAfterFiles = defaultRipgrepAfterFiles,
  } = options;
  const workers = new WorkerPool({ entry: workerEntry, maxWorkers });
  const ripgrep = new Ripgrep(
    options.ripgrep === undefined
      ? findRipgrep({ workspaceRoot: workspace.root })
      : options.ripgrep || undefined,
  );
  return defineTool({
    name: 'grep',
    description: [
      'Searches file contents with a regular expression (JavaScript syntax) and returns `path:line:text` for each matching line (context lines as `path-line-text`, groups separated by `--`).',
      'Searches the whole workspace unless `path` names a file or folder; `glob` filters files by name.',
      `Skips binary files, files over ${formatBytes(maxFileBytes)}, ${ignoredNote(respectGitignore)}; symlinks are not followed.`,
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
      const choices = walkChoices({ respectGitignore, input, maxFileBytes });
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
        ignoreFiles: choices.ignoreFiles,
        skipDirs: choices.skipDirs,
      };
      const searchJob = async (work: GrepJob): Promise<GrepFound> =>
        // A pattern that cannot backtrack runs here, without a worker's round trip. Any other
        // may run for hours: only terminating its worker stops it, and the event loop stays free.
        isLinearPattern(input.pattern)
          ? searchFiles(work, { signal: ctx.signal, onListed })
          : ((await workers.run(
              { job: work, reportListed: onListed !== undefined } satisfies GrepWorkerJob,
              {
                signal: ctx.signal,
                onEvent: (event) => onListed?.((event as { listed: string }).listed),
              },
            )) as GrepFound);
      const found =
        (isDir && (await searchWithRipgrep(job, choices, ctx.signal, searchJob))) ||
        (await searchJob(job));
      const { results, searched, capped } = found;
      const lines = renderMatches({ results, context: input.context });
      const where = `\`${target.relative}\``;
      if (lines.length === 0) {
        return `No matches for \`${input.pattern}\` in ${where} (${searched} file${searched === 1 ? '' : 's'} searched).`;
      }
      if (capped) {
        lines.push(
          `[Stopped at ${max} matching lines; there may be more. Narrow the pattern, \`path\` or \`glob\`, or raise max_results.]`,
        );
      }
      return lines.join('\n');
    },
  });

  /**
   * A folder searched with ripgrep: it finds the files with a matching line, using every core
   * in a process of its own, and they are then searched like the files of the JavaScript walk
   * (opened safely, matched with the JavaScript pattern), so the results are the same.
   * Undefined when ripgrep cannot serve this search.
   */
  async function searchWithRipgrep(
    job: GrepJob,
    choices: WalkChoices,
    signal: AbortSignal,
    searchJob: (work: GrepJob) => Promise<GrepFound>,
  ): Promise<GrepFound | undefined> {
    if (!ripgrep.available) return undefined;
    const pattern = toRipgrepPattern(job.pattern, job.ignoreCase);
    if (pattern === undefined) return undefined;
    // In JavaScript first: a small folder, or a search that finds its `max` lines early, is
    // done in a few milliseconds. Past the budget, rg searches the folder.
    const first = await searchJob({ ...job, budgetFiles: ripgrepAfterFiles });
    if (!first.unfinished) return first;
    const nameGlob = job.glob === undefined ? undefined : typeGlob(job.glob);
    const walk = { cwd: job.root, target: job.target, choices, nameGlob, signal };
    const listing = await ripgrep.filesWithMatches(walk, pattern);
    if (!listing) return undefined;
    const candidates = listing.files.map((file) => `${job.target}/${file}`);
    const found = await searchJob({ ...job, candidates });
    // The files searched, for a search that found nothing: ripgrep counts them, unless a glob
    // it could not apply leaves some out.
    found.searched = listing.searched ?? 0;
    if (found.results.length === 0 && job.glob !== undefined && nameGlob === undefined) {
      const all = await ripgrep.files(walk);
      if (!all) return undefined;
      const filter = compileGlob({ pattern: job.glob, matchBase: true }).regex;
      found.searched = all.files.filter((file) => filter.test(file)).length;
    }
    return found;
  }
}
