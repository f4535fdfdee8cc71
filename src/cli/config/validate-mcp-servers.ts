import { InvalidOptionError } from '../../errors.js';
import { type McpServerConfig, resolveConfig } from '../../mcp/config.js';
import { ConfigError } from './config-error.js';

const approvalPolicies = ['auto', 'ask', 'deny'];

/**
 * Checks one file's `mcpServers` with the MCP hub's own `resolveConfig`, plus the fields it takes
 * on trust (`env`, `headers`, `cwd`, `disabled`, `tools`), and returns a copy holding only own
 * properties. Throws {@link ConfigError} on `file` for the first bad field.
 */
export function validateMcpServers(file: string, value: unknown): Record<string, McpServerConfig> {
  if (!isObject(value)) {
    throw ConfigError.expected(file, 'mcpServers', 'an object of server names to settings', value);
  }
  const servers: [string, McpServerConfig][] = [];
  for (const [name, server] of Object.entries(value)) {
    const at = `mcpServers.${name}`;
    if (!isObject(server)) {
      throw ConfigError.expected(file, at, 'an object with `command` (stdio) or `url`', server);
    }
    checkServerExtras(file, at, server);
    try {
      // One server at a time, so errors come in file order; fromEntries keeps `__proto__` own.
      resolveConfig({ mcpServers: Object.fromEntries([[name, server as never]]) });
    } catch (error) {
      throw fromResolveError(file, at, error);
    }
    servers.push([name, server as unknown as McpServerConfig]);
  }
  return Object.fromEntries(servers);
}

/** What `resolveConfig` does not check, or would trip over (`tools: { t: null }`). */
function checkServerExtras(file: string, at: string, server: Record<string, unknown>): void {
  if (server.disabled !== undefined && typeof server.disabled !== 'boolean') {
    throw ConfigError.expected(file, `${at}.disabled`, '`true` or `false`', server.disabled);
  }
  if (server.disabled === true) return; // skipped entirely, like the hub does
  if (server.cwd !== undefined && typeof server.cwd !== 'string') {
    throw ConfigError.expected(file, `${at}.cwd`, 'a directory path (a string)', server.cwd);
  }
  checkStrings(file, `${at}.env`, server.env, 'an object of variable names to strings');
  checkStrings(file, `${at}.headers`, server.headers, 'an object of header names to strings');
  const tools = server.tools;
  if (tools === undefined) return;
  if (!isObject(tools)) {
    throw ConfigError.expected(file, `${at}.tools`, 'an object of tool names to settings', tools);
  }
  for (const [name, tool] of Object.entries(tools)) {
    const toolAt = `${at}.tools.${name}`;
    if (!isObject(tool)) {
      throw ConfigError.expected(file, toolAt, 'an object such as `{ "approval": "ask" }`', tool);
    }
    const approval = tool.approval;
    if (approval !== undefined && !approvalPolicies.includes(approval as never)) {
      throw ConfigError.expected(file, `${toolAt}.approval`, '"auto", "ask" or "deny"', approval);
    }
    checkClaims(file, `${toolAt}.claims`, tool.claims);
  }
}

function checkStrings(file: string, at: string, value: unknown, expected: string): void {
  if (value === undefined) return;
  if (!isObject(value)) throw ConfigError.expected(file, at, expected, value);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw ConfigError.expected(file, `${at}.${key}`, 'a string', item);
    }
  }
}

function checkClaims(file: string, at: string, claims: unknown): void {
  if (claims === undefined) return;
  const shape = 'an array of `{ "key": "...", "mode": "read" }` or `"write"` claims';
  if (!Array.isArray(claims)) throw ConfigError.expected(file, at, shape, claims);
  claims.forEach((claim: unknown, i) => {
    if (!isObject(claim)) throw ConfigError.expected(file, `${at}.${i}`, shape, claim);
    if (typeof claim.key !== 'string' || claim.key === '') {
      throw ConfigError.expected(file, `${at}.${i}.key`, 'a non-empty string', claim.key);
    }
    if (claim.mode !== 'read' && claim.mode !== 'write') {
      throw ConfigError.expected(file, `${at}.${i}.mode`, '"read" or "write"', claim.mode);
    }
  });
}

/**
 * ``Expected `mcpServers.x.pool` to be a number from 1 and up, got `0` (number)`` becomes
 * ``<file>: `mcpServers.x.pool` must be a number from 1 and up, got `0` (number)``.
 */
function fromResolveError(file: string, at: string, error: unknown): ConfigError {
  if (error instanceof InvalidOptionError) {
    const prefix = `Expected \`${error.option}\` to be `;
    const rest = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : undefined;
    const split = rest?.indexOf(', got ') ?? -1;
    const problem =
      rest !== undefined && split >= 0
        ? `\`${error.option}\` must be ${rest.slice(0, split)}, got ${rest.slice(split + 6)}`
        : error.message;
    return new ConfigError(file, error.option, problem, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ConfigError(file, at, `\`${at}\` is not valid: ${message}`, { cause: error });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
