import type { McpServerConfig } from '../../mcp/config.js';
import { ConfigError } from './config-error.js';
import { readConfigFile } from './read-config-file.js';
import { validateMcpServers } from './validate-mcp-servers.js';

/** The MCP servers of a project's `.mcp.json`, and what was wrong in it. */
export interface McpJson {
  servers: Record<string, McpServerConfig>;
  /** One line each: the file, or a server of it, left out and why. */
  warnings: string[];
}

/**
 * Reads Claude Code's project file `.mcp.json`:
 * `{ "mcpServers": { "<name>": { "command", "args", "env" } | { "type": "http" | "sse", "url", "headers" } } }`.
 * The file is another tool's, so its mistakes do not stop salvo: a file that cannot be read or
 * parsed, or a server entry salvo cannot use, is left out with a warning naming it.
 * Returns `undefined` when there is no such file.
 */
export function readMcpJson(file: string): McpJson | undefined {
  let value: unknown;
  try {
    const read = readConfigFile(file);
    if (read === undefined) return undefined;
    value = read.value;
  } catch (error) {
    return { servers: {}, warnings: [`${message(error)} (its MCP servers are not used)`] };
  }
  const servers = isObject(value) ? value.mcpServers : undefined;
  if (!isObject(servers)) {
    return {
      servers: {},
      warnings: [
        `${file}: expected \`{ "mcpServers": { "<name>": { "command": "..." } } }\` (its MCP servers are not used)`,
      ],
    };
  }
  const kept: [string, McpServerConfig][] = [];
  const warnings: string[] = [];
  for (const [name, server] of Object.entries(servers)) {
    try {
      // A URL made of variables is checked once they are filled in (see expandServerVariables).
      const probe =
        isObject(server) && typeof server.url === 'string' && server.url.includes('${')
          ? { ...server, url: 'http://variables.invalid/' }
          : server;
      validateMcpServers(file, Object.fromEntries([[name, probe]]));
      kept.push([name, server as unknown as McpServerConfig]);
    } catch (error) {
      warnings.push(`${message(error)} (MCP server "${name}" is not used)`);
    }
  }
  return { servers: Object.fromEntries(kept), warnings };
}

/** `${NAME}` or `${NAME:-default}`, as Claude Code expands them in `.mcp.json`. */
const variable = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** The variables a server's entry reads from the environment, in order, each once. */
export function serverVariables(server: McpServerConfig): string[] {
  const names = new Set<string>();
  for (const text of serverStrings(server)) {
    for (const match of text.matchAll(variable)) names.add(match[1] as string);
  }
  return [...names];
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` in a `.mcp.json` server's `command`, `args`, `env`,
 * `url` and `headers` with values from `env`. A variable that is not set and has no default is a
 * problem for that server (`missing` names it): it is not started, rather than started with a
 * blank token. An empty value counts as not set.
 */
export function expandServerVariables(
  server: McpServerConfig,
  env: Readonly<Record<string, string | undefined>>,
): { server: McpServerConfig } | { missing: string } {
  let missing: string | undefined;
  const expand = (text: string) =>
    text.replace(variable, (whole, key: string, fallback: string | undefined) => {
      const value = Object.hasOwn(env, key) ? env[key] : undefined;
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      missing ??= key;
      return whole;
    });
  const copy: Record<string, unknown> = { ...server };
  if ('command' in server && typeof server.command === 'string') {
    copy.command = expand(server.command);
  }
  if ('args' in server && Array.isArray(server.args)) copy.args = server.args.map(expand);
  if ('url' in server && typeof server.url === 'string') copy.url = expand(server.url);
  for (const field of ['env', 'headers'] as const) {
    const values = (server as unknown as Record<string, unknown>)[field];
    if (isObject(values)) {
      copy[field] = Object.fromEntries(
        Object.entries(values).map(([key, text]) => [key, expand(String(text))]),
      );
    }
  }
  if (missing !== undefined) return { missing };
  return { server: copy as unknown as McpServerConfig };
}

function serverStrings(server: McpServerConfig): string[] {
  const texts: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === 'string') texts.push(value);
  };
  const s = server as unknown as Record<string, unknown>;
  add(s.command);
  if (Array.isArray(s.args)) s.args.forEach(add);
  add(s.url);
  for (const field of ['env', 'headers']) {
    const values = s[field];
    if (isObject(values)) Object.values(values).forEach(add);
  }
  return texts;
}

function message(error: unknown): string {
  return ConfigError.isInstance(error) || error instanceof Error ? error.message : String(error);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
