import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ContentBlock } from '../tool/content.js';
import type { ToolContext } from '../tool/define-tool.js';
import type { ResolvedServerConfig } from './config.js';
import {
  type ConnectionAuth,
  type ConnectionHooks,
  type InFlightCall,
  isLinkError,
  isLoginNeeded,
  loginMessage,
  McpConnection,
} from './connection.js';
import { callIdMetaKey } from './correlating-fetch.js';
import { McpToolError, mapCallToolResult } from './map-result.js';

/** A tool as the server lists it. */
export interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; [hint: string]: unknown };
}

export interface ServerTimings {
  connectTimeoutMs: number;
  /** First restart after a crash waits this long; each further failure doubles it. */
  restartDelayMs: number;
  maxRestartDelayMs: number;
}

interface Slot {
  connection?: McpConnection;
  opening?: Promise<McpConnection>;
  failures: number;
  lastFailureAt: number;
}

/**
 * One configured server: a pool of connections (one by default), restarted with backoff when
 * they die, and the server's tool list. Never locks: calls go straight to the least busy client.
 */
export class McpServerHandle {
  readonly config: ResolvedServerConfig;
  tools: McpToolInfo[] = [];
  lastError: string | undefined;
  /** Its last connection or call failed for want of a login (see `lastError` for what to do). */
  needsLogin = false;
  restarts = 0;
  readonly #slots: Slot[];
  readonly #hooks: ConnectionHooks;
  readonly #timings: ServerTimings;
  readonly #onToolsChanged: () => void;
  readonly #auth: ConnectionAuth | undefined;
  #next = 0;
  #closed = false;
  /** Connections whose process may still run (closing ones included), for `killNow`. */
  readonly #live = new Set<McpConnection>();
  #started = false;

