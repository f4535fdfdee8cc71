import { isAbsolute, join, resolve } from 'node:path';
import type { McpServerConfig } from '../../mcp/config.js';
import { findProjectRoot } from '../context/find-project-root.js';
import { ConfigError } from './config-error.js';
import { expandServerVariables, readMcpJson } from './mcp-json.js';
import { folderTrust, settingsFingerprint, unsafeSettings } from './project-trust.js';
import { readConfigFile } from './read-config-file.js';
import type { SalvoConfig } from './salvo-config.js';
import { validateConfig } from './validate-config.js';
import { validateMcpServers } from './validate-mcp-servers.js';

export type { SalvoConfig } from './salvo-config.js';

/** What a project file would set that waits for its folder to be trusted. */
export interface UntrustedSettings {
  /** The project file (`salvo.json` or `.mcp.json`). */
  file: string;
  /** The folder the file was found in: trust is given per folder. */
  folder: string;
  /** What it would do, in words: `approval "yolo"`, `MCP server "x" (runs npx y)`. */
  fields: string[];
  /** What to remember the answer for: see `settingsFingerprint` (one per folder, all its files). */
  settings: string;
  /** The user said no for this folder before. */
  answered: boolean;
}

/** The merged settings and where they came from. */
export interface LoadedConfig {
  config: SalvoConfig;
  /** The files actually read (absolute paths), in merge order: later ones win. */
  files: string[];
  /**
   * Per project file, what it would set that needs its folder trusted first, when that folder
   * is not (the rest of the file applies): the caller asks the user, or refuses.
   */
  untrusted: UntrustedSettings[];
  /** One line each: a `.mcp.json` or one of its servers left out, and why. */
  warnings: string[];
}

