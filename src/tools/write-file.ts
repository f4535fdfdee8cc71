import { statSync } from 'node:fs';
import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { writeFileAtomic } from './atomic-write.js';
import { assertRegularFile } from './open-file.js';
import { writeError } from './text-file.js';
import { parallelNote, pathClaim } from './tool-support.js';
import type { Workspace } from './workspace.js';

export const writeFileInput = z.object({
  path: z
    .string()
    .describe('The file, relative to the workspace root. Missing folders are created.'),
  content: z.string().describe('The whole new content of the file.'),
});

export type WriteFileInput = z.infer<typeof writeFileInput>;

/** Options of {@link writeFileTool}. */
export interface WriteFileToolOptions {
  workspace: Workspace;
}

/** `write_file`: creates or replaces a file, atomically. Write claim on the file; asks for approval. */
export function writeFileTool(options: WriteFileToolOptions): Tool<WriteFileInput> {
  const { workspace } = options;
  return defineTool({
    name: 'write_file',
    description: [
      'Creates a file, or replaces its whole content, in the workspace; missing folders are created.',
      'To change part of an existing file, prefer edit_file. The write is atomic: other calls see the old or the new content, never half of it.',
      parallelNote,
    ].join(' '),
    input: writeFileInput,
    claims: (input) => pathClaim(workspace, input.path, 'write'),
    approval: 'ask',
    async execute(input, ctx) {
      const file = workspace.resolve(input.path);
      let replaced: boolean;
      try {
        // Replacing a named pipe, a socket or a device with a file would break what uses it.
        const existing = statSync(file.path, { throwIfNoEntry: false });
        if (existing && !existing.isDirectory()) assertRegularFile(workspace, file.path, existing);
        ({ replaced } = await writeFileAtomic({
          path: file.path,
          content: input.content,
          signal: ctx.signal,
        }));
      } catch (error) {
        throw writeError(file, error);
      }
      const lines = countLines(input.content);
      const size = Buffer.byteLength(input.content);
      return `${replaced ? 'Replaced' : 'Created'} \`${file.relative}\` (${lines} line${lines === 1 ? '' : 's'}, ${size} bytes).`;
    },
  });
}

/** Lines of a text: a final line without a line break counts, the empty text has none. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}
