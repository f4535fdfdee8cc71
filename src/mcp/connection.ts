import type { ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type {
  McpRemoteServerConfig,
  McpStdioServerConfig,
  ResolvedServerConfig,
} from './config.js';
import { correlatingFetch } from './correlating-fetch.js';

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

export interface ConnectionHooks {
  /** Set when the host handles this kind of request (it is then advertised as a capability). */
  request: Partial<
    Record<
      ServerRequestKind,
      (params: unknown, signal: AbortSignal, origin: InFlightCall | undefined) => Promise<unknown>
    >
  >;
  toolsChanged(connection: McpConnection): void;
  closed(connection: McpConnection): void;
}

const stderrTailChars = 2_000;

/**
 * One SDK `Client` on one transport. Calls share it without any lock: the SDK matches answers
 * to requests by JSON-RPC id. Knows how its stdio process ended and the tail of its stderr.
 */
export class McpConnection {
  readonly client: Client;
  readonly inFlight = new Set<InFlightCall>();
  #closed = false;
  #closing = false;
  #exit: string | undefined;
  #stderr = '';
  #protocolError: string | undefined;
  readonly #origins = new Map<string | number, string>();
  readonly #hooks: ConnectionHooks;

  private constructor(hooks: ConnectionHooks) {
    this.#hooks = hooks;
    const capabilities: Record<string, object> = {};
    if (hooks.request.sampling) capabilities.sampling = {};
    if (hooks.request.elicitation) capabilities.elicitation = {};
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
      this.#protocolError = error.message.slice(0, 300);
    };
    this.client.onclose = () => {
      this.#closed = true;
      if (!this.#closing) this.#hooks.closed(this);
    };
  }

  /** Spawns or dials the server and runs the MCP handshake. */
  static async open(
    server: ResolvedServerConfig,
    hooks: ConnectionHooks,
    timeoutMs: number,
  ): Promise<McpConnection> {
    const connection = new McpConnection(hooks);
    const transport = connection.#transport(server);
    try {
      await connection.client.connect(transport, { timeout: timeoutMs });
    } catch (error) {
      await connection.close();
      const reason = error instanceof Error ? error.message : String(error);
      const exit = connection.#exit ? ` (it ${connection.#exit})` : '';
      const tail = connection.stderrTail();
      throw new Error(
        `MCP server "${server.name}" failed to start: ${reason}${exit}${tail ? `. stderr: ${tail}` : ''}`,
        { cause: error },
      );
    }
    return connection;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** How the connection ended, in words: `exited with code 7`, `was killed by SIGKILL`. */
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

  /** The call that caused the server's request `id`: known for HTTP, or when only one runs. */
  originOf(id: string | number): InFlightCall | undefined {
    const callId = this.#origins.get(id);
    this.#origins.delete(id);
    const calls = [...this.inFlight];
    if (callId !== undefined) return calls.find((c) => c.callId === callId);
    return calls.length === 1 ? calls[0] : undefined;
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

  #transport(server: ResolvedServerConfig): Transport {
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
        child?.once('exit', (code, signal) => {
          this.#exit = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        });
      };
      return transport;
    }
    const config = server.config as McpRemoteServerConfig;
    const url = new URL(config.url);
    const requestInit = config.headers ? { headers: config.headers } : undefined;
    if (server.transport === 'sse') {
      return new SSEClientTransport(url, requestInit ? { requestInit } : {});
    }
    return new StreamableHTTPClientTransport(url, {
      ...(requestInit ? { requestInit } : {}),
      fetch: correlatingFetch((id, callId) => this.#origins.set(id, callId)),
    });
  }
}
