import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { McpStdioServerConfig } from '../../mcp/config.js';
import { demoMcpConfig, resolveBin } from './demo-servers.js';

describe('demoMcpConfig', () => {
  it('runs server-filesystem and server-memory from the dependencies with this Node.js', () => {
    const { config, missing } = demoMcpConfig({ projectDir: '/p', memoryFile: '/m.jsonl' });
    expect(missing).toEqual([]);
    const files = config.mcpServers.files as McpStdioServerConfig;
    const memory = config.mcpServers.memory as McpStdioServerConfig;
    expect(files.command).toBe(process.execPath);
    expect(files.args?.[1]).toBe('/p');
    expect(files.trust).toBe('annotations');
    expect(memory.command).toBe(process.execPath);
    expect(memory.env).toEqual({ MEMORY_FILE_PATH: '/m.jsonl' });
    for (const server of [files, memory]) {
      expect(server.args?.[0]).toMatch(/server-(filesystem|memory)[\\/]dist[\\/]index\.js$/);
      expect(existsSync(server.args?.[0] as string)).toBe(true);
    }
  });

  it('says which package is missing instead of throwing', () => {
    const result = resolveBin('@salvo-test/no-such-mcp-server');
    expect(result).toEqual({
      missing: expect.stringContaining('@salvo-test/no-such-mcp-server: not installed'),
    });
  });
});
