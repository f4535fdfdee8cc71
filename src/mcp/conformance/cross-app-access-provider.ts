import type {
  OAuthClientProvider,
  OAuthDiscoveryState,
} from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformation,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';

export interface CrossAppAccessOptions {
  clientId: string;
  clientSecret: string;
  /** The enterprise identity provider's client and the ID token it issued the person. */
  idpClientId: string;
  idpIdToken: string;
  idpTokenEndpoint: string;
}

/**
 * Enterprise-managed authorization (SEP-990) as a host's own `OAuthClientProvider`: the SDK's
 * `auth()` discovers the MCP server's authorization server and calls `prepareTokenRequest`,
 * which trades the IdP's ID token for an ID-JAG (RFC 8693 token exchange at the IdP) and
 * presents it as a JWT bearer grant (RFC 7523). No browser, no redirect.
 */
export class CrossAppAccessProvider implements OAuthClientProvider {
  readonly #options: CrossAppAccessOptions;
  #tokens: OAuthTokens | undefined;
  #discovery: OAuthDiscoveryState | undefined;

  constructor(options: CrossAppAccessOptions) {
    this.#options = options;
  }

  get redirectUrl(): undefined {
    return undefined;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'salvo',
      redirect_uris: [],
      grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
      token_endpoint_auth_method: 'client_secret_basic',
    };
  }

  clientInformation(): OAuthClientInformation {
    return { client_id: this.#options.clientId, client_secret: this.#options.clientSecret };
  }

  tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery;
  }

  redirectToAuthorization(): void {
    throw new Error('enterprise-managed authorization never redirects');
  }

  saveCodeVerifier(): void {}

  codeVerifier(): string {
    throw new Error('enterprise-managed authorization uses no PKCE verifier');
  }

  async prepareTokenRequest(): Promise<URLSearchParams> {
    const audience =
      this.#discovery?.authorizationServerMetadata?.issuer ??
      this.#discovery?.authorizationServerUrl;
    const resource = this.#discovery?.resourceMetadata?.resource;
    if (!audience || !resource) throw new Error('the authorization server was not discovered');
    const exchange = await fetch(this.#options.idpTokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
        audience,
        resource,
        subject_token: this.#options.idpIdToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        client_id: this.#options.idpClientId,
      }),
    });
    if (!exchange.ok) {
      throw new Error(
        `the IdP refused the token exchange: ${exchange.status} ${(await exchange.text()).slice(0, 200)}`,
      );
    }
    const { access_token: assertion } = (await exchange.json()) as { access_token?: unknown };
    if (typeof assertion !== 'string') throw new Error('the IdP sent no ID-JAG');
    return new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    });
  }
}
