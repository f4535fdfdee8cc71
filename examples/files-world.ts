// The lost-update step the framework examples run: two read-modify-write edits of a.txt and two
// reads of b.txt, on files kept in memory. No API key, no network.
import { defineTool, Scheduler } from '../src/index.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

const fileInput = {
  type: 'object',
  properties: { path: { type: 'string' }, append: { type: 'string' } },
  required: ['path'],
} as const;

/** A scheduler with `edit_file` and `read_file` over `files`; an edit takes `editMs`. */
export function filesScheduler(files: Map<string, string>, editMs: number): Scheduler {
  const editFile = defineTool({
    name: 'edit_file',
    description: 'Append text to a file',
    input: fileInput,
    claims: (i: { path: string }) => [{ key: `fs:/demo/${i.path}`, mode: 'write' }],
    execute: async (i: { path: string; append: string }, ctx) => {
      const before = files.get(i.path) ?? '';
      await sleep(editMs, ctx.signal); // read, think, write: another edit in between is lost
      files.set(i.path, `${before}+${i.append}`);
      return `edited ${i.path}`;
    },
  });
  const readFile = defineTool({
    name: 'read_file',
    description: 'Read a file',
    input: fileInput,
    claims: (i: { path: string }) => [{ key: `fs:/demo/${i.path}`, mode: 'read' }],
    execute: async (i: { path: string }, ctx) => {
      await sleep(editMs / 4, ctx.signal);
      return files.get(i.path) ?? '';
    },
  });
  return new Scheduler({ tools: [editFile, readFile], tracer: false });
}

/** The model's one step of calls, in its order. */
export const stepCalls = [
  { id: 'e1', name: 'edit_file', input: { path: 'a.txt', append: 'one' } },
  { id: 'e2', name: 'edit_file', input: { path: 'a.txt', append: 'two' } },
  { id: 'r1', name: 'read_file', input: { path: 'b.txt' } },
  { id: 'r2', name: 'read_file', input: { path: 'b.txt' } },
];

export function freshFiles(): Map<string, string> {
  return new Map([
    ['a.txt', 'v0'],
    ['b.txt', 'b0'],
  ]);
}
