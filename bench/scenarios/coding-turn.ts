import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { builtinTools, type Claim, Scheduler, type Tool, type ToolCall } from '../../src/index.js';
import { findRipgrep } from '../../src/tools/ripgrep.js';
import { runInBatches } from '../baselines/batches.js';
import { conflictCriticalPath } from '../critical-path.js';
import {
  assertAllSucceeded,
  type Contender,
  measure,
  median,
  prng,
  ratio,
  ratioVerdict,
  round,
  type Scenario,
} from '../harness.js';

/** A package of the generated repository: `src/pkgNN/fileMM.ts` and `test/pkgNN/fileMM.test.ts`. */
interface RepoShape {
  packages: number;
  srcPerPackage: number;
  testsPerPackage: number;
}

const fullShape: RepoShape = { packages: 25, srcPerPackage: 60, testsPerPackage: 20 }; // 2,000 files
const quickShape: RepoShape = { packages: 5, srcPerPackage: 8, testsPerPackage: 2 }; // 50 files

const pad = (n: number) => String(n).padStart(2, '0');
const src = (pkg: number, file: number) => `src/pkg${pad(pkg)}/file${pad(file)}.ts`;
const test = (pkg: number, file: number) => `test/pkg${pad(pkg)}/file${pad(file)}.test.ts`;

const verbs = ['load', 'parse', 'render', 'save', 'merge', 'check', 'format', 'resolve'];
const nouns = ['Config', 'Request', 'Session', 'Token', 'Route', 'Schema', 'Buffer', 'Cache'];

/** One file's content: imports, two edit markers, then functions. Deterministic per seed. */
function fileContent(seed: number, shape: RepoShape): string {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T;
  const lines = [`// Generated module ${seed}.`];
  for (let i = 0; i < 3; i++) {
    const pkg = Math.floor(rand() * shape.packages);
    lines.push(`import { ${pick(verbs)}${pick(nouns)} } from '../pkg${pad(pkg)}/index.js';`);
  }
  lines.push('', 'export const version = 1;', 'export let enabled = false;', '');
  const functions = 4 + Math.floor(rand() * 5);
  for (let f = 0; f < functions; f++) {
    const name = `${pick(verbs)}${pick(nouns)}${f}`;
    lines.push(`export function ${name}(input: ${pick(nouns)}): number {`);
    lines.push(`  const value = input.size ?? ${Math.floor(rand() * 1000)};`);
    if (rand() < 0.15) lines.push('  // TODO: handle the empty case');
    if (rand() < 0.2)
      lines.push(`  if (value > ${Math.floor(rand() * 100)}) return handleRequest(value);`);
    lines.push(`  return value * ${1 + Math.floor(rand() * 9)};`, '}', '');
  }
  return lines.join('\n');
}

async function generateRepo(root: string, shape: RepoShape): Promise<number> {
  const paths: string[] = [];
  for (let p = 0; p < shape.packages; p++) {
    for (let f = 0; f < shape.srcPerPackage; f++) paths.push(src(p, f));
    for (let f = 0; f < shape.testsPerPackage; f++) paths.push(test(p, f));
  }
  const folders = new Set(paths.map((path) => dirname(join(root, path))));
  for (const folder of folders) await mkdir(folder, { recursive: true });
  await Promise.all(paths.map((path, i) => writeFile(join(root, path), fileContent(i + 1, shape))));
  return paths.length;
}

type Step =
  | { read: string }
  | { edit: string; marker: 'version' | 'enabled' }
  | { grep: string; path?: string; glob?: string; context?: number }
  | { glob: string }
  | { shell: string };

const r = (read: string): Step => ({ read });
const e = (edit: string, marker: 'version' | 'enabled' = 'version'): Step => ({ edit, marker });

