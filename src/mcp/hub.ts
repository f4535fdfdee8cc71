import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { InvalidOptionError } from '../errors.js';
import { defineTool, type Tool } from '../tool/define-tool.js';
import {
  type McpConfig,
  type McpOAuthConfig,
  type McpRemoteServerConfig,
  type ResolvedServerConfig,
  resolveConfig,
} from './config.js';
import type { InFlightCall, RequestOrigin } from './connection.js';
import { derivePolicy, serverKey } from './derive-policy.js';
import { singleFlightRefresh } from './oauth/single-flight-refresh.js';
import { McpServerHandle } from './server.js';
import { ToolNamer } from './tool-names.js';

/** A request a server sent while calls ran, with the call that caused it when it is known. */
export interface McpServerRequest<P = Record<string, unknown>> {
  server: string;
  /** The request's params (`sampling/createMessage` or `elicitation/create`). */
  params: P;
  /**
   * The call that caused it. Exact over Streamable HTTP (the request arrives on that call's
   * response stream). Over stdio and legacy SSE, MCP links a server's request to nothing, so it
   * is known only when one call is running on that connection: with several, it is `undefined`
   * and `inFlight` lists the calls that may have asked (show them to the user).
   */
  call: InFlightCall | undefined;
  /** Every call running on that connection when the request arrived (the candidates). */
  inFlight: InFlightCall[];
  /** Aborted when the server cancels its request or the connection ends. */
  signal: AbortSignal;
}

export interface McpHubOptions {
  /** Answers `sampling/createMessage` (a `CreateMessageResult`). Without it, sampling is not offered. */
  onSampling?: (request: McpServerRequest) => Promise<unknown> | unknown;
  /** Answers `elicitation/create` (an `ElicitResult`). Without it, elicitation is not offered. */
  onElicitation?: (request: McpServerRequest) => Promise<unknown> | unknown;
  /** Called with the new tool list whenever a server's list changes. */
  onToolsChanged?: (tools: Tool[]) => void;
  /** How long a server gets to start (spawn or dial, and the MCP handshake). @default 30_000 */
  connectTimeoutMs?: number;
  /**
   * Aborting it stops waiting for the servers still starting: their processes are killed, they
   * count as failed (`errors()` says they were skipped), and `fromConfig` resolves with the rest.
   */
  startSignal?: AbortSignal;
  /** Each server's start as it goes, for a host that shows who is still starting. */
  onStart?: (event: McpStartEvent) => void;
  /** Delay before the first restart after a failure, doubled each time. @default 200 */
  restartDelayMs?: number;
  /** @default 30_000 */
  maxRestartDelayMs?: number;
  /**
   * The OAuth client of a remote server, for servers that ask for authorization (MCP's OAuth
   * 2.1). The SDK's `auth()` runs the protocol with it: discovery, client registration, PKCE,
   * the `resource` parameter, refresh, scope step-up. A provider that also has
   * `waitForAuthorizationCode(signal)` can log in: the hub waits for the code after sending
   * the person to the authorization server, then connects again. Without a provider (or for
   * `undefined`), a server with `oauth.grantType: 'client_credentials'` gets the SDK's
   * `ClientCredentialsProvider`, and any other that asks for a login fails with `needsLogin`.
   */
  authProvider?: (server: McpAuthTarget) => OAuthClientProvider | undefined;
  /**
   * What `status()` and the errors tell the person to do when a server needs a login.
   * @default 'authorize it with an OAuthClientProvider (McpHubOptions.authProvider)'
   */
  loginHint?: (server: string) => string;
}

/** A remote server the hub asks {@link McpHubOptions.authProvider} about. */
export interface McpAuthTarget {
  name: string;
  url: string;
  /** Its `oauth` settings from the config. */
  oauth: McpOAuthConfig | undefined;
  /** Its fixed `headers` (an `Authorization` header there needs no OAuth). */
  headers: Record<string, string> | undefined;
}

/** A server's start, as {@link McpHubOptions.onStart} reports it. */
export type McpStartEvent =
  /** It is starting, and gets `timeoutMs` to (its deadline: now plus that). */
  | { type: 'starting'; server: string; timeoutMs: number }
  | { type: 'connected'; server: string; tools: number }
  /** It did not start (not found, crashed, timed out): `error` says why. */
  | { type: 'failed'; server: string; error: string }
  /** Still starting when `startSignal` aborted: stopped, without its tools. */
  | { type: 'skipped'; server: string };

/** `errors()` message of a server whose start was skipped. */
const skippedMessage = 'skipped while it was starting; its tools are not available';

