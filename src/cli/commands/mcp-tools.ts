import { McpHub } from '../../mcp/hub.js';
import { formatToolListing, listTools } from '../../mcp/list-tools.js';
import { sanitizeForTerminal, sanitizeInline } from '../../trace/sanitize-text.js';
import { CliError, exitCodes } from '../cli-error.js';
import { commandConfigOptions, loadTrustedConfig } from '../config/trusted-config.js';
import type { CliIo } from '../io.js';
import { storedMcpAuth } from '../mcp-auth.js';
import { counted } from '../progress/pluralize.js';
import { projectDir } from '../project-dir.js';

/** `salvo mcp tools`: each configured server's tools with the claims and approval salvo derives. */
export async function mcpToolsCommand(
  flags: { json?: boolean; cwd?: string; config?: string; trustProject?: boolean },
  io: CliIo,
): Promise<number> {
  const cwd = projectDir(io, flags.cwd);
  const { config } = await loadTrustedConfig(
    commandConfigOptions(cwd, io, flags),
    io,
    io.stdin.isTTY === true,
  );
  const servers = config.mcpServers ?? {};
  if (Object.keys(servers).length === 0) {
    throw new CliError(
      'no MCP servers configured: add an `mcpServers` block to salvo.json or ~/.salvo/settings.json',
      exitCodes.failed,
    );
  }
  const enabled = Object.entries(servers).filter(([, s]) => s.disabled !== true);
  if (enabled.length === 0) {
    throw new CliError(
      `every configured MCP server is disabled (${Object.keys(servers).join(', ')}): remove "disabled": true to list one`,
      exitCodes.failed,
    );
  }
  const hub = await McpHub.fromConfig({ mcpServers: servers }, storedMcpAuth(io.home));
  try {
    const listing = listTools(hub);
    const failed = hub.status().filter((s) => s.state !== 'connected');
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ tools: listing, servers: hub.status() }, null, 2)}\n`);
    } else {
      for (const server of hub.status()) {
        const state =
          server.state === 'connected'
            ? counted(server.tools, 'tool')
            : `${server.state}: ${server.error ?? ''}`;
        io.stdout.write(`${server.name} (${server.transport}): ${sanitizeInline(state)}\n`);
      }
      if (listing.length > 0)
        io.stdout.write(`\n${sanitizeForTerminal(formatToolListing(listing))}\n`);
      if (listing.some((tool) => tool.reason.includes("trust 'none'"))) {
        io.stdout.write(
          `\ntrust 'none' runs a server's calls one at a time. Set "trust": "annotations" on a server you trust to mark its read-only tools truthfully, so those run in parallel.\n`,
        );
      }
    }
    for (const server of failed) {
      io.stderr.write(
        `salvo: MCP server \`${server.name}\` is not available: ${sanitizeInline(server.error ?? server.state)}\n`,
      );
    }
    return failed.length > 0 ? exitCodes.failed : 0;
  } finally {
    await hub.close();
  }
}