export interface LoadConfigOptions {
  /** The project directory (`-C`): project files are looked for from it up to its git root. */
  cwd: string;
  /** The user's home directory; its `.salvo/settings.json` is read when it exists. */
  home: string;
  /** An extra file (`--config`), relative to `cwd`, read last; it must exist. */
  file?: string;
  /**
   * Apply everything the project files set, trusted or not (`--trust-project`). @default
   * whatever `~/.salvo/trusted-folders.json` says
   */
  trustProject?: boolean;
  /** Folders to count as trusted now (the user just said yes), whatever the trust file says. */
  trustedFolders?: readonly string[];
  /** Where `${NAME}` in a `.mcp.json` is looked up. @default {} */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Where the config files next to `cwd` live: `<cwd>/salvo.json` and `<home>/.salvo/settings.json`. */
export function configPaths({ cwd, home }: { cwd: string; home: string }): {
  project: string;
  user: string;
} {
  return { project: resolve(cwd, 'salvo.json'), user: resolve(home, '.salvo', 'settings.json') };
}

/** A project file, and the folder it was found in. */
interface ProjectSource {
  file: string;
  folder: string;
  kind: 'salvo.json' | '.mcp.json';
  config: SalvoConfig;
}

/**
 * Reads, checks and merges the config files:
 *
 * 1. the user's `~/.salvo/settings.json`;
 * 2. the project's files, in every folder from the git root down to `cwd` (`cwd` alone outside a
 *    git repository), general → specific: in each folder its `.mcp.json` (Claude Code's MCP
 *    servers), then its `salvo.json`. A monorepo's root file sets defaults, a package's file
 *    overrides them;
 * 3. the `--config` file.
 *
 * A later file wins field by field; `mcpServers` merges by server name, a later entry replacing
 * an earlier one of the same name entirely. Missing files are skipped, except the `--config`
 * file. What a project file sets that lowers safety applies only when the folder it was found
 * in is trusted (see `unsafeSettings`). A `salvo.json` or settings file with a mistake throws a
 * {@link ConfigError} naming it; a `.mcp.json`, another tool's file, only warns.
 *
 * A stdio server without `cwd` runs in the folder of the project file that names it (its paths
 * are written from there), or in `cwd` for the user's and the `--config` file; a relative `cwd`
 * is resolved against that same folder. Nothing depends on the process's own directory.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const { user } = configPaths(options);
  const files: string[] = [];
  const warnings: string[] = [];
  const read = (file: string, required?: string): SalvoConfig | undefined => {
    const found = readConfigFile(file, required ? { required: true, source: required } : {});
    if (found === undefined) return undefined;
    files.push(file);
    return validateConfig(file, found.value);
  };

  const userConfig = read(user) ?? {};
  const sources: ProjectSource[] = [];
  for (const folder of findProjectRoot(options).folders) {
    const mcpFile = join(folder, '.mcp.json');
    const mcp = readMcpJson(mcpFile);
    if (mcp) {
      files.push(mcpFile);
      warnings.push(...mcp.warnings);
      if (Object.keys(mcp.servers).length > 0) {
        sources.push({
          file: mcpFile,
          folder,
          kind: '.mcp.json',
          config: { mcpServers: mcp.servers },
        });
      }
    }
    const salvoFile = join(folder, 'salvo.json');
    const salvo = read(salvoFile);
    if (salvo) sources.push({ file: salvoFile, folder, kind: 'salvo.json', config: salvo });
  }
  const extraFile = options.file === undefined ? undefined : resolve(options.cwd, options.file);
  const extra = extraFile === undefined ? undefined : read(extraFile, '--config');

  const { applied, untrusted } = settleTrust(sources, userConfig, options);
  const projectDir = resolve(options.cwd);
  let config = withServerDirs(userConfig, projectDir);
  for (const source of sources) {
    let part = withServerDirs(applied.get(source) ?? {}, source.folder);
    if (source.kind === '.mcp.json')
      part = expandVariables(source.file, part, options.env ?? {}, warnings);
    config = mergeConfig(config, part);
  }
  if (extra) config = mergeConfig(config, withServerDirs(extra, projectDir));
  return { config, files, untrusted, warnings };
}

/**
 * Which project settings apply: each file's part that needs trust waits for its folder's. One
 * fingerprint per folder covers all of its files, so one answer settles them together.
 */
function settleTrust(
  sources: readonly ProjectSource[],
  userConfig: SalvoConfig,
  options: LoadConfigOptions,
): { applied: Map<ProjectSource, SalvoConfig>; untrusted: UntrustedSettings[] } {
  const applied = new Map<ProjectSource, SalvoConfig>();
  const untrusted: UntrustedSettings[] = [];
  const trustedNow = new Set((options.trustedFolders ?? []).map((f) => resolve(f)));
  const folders = new Map<
    string,
    { source: ProjectSource; fields: string[]; safe: SalvoConfig; exact: string }[]
  >();
  for (const source of sources) {
    if (options.trustProject === true) {
      applied.set(source, source.config);
      continue;
    }
    const split = unsafeSettings(source.config, userConfig, {
      variables: source.kind === '.mcp.json',
    });
    const entries = folders.get(source.folder) ?? [];
    entries.push({ source, ...split });
    folders.set(source.folder, entries);
  }
  for (const [folder, entries] of folders) {
    const fields = entries.flatMap(({ source, fields }) =>
      // Labelled, so the same server in .mcp.json and in salvo.json are two things to trust.
      source.kind === '.mcp.json' ? fields.map((f) => `.mcp.json: ${f}`) : fields,
    );
    const settings = settingsFingerprint(
      fields,
      entries.map(({ source, exact }) => `${source.kind}: ${exact}`),
    );
    const trust =
      fields.length === 0 || trustedNow.has(resolve(folder))
        ? 'trusted'
        : folderTrust(options.home, folder, settings);
    for (const { source, fields: own, safe } of entries) {
      if (trust === 'trusted' || own.length === 0) {
        applied.set(source, source.config);
        continue;
      }
      applied.set(source, safe);
      untrusted.push({
        file: source.file,
        folder: resolve(folder),
        fields: own,
        settings,
        answered: trust === 'untrusted',
      });
    }
  }
  return { applied, untrusted };
}

/** Stdio servers get a `cwd`: theirs resolved against `folder`, or `folder` itself. */
function withServerDirs(config: SalvoConfig, folder: string): SalvoConfig {
  if (config.mcpServers === undefined) return config;
  const servers = Object.entries(config.mcpServers).map(
    ([name, server]): [string, McpServerConfig] => {
      if (server.disabled === true || !('command' in server) || server.command === undefined) {
        return [name, server];
      }
      const dir =
        server.cwd === undefined
          ? folder
          : isAbsolute(server.cwd)
            ? server.cwd
            : resolve(folder, server.cwd);
      return [name, { ...server, cwd: dir }];
    },
  );
  return { ...config, mcpServers: Object.fromEntries(servers) };
}

/** `${NAME}` filled in from `env` in the `.mcp.json` servers that will start. */
function expandVariables(
  file: string,
  config: SalvoConfig,
  env: Readonly<Record<string, string | undefined>>,
  warnings: string[],
): SalvoConfig {
  if (config.mcpServers === undefined) return config;
  const servers: [string, McpServerConfig][] = [];
  for (const [name, server] of Object.entries(config.mcpServers)) {
    if (server.disabled === true) {
      servers.push([name, server]);
      continue;
    }
    const expanded = expandServerVariables(server, env);
    if ('missing' in expanded) {
      warnings.push(
        `${file}: MCP server "${name}" is not started: it uses \${${expanded.missing}}, which is not set; set it, or write \${${expanded.missing}:-default}`,
      );
      continue;
    }
    try {
      validateMcpServers(file, Object.fromEntries([[name, expanded.server]]));
      servers.push([name, expanded.server]);
    } catch (error) {
      const message = ConfigError.isInstance(error) ? error.message : String(error);
      warnings.push(
        `${message} (after filling in its variables; MCP server "${name}" is not started)`,
      );
    }
  }
  return { ...config, mcpServers: Object.fromEntries(servers) };
}

/** `over` on top of `base`; both are checked configs, so only known fields are copied. */
function mergeConfig(base: SalvoConfig, over: SalvoConfig): SalvoConfig {
  const merged: SalvoConfig = { ...base, ...over };
  if (base.mcpServers !== undefined && over.mcpServers !== undefined) {
    // Spread defines own properties, so a server named `__proto__` stays a plain entry.
    merged.mcpServers = { ...base.mcpServers, ...over.mcpServers };
  }
  return merged;
}
