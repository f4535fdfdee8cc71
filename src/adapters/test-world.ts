// A small world for the framework adapters' tests: files edited by read-modify-write (the
// lost-update case), reads, a tool in a named group, and a log of what started and ended.
import { Scheduler, type SchedulerOptions } from '../schedule/scheduler.js';
import { defineTool, type ToolContext } from '../tool/define-tool.js';

export interface World {
  files: Map<string, string>;
  log: string[];
  /** Tools' signals that were aborted, by call id. */
  aborted: Set<string>;
  /** Most `fetch_url` calls running at once. */
  peakFetches: number;
  /** The tools' work without salvo, for a framework's own tools. */
  run(
    name: string,
    input: Record<string, unknown>,
    id: string,
    signal?: AbortSignal,
  ): Promise<string>;
  scheduler(options?: Partial<SchedulerOptions>): Scheduler;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** `editMs`: how long an edit holds the file between reading and writing it. */
export function fileWorld({ editMs = 200, readMs = 20 } = {}): World {
  const files = new Map([
    ['a.txt', 'v0'],
    ['b.txt', 'b0'],
  ]);
  let fetches = 0;
  const world: World = {
    files,
    log: [],
    aborted: new Set(),
    peakFetches: 0,
    async run(name, input, id, signal) {
      world.log.push(`start ${id}`);
      signal?.addEventListener('abort', () => world.aborted.add(id), { once: true });
      try {
        const path = String(input.path ?? '');
        switch (name) {
          case 'edit_file':
          case 'edit_file_ask': {
            const before = files.get(path) ?? '';
            await sleep(editMs, signal);
            files.set(path, `${before}+${String(input.append)}`);
            return `edited ${path}`;
          }
          case 'read_file':
            await sleep(readMs, signal);
            return files.get(path) ?? `no such file: ${path}`;
          case 'fetch_url':
            fetches++;
            world.peakFetches = Math.max(world.peakFetches, fetches);
            try {
              await sleep(readMs, signal);
            } finally {
              fetches--;
            }
            return `page ${String(input.url)}`;
          default:
            throw new Error(`no tool ${name}`);
        }
      } finally {
        world.log.push(`end ${id}`);
      }
    },
    scheduler(options = {}) {
      const execute = (input: Record<string, unknown>, ctx: ToolContext) =>
        world.run(ctx.toolName, input, ctx.callId, ctx.signal);
      const fileInput = {
        type: 'object',
        properties: { path: { type: 'string' }, append: { type: 'string' } },
        required: ['path'],
      };
      const edit = (name: string, approval: 'auto' | 'ask') =>
        defineTool({
          name,
          description: 'Append text to a file',
          input: fileInput,
          claims: (i: { path: string }) => [{ key: `fs:/w/${i.path}`, mode: 'write' }],
          approval,
          execute,
        });
      return new Scheduler({
        tools: [
          edit('edit_file', 'auto'),
          edit('edit_file_ask', 'ask'),
          defineTool({
            name: 'read_file',
            description: 'Read a file',
            input: fileInput,
            claims: (i: { path: string }) => [{ key: `fs:/w/${i.path}`, mode: 'read' }],
            execute,
          }),
          defineTool({
            name: 'fetch_url',
            description: 'Fetch a page',
            input: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
            claims: [],
            group: 'net',
            execute,
          }),
        ],
        limits: { net: 2 },
        tracer: false,
        ...options,
      });
    },
  };
  return world;
}

/** The four calls of the lost-update step: two edits of a.txt, then two reads. */
export const lostUpdateCalls = [
  { id: 'e1', name: 'edit_file', input: { path: 'a.txt', append: 'one' } },
  { id: 'e2', name: 'edit_file', input: { path: 'a.txt', append: 'two' } },
  { id: 'r1', name: 'read_file', input: { path: 'b.txt' } },
  { id: 'r2', name: 'read_file', input: { path: 'b.txt' } },
];

/** Where `entry` stands in the log (-1 when absent). */
export function at(log: readonly string[], entry: string): number {
  return log.indexOf(entry);
}
