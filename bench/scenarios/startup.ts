import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type Contender,
  measure,
  median,
  type RunReport,
  round,
  rowOf,
  type Scenario,
} from '../harness.js';

/** The repository: the folder holding bin/salvo.js (this file runs from bench/ or .bench-build/). */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bin', 'salvo.js'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('startup: bin/salvo.js not found above the bench');
    dir = parent;
  }
  return dir;
}

/** The command as the checkout ran it before it had a build: the sources through tsx. */
function throughTsx(root: string): string[] {
  const main = pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href;
  const code = [
    "const { register } = await import('tsx/esm/api');",
    'register();',
    `const { runMain } = await import(${JSON.stringify(main)});`,
    'await runMain();',
  ].join(' ');
  // `salvo` stands in for the script path, so the arguments start at argv[2] as in the bin.
  return ['--input-type=module', '-e', code, 'salvo'];
}

interface Launch {
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Runs node with `args` to its end; throws when it fails. */
function runToEnd({ args, cwd, env }: Launch): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`startup: exit ${code}: ${stderr.trim()}`)),
    );
  });
}

/**
 * Starts node with `args` and stops it, with everything it started (its own process group), at
 * its first byte on stdout; resolves once it is gone, with the time to that first byte.
 */
function runToFirstOutput({ args, cwd, env }: Launch): Promise<RunReport> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, args, {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let firstOutputMs: number | undefined;
    child.stdout.once('data', () => {
      firstOutputMs = performance.now() - startedAt;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone: it had nothing more to do.
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (firstOutputMs === undefined) {
        reject(new Error(`startup: exit ${code} before any output`));
      } else resolve({ fields: { firstOutputMs } });
    });
  });
}

/**
 * How long `salvo` takes to start, as separate processes: `salvo --version` from the compiled
 * build (what `npm ci` builds and an install ships) and from the sources through tsx (what a
 * checkout ran before); `salvo demo` until its first line. The lower bound is node itself
 * starting with nothing to run.
 */
export const startup: Scenario = {
  name: 'startup',
  description:
    '`salvo --version` to its end and `salvo demo` to its first output, as processes: compiled build vs sources through tsx',
  target: 'salvo --version under 300 ms; the demo prints within 1 s',
  contenders: ['salvo', 'tsx', 'salvo-demo', 'tsx-demo'],
  async run({ reps = 5, quick = false } = {}) {
    const root = repositoryRoot();
    if (!quick) {
      // The measured bin runs dist/ only when it matches src/: build it if it does not.
      await runToEnd({
        args: [join(root, 'scripts', 'build.js'), '--if-stale'],
        cwd: root,
        env: process.env,
      });
      const stamp = (await import(pathToFileURL(join(root, 'scripts', 'build-stamp.js')).href)) as {
        buildIsCurrent(root: string): boolean;
      };
      if (!stamp.buildIsCurrent(root)) {
        throw new Error(
          'startup: dist/ is older than src/ (changed during the build?); run it again',
        );
      }
    }
    // The demo writes its project in the temp folder: one of ours, removed at the end.
    const scratch = mkdtempSync(join(tmpdir(), 'salvo-bench-startup-'));
    const env = { ...process.env, TMPDIR: scratch, NO_COLOR: '1' };
    const bin = join(root, 'bin', 'salvo.js');
    const launch = (args: readonly string[]): Launch => ({ args, cwd: root, env });
    // Tiny mode (the smoke test): the demo's heavy start is left out.
    const demo = quick ? ['--help'] : ['demo'];
    try {
      const bare: number[] = [];
      for (let i = 0; i < (quick ? 1 : 5); i++) {
        const startedAt = performance.now();
        await runToEnd(launch(['-e', '0']));
        bare.push(performance.now() - startedAt);
      }
      const contenders: Contender[] = [
        { name: 'salvo', run: () => runToEnd(launch([bin, '--version'])) },
        { name: 'tsx', run: () => runToEnd(launch([...throughTsx(root), '--version'])) },
        {
          name: 'salvo-demo',
          run: () => runToFirstOutput(launch([bin, ...demo])),
        },
        {
          name: 'tsx-demo',
          run: () => runToFirstOutput(launch([...throughTsx(root), ...demo])),
        },
      ];
      return await measure({ scenario: this.name, lowerBoundMs: median(bare), contenders, reps });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
  verdicts(rows) {
    const ms = (contender: string) => rowOf(rows, contender).ms;
    const firstOutputMs = (contender: string) => Number(rowOf(rows, contender).firstOutputMs);
    const versionMs = ms('salvo');
    const demoMs = firstOutputMs('salvo-demo');
    return [
      { label: 'salvo --version ms', value: versionMs, goal: '< 300', met: versionMs < 300 },
      { label: 'salvo demo first output ms', value: demoMs, goal: '< 1000', met: demoMs < 1000 },
      {
        label: 'tsx / salvo',
        value: round(ms('tsx') / versionMs, 2),
        goal: 'for context',
        met: undefined,
      },
      {
        label: 'tsx-demo / salvo-demo (first output)',
        value: round(firstOutputMs('tsx-demo') / demoMs, 2),
        goal: 'for context',
        met: undefined,
      },
    ];
  },
};
