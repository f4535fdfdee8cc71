/**
 * Git config every shell command gets, approved or not, above the repository's own: git finds
 * a bare repository only when told where it is (`--git-dir`, `GIT_DIR`). Plain files in the
 * workspace (`sub/HEAD`, `sub/config`, `sub/objects/`, `sub/refs/`: what an edit can write)
 * would otherwise be a repository to `cd sub && git commit`, and git would run the programs
 * its `config` names (`core.fsmonitor`, `core.editor`, hooks). Hooks, editors and pagers of
 * the real repository are left alone: an approved `git commit` runs them as the user expects.
 */
const alwaysConfig: readonly (readonly [string, string])[] = [['safe.bareRepository', 'explicit']];

/**
 * `env` with {@link alwaysConfig} added through `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/
 * `GIT_CONFIG_VALUE_n` (the "command" scope, which repository config cannot override, and the
 * one `safe.bareRepository` is read from), after any entries the environment already has.
 */
export function withSafeGitDiscovery(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  const start = Number(env.GIT_CONFIG_COUNT ?? 0);
  const base = Number.isInteger(start) && start >= 0 ? start : 0;
  alwaysConfig.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${base + i}`] = key;
    out[`GIT_CONFIG_VALUE_${base + i}`] = value;
  });
  out.GIT_CONFIG_COUNT = String(base + alwaysConfig.length);
  return out;
}
