import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinTools, contentToText, Scheduler, type ToolCall } from '../../src/index.js';
import { findRipgrep, ripgrepWalkArgs } from '../../src/tools/ripgrep.js';
import {
  assertAllSucceeded,
  type Contender,
  measure,
  prng,
  ratio,
  ratioVerdict,
  round,
  type Scenario,
} from '../harness.js';

interface RepoShape {
  /** Source files (about 1 KB each) in `src/`. */
  sources: number;
  /** Files in the ignored `node_modules/` and `dist/`, together. */
  ignored: number;
}

const fullShape: RepoShape = { sources: 20_000, ignored: 30_000 };
const quickShape: RepoShape = { sources: 200, ignored: 300 };

/** In one file out of 2,000: the rare literal. In one out of 100: what the regex finds. */
const rareLiteral = 'xyzzy_rare_marker';
const regex = 'FIXME\\(\\w+-\\d+\\)';

const verbs = ['load', 'parse', 'render', 'save', 'merge', 'check', 'format', 'resolve'];
const nouns = ['Config', 'Request', 'Session', 'Token', 'Route', 'Schema', 'Buffer', 'Cache'];

/** About 1 KB of TypeScript, deterministic per seed. */
function source(seed: number): string {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T;
  const lines = [
    `// Module ${seed}.`,
    `import { ${pick(verbs)}${pick(nouns)} } from './dep.js';`,
    '',
  ];
  while (lines.join('\n').length < 950) {
    const name = `${pick(verbs)}${pick(nouns)}${lines.length}`;
    lines.push(`export function ${name}(input: ${pick(nouns)}): number {`);
    lines.push(
      `  return (input.size ?? ${Math.floor(rand() * 1000)}) * ${1 + Math.floor(rand() * 9)};`,
    );
    lines.push('}', '');
  }
  if (seed % 2000 === 7) lines.push(`// ${rareLiteral}: keep in sync`);
  if (seed % 100 === 3) lines.push(`// FIXME(team-${seed % 17}): split this module`);
  return `${lines.join('\n')}\n`;
}

/** Writes the repository: sources in folders of 100, the ignored files in folders of 100. */
function generateRepo(root: string, shape: RepoShape): void {
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git/HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(root, '.gitignore'), 'node_modules/\ndist/\n');
  for (let i = 0; i < shape.sources; i++) {
    const dir = join(root, 'src', `pkg${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `file${i % 100}.ts`), source(i));
  }
  // Build output and dependencies hold the same text: a search that read them would find it.
  for (let i = 0; i < shape.ignored; i++) {
    const top = i % 2 === 0 ? 'node_modules' : 'dist';
    const dir = join(root, top, `pkg${Math.floor(i / 200)}`);
    if (i % 200 < 2) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `file${i}.js`), source(i));
  }
}

/** The two calls of a run: one rare literal, one regex, both over the whole tree. */
const calls: ToolCall[] = [
  { id: 'literal', name: 'grep', input: { pattern: rareLiteral } },
  { id: 'regex', name: 'grep', input: { pattern: regex } },
];

/** Runs `rg` as a user would for the same search (lines, with numbers) and drains its output. */
function runRipgrep(rg: string, root: string, pattern: string): Promise<number> {
  const args = [
    ...ripgrepWalkArgs({
      ignoreFiles: true,
      skipDirs: ['.git', 'node_modules'],
      maxFileBytes: 10 * 1024 * 1024,
    }),
    '--line-number',
    '--regexp',
    pattern,
    '--',
    root,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(rg, args, { cwd: root, env: {}, stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(bytes) : reject(new Error(`rg exited with ${code}`)),
    );
  });
}

/**
 * A generated repository of 20,000 source files plus 30,000 files in an ignored `node_modules/`
 * and `dist/`, searched twice over the whole tree (a rare literal and a regex) in one turn.
 */
export const bigRepo: Scenario = {
  name: 'big-repo',
  description:
    'two whole-tree greps (a rare literal, a regex) in one turn over 20,000 source files (~20 MB) and 30,000 ignored ones',
  target: 'salvo <= 1.3x rg run alone for the same two searches',
  contenders: ['salvo', 'rg', 'js-walk'],
  async run({ reps = 5, quick = false } = {}) {
    const rg = findRipgrep({ workspaceRoot: '/nonexistent' });
    if (!rg) {
      throw new Error(
        'big-repo needs ripgrep (`rg`) on PATH: `npm run setup` or `sudo apt-get install ripgrep`',
      );
    }
    const root = await realpath(await mkdtemp(join(tmpdir(), 'salvo-bench-big-')));
    try {
      generateRepo(root, quick ? quickShape : fullShape);
      const withRipgrep = new Scheduler({
        tools: builtinTools({ root, shell: false }),
        approvalMode: 'yolo',
      });
      const withWalk = new Scheduler({
        tools: builtinTools({ root, shell: false, ripgrep: false }),
        approvalMode: 'yolo',
      });
      const matched = (content: Parameters<typeof contentToText>[0]) =>
        contentToText(content)
          .split('\n')
          .filter((line) => /^src\/.*:\d+:/.test(line)).length;
      const contenders: Contender[] = [
        {
          name: 'salvo',
          async run() {
            const { results } = await withRipgrep.run(calls);
            assertAllSucceeded(results);
            const lines = results.map((r) => matched(r.content)).reduce((a, b) => a + b, 0);
            return { details: { matchedLines: lines } };
          },
        },
        {
          name: 'rg',
          async run() {
            await Promise.all(
              calls.map((c) => runRipgrep(rg, root, (c.input as { pattern: string }).pattern)),
            );
          },
        },
        {
          name: 'js-walk',
          async run() {
            const { results } = await withWalk.run(calls);
            assertAllSucceeded(results);
          },
        },
      ];
      // One untimed round: the file system cache is warm for every contender alike.
      const measurements = await measure({
        scenario: this.name,
        lowerBoundMs: 0,
        contenders,
        reps,
        warmup: 1,
      });
      // The floor is rg itself.
      const floor = measurements.find((m) => m.row.contender === 'rg')?.row.ms ?? 0;
      for (const m of measurements) m.row.lowerBoundMs = round(floor);
      return measurements;
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
  verdicts(rows) {
    return [
      ratioVerdict(rows, 'salvo', 'rg', { max: 1.3 }),
      {
        label: 'js-walk / salvo',
        value: round(ratio(rows, 'js-walk', 'salvo'), 3),
        goal: 'context: the JavaScript walk, the search without rg',
        met: undefined,
      },
    ];
  },
};
