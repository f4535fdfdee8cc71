import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  type OAuthClientProvider,
  UnauthorizedError,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type {
  McpRemoteServerConfig,
  McpStdioServerConfig,
  ResolvedServerConfig,
} from './config.js';
import { correlatingFetch } from './correlating-fetch.js';
import { McpLoginRequiredError } from './oauth/login-required-error.js';
import { isInteractiveProvider } from './oauth/stored-oauth-provider.js';

/** A call running on a connection, for correlating the server's own requests. */
export interface InFlightCall {
  callId: string;
  /** The salvo tool name (`server__tool`). */
  toolName: string;
  /** The tool's name on its server. */
  mcpTool: string;
  input: unknown;
}

export type ServerRequestKind = 'sampling' | 'elicitation';

/** Which call caused a server's request, and every call running on its connection then. */
export interface RequestOrigin {
  call: InFlightCall | undefined;
  inFlight: InFlightCall[];
}

export interface ConnectionHooks {
  /** Set when the host handles this kind of request (it is then advertised as a capability). */
  request: Partial<
    Record<
      ServerRequestKind,
      (params: unknown, signal: AbortSignal, origin: RequestOrigin) => Promise<unknown>
    >
  >;
  toolsChanged(connection: McpConnection): void;
  closed(connection: McpConnection): void;
}

const stderrTailChars = 2_000;
/** How long a remote server gets to answer a `ping` after its transport reported an error. */
const probeTimeoutMs = 2_000;

/**
 * One SDK `Client` on one transport. Calls share it without any lock: the SDK matches answers
 * to requests by JSON-RPC id. Knows how its stdio process ended and the tail of its stderr.
 */
export class McpConnection {
  readonly client: Client;
  readonly inFlight = new Set<InFlightCall>();
  readonly transport: ResolvedServerConfig['transport'];
  #closed = false;
  #closing = false;
  #ready = false;
  #probing = false;
  #exit: string | undefined;
  #stderr = '';
  /** The server's process (stdio), once spawned. */
  #child: ChildProcess | undefined;
  #protocolError: string | undefined;
  readonly #origins = new Map<string | number, string>();
  readonly #hooks: ConnectionHooks;
  #auth: ConnectionAuth | undefined;
  #authTransport: AuthTransport | undefined;

