import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors.js';
import { resolveConfig } from './config.js';

describe('resolveConfig', () => {
  it('reads stdio, http and sse servers with defaults', () => {
    const servers = resolveConfig({
      mcpServers: {
        a: { command: 'node', args: ['x.js'] },
        b: { url: 'http://127.0.0.1:1/mcp', maxConcurrency: 4, trust: 'annotations' },
        c: { type: 'sse', url: 'http://127.0.0.1:1/sse', pool: 2 },
        d: { command: 'x', disabled: true },
      },
    });
    expect(servers.map((s) => [s.name, s.transport, s.trust, s.pool, s.timeoutMs])).toEqual([
      ['a', 'stdio', 'none', 1, 60_000],
      ['b', 'http', 'annotations', 1, 60_000],
      ['c', 'sse', 'none', 2, 60_000],
    ]);
  });

  it('names the field that is wrong', () => {
    const bad = (server: unknown) => () => resolveConfig({ mcpServers: { s: server as never } });
    expect(bad({})).toThrow(InvalidOptionError);
    expect(bad({ command: 'x', trust: 'yes' })).toThrow(/mcpServers\.s\.trust/);
    expect(bad({ url: 'not a url' })).toThrow(/mcpServers\.s\.url/);
    expect(bad({ url: 'ftp://host/mcp' })).toThrow(/mcpServers\.s\.url.*http\(s\)/);
    expect(bad({ command: 'node', url: 'http://host/mcp' })).toThrow(/not both/);
    expect(bad({ command: 'x', pool: 0 })).toThrow(/mcpServers\.s\.pool/);
    expect(bad({ command: 'x', tools: { t: { timeoutMs: -1 } } })).toThrow(/tools\.t\.timeoutMs/);
    expect(() => resolveConfig({} as never)).toThrow(/mcpServers/);
  });

  it('checks the oauth settings of remote servers', () => {
    const bad = (oauth: unknown) => () =>
      resolveConfig({ mcpServers: { s: { url: 'https://h/mcp', oauth } as never } });
    expect(bad({ clientId: 'c', clientSecret: 's', scopes: ['a'] })).not.toThrow();
    expect(bad(false)).not.toThrow();
    expect(bad({ clientId: '' })).toThrow(/mcpServers\.s\.oauth\.clientId/);
    expect(bad({ scopes: 'read' })).toThrow(/oauth\.scopes.*array of strings/);
    expect(bad({ grantType: 'password' })).toThrow(/oauth\.grantType/);
    expect(bad({ grantType: 'client_credentials', clientId: 'c' })).toThrow(
      /`clientId` and `clientSecret`/,
    );
    expect(bad({ tokenEndpointAuthMethod: 'private_key_jwt' })).toThrow(/tokenEndpointAuthMethod/);
    expect(bad({ clientMetadataUrl: 'http://h/client.json' })).toThrow(/an https URL with a path/);
    expect(bad({ redirectPort: 70000 })).toThrow(/redirectPort/);
    expect(() =>
      resolveConfig({ mcpServers: { s: { command: 'x', oauth: {} } as never } }),
    ).toThrow(/only remote servers/);
  });
});
