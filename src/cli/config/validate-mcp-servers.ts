import { InvalidOptionError } from '../../errors.js';
import { type McpServerConfig, resolveConfig } from '../../mcp/config.js';
import { closestName, editDistance } from './closest-name.js';
import { ConfigError } from './config-error.js';

const approvalPolicies = ['auto', 'ask', 'deny'];

/** The settings of a server entry, stdio and remote alike. */
const serverFields = [
  'type',
  'command',
  'args',
  'env',
  'cwd',
  'url',
  'headers',
  'oauth',
  'trust',
  'maxConcurrency',
  'pool',
  'timeoutMs',
  'maxTotalTimeoutMs',
  'tools',
  'disabled',
];
const toolFields = ['claims', 'approval', 'timeoutMs'];

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
  checkTypos(file, at, server, serverFields);
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
    checkTypos(file, toolAt, tool, toolFields);
    const approval = tool.approval;
    if (approval !== undefined && !approvalPolicies.includes(approval as never)) {
      throw ConfigError.expected(file, `${toolAt}.approval`, '"auto", "ask" or "deny"', approval);
    }
    checkClaims(file, `${toolAt}.claims`, tool.claims);
  }
}

/**
 * A field a few edits from a known one (`comand`, `agrs`, `evn`) is a typo that would otherwise
 * go unnoticed (the server starts without its args) or end in a vaguer error. Fields far from
 * every known one are left alone: entries copied from other clients carry their own
 * (`description`, `autoApprove`, `transportType`).
 */
function checkTypos(
  file: string,
  at: string,
  entry: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const field of Object.keys(entry)) {
    if (known.includes(field)) continue;
    const guess = closestName(field, known);
    if (guess === undefined || !isTypo(field, guess)) continue;
    throw new ConfigError(
      file,
      `${at}.${field}`,
      `unknown field \`${at}.${field}\`; did you mean \`${guess}\`?`,
    );
  }
}

/** Only an edit-distance match: a mere containment (`timeout` in `timeoutMs`) may be another client's field. */
function isTypo(field: string, guess: string): boolean {
  const a = normalize(field);
  const b = normalize(guess);
  if (a === b) return true; // `Command`, `max_concurrency`
  if (a.includes(b) || b.includes(a)) return false;
  return editDistance(a, b) <= Math.max(2, Math.floor(a.length / 3));
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
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
