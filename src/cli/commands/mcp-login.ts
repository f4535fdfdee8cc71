import { spawn } from 'node:child_process';
import type { McpRemoteServerConfig, McpServerConfig } from '../../mcp/config.js';
import { McpHub } from '../../mcp/hub.js';
import { startLoopbackRedirect } from '../../mcp/oauth/loopback-redirect.js';
import { StoredOAuthProvider } from '../../mcp/oauth/stored-oauth-provider.js';
import { McpTokenStore } from '../../mcp/oauth/token-store.js';
import { sanitizeInline } from '../../trace/sanitize-text.js';
import { CliError, exitCodes } from '../cli-error.js';
import { closestName } from '../config/closest-name.js';
import { commandConfigOptions, loadTrustedConfig } from '../config/trusted-config.js';
import type { CliIo } from '../io.js';
import { mcpLoginHint, mcpTokenFile } from '../mcp-auth.js';
import { counted } from '../progress/pluralize.js';
import { projectDir } from '../project-dir.js';

export interface McpLoginFlags {
  cwd?: string;
  config?: string;
  trustProject?: boolean;
  /** Print the URL only; open no browser. */
  browser?: boolean;
}

/** How long a login may wait for the browser. */
const loginTimeoutMs = 5 * 60_000;

/**
 * `salvo mcp login <server>`: the OAuth login of a remote server, in a browser (or at a
 * printed URL) with a loopback redirect on 127.0.0.1; the tokens go to ~/.salvo/mcp-tokens.json.
 */
export async function mcpLoginCommand(
  name: string,
  flags: McpLoginFlags,
  io: CliIo,
): Promise<number> {
  const server = await remoteServer(name, flags, io);
  const oauth = server.oauth;
  if (oauth === false) {
    throw new CliError(
      `MCP server \`${name}\` has "oauth": false in its config: remove it to log in`,
    );
  }
  if (oauth?.grantType === 'client_credentials') {
    throw new CliError(
      `MCP server \`${name}\` needs no login: salvo gets its tokens with its clientId and clientSecret ("grantType": "client_credentials")`,
    );
  }
  const store = new McpTokenStore(mcpTokenFile(io.home));
  const loopback = await listenForRedirect(
    oauth ? oauth.redirectPort : undefined,
    store,
    name,
    server.url,
  );
  let askedToLogIn = false;
  const provider = new StoredOAuthProvider({
    server: name,
    url: server.url,
    oauth: oauth || {},
    store,
    loginHint: mcpLoginHint(name),
    interaction: {
      redirectUrl: loopback.redirectUrl,
      openUrl(url, state) {
        if (state !== undefined) loopback.expect(state);
        askedToLogIn = true;
        const opened = flags.browser !== false && openBrowser(url.href, io.env);
        io.stdout.write(
          `${opened ? 'Log in in your browser; if it did not open, open' : 'To log in, open'} this URL:\n\n  ${url.href}\n\nWaiting for the login (Ctrl-C gives up)...\n`,
        );
      },
      waitForCode: (state, signal) => loopback.waitForCode(state, signal),
    },
  });
  // A login asks afresh: the tokens it replaces may be what no longer works.
  await store.update(name, server.url, ({ tokens: _, ...entry }) => entry);
  const timeout = AbortSignal.timeout(loginTimeoutMs);
  let hub: McpHub | undefined;
  try {
    hub = await McpHub.fromConfig(
      // One connection: each of a pool would start a login of its own.
      { mcpServers: { [name]: { ...server, pool: 1 } } },
      {
        authProvider: () => provider,
        loginHint: mcpLoginHint,
        startSignal: timeout,
        connectTimeoutMs: 60_000,
      },
    );
    const [status] = hub.status();
    if (status?.state !== 'connected') {
      const why = timeout.aborted
        ? `no login within ${loginTimeoutMs / 60_000} minutes`
        : sanitizeInline(status?.error ?? 'it did not connect');
      throw new CliError(`login to MCP server \`${name}\` failed: ${why}`, exitCodes.failed);
    }
    io.stdout.write(
      askedToLogIn
        ? `Logged in to \`${name}\`: ${counted(status.tools, 'tool')}. Tokens saved in ${store.file}\n`
        : `MCP server \`${name}\` did not ask for a login: it connected without one (${counted(status.tools, 'tool')})\n`,
    );
    return 0;
  } finally {
    await hub?.close();
    await loopback.close();
  }
}

/** `salvo mcp logout <server>`: forgets its tokens and the client salvo registered for it. */
export async function mcpLogoutCommand(name: string, io: CliIo): Promise<number> {
  const store = new McpTokenStore(mcpTokenFile(io.home));
  const forgot = await store.delete(name);
  io.stdout.write(
    forgot
      ? `Logged out of \`${name}\`: its tokens are gone from ${store.file}\n`
      : `No login of \`${name}\` was saved; nothing to forget\n`,
  );
  return 0;
}

async function remoteServer(
  name: string,
  flags: McpLoginFlags,
  io: CliIo,
): Promise<McpRemoteServerConfig> {
  const cwd = projectDir(io, flags.cwd);
  const { config } = await loadTrustedConfig(
    commandConfigOptions(cwd, io, flags),
    io,
    io.stdin.isTTY === true,
  );
  const servers: Record<string, McpServerConfig> = config.mcpServers ?? {};
  const server = Object.hasOwn(servers, name) ? servers[name] : undefined;
  if (!server) {
    const names = Object.keys(servers);
    const nearest = closestName(name, names);
    throw new CliError(
      names.length === 0
        ? 'no MCP servers configured: add an `mcpServers` block to salvo.json or ~/.salvo/settings.json'
        : `no MCP server \`${name}\` in the config${nearest ? ` (did you mean \`${nearest}\`?)` : ''}; the servers: ${names.join(', ')}`,
    );
  }
  if (!('url' in server) || typeof server.url !== 'string') {
    throw new CliError(
      `MCP server \`${name}\` runs as a local command: only remote servers (\`url\`) log in`,
    );
  }
  return server;
}

/**
 * The loopback redirect: on the configured port, else on the port of the last login's
 * registration when it is free (the registration is then reused), else on a free one.
 */
async function listenForRedirect(
  configured: number | undefined,
  store: McpTokenStore,
  name: string,
  url: string,
) {
  if (configured !== undefined) {
    try {
      return await startLoopbackRedirect(configured);
    } catch (error) {
      throw new CliError(
        `cannot listen on 127.0.0.1:${configured} for the login redirect (${(error as Error).message}): free that port or change \`oauth.redirectPort\``,
      );
    }
  }
  const entry = await store.get(name, url).catch(() => undefined);
  const uris = (entry?.clientInformation as { redirect_uris?: unknown } | undefined)?.redirect_uris;
  const first = Array.isArray(uris) ? uris[0] : undefined;
  const port =
    typeof first === 'string' ? /^http:\/\/127\.0\.0\.1:(\d+)\//.exec(first)?.[1] : undefined;
  if (port) {
    try {
      return await startLoopbackRedirect(Number(port));
    } catch {
      // Taken now: a free port, and a new registration.
    }
  }
  return startLoopbackRedirect(0);
}

/** Opens `url` in the person's browser when there is one to open; says whether it tried. */
function openBrowser(url: string, env: CliIo['env']): boolean {
  const command =
    env.BROWSER ||
    (process.platform === 'darwin'
      ? 'open'
      : process.platform === 'win32'
        ? undefined
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? 'xdg-open'
          : undefined);
  if (!command) return false;
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {}); // not installed: the printed URL is there
    child.unref();
    return true;
  } catch {
    return false;
  }
}
