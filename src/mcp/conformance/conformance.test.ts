import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The official MCP conformance suite's client scenarios, with McpHub as the client under test
 * (hub-client.ts). Each scenario starts its own servers on loopback; the suite's version is
 * pinned in package.json.
 */
const root = process.cwd();
const suite = join(root, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const register = join(root, 'src/mcp/conformance/register-fs-glob.mjs');
const client = `${process.execPath} --import tsx ${join(root, 'src/mcp/conformance/hub-client.ts')}`;

function runSuite(args: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', register, suite, ...args],
      { cwd: root, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number) || 1 : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

function clientScenarios(): string[] {
  let listing: string;
  try {
    listing = execFileSync(process.execPath, ['--import', register, suite, 'list', '--client'], {
      cwd: root,
      encoding: 'utf8',
    });
  } catch (error) {
    throw new Error(
      `the conformance suite does not load: run npm ci (it is a devDependency) (${String(error)})`,
    );
  }
  return [...listing.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1] as string);
}

const scenarios = clientScenarios();
/** Measures the client's reconnection delay to the millisecond: run alone, not beside others. */
const timingSensitive = ['sse-retry'];

/** At most `limit` suite runs at once: each is two Node processes, and the machine has 2 cores. */
function limiter(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
const slot = limiter(3);

async function expectScenarioPasses(scenario: string): Promise<void> {
  const { code, output } = await runSuite(
    ['client', '--command', client, '--scenario', scenario, '--timeout', '45000'],
    60_000,
  );
  const summary = /Passed: (\d+)\/(\d+), (\d+) failed, (\d+) warnings/.exec(output);
  expect(summary, output).not.toBeNull();
  const [, passed, total, failed, warnings] = summary as RegExpExecArray;
  expect({ failed, warnings, code }, output).toEqual({ failed: '0', warnings: '0', code: 0 });
  expect(passed).toBe(total);
}

describe('MCP conformance suite, client scenarios (McpHub)', () => {
  it('lists every client scenario of the pinned version', () => {
    // 0.1.16 has 26; a suite that lists fewer did not load its scenarios.
    expect(scenarios.length).toBe(26);
    expect(scenarios).toEqual(expect.arrayContaining(timingSensitive));
  });

  describe('alone', () => {
    it.each(timingSensitive)(
      '%s passes with no failure and no warning',
      expectScenarioPasses,
      70_000,
    );
  });

  describe.concurrent('three at a time', () => {
    it.each(scenarios.filter((s) => !timingSensitive.includes(s)))(
      '%s passes with no failure and no warning',
      (scenario) => slot(() => expectScenarioPasses(scenario)),
      240_000,
    );
  });
});
