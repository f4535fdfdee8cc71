import type { ApprovalPolicy } from '../approval/approval.js';
import { InvalidOptionError } from '../errors.js';
import type { Claim } from '../tool/claims.js';
import { assertCount, assertTimeoutMs } from '../validate-options.js';

/**
 * How far a server's tool annotations are believed. `'none'`: every call writes `mcp:<server>`
 * (one at a time per server, parallel with other servers). `'annotations'`: `readOnlyHint`
 * tools read `mcp:<server>`, the rest write it. `'parallel'`: every tool is pure.
 */
export type McpTrust = 'none' | 'annotations' | 'parallel';

/** Per-tool settings, keyed by the tool's name on its server. */
export interface McpToolOverride {
  claims?: readonly Claim[];
  approval?: ApprovalPolicy;
  timeoutMs?: number;
}

interface McpServerCommon {
  /** @default 'none' */
  trust?: McpTrust;
  /** Calls to this server at once (the scheduler group `mcp:<server>`, see `hub.limits()`). */
  maxConcurrency?: number;
  /** Connections (processes for stdio) to spread calls over, least busy first. @default 1 */
  pool?: number;
  /** Time a call may go without an answer or a progress notification. @default 60_000 */
  timeoutMs?: number;
  /** Time a call may take in all, progress or not. @default Infinity */
  maxTotalTimeoutMs?: number;
  tools?: Record<string, McpToolOverride>;
  /** Skipped entirely (as in Claude Code's and Cursor's configs). */
  disabled?: boolean;
}

export interface McpStdioServerConfig extends McpServerCommon {
  type?: 'stdio';
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** How salvo authorizes with a remote server that asks for OAuth (MCP authorization). */
export interface McpOAuthConfig {
  /**
   * A client registered with the server's authorization server beforehand. Without it, salvo
   * uses a client ID metadata document (`clientMetadataUrl`) where the server supports one, or
   * registers itself (dynamic client registration).
   */
  clientId?: string;
  /** The pre-registered client's secret (a confidential client). */
  clientSecret?: string;
  /** Scopes to ask for when the server names none (neither in its 401 nor in its metadata). */
  scopes?: string[];
  /**
   * `'authorization_code'`: a person logs in in a browser (`salvo mcp login`).
   * `'client_credentials'`: a machine client gets its tokens with `clientId` and `clientSecret`.
   * @default 'authorization_code'
   */
  grantType?: 'authorization_code' | 'client_credentials';
  /** How the client proves itself at the token endpoint. @default chosen from the server's metadata */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
  /** An https URL serving this client's metadata document, used as its client ID where supported. */
  clientMetadataUrl?: string;
  /**
   * The loopback port of the login redirect (`http://127.0.0.1:<port>/callback`), for a client
   * registered with a fixed redirect URI. @default a free port
   */
  redirectPort?: number;
}

export interface McpRemoteServerConfig extends McpServerCommon {
  /** `'http'` (Streamable HTTP) or `'sse'` (the legacy transport). @default 'http' */
  type?: 'http' | 'streamable-http' | 'sse';
  url: string;
  headers?: Record<string, string>;
  /** OAuth settings; `false` never starts OAuth (a 401 is then an error). */
  oauth?: McpOAuthConfig | false;
}

export type McpServerConfig = McpStdioServerConfig | McpRemoteServerConfig;

/** The `mcpServers` JSON that Claude Desktop, Claude Code, Cursor and gemini-cli read. */
export interface McpConfig {
  mcpServers: Record<string, McpServerConfig>;
}

/** A server's settings once checked, with defaults filled in. */
export interface ResolvedServerConfig {
  name: string;
  transport: 'stdio' | 'http' | 'sse';
  config: McpServerConfig;
  trust: McpTrust;
  maxConcurrency: number | undefined;
  pool: number;
  timeoutMs: number;
  maxTotalTimeoutMs: number;
  tools: Record<string, McpToolOverride>;
}

const trusts: readonly McpTrust[] = ['none', 'annotations', 'parallel'];

/** Checks a config and fills in defaults; throws `InvalidOptionError` naming the bad field. */
export function resolveConfig(config: McpConfig): ResolvedServerConfig[] {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidOptionError('config', 'an object with `mcpServers`', config);
  }
  const servers = config.mcpServers;
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new InvalidOptionError('mcpServers', 'an object of server names to settings', servers);
  }
  const resolved: ResolvedServerConfig[] = [];
  for (const [name, server] of Object.entries(servers)) {
    const at = `mcpServers.${name}`;
    if (typeof server !== 'object' || server === null) {
      throw new InvalidOptionError(at, 'an object with `command` or `url`', server);
    }
    if (server.disabled === true) continue;
    let transport: ResolvedServerConfig['transport'];
    const hasUrl = 'url' in server && server.url !== undefined;
    if ('command' in server && server.command !== undefined && hasUrl) {
      throw new InvalidOptionError(
        at,
        'either `command` (a local server) or `url` (a remote one), not both',
        server,
      );
    }
    if ('command' in server && server.command !== undefined) {
      if (typeof server.command !== 'string' || server.command === '') {
        throw new InvalidOptionError(`${at}.command`, 'a non-empty string', server.command);
      }
      if (server.args !== undefined && !isStringArray(server.args)) {
        throw new InvalidOptionError(`${at}.args`, 'an array of strings', server.args);
      }
      transport = 'stdio';
    } else if ('url' in server && typeof server.url === 'string') {
      let protocol = '';
      try {
        protocol = new URL(server.url).protocol;
      } catch {
        // reported below
      }
      if (protocol !== 'http:' && protocol !== 'https:') {
        throw new InvalidOptionError(`${at}.url`, 'an absolute http(s) URL', server.url);
      }
      const type = server.type ?? 'http';
      if (type !== 'http' && type !== 'streamable-http' && type !== 'sse') {
        throw new InvalidOptionError(`${at}.type`, "'http' or 'sse'", type);
      }
      transport = type === 'sse' ? 'sse' : 'http';
    } else {
      throw new InvalidOptionError(at, 'an object with `command` (stdio) or `url`', server);
    }
    const trust = server.trust ?? 'none';
    if (!trusts.includes(trust)) {
      throw new InvalidOptionError(`${at}.trust`, "'none', 'annotations' or 'parallel'", trust);
    }
    if (server.maxConcurrency !== undefined) {
      assertCount(`${at}.maxConcurrency`, server.maxConcurrency);
    }
    const pool = server.pool ?? 1;
    assertCount(`${at}.pool`, pool, { allowInfinity: false });
    const timeoutMs = server.timeoutMs ?? 60_000;
    assertTimeoutMs(`${at}.timeoutMs`, timeoutMs);
    const maxTotalTimeoutMs = server.maxTotalTimeoutMs ?? Infinity;
    assertTimeoutMs(`${at}.maxTotalTimeoutMs`, maxTotalTimeoutMs);
    const oauth = (server as { oauth?: unknown }).oauth;
    if (oauth !== undefined && transport === 'stdio') {
      throw new InvalidOptionError(
        `${at}.oauth`,
        'left out: only remote servers (`url`) use OAuth',
        oauth,
      );
    }
    if (oauth !== undefined) checkOAuth(`${at}.oauth`, oauth);
    const tools = server.tools ?? {};
    for (const [tool, override] of Object.entries(tools)) {
      if (override.timeoutMs !== undefined) {
        assertTimeoutMs(`${at}.tools.${tool}.timeoutMs`, override.timeoutMs);
      }
    }
    resolved.push({
      name,
      transport,
      config: server,
      trust,
      maxConcurrency: server.maxConcurrency,
      pool,
      timeoutMs,
      maxTotalTimeoutMs,
      tools,
    });
  }
  return resolved;
}

