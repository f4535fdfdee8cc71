import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalMode } from '../approval/approval.js';
import { InvalidOptionError } from '../errors.js';
import { Scheduler } from '../schedule/scheduler.js';
import { builtinTools } from './builtin-tools.js';
import { claimsOf, tempDir, toolNamed, writeTree } from './test-support.js';
import { createWorkspace } from './workspace.js';

let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  root = await realpath(t.dir);
  await writeTree(root, { 'a.txt': 'alpha\n' });
});

afterEach(() => cleanup());

describe('builtinTools', () => {
  it('returns the seven tools, or six without the shell', () => {
    const names = builtinTools({ root }).map((t) => t.name);
    expect(names).toEqual([
      'read_file',
      'list_dir',
      'glob',
      'grep',
      'write_file',
      'edit_file',
      'shell',
    ]);
    expect(builtinTools({ root, shell: false }).map((t) => t.name)).not.toContain('shell');
    expect(builtinTools({ root: createWorkspace({ root }) })).toHaveLength(7);
  });

  it('describes every tool for a model, with an object JSON schema', () => {
    for (const tool of builtinTools({ root })) {
      expect(tool.description).toMatch(/parallel/);
      expect(tool.inputSchema.jsonSchema).toMatchObject({ type: 'object' });
    }
  });

  it('checks its options at once, naming the option', () => {
    expect(() => builtinTools({ root, maxFileBytes: 0 })).toThrow(InvalidOptionError);
    expect(() => builtinTools({ root, shellTimeoutMs: -1 })).toThrow(/shellTimeoutMs/);
    expect(() => builtinTools({ root: join(root, 'missing') })).toThrow(/root/);
    expect(() => builtinTools(null as never)).toThrow(InvalidOptionError);
  });

  it('keys every tool claim on the same real path for the same file', async () => {
    const tools = builtinTools({ root });
    const key = `fs:${join(root, 'a.txt')}`;
    const inputs: Record<string, unknown> = {
      read_file: { path: 'a.txt' },
      grep: { pattern: 'x', path: './a.txt' },
      write_file: { path: join(root, 'a.txt'), content: '' },
      edit_file: { path: 'sub/../a.txt', old_string: 'a', new_string: 'b' },
    };
    for (const [name, input] of Object.entries(inputs)) {
      const claims = await claimsOf(toolNamed(tools, name), input);
      expect(claims?.map((c) => c.key)).toEqual([key]);
    }
  });

  it.each([
    ['ask', ['success', 'denied', 'denied']],
    ['auto-edit', ['success', 'success', 'success']],
    ['never-ask', ['success', 'denied', 'denied']],
    ['yolo', ['success', 'success', 'success']],
  ] as [ApprovalMode, string[]][])(
    'in %s mode, without an approver: reads run, writes and edits %s',
    async (approvalMode, statuses) => {
      const scheduler = new Scheduler({ tools: builtinTools({ root }), approvalMode });
      const { results } = await scheduler.run([
        { id: 'r', name: 'read_file', input: { path: 'a.txt' } },
        { id: 'w', name: 'write_file', input: { path: 'b.txt', content: 'beta' } },
        {
          id: 'e',
          name: 'edit_file',
          input: { path: 'a.txt', old_string: 'alpha', new_string: 'A' },
        },
      ]);
      expect(results.map((r) => r.status)).toEqual(statuses);
    },
  );
});
