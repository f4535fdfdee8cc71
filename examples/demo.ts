// The scheduler on a simulated coding turn: what ran when, one call at a time and then with salvo.
// Needs no API key and no network: tools sleep for realistic latencies instead of doing I/O.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  type CallResult,
  defineTool,
  renderTimeline,
  Scheduler,
  type ToolCall,
  type TurnTrace,
  writeTrace,
} from '../src/index.js';

export interface DemoOptions {
  /** Multiplies every simulated latency. @default 1 */
  scale?: number;
  /** Where the report goes. @default console.log */
  print?: (line: string) => void;
  /** Write the HTML report and the Chrome trace to the temp folder. @default true */
  writeReports?: boolean;
}

export interface DemoOutcome {
  sequentialMs: number;
  salvoMs: number;
  results: CallResult[];
  trace: TurnTrace;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

function demoTools(scale: number) {
  const file = z.object({ path: z.string() });
  const fs = (path: string) => `fs:/repo/${path}`;
  return [
    defineTool({
      name: 'read_file',
      description: 'Read a file',
      input: file,
      claims: (i) => [{ key: fs(i.path), mode: 'read' }],
      execute: async (i, ctx) => {
        await sleep(30 * scale, ctx.signal);
        return `// contents of ${i.path}`;
      },
    }),
    defineTool({
      name: 'grep',
      description: 'Search the tree',
      input: z.object({ pattern: z.string() }),
      claims: [{ key: fs(''), mode: 'read' }],
      execute: async (i, ctx) => {
        await sleep(80 * scale, ctx.signal);
        return `3 matches for ${i.pattern}`;
      },
    }),
    defineTool({
      name: 'edit_file',
      description: 'Replace text in a file',
      input: file.extend({ old: z.string(), new: z.string() }),
      claims: (i) => [{ key: fs(i.path), mode: 'write' }],
      approval: 'ask',
      execute: async (i, ctx) => {
        await sleep(40 * scale, ctx.signal);
        return `edited ${i.path}`;
      },
    }),
    defineTool({
      name: 'git_status',
      description: 'Show the working tree status',
      input: z.object({}),
      claims: [{ key: fs(''), mode: 'read' }],
      execute: async (_i, ctx) => {
        await sleep(120 * scale, ctx.signal);
        return 'M src/auth.ts';
      },
    }),
    defineTool({
      name: 'run_tests',
      description: 'Run the test suite',
      input: z.object({}),
      // No claims: exclusive. Tests read everything and may write anywhere.
      execute: async (_i, ctx) => {
        await sleep(150 * scale, ctx.signal);
        return '42 passed';
      },
    }),
    defineTool({
      name: 'fetch_docs',
      description: 'Fetch library docs',
      input: z.object({ topic: z.string() }),
      claims: [],
      group: 'network',
      execute: async (i, ctx) => {
        await sleep(100 * scale, ctx.signal);
        return `docs on ${i.topic}`;
      },
    }),
  ];
}

/** What a model might send in one response while fixing a bug. */
const turn: ToolCall[] = [
  { id: 'c1', name: 'read_file', input: '{"path":"src/auth.ts"}' },
  { id: 'c2', name: 'read_file', input: '{"path":"src/session.ts"}' },
  { id: 'c3', name: 'grep', input: '{"pattern":"validateToken"}' },
  { id: 'c4', name: 'fetch_docs', input: '{"topic":"jwt"}' },
  { id: 'c5', name: 'edit_file', input: '{"path":"src/auth.ts","old":"==","new":"==="}' },
  { id: 'c6', name: 'edit_file', input: '{"path":"src/session.ts","old":"ttl","new":"ttlMs"}' },
  { id: 'c7', name: 'read_file', input: '{"path":"src/auth.ts"}' },
  { id: 'c8', name: 'fetch_docs', input: '{"topic":"cookies"}' },
  { id: 'c9', name: 'git_status', input: '{}' },
  { id: 'c10', name: 'run_tests', input: '{}' },
  { id: 'c11', name: 'read_file', input: '{"path":"CHANGELOG.md"}' },
  { id: 'c12', name: 'edit_file', input: '{"path":"src/auth.ts","old":"TODO","new":"done"}' },
];

export async function runDemo({
  scale = 1,
  print = console.log,
  writeReports = true,
}: DemoOptions = {}): Promise<DemoOutcome> {
  const tools = demoTools(scale);
  // Edits ask for approval; a simulated human answers in 60 ms (the first edit) or at once.
  const approver = async (req: { callId: string; signal: AbortSignal }) => {
    await sleep((req.callId === 'c5' ? 60 : 5) * scale, req.signal);
    return 'approve' as const;
  };

  print(
    'salvo demo: one model response with 12 tool calls (reads, a grep, edits, docs, git status, tests)\n',
  );

  const sequential = new Scheduler({ tools, maxConcurrency: 1, approver });
  let start = performance.now();
  // One at a time, as many agent harnesses run them: each call waits for the previous one.
  for (const call of turn) await sequential.run([call]);
  const sequentialMs = performance.now() - start;

  const salvo = new Scheduler({ tools, maxConcurrency: 8, limits: { network: 1 }, approver });
  start = performance.now();
  const { results, trace } = await salvo.run(turn);
  const salvoMs = performance.now() - start;

  print(
    renderTimeline(trace, {
      color: process.stdout.isTTY === true && !process.env.CI,
      summary: false,
    }),
  );
  const s = trace.summary;
  print('');
  print(`one call at a time: ${sequentialMs.toFixed(0)} ms`);
  print(
    `salvo:              ${salvoMs.toFixed(0)} ms  (${(sequentialMs / salvoMs).toFixed(1)}x faster)`,
  );
  print(
    `parallelism ${s.parallelism.toFixed(2)}, lower bound ${s.lowerBoundMs.toFixed(0)} ms, efficiency ${(s.efficiency * 100).toFixed(0)}%`,
  );
  print(`critical path: ${s.criticalPath.join(' -> ')}`);
  print(`results, in call order: ${results.map((r) => `${r.id}:${r.status}`).join(' ')}`);
  if (writeReports) {
    const base = join(tmpdir(), 'salvo-demo');
    await writeTrace(`${base}.html`, trace, { title: 'salvo demo: one coding turn' });
    await writeTrace(`${base}.trace.json`, trace);
    print(`trace: ${base}.html (open in a browser), ${base}.trace.json (open in ui.perfetto.dev)`);
  }
  return { sequentialMs, salvoMs, results, trace };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runDemo();
}
