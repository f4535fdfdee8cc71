import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { compileGlob } from './glob-pattern.js';
import { fileError } from './text-file.js';
import { ToolError } from './tool-error.js';
import { defaults, parallelNote } from './tool-support.js';
import { walkFiles } from './walk.js';
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
});

export type GlobInput = z.infer<typeof globInput>;

/** Options of {@link globTool}. */
export interface GlobToolOptions {
  workspace: Workspace;
  /** Paths returned when the call sets no `max_results`. @default 500 */
  defaultMaxResults?: number;
}

/** Where a glob call walks: its `path` plus the pattern's literal leading folders. */
function globRoot(workspace: Workspace, input: GlobInput): ResolvedPath {
  const base = workspace.resolve(input.path);
  const { prefix } = compileGlob({ pattern: input.pattern });
  return prefix === '' ? base : workspace.resolve(`${base.path}/${prefix}`);
}

/** `glob`: files whose path matches a pattern. Read claim on the folder it walks. */
export function globTool(options: GlobToolOptions): Tool<GlobInput> {
  const { workspace, defaultMaxResults = defaults.globResults } = options;
  return defineTool({
    name: 'glob',
    description: [
      'Finds files of the workspace by path pattern and returns their paths relative to the workspace root, sorted, one per line.',
      'A pattern without `/` matches only directly in `path` (use `**/*.ts` for any depth).',
      'Skips `.git` and `node_modules` folders unless the pattern starts inside them; symlinks are listed, not followed.',
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
      const found: string[] = [];
      let capped = false;
      for await (const entry of walkFiles({ dir: root.path, signal: ctx.signal })) {
        const relative = prefix === '' ? entry.relative : `${prefix}/${entry.relative}`;
        if (!regex.test(relative)) continue;
        if (found.length === max) {
          capped = true;
          break;
        }
        found.push(workspace.relative(entry.path));
      }
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
}
