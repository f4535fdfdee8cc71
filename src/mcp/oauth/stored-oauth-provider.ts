import { randomBytes } from 'node:crypto';
import type {
  OAuthClientProvider,
  OAuthDiscoveryState,
} from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { McpOAuthConfig } from '../config.js';
import { McpLoginRequiredError } from './login-required-error.js';
import type { McpTokenStore } from './token-store.js';

/**
 * An `OAuthClientProvider` that can finish a login: after `redirectToAuthorization` sent the
 * person to the authorization server, `waitForAuthorizationCode` resolves with the code that
 * the redirect brought back. The hub then exchanges it (`transport.finishAuth`) and connects
 * again. A provider without it cannot log in: a server that asks for a login fails.
 */
export interface InteractiveOAuthClientProvider extends OAuthClientProvider {
  waitForAuthorizationCode(signal: AbortSignal): Promise<string>;
}

export function isInteractiveProvider(
  provider: OAuthClientProvider,
): provider is InteractiveOAuthClientProvider {
  return (
    typeof (provider as Partial<InteractiveOAuthClientProvider>).waitForAuthorizationCode ===
    'function'
  );
}

/** How a login reaches a person: the loopback redirect and a browser (or a printed URL). */
export interface OAuthLoginInteraction {
  /** The redirect URI: `http://127.0.0.1:<port>/callback`. */
  redirectUrl: string;
  /**
   * Shows the authorization URL: opens a browser, or prints it where there is none. The
   * redirect will carry `state` (accept it from now on).
   */
  openUrl(url: URL, state: string | undefined): void | Promise<void>;
  /** The code the redirect brings back with `state`. */
  waitForCode(state: string, signal: AbortSignal): Promise<string>;
}

export interface StoredOAuthProviderOptions {
  /** The server's name in the config (the key of its tokens). */
  server: string;
  url: string;
  oauth: McpOAuthConfig;
  store: McpTokenStore;
  /** Without it, a login that is needed throws {@link McpLoginRequiredError} with `loginHint`. */
  interaction?: OAuthLoginInteraction;
  /** What to tell the person when a login is needed: `run \`salvo mcp login github\``. */
  loginHint: string;
}

/**
 * The CLI's `OAuthClientProvider`: tokens and the registered client live in the token store,
 * the PKCE verifier and `state` in memory for one login. The SDK's `auth()` does the protocol
 * (discovery, registration, PKCE, `resource`, refresh); this only keeps and shows things.
 */
export class StoredOAuthProvider implements InteractiveOAuthClientProvider {
  readonly #options: StoredOAuthProviderOptions;
  /** The scopes the authorization server of the login under way supports. */
  #scopesSupported: readonly string[] = [];
  #codeVerifier: string | undefined;
  #state: string | undefined;

  constructor(options: StoredOAuthProviderOptions) {
    this.#options = options;
  }

  get redirectUrl(): string {
    const port = this.#options.oauth.redirectPort;
    return (
      this.#options.interaction?.redirectUrl ??
      (port ? `http://127.0.0.1:${port}/callback` : 'http://127.0.0.1/callback')
    );
  }

  get clientMetadataUrl(): string | undefined {
    return this.#options.oauth.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    const { oauth } = this.#options;
    return {
      client_name: 'salvo',
      redirect_uris: [this.redirectUrl],
      // A refresh token, so a login lasts (SEP-2207).
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...(oauth.tokenEndpointAuthMethod
        ? { token_endpoint_auth_method: oauth.tokenEndpointAuthMethod }
        : {}),
      ...(oauth.scopes ? { scope: oauth.scopes.join(' ') } : {}),
    };
  }

