import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../agent/providers/test-server.js';
import { faultServerCommand } from '../../mcp/fixtures/fault-server-command.js';
import { type OAuthServers, startOAuthServers } from '../../mcp/fixtures/oauth-servers.js';
import { mcpTokenFile } from '../mcp-auth.js';
import { cleanEnv, runSalvo, tempProject, textAnswer, toolCallsAnswer } from '../test-cli.js';
import { salvoBin } from '../test-terminal.js';

let model: TestServer;
let oauth: OAuthServers;
beforeAll(async () => {
  model = await startTestServer();
  oauth = await startOAuthServers();
});
afterAll(async () => {
  await model.close();
  await oauth.close();
});

const env = (home: string) =>
  cleanEnv(home, { OPENAI_BASE_URL: `${model.url}/v1`, OPENAI_API_KEY: 'test' });

/** A home whose settings name the protected server `docs` and a local server `local`. */
function homeWithServers() {
  const { dir, home } = tempProject();
  mkdirSync(join(home, '.salvo'), { recursive: true });
  writeFileSync(
    join(home, '.salvo', 'settings.json'),
    JSON.stringify({
      mcpServers: {
        docs: { url: oauth.mcpUrl, trust: 'annotations' },
        local: faultServerCommand(),
      },
    }),
  );
  return { dir, home };
}

/**
 * `salvo mcp login docs`, with the test as the browser: it reads the URL salvo prints, asks the
 * authorization server (which approves at once) and follows its redirect to salvo's loopback.
 */
function login(
  dir: string,
  home: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [salvoBin, 'mcp', 'login', 'docs', '--no-browser'], {
      cwd: dir,
      env: env(home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let followed = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /^\s+(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m.exec(stdout)?.[1];
      if (!url || followed) return;
      followed = true;
      void (async () => {
        const approval = await fetch(url, { redirect: 'manual' });
        const location = approval.headers.get('location');
        if (approval.status !== 302 || !location)
          throw new Error(`no redirect: ${approval.status}`);
        expect(new URL(location).origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const landing = await fetch(location);
        expect(landing.status).toBe(200);
      })().catch(reject);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** `salvo run` with a model that calls `docs__echo` and `local__sleep`, then answers. */
async function runEcho(dir: string, home: string) {
  model.enqueue(
    toolCallsAnswer([
      { id: 'c1', name: 'docs__echo', input: { text: 'hi' } },
      { id: 'c2', name: 'local__sleep', input: { ms: 1 } },
    ]),
  );
  model.enqueue(textAnswer('done'));
  const before = model.requests.length;
  const run = await runSalvo(['run', '--approval', 'yolo', '-m', 'm', 'echo hi'], {
    cwd: dir,
    env: env(home),
    timeoutMs: 60_000,
  });
  // The model's second request carries the results of its calls.
  const results = JSON.stringify(model.requests[before + 1]?.body ?? {});
  return { ...run, results };
}

describe('salvo mcp login with a loopback authorization server', () => {
  it('logs in through the browser flow, stores the tokens 0600, refreshes them, asks again when revoked', {
    timeout: 240_000,
  }, async () => {
    const { dir, home } = homeWithServers();

    const first = await login(dir, home);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /Logged in to `docs`: 1 tool\. Tokens saved in .*mcp-tokens\.json/,
    );
    const [authorization] = oauth.authorizations;
    expect(authorization?.get('resource')).toBe(oauth.mcpUrl);
    expect(authorization?.get('code_challenge_method')).toBe('S256');
    expect(authorization?.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

    const file = mcpTokenFile(home);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(file.startsWith(home)).toBe(true); // never in the project
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.servers.docs).toMatchObject({
      url: oauth.mcpUrl,
      tokens: {
        access_token: expect.stringMatching(/^at-/),
        refresh_token: expect.stringMatching(/^rt-/),
      },
      clientInformation: { client_id: expect.stringMatching(/^client-/) },
    });

    const used = await runEcho(dir, home);
    expect(used.code).toBe(0);
    expect(used.results).toContain('echo: hi');
    expect(oauth.echoed.at(-1)).toBe(saved.servers.docs.tokens.access_token);

    // Expired: the run refreshes the token (one refresh, rotated) and goes on.
    oauth.expireAccessTokens();
    const refreshesBefore = oauth.log.filter((l) => l === 'POST /token refresh_token').length;
    const refreshed = await runEcho(dir, home);
    expect(refreshed.code).toBe(0);
    expect(refreshed.results).toContain('echo: hi');
    expect(oauth.log.filter((l) => l === 'POST /token refresh_token').length).toBe(
      refreshesBefore + 1,
    );
    const rotated = JSON.parse(readFileSync(file, 'utf8')).servers.docs.tokens;
    expect(rotated.access_token).not.toBe(saved.servers.docs.tokens.access_token);
    expect(oauth.echoed.at(-1)).toBe(rotated.access_token);

    // Revoked: the server needs a login again; the other server still runs.
    oauth.revokeAll();
    const authorizationsBefore = oauth.authorizations.length;
    const revoked = await runEcho(dir, home);
    expect(revoked.stderr).toMatch(
      /MCP server `docs` is not available: .*needs login: run `salvo mcp login docs`/,
    );
    expect(revoked.stdout + revoked.stderr).toMatch(/docs needs login: run `salvo mcp login docs`/);
    expect(revoked.results).toContain('local__sleep');
    expect(revoked.results).not.toContain('echo: hi');
    expect(oauth.authorizations.length).toBe(authorizationsBefore); // no browser in a run

    const again = await login(dir, home);
    expect(again.code).toBe(0);
    expect((await runEcho(dir, home)).results).toContain('echo: hi');

    const logout = await runSalvo(['mcp', 'logout', 'docs'], { cwd: dir, env: env(home) });
    expect(logout.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).servers.docs).toBeUndefined();
    const status = await runSalvo(['mcp', 'tools', '--json'], { cwd: dir, env: env(home) });
    const docs = JSON.parse(status.stdout).servers.find((s: { name: string }) => s.name === 'docs');
    expect(docs).toMatchObject({ state: 'failed', needsLogin: true });
    expect(docs.error).toMatch(/needs login: run `salvo mcp login docs`/);
  });

  it('names the servers when the one to log in to is not configured, or is local', async () => {
    const { dir, home } = homeWithServers();
    const unknown = await runSalvo(['mcp', 'login', 'dcos'], { cwd: dir, env: env(home) });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no MCP server `dcos` in the config \(did you mean `docs`\?\)/);
    const local = await runSalvo(['mcp', 'login', 'local'], { cwd: dir, env: env(home) });
    expect(local.stderr).toMatch(/runs as a local command: only remote servers/);
  });
});
