import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ApprovalMode } from '../../approval/approval.js';
import type { McpServerConfig } from '../../mcp/config.js';
import { serverVariables } from './mcp-json.js';
import { redisPlace } from './redis-url.js';
import type { SalvoConfig } from './salvo-config.js';

/**
 * How safe each approval mode is: a project file may move toward `never-ask`, never away.
 * `never-ask` denies what needs approval, `ask` asks, `auto-edit` runs edits, `yolo` runs all.
 */
const approvalSafety: Record<ApprovalMode, number> = {
  'never-ask': 3,
  ask: 2,
  'auto-edit': 1,
  yolo: 0,
};

/** The fields of a project file that lower safety, start programs or redirect the API key. */
export interface UnsafeSettings {
  /** What the file would do, in words: `approval "yolo"`, `MCP server "x" (runs npx y)`. */
  fields: string[];
  /** The file, with only what it may set without trust. */
  safe: SalvoConfig;
  /**
   * What needs trust, whole, as canonical JSON: every field of each server entry (`env`,
   * `cwd`, `headers`, `trust`, `tools`...), the headers' values, the system prompt's text. The
   * trust fingerprint is made of it, so any change to it is asked about again.
   */
  exact: string;
}

/**
 * Splits a project's `salvo.json` (or the servers of its `.mcp.json`) into what it may set on its own (anything that raises safety
 * or only tunes the run) and what needs the user to trust the folder first: an approval mode
 * less strict than the user's, MCP servers (they start programs or connect out), the provider,
 * its URL or request headers (the user's API key and conversation go there), and the sandbox
 * turned off or opened to the network.
 */
export function unsafeSettings(
  project: SalvoConfig,
  user: SalvoConfig,
  { variables = false }: { variables?: boolean } = {},
): UnsafeSettings {
  const safe: SalvoConfig = { ...project };
  const fields: string[] = [];
  const needsTrust: Record<string, unknown> = {};
  const userApproval = user.approval ?? 'ask';
  if (project.approval && approvalSafety[project.approval] < approvalSafety[userApproval]) {
    fields.push(`approval "${project.approval}"`);
    needsTrust.approval = project.approval;
    delete safe.approval;
  }
  if (project.mcpServers) {
    const servers = Object.entries(project.mcpServers).filter(([, s]) => s.disabled !== true);
    for (const [name, server] of servers) {
      fields.push(`MCP server "${name}" (${describeServer(server, variables)})`);
    }
    if (servers.length > 0) needsTrust.mcpServers = Object.fromEntries(servers);
    if (servers.length > 0) {
      // Turning a server off (one the user configured, say) only raises safety.
      const off = Object.entries(project.mcpServers).filter(([, s]) => s.disabled === true);
      if (off.length > 0) safe.mcpServers = Object.fromEntries(off);
      else delete safe.mcpServers;
    }
  }
  if (project.baseUrl !== undefined) {
    fields.push(`baseUrl ${project.baseUrl} (your API key would be sent there)`);
    needsTrust.baseUrl = project.baseUrl;
    delete safe.baseUrl;
  }
  if (project.redis !== undefined && project.redis !== user.redis) {
    // Its workers would get the subagents' prompts and answer for them; never the password.
    fields.push(`redis ${redisPlace(project.redis)} (subagents would be sent to its workers)`);
    needsTrust.redis = project.redis;
    delete safe.redis;
  }
  if (project.headers !== undefined) {
    // An `Authorization` of the project's would send the user's conversation to its account.
    fields.push(`headers ${Object.keys(project.headers).join(', ')}`);
    needsTrust.headers = project.headers;
    delete safe.headers;
  }
  if (project.provider !== undefined && project.provider !== user.provider) {
    fields.push(`provider "${project.provider}"`);
    needsTrust.provider = project.provider;
    delete safe.provider;
  }
  if (project.system !== undefined) {
    // Instructions from the repository at the top of the system prompt: a prompt injection the
    // user has not read.
    fields.push(`system (${project.system.length} characters of system prompt)`);
    needsTrust.system = project.system;
    delete safe.system;
  }
  if (project.sandbox === 'off' && user.sandbox !== 'off') {
    fields.push('sandbox "off"');
    needsTrust.sandbox = project.sandbox;
    delete safe.sandbox;
  }
  if (project.sandboxNetwork === true && user.sandboxNetwork !== true) {
    fields.push('sandboxNetwork true');
    needsTrust.sandboxNetwork = project.sandboxNetwork;
    delete safe.sandboxNetwork;
  }
  return { fields, safe, exact: canonicalJson(needsTrust) };
}