export interface McpServerStatus {
  name: string;
  transport: 'stdio' | 'http' | 'sse';
  state: 'connected' | 'down' | 'failed' | 'closed';
  tools: number;
  restarts: number;
  /** Why it failed to start, or how it last went down (with the stderr tail for stdio). */
  error?: string;
  /** It asks for an OAuth login that has not been made (or no longer works): `error` says how. */
  needsLogin?: true;
}

/** A salvo tool made from an MCP tool, with the server's `outputSchema` when it declares one. */
export type McpTool = Tool & {
  /** The JSON Schema of the tool's `structuredContent` (the SDK checks results against it). */
  readonly outputSchema?: Record<string, unknown>;
};

/**
 * MCP servers as salvo tools: every server connected in parallel, one multiplexed client per
 * connection, claims and approval derived from annotations and the server's `trust`, a
 * concurrency group `mcp:<server>` per server, and crashed servers restarted on the next call.
 */
export class McpHub {
  readonly #servers: McpServerHandle[] = [];
  readonly #listeners = new Set<(tools: Tool[]) => void>();
  /** Servers whose start the host stopped waiting for (`startSignal`). */
  readonly #skipped = new Set<McpServerHandle>();
  #tools: McpTool[] = [];
  #closed = false;

  private constructor() {}

  /** Connects every server of an `mcpServers` config at once; failures are reported, not thrown. */
  static async fromConfig(config: McpConfig, options: McpHubOptions = {}): Promise<McpHub> {
    const hub = new McpHub();
    if (options.onToolsChanged) hub.#listeners.add(options.onToolsChanged);
    const request = (kind: 'onSampling' | 'onElicitation', server: string) => {
      const handler = options[kind];
      if (!handler) return undefined;
      return async (params: unknown, signal: AbortSignal, origin: RequestOrigin) =>
        handler({ server, params: params as Record<string, unknown>, ...origin, signal });
    };
    const resolved = resolveConfig(config);
    const handles = resolved.map((server) => {
      const sampling = request('onSampling', server.name);
      const elicitation = request('onElicitation', server.name);
      return new McpServerHandle({
        config: server,
        request: { ...(sampling ? { sampling } : {}), ...(elicitation ? { elicitation } : {}) },
        timings: {
          connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
          restartDelayMs: options.restartDelayMs ?? 200,
          maxRestartDelayMs: options.maxRestartDelayMs ?? 30_000,
        },
        onToolsChanged: () => hub.#rebuild(true),
        ...authOf(server, options),
      });
    });
    hub.#servers.push(...handles);
    // A server that fails stays configured (state 'failed'); `hub.reconnect(name)` retries it.
    const outcomes = await Promise.all(
      handles.map((handle) =>
        startOne(handle, options.connectTimeoutMs ?? 30_000, options.startSignal, options.onStart),
      ),
    );
    handles.forEach((handle, i) => {
      if (outcomes[i] === 'skipped') hub.#skipped.add(handle);
    });
    hub.#rebuild(false);
    return hub;
  }