  constructor(options: {
    config: ResolvedServerConfig;
    request: ConnectionHooks['request'];
    timings: ServerTimings;
    onToolsChanged: () => void;
    auth?: ConnectionAuth;
  }) {
    this.config = options.config;
    this.#auth = options.auth;
    this.#timings = options.timings;
    this.#onToolsChanged = options.onToolsChanged;
    this.#slots = Array.from({ length: options.config.pool }, () => ({
      failures: 0,
      lastFailureAt: 0,
    }));
    this.#hooks = {
      request: options.request,
      toolsChanged: (connection) => void this.#refreshTools(connection),
      closed: (connection) => {
        this.#live.delete(connection);
        const slot = this.#slots.find((s) => s.connection === connection);
        if (!slot) return;
        slot.connection = undefined;
        slot.failures++;
        slot.lastFailureAt = Date.now();
        this.lastError = `${connection.exit}${tailOf(connection)}`;
      },
    };
  }

  /** `'failed'`: never connected (its tools are unknown); `'down'`: lost, reconnected on demand. */
  get state(): 'connected' | 'down' | 'failed' | 'closed' {
    if (this.#closed) return 'closed';
    if (this.#slots.some((s) => s.connection && !s.connection.closed)) return 'connected';
    return this.#started ? 'down' : 'failed';
  }

  /**
   * Opens every connection of the pool and lists the tools; throws when none opens. Aborting
   * `signal` gives up: the connections opened so far are closed (their processes killed).
   */
  async start(signal?: AbortSignal): Promise<void> {
    const opened = await Promise.allSettled(
      this.#slots.map((slot) => this.#open(slot, true, signal)),
    );
    const first = opened.find((o) => o.status === 'fulfilled');
    if (!first) throw (opened[0] as PromiseRejectedResult).reason;
    try {
      signal?.throwIfAborted();
      this.tools = await listAll(first.value, signal);
    } catch (error) {
      // The handshake went well but its tools are unknown: a server without tools is of no
      // use, so it failed to start, and says why now (not later, when the connection drops).
      await this.#dropConnections();
      if (signal?.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.needsLogin = isLoginNeeded(error);
      this.lastError = `MCP server "${this.config.name}" ${
        this.needsLogin
          ? loginMessage(error, this.#auth?.loginHint)
          : `failed to start: tools/list failed right after the handshake: ${message.slice(0, 400)}`
      }`;
      throw new Error(this.lastError, { cause: error });
    }
    this.#started = true;
    this.lastError = undefined;
  }

  /** Kills and closes every open connection (a start that was called off). */
  async #dropConnections(): Promise<void> {
    await Promise.all(
      this.#slots.map(async (slot) => {
        const connection = slot.connection;
        slot.connection = undefined;
        if (!connection) return;
        connection.killNow();
        await connection.close();
        this.#live.delete(connection);
      }),
    );
  }

  /**
   * Opens the connections that are not live, after the backoff of their last failure. A server
   * that failed at startup lists its tools (and `onToolsChanged` fires); throws when none opens.
   */
  async reconnect(): Promise<void> {
    if (this.#closed) throw new Error(`MCP server "${this.config.name}" is closed.`);
    if (!this.#started) {
      await this.start();
      this.#onToolsChanged();
      return;
    }
    const opened = await Promise.allSettled(
      this.#slots.map((slot) =>
        slot.connection && !slot.connection.closed ? slot.connection : this.#open(slot, false),
      ),
    );
    if (!opened.some((o) => o.status === 'fulfilled'))
      throw (opened[0] as PromiseRejectedResult).reason;
  }

  /** Calls a tool on the least busy connection; maps faults to errors that name the server. */
  async call(
    mcpTool: string,
    input: unknown,
    ctx: ToolContext,
    timeoutMs: number,
  ): Promise<ContentBlock[]> {
    const slot = this.#pick();
    const connection = await this.#connectionOf(slot, ctx.signal);
    const entry: InFlightCall = { callId: ctx.callId, toolName: ctx.toolName, mcpTool, input };
    connection.inFlight.add(entry);
    try {
      const result = await connection.withLogin(ctx.signal, () =>
        this.#callOnce(connection, mcpTool, input, ctx, timeoutMs),
      );
      slot.failures = 0;
      this.needsLogin = false;
      return mapCallToolResult(result);
    } catch (error) {
      throw this.#explain(error, connection, mcpTool, timeoutMs);
    } finally {
      connection.inFlight.delete(entry);
    }
  }

  #callOnce(
    connection: McpConnection,
    mcpTool: string,
    input: unknown,
    ctx: ToolContext,
    timeoutMs: number,
  ) {
    return connection.client.callTool(
      {
        name: mcpTool,
        arguments: (input ?? {}) as Record<string, unknown>,
        _meta: { [callIdMetaKey]: ctx.callId },
      },
      undefined,
      {
        signal: ctx.signal,
        timeout: Math.min(timeoutMs, 2_147_483_647),
        ...(Number.isFinite(this.config.maxTotalTimeoutMs)
          ? { maxTotalTimeout: this.config.maxTotalTimeoutMs }
          : {}),
        resetTimeoutOnProgress: true,
        onprogress: (p) =>
          ctx.progress({
            progress: p.progress,
            ...(p.total !== undefined ? { total: p.total } : {}),
            ...(p.message !== undefined ? { message: p.message } : {}),
          }),
      },
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.#slots.map(async (slot) => {
        const connection = slot.connection ?? (await slot.opening?.catch(() => undefined));
        slot.connection = undefined;
        await connection?.close();
        if (connection) this.#live.delete(connection);
      }),
    );
  }

  /** Kills every process of this server at once (SIGKILL), closing or not. */
  killNow(): void {
    for (const connection of this.#live) connection.killNow();
  }

  /** Least busy slot; ties go round-robin. */
  #pick(): Slot {
    let best: Slot | undefined;
    let bestLoad = Infinity;
    const n = this.#slots.length;
    for (let k = 0; k < n; k++) {
      const slot = this.#slots[(this.#next + k) % n] as Slot;
      const load = slot.connection && !slot.connection.closed ? slot.connection.inFlight.size : 0.5;
      if (load < bestLoad) {
        best = slot;
        bestLoad = load;
      }
    }
    this.#next = (this.#next + 1) % n;
    return best as Slot;
  }

  async #connectionOf(slot: Slot, signal: AbortSignal): Promise<McpConnection> {
    if (this.#closed)
      throw new Error(`MCP server "${this.config.name}" is closed (hub.close() was called).`);
    if (slot.connection && !slot.connection.closed) return slot.connection;
    const opening = this.#open(slot, false);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      opening.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  #open(slot: Slot, first: boolean, signal?: AbortSignal): Promise<McpConnection> {
    if (slot.opening) return slot.opening;
    const { restartDelayMs, maxRestartDelayMs, connectTimeoutMs } = this.#timings;
    const backoff =
      slot.failures === 0
        ? 0
        : Math.min(maxRestartDelayMs, restartDelayMs * 2 ** (slot.failures - 1));
    const delay = Math.max(0, backoff - (Date.now() - slot.lastFailureAt));
    const opening = (async () => {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.#closed) throw new Error(`MCP server "${this.config.name}" is closed.`);
      const connection = await McpConnection.open(
        this.config,
        this.#hooks,
        connectTimeoutMs,
        signal,
        this.#auth,
      );
      this.needsLogin = false;
      this.#live.add(connection);
      if (this.#closed) {
        await connection.close();
        throw new Error(`MCP server "${this.config.name}" is closed.`);
      }
      slot.connection = connection;
      if (!first) {
        this.restarts++;
        void this.#refreshTools(connection);
      }
      return connection;
    })();
    slot.opening = opening;
    opening.then(
      () => {
        slot.opening = undefined;
      },
      (error: unknown) => {
        slot.opening = undefined;
        slot.failures++;
        slot.lastFailureAt = Date.now();
        this.needsLogin = isLoginNeeded((error as { cause?: unknown } | undefined)?.cause);
        this.lastError = error instanceof Error ? error.message : String(error);
      },
    );
    return opening;
  }

  async #refreshTools(connection: McpConnection): Promise<void> {
    try {
      const tools = await listAll(connection);
      if (JSON.stringify(tools) === JSON.stringify(this.tools)) return;
      this.tools = tools;
      this.#onToolsChanged();
    } catch (error) {
      this.lastError = `tools/list failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  #explain(error: unknown, connection: McpConnection, tool: string, timeoutMs: number): Error {
    if (error instanceof McpToolError) return error;
    const server = `MCP server "${this.config.name}"`;
    if (isLoginNeeded(error)) {
      this.needsLogin = true;
      this.lastError = loginMessage(error, connection.loginHint);
      return new Error(`${server} ${this.lastError} (then "${tool}" can run)`, { cause: error });
    }
    const message = error instanceof Error ? error.message : String(error);
    const again = connection.transport === 'stdio' ? 'restarted' : 'reconnected';
    if (connection.closed) {
      return new Error(
        `${server} ${connection.exit} while "${tool}" was running; it is ${again} on the next call.${tailOf(connection)}`,
        { cause: error },
      );
    }
    if (connection.transport !== 'stdio' && isLinkError(error)) {
      return new Error(
        `${server} could not be reached for "${tool}": ${message}. It is ${again} on the next call.`,
        { cause: error },
      );
    }
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      const garbage = connection.protocolError
        ? ` It wrote output that is not JSON-RPC: ${connection.protocolError}`
        : '';
      const timeout = new Error(
        `${server} did not answer "${tool}" within ${timeoutMs} ms (no progress either). ${message}.${garbage}`,
        { cause: error },
      );
      timeout.name = 'TimeoutError'; // the call's result is a timeout, not an error
      return timeout;
    }
    if (error instanceof McpError) {
      return new Error(`${server} rejected "${tool}": ${message}`, { cause: error });
    }
    return new Error(`${server} sent a malformed result for "${tool}": ${message.slice(0, 400)}`, {
      cause: error,
    });
  }
}

function tailOf(connection: McpConnection): string {
  const tail = connection.stderrTail();
  return tail ? ` stderr: ${tail}` : '';
}

async function listAll(connection: McpConnection, signal?: AbortSignal): Promise<McpToolInfo[]> {
  const tools: McpToolInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await connection.withLogin(signal ?? new AbortController().signal, () =>
      connection.client.listTools(cursor ? { cursor } : undefined, signal ? { signal } : undefined),
    );
    tools.push(...(page.tools as McpToolInfo[]));
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}