/** 40 calls: look around, edit (two files twice), re-read edited files, search again. */
const fullTurn: Step[] = [
  { shell: 'ls -R src | wc -l' },
  { glob: 'src/**/*.ts' },
  { grep: 'handleRequest' },
  r(src(0, 0)),
  r(src(0, 1)),
  r(src(3, 10)),
  { grep: 'TODO', path: 'src/pkg03' },
  r(test(0, 0)),
  e(src(0, 0)),
  e(src(3, 10)),
  r(src(5, 2)),
  e(src(0, 0), 'enabled'),
  r(src(0, 0)),
  { glob: 'test/**/*.test.ts' },
  { grep: 'export function parse', glob: '*.ts', path: 'src' },
  r(src(7, 20)),
  r(src(7, 21)),
  e(src(7, 20)),
  r(src(10, 5)),
  { grep: 'import .* from', path: 'src/pkg10' },
  e(test(0, 0)),
  r(src(12, 30)),
  r(src(12, 31)),
  e(src(12, 31)),
  { glob: 'src/pkg12/*.ts' },
  r(src(15, 0)),
  e(src(3, 10), 'enabled'),
  r(src(3, 10)),
  { grep: 'handleRequest', path: 'src/pkg15', context: 2 },
  r(src(18, 40)),
  e(src(18, 40)),
  r(src(20, 11)),
  r(src(22, 12)),
  { glob: 'src/pkg2*/**/*.ts' },
  e(src(22, 12)),
  r(test(5, 3)),
  { grep: 'TODO' },
  r(src(24, 59)),
  e(src(24, 59)),
  r(src(24, 59)),
];

/** 10 calls on the 50-file repository, for the smoke test. */
const quickTurn: Step[] = [
  { shell: 'ls -R src | wc -l' },
  { glob: 'src/**/*.ts' },
  { grep: 'handleRequest' },
  r(src(0, 0)),
  r(src(1, 1)),
  e(src(0, 0)),
  e(src(0, 0), 'enabled'),
  r(src(0, 0)),
  { grep: 'TODO', path: 'src/pkg01' },
  e(src(1, 1)),
];

const markers = {
  version: ['export const version = 1;', 'export const version = 2;'],
  enabled: ['export let enabled = false;', 'export let enabled = true;'],
} as const;

/** The calls of a turn. `forward` edits marker values 1 -> 2; the next run edits them back. */
function callsOf(steps: readonly Step[], forward: boolean): ToolCall[] {
  return steps.map((step, i): ToolCall => {
    const id = `call_${i}`;
    if ('read' in step) return { id, name: 'read_file', input: { path: step.read } };
    if ('edit' in step) {
      const [from, to] = markers[step.marker];
      const [old_string, new_string] = forward ? [from, to] : [to, from];
      return { id, name: 'edit_file', input: { path: step.edit, old_string, new_string } };
    }
    if ('grep' in step) {
      const { grep, ...options } = step;
      return { id, name: 'grep', input: { pattern: grep, ...options } };
    }
    if ('glob' in step) return { id, name: 'glob', input: { pattern: step.glob } };
    return { id, name: 'shell', input: { command: step.shell } };
  });
}

/** A call with its input validated and its claims computed, ready to run without a scheduler. */
interface PreparedCall {
  call: ToolCall;
  tool: Tool;
  claims: readonly Claim[] | null;
}

async function prepare(
  tools: readonly Tool[],
  calls: readonly ToolCall[],
): Promise<PreparedCall[]> {
  return Promise.all(
    calls.map(async (call) => {
      const tool = tools.find((t) => t.name === call.name) as Tool;
      const checked = await tool.inputSchema.validate(call.input);
      if (!checked.ok) throw new Error(`${call.id}: ${checked.message}`);
      const claims = typeof tool.claims === 'function' ? tool.claims(checked.value) : tool.claims;
      return { call, tool, claims: claims ?? null };
    }),
  );
}

/** Runs one call the way a loop without a scheduler would: validate, execute, await. */
async function execute({ call, tool }: PreparedCall): Promise<unknown> {
  const checked = await tool.inputSchema.validate(call.input);
  if (!checked.ok) throw new Error(checked.message);
  const signal = new AbortController().signal;
  return tool.execute(checked.value, {
    signal,
    callId: call.id,
    turnId: 1,
    toolName: tool.name,
    progress() {},
    path: [],
    waitFor: (work) => Promise.resolve(work),
    asParent: { turnId: 1, callId: call.id },
    turnSignal: undefined,
  });
}

const isReadOnly = (c: PreparedCall) => c.claims?.every((x) => x.mode === 'read') ?? false;

/**
 * A turn of 40 real tool calls over a generated 2,000-file repository. grep and glob use `rg`
 * when it is on PATH (every row says which: `search`), so their work runs in processes of its
 * own and overlaps with the rest of the turn.
 */
