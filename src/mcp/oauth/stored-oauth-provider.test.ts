import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { McpLoginRequiredError } from './login-required-error.js';
import { type OAuthLoginInteraction, StoredOAuthProvider } from './stored-oauth-provider.js';
import { McpTokenStore } from './token-store.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const url = 'https://mcp.example.com/mcp';

function setup(interaction?: OAuthLoginInteraction) {
  dir = mkdtempSync(join(tmpdir(), 'salvo-provider-'));
  const store = new McpTokenStore(join(dir, 'mcp-tokens.json'));
  const provider = new StoredOAuthProvider({
    server: 'docs',
    url,
    oauth: {},
    store,
    loginHint: 'run `salvo mcp login docs`',
    ...(interaction ? { interaction } : {}),
  });
  return { store, provider };
}

const loopback = (redirectUrl: string, opened: URL[] = []): OAuthLoginInteraction => ({
  redirectUrl,
  openUrl: (u) => {
    opened.push(u);
  },
  waitForCode: async () => 'code',
});

describe('StoredOAuthProvider', () => {
  it('in a run (no interaction) asks for a login instead of registering or redirecting', async () => {
    const { provider } = setup();
    await expect(provider.clientInformation()).rejects.toSatisfy(
      (e: unknown) =>
        McpLoginRequiredError.isInstance(e) &&
        e.message === 'needs login: run `salvo mcp login docs`',
    );
    await expect(provider.redirectToAuthorization(new URL(url))).rejects.toThrow(/needs login/);
  });

  it('keeps the old refresh token when a refresh leaves it out, and when the token expires', async () => {
    const { provider, store } = setup();
    await provider.saveTokens({ access_token: 'a1', token_type: 'Bearer', refresh_token: 'r1' });
    const before = Date.now();
    await provider.saveTokens({ access_token: 'a2', token_type: 'Bearer', expires_in: 60 });
    const saved = (await store.get('docs', url))?.tokens;
    expect(saved).toMatchObject({ access_token: 'a2', refresh_token: 'r1' });
    expect(saved?.expires_at).toBeGreaterThanOrEqual(before + 60_000);
  });

  it('registers again when the login listens on another port than the client was registered for', async () => {
    const { store } = setup();
    const old = 'http://127.0.0.1:4000/callback';
    await store.update('docs', url, (e) => ({
      ...e,
      clientInformation: { client_id: 'c', redirect_uris: [old] } as never,
    }));
    const same = new StoredOAuthProvider({
      server: 'docs',
      url,
      oauth: {},
      store,
      loginHint: '',
      interaction: loopback(old),
    });
    expect((await same.clientInformation())?.client_id).toBe('c');
    const moved = new StoredOAuthProvider({
      server: 'docs',
      url,
      oauth: {},
      store,
      loginHint: '',
      interaction: loopback('http://127.0.0.1:4001/callback'),
    });
    expect(await moved.clientInformation()).toBeUndefined();
  });

  it('uses a pre-registered client from the config as it is, and never stores another', async () => {
    const { store } = setup();
    const provider = new StoredOAuthProvider({
      server: 'docs',
      url,
      oauth: { clientId: 'pre', clientSecret: 's', tokenEndpointAuthMethod: 'client_secret_post' },
      store,
      loginHint: '',
    });
    expect(await provider.clientInformation()).toMatchObject({
      client_id: 'pre',
      client_secret: 's',
      token_endpoint_auth_method: 'client_secret_post',
    });
    await provider.saveClientInformation({ client_id: 'other' });
    expect((await store.get('docs', url))?.clientInformation).toBeUndefined();
  });

  it('forgets the tokens, the client or both as the SDK asks', async () => {
    const { provider, store } = setup(loopback('http://127.0.0.1:4000/callback'));
    const fill = () =>
      store.update('docs', url, (e) => ({
        ...e,
        tokens: { access_token: 'a', token_type: 'Bearer' },
        clientInformation: { client_id: 'c' },
      }));
    await fill();
    await provider.invalidateCredentials('tokens');
    expect(await store.get('docs', url)).toMatchObject({ clientInformation: { client_id: 'c' } });
    expect((await store.get('docs', url))?.tokens).toBeUndefined();
    await fill();
    await provider.invalidateCredentials('all');
    const left = await store.get('docs', url);
    expect(left?.tokens ?? left?.clientInformation).toBeUndefined();
  });

  it('shows the authorization URL with the state it will come back with', async () => {
    const opened: URL[] = [];
    const seen: (string | undefined)[] = [];
    const { provider } = setup({
      redirectUrl: 'http://127.0.0.1:4000/callback',
      openUrl: (u, state) => {
        opened.push(u);
        seen.push(state);
      },
      waitForCode: async (state) => `code-for-${state}`,
    });
    const state = provider.state();
    await provider.redirectToAuthorization(new URL('https://as.example.com/authorize'));
    expect(seen).toEqual([state]);
    await expect(provider.waitForAuthorizationCode(new AbortController().signal)).resolves.toBe(
      `code-for-${state}`,
    );
  });

  it('asks for offline_access besides the named scopes where the authorization server offers it', async () => {
    const opened: URL[] = [];
    const { provider } = setup(loopback('http://127.0.0.1:4000/callback', opened));
    expect(provider.clientMetadata.grant_types).toContain('refresh_token');
    const as = (scopes: string[]) => ({
      authorizationServerUrl: 'https://as.example.com',
      authorizationServerMetadata: {
        issuer: 'https://as.example.com',
        authorization_endpoint: 'https://as.example.com/authorize',
        token_endpoint: 'https://as.example.com/token',
        response_types_supported: ['code'],
        scopes_supported: scopes,
      },
    });
    provider.saveDiscoveryState(as(['read', 'offline_access']));
    await provider.redirectToAuthorization(new URL('https://as.example.com/authorize?scope=read'));
    provider.saveDiscoveryState(as(['read']));
    await provider.redirectToAuthorization(new URL('https://as.example.com/authorize?scope=read'));
    expect(opened.map((u) => u.searchParams.get('scope'))).toEqual(['read offline_access', 'read']);
  });
});
