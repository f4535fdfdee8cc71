import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { McpTokenStore } from './token-store.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function storeFile(): string {
  dir = mkdtempSync(join(tmpdir(), 'salvo-tokens-'));
  return join(dir, 'home', '.salvo', 'mcp-tokens.json');
}

const url = 'https://mcp.example.com/mcp';

describe('McpTokenStore', () => {
  it('writes a file only its owner can read, whatever the umask', async () => {
    const file = storeFile();
    const umask = process.umask(0o000);
    try {
      await new McpTokenStore(file).update('github', url, (e) => ({
        ...e,
        tokens: { access_token: 'a', token_type: 'Bearer' },
      }));
    } finally {
      process.umask(umask);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).servers.github.tokens.access_token).toBe('a');
  });

  it('keeps every one of many concurrent changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 10 }),
        async (servers) => {
          const store = new McpTokenStore(storeFile());
          await Promise.all(
            servers.map((server) =>
              store.update(server, url, (e) => ({
                ...e,
                tokens: { access_token: server, token_type: 'Bearer' },
              })),
            ),
          );
          expect((await store.servers()).sort()).toEqual([...servers].sort());
          rmSync(dir as string, { recursive: true, force: true });
        },
      ),
      { numRuns: 20 },
    );
  });

  it('never hands tokens to another URL under the same name', async () => {
    const store = new McpTokenStore(storeFile());
    await store.update('github', url, (e) => ({
      ...e,
      tokens: { access_token: 'a', token_type: 'Bearer' },
    }));
    expect(await store.get('github', 'https://evil.example.com/mcp')).toBeUndefined();
    expect((await store.get('github', url))?.tokens?.access_token).toBe('a');
  });

  it('says which file to delete when it is not JSON; forgets a server on delete', async () => {
    const file = storeFile();
    const store = new McpTokenStore(file);
    await store.update('a', url, (e) => e);
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    writeFileSync(file, '{ not json');
    await expect(store.get('a', url)).rejects.toThrow(
      /mcp-tokens\.json is not valid JSON: delete it/,
    );
  });
});