export const codingTurn: Scenario = {
  name: 'coding-turn',
  description:
    '40 real calls (read_file, grep, glob, edit_file, a read-only shell) over a generated 2,000-file repository',
  target:
    'with rg: sequential / salvo >= 1.5 on 2 cores; without: salvo no slower than sequential and batches (<= 1.05x), the turn is CPU-bound (see BENCHMARKS.md)',
  contenders: ['salvo', 'sequential', 'batches'],
  // A run takes ~30 ms and the machine is noisy: more repetitions than the default 5.
  async run({ reps = 15, quick = false } = {}) {
    const shape = quick ? quickShape : fullShape;
    const steps = quick ? quickTurn : fullTurn;
    const root = await realpath(await mkdtemp(join(tmpdir(), 'salvo-bench-coding-')));
    try {
      await generateRepo(root, shape);
      const tools = builtinTools({ root });
      const scheduler = new Scheduler({ tools, approvalMode: 'yolo' });
      const turnOf = async (forward: boolean) => {
        const calls = callsOf(steps, forward);
        return { calls, prepared: await prepare(tools, calls) };
      };
      const turns = { forward: await turnOf(true), backward: await turnOf(false) };
      // Every run edits the markers one way and the next run edits them back, so each contender
      // does the same work on the same tree without an untimed restore step.
      let forward = true;
      const next = () => {
        const turn = forward ? turns.forward : turns.backward;
        forward = !forward;
        return turn;
      };

      // Lower bound: the conflict DAG's critical path, each call weighted by its wall time alone
      // (median of three one-by-one passes, after one untimed pass each way). Also shown: the
      // process CPU time of the calls alone, which says how CPU-bound the turn is (the tools run
      // on the one JavaScript thread; a shell command's own process is not counted).
      for (let pass = 0; pass < 2; pass++) for (const c of next().prepared) await execute(c);
      const wall = steps.map(() => [] as number[]);
      const cpu = steps.map(() => [] as number[]);
      for (let pass = 0; pass < 4; pass++) {
        const turn = next();
        for (const [i, c] of turn.prepared.entries()) {
          const startedAt = performance.now();
          const cpuBefore = process.cpuUsage();
          await execute(c);
          const used = process.cpuUsage(cpuBefore);
          if (pass === 0) continue;
          wall[i]?.push(performance.now() - startedAt);
          cpu[i]?.push((used.user + used.system) / 1000);
        }
      }
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      const lowerBoundMs = conflictCriticalPath(
        turns.forward.prepared.map((c, i) => ({ claims: c.claims, ms: median(wall[i] ?? []) })),
      );
      const shown = {
        soloSumMs: round(sum(wall.map(median))),
        soloCpuMs: round(sum(cpu.map(median))),
      };

      const contenders: Contender[] = [
        {
          name: 'salvo',
          async run() {
            const { results, trace } = await scheduler.run(next().calls);
            assertAllSucceeded(results);
            return {
              details: {
                parallelism: round(trace.summary.parallelism),
                traceEfficiency: round(trace.summary.efficiency),
              },
            };
          },
        },
        {
          name: 'sequential',
          async run() {
            for (const c of next().prepared) await execute(c);
          },
        },
        {
          name: 'batches',
          async run() {
            await runInBatches(next().prepared, isReadOnly, execute);
          },
        },
      ];
      const measurements = await measure({ scenario: this.name, lowerBoundMs, contenders, reps });
      const search = findRipgrep({ workspaceRoot: root }) ? 'rg' : 'javascript';
      for (const m of measurements) {
        Object.assign(m.details, shown);
        m.row.search = search;
      }
      return measurements;
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
  verdicts(rows) {
    const parallel =
      rows[0]?.search === 'rg'
        ? [ratioVerdict(rows, 'sequential', 'salvo', { min: 1.5 })]
        : [ratioVerdict(rows, 'salvo', 'sequential', { max: 1.05 })];
    return [
      ...parallel,
      ratioVerdict(rows, 'salvo', 'batches', { max: 1.05 }),
      {
        label: 'salvo / lower bound',
        value: round(ratio(rows, 'salvo', 'lower bound'), 3),
        goal: 'context: the critical path assumes a core per call',
        met: undefined,
      },
    ];
  },
};
