import { join } from 'node:path';
import type { McpHubOptions } from '../mcp/hub.js';
import { StoredOAuthProvider } from '../mcp/oauth/stored-oauth-provider.js';
import { McpTokenStore } from '../mcp/oauth/token-store.js';

/** Where `salvo mcp login` keeps tokens: in the home folder, never in a project. */
export function mcpTokenFile(home: string): string {
  return join(home, '.salvo', 'mcp-tokens.json');
}

/** What to do when `server` needs a login. */
export function mcpLoginHint(server: string): string {
  return `run \`salvo mcp login ${server}\``;
}

/**
 * The hub options of a run: each remote server that asks for OAuth uses the tokens of
 * `salvo mcp login`, refreshed as they expire; without them it fails with "needs login"
 * (never a browser in the middle of a run), and the other servers go on.
 */
export function storedMcpAuth(home: string): Pick<McpHubOptions, 'authProvider' | 'loginHint'> {
  const store = new McpTokenStore(mcpTokenFile(home));
  return {
    loginHint: mcpLoginHint,
    authProvider: ({ name, url, oauth, headers }) => {
      if (oauth?.grantType === 'client_credentials') return undefined; // the hub's own
      if (Object.keys(headers ?? {}).some((h) => h.toLowerCase() === 'authorization')) {
        return undefined; // a fixed token from the config
      }
      return new StoredOAuthProvider({
        server: name,
        url,
        oauth: oauth || {},
        store,
        loginHint: mcpLoginHint(name),
      });
    },
  };
}
