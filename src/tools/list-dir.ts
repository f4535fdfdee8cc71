import type { Dirent } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { fileError } from './text-file.js';
import { errnoCode, ToolError } from './tool-error.js';
import { defaults, parallelNote, pathClaim } from './tool-support.js';
import type { Workspace } from './workspace.js';

export const listDirInput = z.object({
  path: z
    .string()
    .default('.')
    .describe('The folder, relative to the workspace root. Default: the root (`.`).'),
});

export type ListDirInput = z.infer<typeof listDirInput>;

/** Options of {@link listDirTool}. */
export interface ListDirToolOptions {
  workspace: Workspace;
  /** Entries shown; the rest are counted. @default 1000 */
  maxEntries?: number;
}

/** `list_dir`: one folder's entries, sorted. Read claim on the folder. */
export function listDirTool(options: ListDirToolOptions): Tool<ListDirInput> {
  const { workspace, maxEntries = defaults.listEntries } = options;
  return defineTool({
    name: 'list_dir',
    description: [
      'Lists the entries of one folder of the workspace (not recursive), sorted by name: folders end with `/`, symlinks show their target.',
      `Shows at most ${maxEntries} entries. To find files by name at any depth, use glob.`,
      parallelNote,
    ].join(' '),
    input: listDirInput,
    claims: (input) => pathClaim(workspace, input.path, 'read'),
    approval: 'auto',
    async execute(input, ctx) {
      const dir = workspace.resolve(input.path);
      let entries: Dirent[];
      try {
        entries = await readdir(dir.path, { withFileTypes: true });
      } catch (error) {
        if (errnoCode(error) === 'ENOTDIR') {
          throw new ToolError(
            'not-a-directory',
            `\`${dir.relative}\` is a file, not a folder. Use read_file to read it.`,
          );
        }
        throw await fileError(workspace, dir, error);
      }
      ctx.signal.throwIfAborted();
      if (entries.length === 0) return `(\`${dir.relative}\` is empty)`;
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const shown = entries.slice(0, maxEntries);
      const lines = await Promise.all(
        shown.map(async (entry) => {
          if (entry.isDirectory()) return `${entry.name}/`;
          if (entry.isSymbolicLink()) {
            const target = await readlink(join(dir.path, entry.name)).catch(() => '?');
            return `${entry.name} -> ${target}`;
          }
          return entry.name;
        }),
      );
      if (entries.length > shown.length) {
        lines.push(
          `[${entries.length - shown.length} more entries not shown; use glob with a pattern to narrow down.]`,
        );
      }
      return lines.join('\n');
    },
  });
}
