import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../agent/providers/test-server.js';
import { cleanEnv, runSalvo, tempProject, textAnswer } from '../test-cli.js';

// The real binary, started somewhere else with -C into a package of a git repository: the
// repository root's .mcp.json and salvo.json are found, trusted per folder, and a server runs
// in the folder of the file that names it, never in the folder salvo was started from.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function monorepo() {
  const { dir, home } = tempProject();
  const repo = join(dir, 'repo');
  const app = join(repo, 'packages', 'app');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(app, { recursive: true });
  // Writes, relative to where it runs, the folder it ran in.
  const script = "require('fs').writeFileSync('server-ran-here', process.cwd())";
  writeFileSync(
    join(repo, '.mcp.json'),
    JSON.stringify({ mcpServers: { probe: { command: process.execPath, args: ['-e', script] } } }),
  );
  writeFileSync(join(repo, 'salvo.json'), JSON.stringify({ model: 'from-the-root' }));
  return { dir, home, repo, app };
}

describe('project files found up to the git root, with -C', () => {
  it('refuses an untrusted root .mcp.json without a terminal, starting nothing', async () => {
    const { dir, home, repo, app } = monorepo();
    const env = cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });
    const run = await runSalvo(['run', '-C', app, 'hello'], { cwd: dir, env });
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`${join(repo, '.mcp.json')} sets MCP server "probe"`);
    expect(existsSync(join(repo, 'server-ran-here'))).toBe(false);
  });

  it('with --trust-project, runs the server in the root and uses the root salvo.json', async () => {
    const { dir, home, repo, app } = monorepo();
    const env = cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });
    server.enqueue(textAnswer('done'));
    const run = await runSalvo(['run', '--json', '--trust-project', '-C', app, 'hello'], {
      cwd: dir,
      env,
    });
    expect(run.code).toBe(0);
    expect(readFileSync(join(repo, 'server-ran-here'), 'utf8')).toBe(repo);
    expect(existsSync(join(dir, 'server-ran-here'))).toBe(false);
    const request = server.requests.at(-1)?.body as { model?: string } | undefined;
    expect(request?.model).toBe('from-the-root');
  });
});