/** JSON with every object's keys sorted: the same settings always give the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * What a server entry would do, whole: the user approves exactly this. With `variables` (a
 * `.mcp.json`, where `${NAME}` is filled in from the environment), the variables it reads are
 * named too: a token sent in a header is part of what the user agrees to.
 */
function describeServer(server: McpServerConfig, variables: boolean): string {
  const read = variables ? serverVariables(server) : [];
  const uses = read.length > 0 ? `, with ${read.map((v) => `$${v}`).join(', ')}` : '';
  if ('url' in server && server.url) return `connects to ${server.url}${uses}`;
  const command = 'command' in server ? [server.command, ...(server.args ?? [])] : [];
  return `runs ${command.map((word) => (/[\s"'\\]/.test(word) ? JSON.stringify(word) : word)).join(' ')}${uses}`;
}

/** What the user answered for a folder. */
export type FolderTrust = 'trusted' | 'untrusted' | 'unknown';

interface TrustFile {
  folders: Record<string, { trusted: boolean; at?: string; settings?: string }>;
}

/**
 * What the user trusted: a fingerprint of the settings that needed it, as shown (`fields`) and
 * whole (`exact`, each file's {@link UnsafeSettings.exact}). A folder's answer holds only for
 * the settings it was given about: a changed `salvo.json` or `.mcp.json` (a new server, a new
 * mode, a server's `env`, `cwd`, `trust` or tool overrides) is asked about again.
 */
export function settingsFingerprint(
  fields: readonly string[],
  exact: readonly string[] = [],
): string {
  return createHash('sha256').update(JSON.stringify({ fields, exact })).digest('hex');
}

/** `~/.salvo/trusted-folders.json`: the user's answers, per folder. */
export function trustFile(home: string): string {
  return join(home, '.salvo', 'trusted-folders.json');
}

/**
 * The user's answer for `folder` and these settings (`settingsFingerprint`), or `unknown`. An
 * answer given without a fingerprint (written by hand) holds for any settings. A file that
 * cannot be read counts as none.
 */
export function folderTrust(home: string, folder: string, settings?: string): FolderTrust {
  const entry = readTrust(home).folders[resolve(folder)];
  if (!entry) return 'unknown';
  if (entry.trusted && entry.settings !== undefined && entry.settings !== settings) {
    return 'unknown';
  }
  return entry.trusted === true ? 'trusted' : 'untrusted';
}

/** Remembers the answer for `folder` and its settings, readable and writable by the user alone. */
export function rememberTrust(
  home: string,
  folder: string,
  trusted: boolean,
  settings?: string,
): void {
  const file = trustFile(home);
  const data = readTrust(home);
  data.folders[resolve(folder)] = {
    trusted,
    at: new Date().toISOString(),
    ...(settings === undefined ? {} : { settings }),
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
  chmodSync(file, 0o600);
}

function readTrust(home: string): TrustFile {
  try {
    const data = JSON.parse(readFileSync(trustFile(home), 'utf8')) as unknown;
    const folders = (data as TrustFile | null)?.folders;
    if (typeof folders === 'object' && folders !== null && !Array.isArray(folders)) {
      const clean: TrustFile['folders'] = Object.create(null);
      for (const [folder, entry] of Object.entries(folders)) {
        if (typeof entry === 'object' && entry !== null) {
          const { trusted, settings } = entry as { trusted?: unknown; settings?: unknown };
          clean[folder] = {
            trusted: trusted === true,
            ...(typeof settings === 'string' ? { settings } : {}),
          };
        }
      }
      return { folders: clean };
    }
  } catch {
    // Missing or unreadable: nothing is trusted.
  }
  return { folders: Object.create(null) };
}
