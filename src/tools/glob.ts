import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { compileGlob } from './glob-pattern.js';
import { findRipgrep, type WalkChoices } from './ripgrep.js';
import { Ripgrep, typeGlob } from './ripgrep-search.js';
import { fileError } from './text-file.js';
import { ToolError } from './tool-error.js';
import { defaults, ignoredNote, parallelNote, walkChoices } from './tool-support.js';
import { defaultRipgrepAfterFiles, type TreeWalk, walkedFiles } from './walked-files.js';
import type { ResolvedPath, Workspace } from './workspace.js';

export const globInput = z.object({
  pattern: z
    .string()
    .min(1)
    .describe(
      'Glob relative to `path`: `*` and `?` within a name, `**` for any number of folders, `[abc]`, `{ts,tsx}`. E.g. `src/**/*.ts`, `**/*.{json,yaml}`.',
    ),
  path: z.string().default('.').describe('Folder to search in. Default: the workspace root.'),
  max_results: z
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe('Stop after this many paths (default: see the tool description).'),
  include_ignored: z
    .boolean()
    .default(false)
    .describe(
      'Also list what .gitignore leaves out, and `node_modules` folders. Only when truly needed: it can be much slower.',
    ),
});

export type GlobInput = z.infer<typeof globInput>;

/** Options of {@link globTool}. */
export interface GlobToolOptions {
  workspace: Workspace;
  /** Paths returned when the call sets no `max_results`. @default 500 */
  defaultMaxResults?: number;
  /**
   * Leave out what `.gitignore`, `.ignore`, `.rgignore` and `.git/info/exclude` leave out (a
   * call can still ask for it with `include_ignored`). @default true
   */
  respectGitignore?: boolean;
  /**
   * The `rg` program that lists folders: its path, or `false` to walk them in JavaScript only.
   * Both return the same paths. @default `rg` on `PATH`, if any (not one inside the workspace)
   */
  ripgrep?: string | false;
  /**
   * With `rg`, a folder is still searched in JavaScript first, and only a search that meets more
   * than this many files before it is done (or has found its cap) goes on with `rg`: a small
   * folder, or a search that stops early, is answered in a few milliseconds, where starting `rg`
   * costs ten or more. glob, which only lists names, lists five times as many files first. `0`:
   * every folder goes to `rg`. @default 1000
   */
  ripgrepAfterFiles?: number;
}

/**
 * glob only lists names (about 5 µs a file here, where grep reads and matches each file), so it
 * walks this many times grep's budget before it goes on with rg.
 */
const globBudgetFactor = 5;

/** Where a glob call walks: its `path` plus the pattern's literal leading folders. */
function globRoot(workspace: Workspace, input: GlobInput): ResolvedPath {
  const base = workspace.resolve(input.path);
  const { prefix } = compileGlob({ pattern: input.pattern });
  return prefix === '' ? base : workspace.resolve(`${base.path}/${prefix}`);
}

/** `glob`: files whose path matches a pattern. Read claim on the folder it walks. */
export function globTool(options: GlobToolOptions): Tool<GlobInput> {
  const {
    workspace,
    defaultMaxResults = defaults.globResults,
    respectGitignore = true,
    ripgrepAfterFiles = defaultRipgrepAfterFiles,
  } = options;
  const ripgrep = new Ripgrep(
    options.ripgrep === undefined
      ? findRipgrep({ workspaceRoot: workspace.root })
      : options.ripgrep || undefined,
  );
  return defineTool({
    name: 'glob',
    description: [
      'Finds files of the workspace by path pattern and returns their paths relative to the workspace root, sorted, one per line.',
      'A pattern without `/` matches only directly in `path` (use `**/*.ts` for any depth).',
      `Skips ${ignoredNote(respectGitignore, 'in `path` or at the start of the pattern', 'list')}; lists regular files only (not symlinks, which are not followed).`,
      `Returns at most ${defaultMaxResults} paths unless \`max_results\` is set.`,
      parallelNote,
    ].join(' '),
    input: globInput,
    claims: (input) => {
      try {
        return [{ key: globRoot(workspace, input).key, mode: 'read' }];
      } catch {
        return [{ key: workspace.key, mode: 'read' }];
      }
    },
    approval: 'auto',
    async execute(input, ctx) {
      const base = workspace.resolve(input.path);
      const { regex, prefix } = compileGlob({ pattern: input.pattern });
      const root = globRoot(workspace, input);
      const max = input.max_results ?? defaultMaxResults;
      try {
        if (!(await stat(base.path)).isDirectory()) {
          throw new ToolError(
            'not-a-directory',
            `\`${base.relative}\` is a file, not a folder: set \`path\` to a folder.`,
          );
        }
      } catch (error) {
        throw ToolError.isInstance(error) ? error : await fileError(workspace, base, error);
      }
      // Every size: a large file is still a file to find.
      const choices = { ...walkChoices({ respectGitignore, input }), maxFileBytes: undefined };
      const walk: TreeWalk = { dir: root.path, root: workspace.root, choices, signal: ctx.signal };
      /** The paths among `files` that match, up to `max`; undefined past `budget` files. */
      const collect = async (files: AsyncIterable<string> | Iterable<string>, budget: number) => {
        const found: string[] = [];
        let capped = false;
        let seen = 0;
        for await (const file of files) {
          if (seen++ === budget) return undefined;
          const relative = prefix === '' ? file : `${prefix}/${file}`;
          if (!regex.test(relative)) continue;
          if (found.length === max) {
            capped = true;
            break;
          }
          found.push(workspace.relative(`${root.path}/${file}`));
        }
        return { found, capped };
      };
      // With rg, in JavaScript first: a small folder, or a listing that reaches `max` early, is
      // done in a few milliseconds. Past the budget, rg lists the folder (a process of its own).
      // Without rg, or when it cannot list the folder, the walk lists it all.
      const first = ripgrep.available
        ? await collect(walkedFiles(walk), ripgrepAfterFiles * globBudgetFactor)
        : undefined;
      const all = Number.POSITIVE_INFINITY;
      const { found, capped } =
        first ??
        ((await collect(
          (await listWithRipgrep(root.path, choices, input.pattern, ctx.signal)) ??
            walkedFiles(walk),
          all,
        )) as { found: string[]; capped: boolean });
      if (found.length === 0) {
        return `No files match \`${input.pattern}\` in \`${base.relative}\`.`;
      }
      if (capped) {
        found.push(
          `[Stopped at ${max} paths: narrow the pattern, set \`path\`, or raise max_results.]`,
        );
      }
      return found.join('\n');
    },
  });

  /** The files under `dir` relative to it, in walk order, listed by ripgrep; undefined: it cannot. */
  async function listWithRipgrep(
    dir: string,
    choices: WalkChoices,
    pattern: string,
    signal: AbortSignal,
  ): Promise<string[] | undefined> {
    if (!ripgrep.available) return undefined;
    // A folder that is not there has no files (and ripgrep would call it an error).
    if (!(await isFolder(dir))) return [];
    // The pattern's last part, as a file type, saves listing files that cannot match.
    const last = pattern.split('/').at(-1) ?? '';
    const nameGlob = typeGlob(last);
    const walk = { cwd: workspace.root, target: dir, choices, nameGlob, signal };
    return (await ripgrep.files(walk))?.files;
  }
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
