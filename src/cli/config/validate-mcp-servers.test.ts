import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { validateMcpServers } from './validate-mcp-servers.js';

const file = '/repo/salvo.json';

function problem(servers: unknown): ConfigError {
  try {
    validateMcpServers(file, servers);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('validateMcpServers: typos inside a server entry', () => {
  it.each([
    ['comand', { comand: 'npx' }, 'command'],
    ['agrs', { command: 'npx', agrs: ['-y', 'x'] }, 'args'],
    ['evn', { command: 'npx', evn: { TOKEN: 'x' } }, 'env'],
    ['ulr', { ulr: 'https://example.com/mcp' }, 'url'],
    ['hedaers', { url: 'https://example.com/mcp', hedaers: {} }, 'headers'],
    ['max_concurrency', { command: 'x', max_concurrency: 2 }, 'maxConcurrency'],
    ['Trust', { command: 'x', Trust: 'annotations' }, 'trust'],
  ])('`%s` gets "did you mean", naming the file and the server', (field, entry, guess) => {
    const error = problem({ github: entry });
    expect(error.file).toBe(file);
    expect(error.field).toBe(`mcpServers.github.${field}`);
    expect(error.message).toBe(
      `${file}: unknown field \`mcpServers.github.${field}\`; did you mean \`${guess}\`?`,
    );
  });

  it('checks the settings of a tool too', () => {
    const error = problem({ db: { command: 'x', tools: { query: { aproval: 'ask' } } } });
    expect(error.message).toBe(
      `${file}: unknown field \`mcpServers.db.tools.query.aproval\`; did you mean \`approval\`?`,
    );
  });

  it('leaves other clients’ fields alone, and skips disabled servers', () => {
    const servers = {
      a: { command: 'x', description: 'from Cline', autoApprove: [], transportType: 'stdio' },
      b: { url: 'https://example.com/mcp', timeout: 5000, alwaysAllow: ['t'] },
      c: { disabled: true, comand: 'x' },
    };
    expect(Object.keys(validateMcpServers(file, servers))).toEqual(['a', 'b', 'c']);
  });

  it('names the first typo in file order, before what it makes go wrong', () => {
    // Without the typo check this entry would fail as "needs `command` or `url`".
    const error = problem({ ok: { command: 'x' }, bad: { comand: 'x', agrs: [] } });
    expect(error.field).toBe('mcpServers.bad.comand');
  });
});