  private constructor(hooks: ConnectionHooks, transport: ResolvedServerConfig['transport']) {
    this.#hooks = hooks;
    this.transport = transport;
    const capabilities: Record<string, object> = {};
    if (hooks.request.sampling) capabilities.sampling = {};
    // Form mode with the schema's defaults filled in by the SDK (SEP-1034), and URL mode.
    if (hooks.request.elicitation) {
      capabilities.elicitation = { form: { applyDefaults: true }, url: {} };
    }
    this.client = new Client({ name: 'salvo', version: '0.1.0' }, { capabilities });
    const serve =
      (kind: ServerRequestKind) =>
      (
        request: { params: unknown },
        extra: {
          signal: AbortSignal;
          requestId: string | number;
        },
      ) => {
        const handler = hooks.request[kind];
        if (!handler) throw new Error(`salvo has no ${kind} handler`);
        return handler(request.params, extra.signal, this.originOf(extra.requestId)) as never;
      };
    if (hooks.request.sampling) {
      this.client.setRequestHandler(CreateMessageRequestSchema, serve('sampling'));
    }
    if (hooks.request.elicitation) {
      this.client.setRequestHandler(ElicitRequestSchema, serve('elicitation'));
    }
    this.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      hooks.toolsChanged(this);
    });
    this.client.onerror = (error) => {
      if (this.transport !== 'stdio' && isLinkError(error)) this.#linkFailed(error);
      else this.#protocolError = error.message.slice(0, 300);
    };
    this.client.onclose = () => {
      this.#closed = true;
      if (!this.#closing) this.#hooks.closed(this);
    };
  }

  /**
   * Spawns or dials the server and runs the MCP handshake. Aborting `signal` gives up on the
   * handshake: the process is killed and this throws. A remote server that asks for OAuth is
   * authorized with `auth` (the SDK's `auth()` does discovery, registration, PKCE, refresh);
   * when that needs a person and `auth` can wait for one, the login is finished and the
   * handshake runs again, once.
   */
  static async open(
    server: ResolvedServerConfig,
    hooks: ConnectionHooks,
    timeoutMs: number,
    signal?: AbortSignal,
    auth?: ConnectionAuth,
  ): Promise<McpConnection> {
    const provider = auth?.provider;
    try {
      return await McpConnection.#open(server, hooks, timeoutMs, signal, auth);
    } catch (error) {
      const failure = error as Error & { transport?: AuthTransport };
      const transport = failure.transport;
      if (
        !(failure.cause instanceof UnauthorizedError) ||
        !provider ||
        !isInteractiveProvider(provider) ||
        !transport
      ) {
        throw error;
      }
      const code = await provider.waitForAuthorizationCode(signal ?? new AbortController().signal);
      await transport.finishAuth(code);
      return McpConnection.#open(server, hooks, timeoutMs, signal, auth);
    }
  }

  static async #open(
    server: ResolvedServerConfig,
    hooks: ConnectionHooks,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    auth: ConnectionAuth | undefined,
  ): Promise<McpConnection> {
    const connection = new McpConnection(hooks, server.transport);
    const transport = connection.#transport(server, auth);
    connection.#auth = auth;
    if ('finishAuth' in transport) connection.#authTransport = transport as AuthTransport;
    try {
      await connection.client.connect(transport, {
        timeout: timeoutMs,
        ...(signal ? { signal } : {}),
      });
      connection.#ready = true;
    } catch (error) {
      // The SDK may already have begun closing (a handshake timeout does) and let go of the
      // process, which it only ends seconds later: a server that never started must not stay.
      connection.killNow();
      await connection.close();
      const exit = connection.#exit ? ` (it ${connection.#exit})` : '';
      const tail = connection.stderrTail();
      const reason = isLoginNeeded(error)
        ? loginMessage(error, auth?.loginHint)
        : `failed to start: ${startFailure(server, error, timeoutMs)}${exit}${tail ? `. stderr: ${tail}` : ''}`;
      const failure = new Error(`MCP server "${server.name}" ${reason}`, { cause: error });
      // Kept for finishing a login: the transport knows the server's resource metadata URL.
      if ('finishAuth' in transport) Object.assign(failure, { transport });
      throw failure;
    }
    return connection;
  }

  /**
   * After a request was refused for want of authorization (a scope step-up the SDK started):
   * waits for the person to log in and exchanges the code. False when nobody can log in here.
   */
  async finishLogin(signal: AbortSignal): Promise<boolean> {
    const provider = this.#auth?.provider;
    if (!provider || !isInteractiveProvider(provider) || !this.#authTransport) return false;
    const code = await provider.waitForAuthorizationCode(signal);
    await this.#authTransport.finishAuth(code);
    return true;
  }

  /**
   * Runs `request`; when the SDK refused it for want of authorization and started a login
   * (a scope step-up), waits for that login and runs it once more: the server refused it
   * before running it. Once only: the SDK's own limit on repeated 403s ends a server that
   * keeps asking.
   */
  async withLogin<T>(signal: AbortSignal, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof UnauthorizedError) || !(await this.finishLogin(signal))) throw error;
      return request();
    }
  }

  /** What to tell the person when a login is needed. */
  get loginHint(): string | undefined {
    return this.#auth?.loginHint;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** How the connection ended: `exited with code 7`, `was killed by SIGKILL`, `went away (...)`. */
  get exit(): string {
    return this.#exit ?? 'closed the connection';
  }

  /** The last output the transport could not parse (a server writing garbage to stdout). */
  get protocolError(): string | undefined {
    return this.#protocolError;
  }

  /** The last lines the server wrote to stderr (stdio only). */
  stderrTail(): string {
    const lines = this.#stderr.trim().split('\n');
    return lines.slice(-5).join(' | ');
  }

  /**
   * The call that caused the server's request `id`. Exact over Streamable HTTP (the request
   * arrives on the response stream of its `tools/call`). Over stdio and legacy SSE, MCP carries
   * no link from a server's request to the client's request that caused it (the SDK's
   * `relatedRequestId` only picks an HTTP stream), so the call is known only when it is the one
   * call in flight on that connection; otherwise it is `undefined` and `inFlight` lists the
   * calls that may have asked.
   */
  originOf(id: string | number): RequestOrigin {
    const callId = this.#origins.get(id);
    this.#origins.delete(id);
    const inFlight = [...this.inFlight];
    const call =
      callId !== undefined
        ? inFlight.find((c) => c.callId === callId)
        : inFlight.length === 1
          ? inFlight[0]
          : undefined;
    return { call, inFlight };
  }

  /**
   * Declares the connection dead: every in-flight request fails at once (the SDK rejects them
   * as the client closes) and the owner hears of it as of a crash, so the next call reconnects.
   */
  fail(reason: string): void {
    if (this.#closed || this.#closing) return;
    this.#exit = reason;
    this.#closed = true;
    this.#closing = true;
    this.#hooks.closed(this);
    this.client.close().catch(() => {});
  }

  /**
   * Kills the server's process at once (SIGKILL), for a host that must exit now: a graceful
   * `close` gives a server seconds to go. Does nothing for remote servers or a process gone.
   */
  killNow(): void {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    try {
      await this.client.close();
    } catch {
      // Already gone.
    }
    this.#closed = true;
  }

  /**
   * A remote transport reported a broken stream or a failed POST. The transports never close on
   * their own, so in-flight calls would wait for their timeout: a legacy SSE stream carries
   * every answer and cannot resume, so its loss is fatal at once; for Streamable HTTP a `ping`
   * tells a dead server (refused, reset, unknown session) from one stream lost on a live one.
   */
  #linkFailed(error: Error): void {
    if (!this.#ready || this.#closed || this.#closing) return;
    const reason = `went away (${error.message.slice(0, 200)})`;
    if (error instanceof SseError) {
      this.fail(reason);
      return;
    }
    // The optional GET stream answered with an HTTP error: the server has no such stream, and
    // it is up (a probe would only race a login the next request starts anyway).
    if (error instanceof StreamableHTTPError && /Failed to open SSE stream/.test(error.message)) {
      return;
    }
    if (this.#probing) return;
    this.#probing = true;
    this.client.ping({ timeout: probeTimeoutMs }).then(
      () => {
        this.#probing = false;
      },
      (probeError: unknown) => {
        this.#probing = false;
        // It answered, asking for a login: it is up, and the next call logs in or says so.
        if (!isLoginNeeded(probeError)) this.fail(reason);
      },
    );
  }

  #transport(server: ResolvedServerConfig, auth: ConnectionAuth | undefined): Transport {
    if (server.transport === 'stdio') {
      const config = server.config as McpStdioServerConfig;
      const transport = new StdioClientTransport({
        command: config.command,
        args: config.args ?? [],
        ...(config.env ? { env: config.env } : {}),
        ...(config.cwd ? { cwd: config.cwd } : {}),
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => {
        this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-stderrTailChars);
      });
      const start = transport.start.bind(transport);
      transport.start = async () => {
        await start();
        const child = (transport as unknown as { _process?: ChildProcess })._process;
        this.#child = child;
        child?.once('exit', (code, signal) => {
          this.#exit = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        });
      };
      return transport;
    }
    const config = server.config as McpRemoteServerConfig;
    const url = new URL(config.url);
    const requestInit = config.headers ? { headers: config.headers } : undefined;
    const authProvider = auth?.provider ? { authProvider: auth.provider } : {};
    if (server.transport === 'sse') {
      return new SSEClientTransport(url, {
        ...(requestInit ? { requestInit } : {}),
        ...authProvider,
        ...(auth?.fetch ? { fetch: auth.fetch } : {}),
      });
    }
    return new StreamableHTTPClientTransport(url, {
      ...(requestInit ? { requestInit } : {}),
      ...authProvider,
      fetch: correlatingFetch((id, callId) => this.#origins.set(id, callId), auth?.fetch),
    });
  }
}

/** How a connection authorizes with a server that asks for OAuth. */
export interface ConnectionAuth {
  provider?: OAuthClientProvider | undefined;
  /** The fetch under the transport (one per server: it sends one refresh per refresh token). */
  fetch?: (url: string | URL, init?: RequestInit) => Promise<Response>;
  /** What the person should do to log in (`run \`salvo mcp login github\``). */
  loginHint: string;
}

/** The server wants a login that was not made: a 401 without a provider, or no usable token. */
export function isLoginNeeded(error: unknown): boolean {
  if (McpLoginRequiredError.isInstance(error) || error instanceof UnauthorizedError) return true;
  if (error instanceof StreamableHTTPError || error instanceof SseError) return error.code === 401;
  return false;
}

export function loginMessage(
  error: unknown,
  hint = 'authorize it with an OAuthClientProvider (McpHubOptions.authProvider)',
): string {
  if (McpLoginRequiredError.isInstance(error)) return error.message;
  return `needs login: ${hint}`;
}

/** A remote transport that can finish an OAuth login with the code the redirect brought. */
interface AuthTransport {
  finishAuth(authorizationCode: string): Promise<void>;
}

/** An error of the link to a remote server (not of a message on it). */
export function isLinkError(error: unknown): boolean {
  if (error instanceof SseError || error instanceof StreamableHTTPError) return true;
  if (!(error instanceof Error)) return false;
  if (error instanceof TypeError) return true; // fetch failed: refused, reset, DNS
  return /SSE stream disconnected|reconnect|POSTing|Not connected|terminated|ECONN|socket/i.test(
    error.message,
  );
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** Why a server did not start, in terms of its config: the SDK's errors name neither. */
function startFailure(server: ResolvedServerConfig, error: unknown, timeoutMs: number): string {
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return `it did not answer the MCP handshake within ${formatSeconds(timeoutMs)}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (server.transport === 'stdio') {
    const config = server.config as McpStdioServerConfig;
    if (code === 'ENOENT' && config.cwd !== undefined && !existsSync(config.cwd)) {
      return `its cwd ${config.cwd} does not exist`;
    }
    if (code === 'ENOENT') return `the command \`${config.command}\` was not found (${message})`;
    return message;
  }
  // fetch hides why in its cause: refused, unknown host, a bad certificate...
  const cause =
    error instanceof Error ? (error.cause as { message?: unknown } | undefined) : undefined;
  const why =
    typeof cause?.message === 'string' && cause.message !== '' ? `: ${cause.message}` : '';
  const url = (server.config as McpRemoteServerConfig).url;
  return /fetch failed/i.test(message) ? `cannot reach ${url} (${message}${why})` : message;
}
