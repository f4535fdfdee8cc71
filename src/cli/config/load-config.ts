import { resolve } from 'node:path';
import { folderTrust, settingsFingerprint, unsafeSettings } from './project-trust.js';
import { readConfigFile } from './read-config-file.js';
import type { SalvoConfig } from './salvo-config.js';
import { validateConfig } from './validate-config.js';

export type { SalvoConfig } from './salvo-config.js';

/** The merged settings and where they came from. */
export interface LoadedConfig {
  config: SalvoConfig;
  /** The files actually read (absolute paths), in merge order: later ones win. */
  files: string[];
  /**
   * What the project's `salvo.json` would set that needs the folder trusted first, when it is
   * not (the rest of the file applies): the caller asks the user, or refuses.
   */
  untrusted?: {
    file: string;
    folder: string;
    fields: string[];
    /** What to remember the answer for: see `settingsFingerprint`. */
    settings: string;
    answered: boolean;
  };
}

export interface LoadConfigOptions {
  /** The project directory; its `salvo.json` is read when it exists. */
  cwd: string;
  /** The user's home directory; its `.salvo/settings.json` is read when it exists. */
  home: string;
  /** An extra file (`--config`), relative to `cwd`, read last; it must exist. */
  file?: string;
  /**
   * Apply everything the project's `salvo.json` sets, trusted or not (`--trust-project`, or the
   * user just said yes). @default whatever `~/.salvo/trusted-folders.json` says
   */
  trustProject?: boolean;
}

/** Where the two optional config files live: `<cwd>/salvo.json` and `<home>/.salvo/settings.json`. */
export function configPaths({ cwd, home }: { cwd: string; home: string }): {
  project: string;
  user: string;
} {
  return { project: resolve(cwd, 'salvo.json'), user: resolve(home, '.salvo', 'settings.json') };
}

/**
 * Reads, checks and merges the config files: the user's settings first, then the project's
 * `salvo.json`, then the `--config` file. A later file wins field by field; `mcpServers` merges
 * by server name, a later entry replacing an earlier one of the same name entirely. Files that do
 * not exist are skipped, except the `--config` file. Every file is checked on its own, so a
 * {@link ConfigError} names the file at fault.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const { project, user } = configPaths(options);
  const sources: { file: string; required: boolean }[] = [
    { file: user, required: false },
    { file: project, required: false },
  ];
  if (options.file !== undefined) {
    sources.push({ file: resolve(options.cwd, options.file), required: true });
  }
  let config: SalvoConfig = {};
  const files: string[] = [];
  let untrusted: LoadedConfig['untrusted'];
  for (const { file, required } of sources) {
    const read = readConfigFile(file, required ? { required, source: '--config' } : {});
    if (read === undefined) continue;
    files.push(file);
    let checked = validateConfig(file, read.value);
    if (file === project && options.trustProject !== true) {
      // A cloned repository's file: what lowers safety waits for the user's trust.
      const { fields, safe } = unsafeSettings(checked, config);
      const trust = folderTrust(options.home, options.cwd, settingsFingerprint(fields));
      if (fields.length > 0 && trust !== 'trusted') {
        checked = safe;
        untrusted = {
          file,
          folder: resolve(options.cwd),
          fields,
          settings: settingsFingerprint(fields),
          answered: trust === 'untrusted',
        };
      }
    }
    config = mergeConfig(config, checked);
  }
  return untrusted ? { config, files, untrusted } : { config, files };
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
