import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { compileGlob } from './glob-pattern.js';
import { createMatcher, type FileMatches, matchLines, renderMatches } from './grep-match.js';
import { fileError, formatBytes, isBinary } from './text-file.js';
import { defaults, parallelNote, pathClaim } from './tool-support.js';
import { walkFiles } from './walk.js';
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
}

/**
 * Files are read synchronously, in slices of at most this many milliseconds, and the event loop
 * gets a turn between slices (other calls, timers, aborts). On local disks a synchronous read of
 * a small file costs a fraction of an asynchronous one (6 µs against 30-40 µs a file here).
 */
const sliceMs = 4;
/** Most files fit: one read each, into a buffer reused for the whole search. */
const scratchBytes = 64 * 1024;

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A file's bytes, or why it is left out. The result may be a view of `scratch`: use it before the
 * next call.
 */
function readForSearch(
  path: string,
  scratch: Buffer,
  maxFileBytes: number,
): Buffer | 'large' | 'unreadable' {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return 'unreadable'; // vanished or not readable: left out, not fatal
  }
  try {
    const read = readSync(fd, scratch, 0, scratch.length, 0);
    if (read < scratch.length) return read > maxFileBytes ? 'large' : scratch.subarray(0, read);
    if (fstatSync(fd).size > maxFileBytes) return 'large';
    return readFileSync(fd);
  } catch {
    return 'unreadable';
  } finally {
    closeSync(fd);
  }
}

/** `grep`: lines matching a regex in a file or a tree. Read claim on the file or the folder. */
export function grepTool(options: GrepToolOptions): Tool<GrepInput> {
  const {
    workspace,
    defaultMaxResults = defaults.grepResults,
    maxFileBytes = defaults.maxFileBytes,
  } = options;
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
      const matcher = createMatcher(input.pattern, input.ignore_case);
      const filter = input.glob ? compileGlob({ pattern: input.glob, matchBase: true }) : undefined;
      const max = input.max_results ?? defaultMaxResults;
      let isDir: boolean;
      try {
        isDir = (await stat(target.path)).isDirectory();
      } catch (error) {
        throw await fileError(workspace, target, error);
      }
      const scratch = Buffer.allocUnsafe(scratchBytes);
      const results: { path: string; file: FileMatches }[] = [];
      let matched = 0;
      let searched = 0;
      let skipped = 0;
      let capped = false;
      let sliceStart = performance.now();
      const files = isDir ? filesOf(target.path, filter?.regex, ctx.signal) : once(target.path);
      for await (const path of files) {
        if (performance.now() - sliceStart > sliceMs) {
          await nextTick();
          ctx.signal.throwIfAborted();
          sliceStart = performance.now();
        }
        const bytes = readForSearch(path, scratch, maxFileBytes);
        if (bytes === 'unreadable') continue;
        searched++;
        if (bytes === 'large' || isBinary(bytes)) {
          skipped++;
          continue;
        }
        const text = bytes.toString('utf8');
        const file = matchLines({ text, matcher, context: input.context, limit: max - matched });
        if (file.matches === 0) continue;
        results.push({ path: workspace.relative(path), file });
        matched += file.matches;
        if (matched >= max) {
          capped = true;
          break;
        }
      }
      ctx.signal.throwIfAborted();
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

async function* once(path: string): AsyncGenerator<string> {
  yield path;
}

async function* filesOf(
  dir: string,
  filter: RegExp | undefined,
  signal: AbortSignal,
): AsyncGenerator<string> {
  for await (const entry of walkFiles({ dir, signal })) {
    if (entry.kind !== 'file') continue;
    if (filter && !filter.test(entry.relative)) continue;
    yield entry.path;
  }
}
