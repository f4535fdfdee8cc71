import { defineTool, type Tool } from '../tool/define-tool.js';
import { type McpConfig, resolveConfig } from './config.js';
import type { InFlightCall } from './connection.js';
import { derivePolicy, serverKey } from './derive-policy.js';
import { McpServerHandle } from './server.js';
import { ToolNamer } from './tool-names.js';

/** A request a server sent while calls ran, with the call that caused it when it is known. */
export interface McpServerRequest<P = Record<string, unknown>> {
  server: string;
  /** The request's params (`sampling/createMessage` or `elicitation/create`). */
  params: P;
  /** The call that caused it: exact over HTTP, or the only call running on that connection. */
  call: InFlightCall | undefined;
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
  /** @default 30_000 */
  connectTimeoutMs?: number;
  /** Delay before the first restart after a failure, doubled each time. @default 200 */
  restartDelayMs?: number;
  /** @default 30_000 */
  maxRestartDelayMs?: number;
}

export interface McpServerStatus {
  name: string;
  transport: 'stdio' | 'http' | 'sse';
  state: 'connected' | 'down' | 'failed' | 'closed';
  tools: number;
  restarts: number;
  /** Why it failed to start, or how it last went down (with the stderr tail for stdio). */
  error?: string;
}

/**
 * MCP servers as salvo tools: every server connected in parallel, one multiplexed client per
 * connection, claims and approval derived from annotations and the server's `trust`, a
 * concurrency group `mcp:<server>` per server, and crashed servers restarted on the next call.
 */
export class McpHub {
  readonly #servers: McpServerHandle[] = [];
  readonly #failed = new Map<string, string>();
  readonly #listeners = new Set<(tools: Tool[]) => void>();
  #tools: Tool[] = [];
  #closed = false;

  private constructor() {}

  /** Connects every server of an `mcpServers` config at once; failures are reported, not thrown. */
  static async fromConfig(config: McpConfig, options: McpHubOptions = {}): Promise<McpHub> {
    const hub = new McpHub();
    if (options.onToolsChanged) hub.#listeners.add(options.onToolsChanged);
    const request = (kind: 'onSampling' | 'onElicitation', server: string) => {
      const handler = options[kind];
      if (!handler) return undefined;
      return async (params: unknown, signal: AbortSignal, call: InFlightCall | undefined) =>
        handler({ server, params: params as Record<string, unknown>, call, signal });
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
      });
    });
    const started = await Promise.allSettled(handles.map((h) => h.start()));
    started.forEach((outcome, index) => {
      const handle = handles[index] as McpServerHandle;
      if (outcome.status === 'fulfilled') hub.#servers.push(handle);
      else {
        const reason =
          outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
        hub.#failed.set(handle.config.name, reason);
        void handle.close();
      }
    });
    hub.#rebuild(false);
    return hub;
  }

  /** The tools of every connected server, named `server__tool`. */
  tools(): Tool[] {
    return [...this.#tools];
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

  /** Every configured server, connected or not. */
  status(): McpServerStatus[] {
    const live = this.#servers.map((s) => ({
      name: s.config.name,
      transport: s.config.transport,
      state: s.state,
      tools: s.tools.length,
      restarts: s.restarts,
      ...(s.lastError ? { error: s.lastError } : {}),
    }));
    const failed = [...this.#failed].map(([name, error]) => ({
      name,
      transport: 'stdio' as const,
      state: 'failed' as const,
      tools: 0,
      restarts: 0,
      error,
    }));
    return [...live, ...failed];
  }

  /** Servers that failed to start, with why. */
  errors(): { server: string; message: string }[] {
    return [...this.#failed].map(([server, message]) => ({ server, message }));
  }

  /** Subscribes to tool list changes; returns the unsubscribe function. */
  onToolsChanged(listener: (tools: Tool[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The live server handles (for `listTools`). */
  servers(): readonly McpServerHandle[] {
    return this.#servers;
  }

  /** Closes every connection. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#servers.map((s) => s.close()));
  }

  #rebuild(notify: boolean): void {
    const namer = new ToolNamer();
    const tools: Tool[] = [];
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
        tools.push(
          defineTool({
            name: namer.name(name, info.name),
            description: info.description ?? info.name,
            input: toObjectSchema(info.inputSchema),
            claims: policy.claims,
            approval: policy.approval,
            group: serverKey(name),
            execute: (input, ctx) => server.call(info.name, input, ctx, callTimeoutMs),
          }),
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

function toObjectSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!schema || typeof schema !== 'object') return { type: 'object' };
  return schema.type === undefined ? { ...schema, type: 'object' } : schema;
}
