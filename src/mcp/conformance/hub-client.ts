/**
 * salvo's McpHub as the client under test of the official MCP conformance suite
 * (`conformance client --command ...`). The suite starts a scenario's servers, runs this with
 * the server URL, and reads what the servers saw. The scenario comes in
 * `MCP_CONFORMANCE_SCENARIO`, its data (pre-registered clients, keys) in
 * `MCP_CONFORMANCE_CONTEXT`. Everything goes through the hub as a host would use it: the
 * config's `oauth` settings, the CLI's stored provider, or a provider of the host's own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { PrivateKeyJwtProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { Scheduler } from '../../schedule/scheduler.js';
import type { McpRemoteServerConfig } from '../config.js';
import { McpHub, type McpHubOptions } from '../hub.js';
import { StoredOAuthProvider } from '../oauth/stored-oauth-provider.js';
import { McpTokenStore } from '../oauth/token-store.js';
import { CrossAppAccessProvider } from './cross-app-access-provider.js';
import { sampleInput } from './sample-input.js';

/** The suite's client ID metadata document (it never fetches it). */
const clientMetadataUrl = 'https://conformance-test.local/client-metadata.json';
const redirectUrl = 'http://localhost:3000/callback';

type Context = Record<string, string | undefined>;

async function main(): Promise<number> {
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  const url = process.argv[2];
  if (!url) {
    process.stderr.write('usage: hub-client <server-url> (with MCP_CONFORMANCE_SCENARIO set)\n');
    return 2;
  }
  const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as Context;
  const home = await mkdtemp(join(tmpdir(), 'salvo-conformance-'));
  const store = new McpTokenStore(join(home, 'mcp-tokens.json'));
  const server: McpRemoteServerConfig = { url };
  const options: McpHubOptions = { connectTimeoutMs: 20_000 };
  if (scenario === 'auth/pre-registration') {
    server.oauth = {
      clientId: need(context, 'client_id'),
      clientSecret: need(context, 'client_secret'),
    };
  } else if (scenario === 'auth/client-credentials-basic') {
    server.oauth = {
      grantType: 'client_credentials',
      clientId: need(context, 'client_id'),
      clientSecret: need(context, 'client_secret'),
    };
  } else {
    server.oauth = { clientMetadataUrl };
  }
  if (scenario === 'auth/client-credentials-jwt') {
    // private_key_jwt is not a config setting: the host passes the SDK's provider for it.
    const provider = new PrivateKeyJwtProvider({
      clientId: need(context, 'client_id'),
      privateKey: need(context, 'private_key_pem'),
      algorithm: context.signing_algorithm ?? 'ES256',
    });
    options.authProvider = () => provider;
  } else if (scenario === 'auth/cross-app-access-complete-flow') {
    const provider = new CrossAppAccessProvider({
      clientId: need(context, 'client_id'),
      clientSecret: need(context, 'client_secret'),
      idpClientId: need(context, 'idp_client_id'),
      idpIdToken: need(context, 'idp_id_token'),
      idpTokenEndpoint: need(context, 'idp_token_endpoint'),
    });
    options.authProvider = () => provider;
  } else if (scenario !== 'auth/client-credentials-basic') {
    options.authProvider = ({ name, url, oauth }) =>
      new StoredOAuthProvider({
        server: name,
        url,
        oauth: oauth || {},
        store,
        interaction: followRedirects(),
        loginHint: 'the conformance client logs in by itself',
      }) satisfies OAuthClientProvider;
  }
  // Accept every form with nothing filled in: the SDK fills in the schema's defaults.
  options.onElicitation = () => ({ action: 'accept', content: {} });
  const hub = await McpHub.fromConfig({ mcpServers: { conformance: server } }, options);
  try {
    const [status] = hub.status();
    if (status?.state !== 'connected') {
      process.stderr.write(`${status?.error ?? 'not connected'}\n`);
      return 1;
    }
    const tools = hub.tools();
    const scheduler = new Scheduler({ tools, approvalMode: 'yolo', maxConcurrency: 1 });
    const { results } = await scheduler.run(
      tools.map((tool, i) => ({ id: `call-${i}`, name: tool.name, input: sampleInput(tool) })),
    );
    let failed = 0;
    for (const result of results) {
      if (result.status === 'success') continue;
      failed++;
      process.stderr.write(`${result.id}: ${result.status} ${result.error?.message ?? ''}\n`);
    }
    return failed === 0 ? 0 : 1;
  } finally {
    await hub.close();
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * The "browser" of the suite: its authorization server approves at once and redirects with a
 * code, which is read from the `Location` header instead of a loopback server.
 */
function followRedirects() {
  const codes = new Map<string, string>();
  return {
    redirectUrl,
    async openUrl(url: URL, state: string | undefined) {
      const response = await fetch(url, { redirect: 'manual' });
      const location = response.headers.get('location');
      const code = location ? new URL(location).searchParams.get('code') : null;
      if (!code) throw new Error(`no code in the redirect of ${url.origin} (${response.status})`);
      codes.set(state ?? '', code);
    },
    async waitForCode(state: string) {
      const code = codes.get(state);
      if (!code) throw new Error('the redirect carried another state');
      return code;
    },
  };
}

function need(context: Context, field: string): string {
  const value = context[field];
  if (typeof value !== 'string') throw new Error(`MCP_CONFORMANCE_CONTEXT has no ${field}`);
  return value;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