  /** The tools of every connected server, named `server__tool`. */
  tools(): McpTool[] {
    return [...this.#tools];
  }

  /**
   * Connects a server again: one that failed at startup (its tools then join `tools()` and
   * `onToolsChanged` fires) or one that is down. Waits out the backoff of the last failure
   * (`restartDelayMs`, doubled per failure). Never throws for the server's own failure: the
   * returned status says `'failed'` or `'down'` with the error.
   */
  async reconnect(name: string): Promise<McpServerStatus> {
    const handle = this.#servers.find((s) => s.config.name === name);
    if (!handle) {
      const names = this.#servers.map((s) => s.config.name).join(', ');
      throw new InvalidOptionError('name', `a configured server (${names})`, name);
    }
    await handle.reconnect().catch(() => {});
    return statusOf(handle);
  }

  /** Scheduler limits for servers that set `maxConcurrency`: `{ 'mcp:github': 4 }`. */
  limits(): Record<string, number> {
    const limits: Record<string, number> = {};
    for (const server of this.#servers) {
      if (server.config.maxConcurrency !== undefined) {
        limits[serverKey(server.config.name)] = server.config.maxConcurrency;
      }
    }
    return limits;
  }

  /** Every configured server, in config order, connected or not. */
  status(): McpServerStatus[] {
    return this.#servers.map(statusOf);
  }

  /**
   * Servers that failed to start (and have not connected since), with why; `skipped` when the
   * host stopped waiting for it (`startSignal`).
   */
  errors(): { server: string; message: string; skipped: boolean }[] {
    return this.#servers
      .filter((s) => s.state === 'failed')
      .map((s) => ({
        server: s.config.name,
        message: s.lastError ?? 'failed to start',
        skipped: this.#skipped.has(s),
      }));
  }

  /** Subscribes to tool list changes; returns the unsubscribe function. */
  onToolsChanged(listener: (tools: Tool[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The server handles, connected or not (for `listTools`). */
  servers(): readonly McpServerHandle[] {
    return this.#servers;
  }

  /** Closes every connection. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#servers.map((s) => s.close()));
  }

  /**
   * Kills every stdio server's process at once (SIGKILL), also while `close` is under way: for
   * a host that exits now (a second Ctrl-C) and must not leave servers behind. Synchronous.
   */
  killNow(): void {
    for (const server of this.#servers) server.killNow();
  }

  #rebuild(notify: boolean): void {
    const namer = new ToolNamer();
    const tools: McpTool[] = [];
    for (const server of this.#servers) {
      const { name, trust, tools: overrides, timeoutMs } = server.config;
      for (const info of server.tools) {
        const override = overrides[info.name];
        const policy = derivePolicy({
          server: name,
          trust,
          annotations: info.annotations,
          override,
        });
        const callTimeoutMs = override?.timeoutMs ?? timeoutMs;
        const tool = defineTool({
          name: namer.name(name, info.name),
          description: info.description ?? info.name,
          input: toObjectSchema(info.inputSchema),
          claims: policy.claims,
          approval: policy.approval,
          group: serverKey(name),
          execute: (input, ctx) => server.call(info.name, input, ctx, callTimeoutMs),
        });
        tools.push(
          info.outputSchema ? Object.assign(tool, { outputSchema: info.outputSchema }) : tool,
        );
      }
    }
    this.#tools = tools;
    if (!notify) return;
    for (const listener of this.#listeners) {
      try {
        listener(this.tools());
      } catch {
        // A listener's error is its own.
      }
    }
  }
}

/** Starts one server, reporting how it goes; never throws (the handle keeps its error). */
async function startOne(
  handle: McpServerHandle,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onStart: McpHubOptions['onStart'],
): Promise<'connected' | 'failed' | 'skipped'> {
  const server = handle.config.name;
  const report = (event: McpStartEvent) => {
    try {
      onStart?.(event);
    } catch {
      // A listener's error is its own.
    }
  };
  report({ type: 'starting', server, timeoutMs });
  try {
    await handle.start(signal);
    report({ type: 'connected', server, tools: handle.tools.length });
    return 'connected';
  } catch {
    if (signal?.aborted) {
      handle.lastError = skippedMessage;
      report({ type: 'skipped', server });
      return 'skipped';
    }
    report({ type: 'failed', server, error: handle.lastError ?? 'failed to start' });
    return 'failed';
  }
}

function statusOf(s: McpServerHandle): McpServerStatus {
  return {
    name: s.config.name,
    transport: s.config.transport,
    state: s.state,
    tools: s.tools.length,
    restarts: s.restarts,
    ...(s.lastError ? { error: s.lastError } : {}),
    ...(s.needsLogin ? { needsLogin: true as const } : {}),
  };
}

/** The OAuth client of a remote server: the host's, a machine client from the config, or none. */
function authOf(server: ResolvedServerConfig, options: McpHubOptions) {
  if (server.transport === 'stdio') return {};
  const config = server.config as McpRemoteServerConfig;
  const loginHint = options.loginHint?.(server.name);
  const auth = { ...(loginHint !== undefined ? { loginHint } : {}) };
  if (config.oauth === false) return { auth: { ...auth, loginHint: loginHint ?? noLogin } };
  const oauth = config.oauth;
  const provider =
    options.authProvider?.({
      name: server.name,
      url: config.url,
      oauth,
      headers: config.headers,
    }) ??
    (oauth?.grantType === 'client_credentials' && oauth.clientId && oauth.clientSecret
      ? new ClientCredentialsProvider({
          clientId: oauth.clientId,
          clientSecret: oauth.clientSecret,
          clientName: 'salvo',
          ...(oauth.scopes ? { scope: oauth.scopes.join(' ') } : {}),
        })
      : undefined);
  return {
    auth: {
      loginHint:
        loginHint ?? 'authorize it with an OAuthClientProvider (McpHubOptions.authProvider)',
      ...(provider ? { provider, fetch: singleFlightRefresh() } : {}),
    },
  };
}

const noLogin = 'its config says `"oauth": false`; remove that to log in, or give it `headers`';

function toObjectSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!schema || typeof schema !== 'object') return { type: 'object' };
  return schema.type === undefined ? { ...schema, type: 'object' } : schema;
}
