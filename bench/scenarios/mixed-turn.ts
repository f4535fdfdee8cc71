import { type Claim, defineTool, Scheduler, type ToolDefinition } from '../../src/index.js';
import { runInBatches } from '../baselines/batches.js';
import { RwLock } from '../baselines/rw-lock.js';
import { conflictCriticalPath } from '../critical-path.js';
import {
  assertAllSucceeded,
  type Contender,
  measure,
  ratioVerdict,
  type Scenario,
  sleep,
} from '../harness.js';

type ToolName = 'read_file' | 'grep' | 'edit_file' | 'shell' | 'run_tests';

interface TurnCall {
  id: string;
  name: ToolName;
  input: Record<string, string>;
  /** Simulated latency. */
  ms: number;
}

/**
 * One realistic coding turn, in the model's order: look around, edit two files, edit one of them
 * again, re-read it, run the tests (exclusive), then a second round of reads and edits.
 */
const turn: readonly Omit<TurnCall, 'id'>[] = [
  { name: 'shell', input: { command: 'git status' }, ms: 150 },
  { name: 'read_file', input: { path: 'src/server.ts' }, ms: 30 },
  { name: 'read_file', input: { path: 'src/routes.ts' }, ms: 25 },
  { name: 'grep', input: { pattern: 'handleRequest', dir: 'src' }, ms: 80 },
  { name: 'read_file', input: { path: 'test/server.test.ts' }, ms: 20 },
  { name: 'read_file', input: { path: 'package.json' }, ms: 40 },
  { name: 'edit_file', input: { path: 'src/server.ts' }, ms: 30 },
  { name: 'edit_file', input: { path: 'src/routes.ts' }, ms: 30 },
  { name: 'read_file', input: { path: 'docs/api.md' }, ms: 35 },
  { name: 'edit_file', input: { path: 'src/server.ts' }, ms: 30 },
  { name: 'read_file', input: { path: 'src/server.ts' }, ms: 20 },
  { name: 'edit_file', input: { path: 'test/server.test.ts' }, ms: 30 },
  { name: 'read_file', input: { path: 'src/util.ts' }, ms: 30 },
  { name: 'edit_file', input: { path: 'docs/api.md' }, ms: 30 },
  { name: 'run_tests', input: {}, ms: 100 },
  { name: 'read_file', input: { path: 'src/config.ts' }, ms: 25 },
  { name: 'grep', input: { pattern: 'TODO', dir: 'test' }, ms: 80 },
  { name: 'edit_file', input: { path: 'src/config.ts' }, ms: 30 },
  { name: 'read_file', input: { path: 'test/routes.test.ts' }, ms: 20 },
  { name: 'edit_file', input: { path: 'src/util.ts' }, ms: 30 },
];

const fs = (path: string) => `fs:/repo${path ? `/${path}` : ''}`;

/** Each tool's claims for an input; `null` means exclusive (the tool declares none). */
const claimsOf: Record<ToolName, ((input: Record<string, string>) => Claim[]) | null> = {
  read_file: (i) => [{ key: fs(i.path ?? ''), mode: 'read' }],
  grep: (i) => [{ key: fs(i.dir ?? ''), mode: 'read' }],
  edit_file: (i) => [{ key: fs(i.path ?? ''), mode: 'write' }],
  // Input-aware: `git status` only reads the work tree.
  shell: (i) => [
    { key: fs(''), mode: /^git (status|diff|log)\b/.test(i.command ?? '') ? 'read' : 'write' },
  ],
  run_tests: null,
};

function claimsOfCall(call: TurnCall): Claim[] | null {
  return claimsOf[call.name]?.(call.input) ?? null;
}

const isReadOnly = (call: TurnCall) => claimsOfCall(call)?.every((c) => c.mode === 'read') ?? false;

/** ~20 calls of a coding turn with reads, edits of different and of the same file, a shell, an exclusive tool. */
export const mixedTurn: Scenario = {
  name: 'mixed-turn',
  description: `a coding turn of ${turn.length} calls: reads, greps, edits, git status, run_tests (exclusive)`,
  target:
    'salvo within 1.05x of the critical path of the conflict DAG, and faster than batches and rwlock',
  contenders: ['salvo', 'sequential', 'batches', 'rwlock'],
  async run({ reps = 5, quick = false } = {}) {
    const calls: TurnCall[] = turn.map((c, i) => ({
      ...c,
      id: `call_${i}`,
      ms: quick ? Math.max(1, Math.round(c.ms / 20)) : c.ms,
    }));
    const latency = new Map(calls.map((c) => [c.id, c.ms]));
    const work = (call: TurnCall, signal?: AbortSignal) => sleep(call.ms, signal).then(() => 'ok');

    const tools = (Object.keys(claimsOf) as ToolName[]).map((name) => {
      const claims = claimsOf[name];
      const definition: ToolDefinition<Record<string, string>> = {
        name,
        description: `Simulated ${name}`,
        input: { type: 'object', additionalProperties: { type: 'string' } },
        execute: (_input, ctx) => sleep(latency.get(ctx.callId) ?? 0, ctx.signal).then(() => 'ok'),
      };
      if (claims) definition.claims = claims;
      return defineTool(definition);
    });
    const scheduler = new Scheduler({ tools });
    const modelCalls = calls.map(({ id, name, input }) => ({ id, name, input }));
    const lock = new RwLock();

    const contenders: Contender[] = [
      {
        name: 'salvo',
        async run() {
          const { results, trace } = await scheduler.run(modelCalls);
          assertAllSucceeded(results);
          return {
            details: {
              traceLowerBoundMs: trace.summary.lowerBoundMs,
              traceEfficiency: trace.summary.efficiency,
            },
          };
        },
      },
      {
        name: 'sequential',
        async run() {
          for (const call of calls) await work(call);
        },
      },
      {
        // qwen-code / gemini-cli: consecutive read-only calls run together, anything else alone.
        name: 'batches',
        run: () => runInBatches(calls, isReadOnly, (c) => work(c)),
      },
      {
        // Codex: every call launched at once, in order, behind one FIFO reader-writer lock.
        name: 'rwlock',
        async run() {
          await Promise.all(
            calls.map(async (call) => {
              const release = await lock.acquire(isReadOnly(call));
              try {
                await work(call);
              } finally {
                release();
              }
            }),
          );
        },
      },
    ];
    const lowerBoundMs = conflictCriticalPath(
      calls.map((c) => ({ claims: claimsOfCall(c), ms: c.ms })),
    );
    return measure({ scenario: this.name, lowerBoundMs, contenders, reps });
  },
  verdicts(rows) {
    return [
      ratioVerdict(rows, 'salvo', 'lower bound', { max: 1.05 }),
      ratioVerdict(rows, 'salvo', 'batches', { below: 1 }),
      ratioVerdict(rows, 'salvo', 'rwlock', { below: 1 }),
    ];
  },
};
