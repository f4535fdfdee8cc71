import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { McpConfig } from '../../mcp/config.js';

export interface DemoMcpConfigOptions {
  /** The folder server-filesystem may read and write: the demo project. */
  projectDir: string;
  /** Where server-memory keeps its knowledge graph (JSON lines). */
  memoryFile: string;
}

export interface DemoMcpConfig {
  /** `files` (server-filesystem) and `memory` (server-memory), those that could be found. */
  config: McpConfig;
  /** Packages that could not be resolved, with why: their server is left out of `config`. */
  missing: string[];
}

/** The npm packages of the demo's MCP servers, by server name. */
export const demoServerPackages = {
  files: '@modelcontextprotocol/server-filesystem',
  memory: '@modelcontextprotocol/server-memory',
} as const;

/**
 * The demo's MCP servers, run from this package's dependencies with the current Node.js (no
 * `npx`, no network): `files`, server-filesystem rooted at the project, and `memory`,
 * server-memory writing its graph to `memoryFile`. Both trust the servers' annotations, so
 * reads run in parallel and writes to a server run one at a time.
 */
export function demoMcpConfig(options: DemoMcpConfigOptions): DemoMcpConfig {
  const { projectDir, memoryFile } = options;
  const config: McpConfig = { mcpServers: {} };
  const missing: string[] = [];
  const files = resolveBin(demoServerPackages.files);
  if (typeof files === 'string') {
    config.mcpServers.files = {
      command: process.execPath,
      args: [files, projectDir],
      trust: 'annotations',
    };
  } else missing.push(files.missing);
  const memory = resolveBin(demoServerPackages.memory);
  if (typeof memory === 'string') {
    config.mcpServers.memory = {
      command: process.execPath,
      args: [memory],
      env: { MEMORY_FILE_PATH: memoryFile },
      trust: 'annotations',
    };
  } else missing.push(memory.missing);
  return { config, missing };
}

/** The absolute path of a package's (first) `bin` script, or why it cannot be found. */
export function resolveBin(packageName: string): string | { missing: string } {
  try {
    const manifestPath = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      bin?: string | Record<string, string>;
    };
    const bin =
      typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
    if (!bin) return { missing: `${packageName}: its package.json names no bin script` };
    return join(dirname(manifestPath), bin);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { missing: `${packageName}: not installed (${reason})` };
  }
}