  state(): string {
    this.#state = randomBytes(16).toString('base64url');
    return this.#state;
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const { oauth } = this.#options;
    if (oauth.clientId !== undefined) {
      return {
        client_id: oauth.clientId,
        ...(oauth.clientSecret !== undefined ? { client_secret: oauth.clientSecret } : {}),
        ...(oauth.tokenEndpointAuthMethod
          ? { token_endpoint_auth_method: oauth.tokenEndpointAuthMethod }
          : {}),
        redirect_uris: [this.redirectUrl],
      };
    }
    const entry = await this.#entry();
    if (!entry?.clientInformation && !entry?.tokens && !this.#options.interaction) {
      // Registering a client in a run that cannot log in would only leave clients behind.
      throw this.#loginRequired();
    }
    const registered = entry?.clientInformation as { redirect_uris?: unknown } | undefined;
    const uris = registered?.redirect_uris;
    if (this.#options.interaction && Array.isArray(uris) && !uris.includes(this.redirectUrl)) {
      // Registered for another loopback port: authorization servers that match redirect URIs
      // exactly would refuse it, so register again for this one.
      return undefined;
    }
    return entry?.clientInformation;
  }

  async saveClientInformation(clientInformation: OAuthClientInformationMixed): Promise<void> {
    if (this.#options.oauth.clientId !== undefined) return; // the config's client is the one
    await this.#update((entry) => ({ ...entry, clientInformation }));
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    return (await this.#entry())?.tokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    const expires =
      typeof tokens.expires_in === 'number'
        ? { expires_at: Date.now() + tokens.expires_in * 1000 }
        : {};
    await this.#update((entry) => ({
      ...entry,
      // A refresh may leave the refresh token out: the old one stays good (RFC 6749 6).
      tokens: {
        ...tokens,
        ...(tokens.refresh_token === undefined && entry.tokens?.refresh_token
          ? { refresh_token: entry.tokens.refresh_token }
          : {}),
        ...expires,
      },
    }));
  }

  /** Only read for the login under way (never cached: the server may move). */
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    const supported = state.authorizationServerMetadata?.scopes_supported;
    this.#scopesSupported = Array.isArray(supported) ? supported : [];
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const { interaction } = this.#options;
    if (!interaction) throw this.#loginRequired();
    // A refresh token where the authorization server offers one for `offline_access`
    // (SEP-2207): the SDK asks for the scopes the server named, and this one besides.
    const scope = authorizationUrl.searchParams.get('scope');
    if (this.#scopesSupported.includes('offline_access') && scope !== null) {
      const scopes = scope.split(' ').filter(Boolean);
      if (!scopes.includes('offline_access')) {
        authorizationUrl.searchParams.set('scope', [...scopes, 'offline_access'].join(' '));
      }
    }
    await interaction.openUrl(authorizationUrl, this.#state);
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.#codeVerifier = codeVerifier;
  }

  codeVerifier(): string {
    if (this.#codeVerifier === undefined) {
      throw new Error(`no login of MCP server "${this.#options.server}" is under way`);
    }
    return this.#codeVerifier;
  }

  async invalidateCredentials(
    scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery',
  ): Promise<void> {
    if (scope === 'verifier' || scope === 'all') this.#codeVerifier = undefined;
    if (scope === 'discovery' || scope === 'verifier') return;
    await this.#update((entry) => {
      const { tokens, clientInformation, ...rest } = entry;
      return {
        ...rest,
        ...(scope === 'client' && tokens ? { tokens } : {}),
        ...(scope === 'tokens' && clientInformation ? { clientInformation } : {}),
      };
    });
  }

  async waitForAuthorizationCode(signal: AbortSignal): Promise<string> {
    const { interaction } = this.#options;
    if (!interaction || this.#state === undefined) throw this.#loginRequired();
    return interaction.waitForCode(this.#state, signal);
  }

  #entry() {
    return this.#options.store.get(this.#options.server, this.#options.url);
  }

  #update(change: Parameters<McpTokenStore['update']>[2]) {
    return this.#options.store.update(this.#options.server, this.#options.url, change);
  }

  #loginRequired(): McpLoginRequiredError {
    return new McpLoginRequiredError(this.#options.server, this.#options.loginHint);
  }
}
