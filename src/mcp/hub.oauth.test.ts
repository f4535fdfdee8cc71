import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { type OAuthServers, startOAuthServers } from './fixtures/oauth-servers.js';
import { faultHub } from './fixtures/test-hub.js';
import { McpHub } from './hub.js';
import { StoredOAuthProvider } from './oauth/stored-oauth-provider.js';
import { McpTokenStore } from './oauth/token-store.js';

let oauth: OAuthServers;
let hub: McpHub | undefined;
let dir: string | undefined;
beforeAll(async () => {
  oauth = await startOAuthServers();
});
afterAll(() => oauth.close());
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('McpHub and servers behind OAuth', () => {
  it('without a provider: needs login, with the hint, and the other servers start', async () => {
    hub = await McpHub.fromConfig({
      mcpServers: {
        docs: { url: oauth.mcpUrl },
        local: (await import('./fixtures/fault-server-command.js')).faultServerCommand(),
      },
    });
    const [docs, local] = hub.status();
    expect(docs).toMatchObject({ state: 'failed', needsLogin: true, tools: 0 });
    expect(docs?.error).toBe(
      'MCP server "docs" needs login: authorize it with an OAuthClientProvider (McpHubOptions.authProvider)',
    );
    expect(local).toMatchObject({ state: 'connected' });
    expect(local?.needsLogin).toBeUndefined();
  });

  it("logs in with the host's own provider (it follows the redirect) and calls the tool", async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvo-hub-oauth-'));
    const codes = new Map<string, string>();
    const provider = new StoredOAuthProvider({
      server: 'docs',
      url: oauth.mcpUrl,
      oauth: {},
      store: new McpTokenStore(join(dir, 'tokens.json')),
      loginHint: 'log in',
      interaction: {
        redirectUrl: 'http://127.0.0.1:9/callback',
        async openUrl(url, state) {
          const location = (await fetch(url, { redirect: 'manual' })).headers.get('location');
          codes.set(state ?? '', new URL(location ?? '').searchParams.get('code') ?? '');
        },
        waitForCode: async (state) => codes.get(state) ?? '',
      },
    });
    const seen: string[] = [];
    hub = await McpHub.fromConfig(
      { mcpServers: { docs: { url: oauth.mcpUrl } } },
      {
        authProvider: (server) => {
          seen.push(`${server.name} ${server.url}`);
          return provider;
        },
      },
    );
    expect(seen).toEqual([`docs ${oauth.mcpUrl}`]);
    expect(hub.status()[0]).toMatchObject({ state: 'connected', tools: 1 });
    const scheduler = new Scheduler({ tools: hub.tools(), approvalMode: 'yolo' });
    const { results } = await scheduler.run([
      { id: 'a', name: 'docs__echo', input: { text: 'x' } },
    ]);
    expect(results[0]?.content).toEqual([{ type: 'text', text: 'echo: x' }]);
  });

  it('`"oauth": false` never starts a login and says so', async () => {
    hub = await McpHub.fromConfig({ mcpServers: { docs: { url: oauth.mcpUrl, oauth: false } } });
    expect(hub.status()[0]?.error).toMatch(/needs login: its config says `"oauth": false`/);
  });
});

describe('McpHub start', () => {
  it('reports a tools/list that fails right after the handshake at once, as failed', async () => {
    hub = await faultHub({ broken: { env: { FAULT_TOOLS_LIST_ERROR: 'index not built' } } });
    expect(hub.status()[0]).toMatchObject({
      state: 'failed',
      tools: 0,
      error:
        'MCP server "broken" failed to start: tools/list failed right after the handshake: MCP error -32603: index not built',
    });
    expect(hub.errors()).toEqual([
      { server: 'broken', message: expect.stringMatching(/index not built/), skipped: false },
    ]);
  });
});