const grantTypes = ['authorization_code', 'client_credentials'];
const authMethods = ['client_secret_basic', 'client_secret_post', 'none'];

function checkOAuth(at: string, oauth: unknown): void {
  if (oauth === false) return;
  if (typeof oauth !== 'object' || oauth === null || Array.isArray(oauth)) {
    throw new InvalidOptionError(
      at,
      'an object such as `{ "clientId": "..." }`, or `false`',
      oauth,
    );
  }
  const o = oauth as Record<string, unknown>;
  for (const field of ['clientId', 'clientSecret'] as const) {
    if (o[field] !== undefined && (typeof o[field] !== 'string' || o[field] === '')) {
      throw new InvalidOptionError(`${at}.${field}`, 'a non-empty string', o[field]);
    }
  }
  if (o.scopes !== undefined && !isStringArray(o.scopes)) {
    throw new InvalidOptionError(`${at}.scopes`, 'an array of strings', o.scopes);
  }
  if (o.grantType !== undefined && !grantTypes.includes(o.grantType as string)) {
    throw new InvalidOptionError(
      `${at}.grantType`,
      "'authorization_code' or 'client_credentials'",
      o.grantType,
    );
  }
  if (
    o.grantType === 'client_credentials' &&
    (o.clientId === undefined || o.clientSecret === undefined)
  ) {
    throw new InvalidOptionError(
      at,
      '`clientId` and `clientSecret` with `"grantType": "client_credentials"`',
      oauth,
    );
  }
  if (
    o.tokenEndpointAuthMethod !== undefined &&
    !authMethods.includes(o.tokenEndpointAuthMethod as string)
  ) {
    throw new InvalidOptionError(
      `${at}.tokenEndpointAuthMethod`,
      "'client_secret_basic', 'client_secret_post' or 'none'",
      o.tokenEndpointAuthMethod,
    );
  }
  if (o.clientMetadataUrl !== undefined) {
    let ok = false;
    try {
      const url = new URL(String(o.clientMetadataUrl));
      ok =
        typeof o.clientMetadataUrl === 'string' &&
        url.protocol === 'https:' &&
        url.pathname !== '/';
    } catch {
      // reported below
    }
    if (!ok) {
      throw new InvalidOptionError(
        `${at}.clientMetadataUrl`,
        'an https URL with a path (the client metadata document)',
        o.clientMetadataUrl,
      );
    }
  }
  const port = o.redirectPort;
  if (
    port !== undefined &&
    (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)
  ) {
    throw new InvalidOptionError(`${at}.redirectPort`, 'a port number from 1 to 65535', port);
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
