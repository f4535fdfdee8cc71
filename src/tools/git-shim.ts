import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { access, lstat, mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { programKeyPattern } from './git-config-guard.js';

/** A `git` in front of the real one, for commands that run without approval. */
export interface GitShim {
  /** The folder holding the shim `git`: first on PATH. */
  dir: string;
  /** The git it runs once the repository passed. */
  realGit: string;
}

/**
 * The shim. It finds the repository git would use (following `-C`), lists its config with the
 * scope of each entry, and refuses when the repository's own config (not the user's) names a
 * program: the second wall behind the check made before approval, for a config written after
 * it (a `write_file` in the same turn). Otherwise it runs the real git with the same arguments.
 */
function script(): string {
  return `#!/bin/sh
# salvo: git for shell commands that run without approval.
real=\${SALVO_REAL_GIT:-git}
start=$(pwd)
want=
for arg do
  if [ -n "$want" ]; then cd -- "$arg" 2>/dev/null || break; want=; continue; fi
  case $arg in
    -C) want=1 ;;
    -C*) cd -- "\${arg#-C}" 2>/dev/null || break ;;
    -*) ;;
    *) break ;;
  esac
done
list=$("$real" config --list --show-scope 2>/dev/null)
cd -- "$start" || exit 128
found=$(printf '%s\\n' "$list" | grep -Ei '^(local|worktree)[[:space:]]+(${programKeyPattern})=' | grep -Eiv '^[a-z]+[[:space:]]+core[.]fsmonitor=(false|no|off|0|true|yes|on|1)?$' | head -n 1)
if [ -n "$found" ]; then
  key=$(printf '%s' "$found" | sed 's/^[a-z]*[[:space:]]*//; s/=.*//')
  echo "salvo: git was not run: this repository's git config names a program ($key), which git would run. Run the command again to have it asked for approval." >&2
  exit 128
fi
exec "$real" "$@"
`;
}

/** The real git on `path` (a PATH value), or `undefined`. */
export async function findGit(path: string | undefined): Promise<string | undefined> {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, 'git');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * Writes the shim once (its folder is named after its content, so every salvo process shares
 * it and an old one is never used) and says where it is. `undefined` when git is not on PATH.
 */
export async function prepareGitShim(path: string | undefined): Promise<GitShim | undefined> {
  const realGit = await findGit(path);
  if (!realGit) return undefined;
  const text = script();
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const shared = join(tmpdir(), `salvo-git-guard-${uid}-${hash}`);
  if (await isOurs(shared, uid, text)) return { dir: shared, realGit };
  // Missing, or not ours to trust (another user may create folders in /tmp): a private one.
  let dir = shared;
  try {
    await mkdir(shared, { mode: 0o700 });
  } catch {
    dir = await mkdtemp(join(tmpdir(), 'salvo-git-guard-'));
  }
  const file = join(dir, 'git');
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode: 0o700 });
  await rename(temp, file);
  return { dir, realGit };
}

/** True when `dir` holds exactly this shim and only its owner, this user, can change it. */
async function isOurs(dir: string, uid: number, text: string): Promise<boolean> {
  try {
    const [folder, file] = await Promise.all([lstat(dir), lstat(join(dir, 'git'))]);
    const safe = (s: Stats) => s.uid === uid && (s.mode & 0o022) === 0;
    if (!folder.isDirectory() || !file.isFile() || !safe(folder) || !safe(file)) return false;
    return (await readFile(join(dir, 'git'), 'utf8')) === text;
  } catch {
    return false;
  }
}

/** Config every git of a command run without approval gets, above the repository's own. */
const forcedConfig: [string, string][] = [
  ['safe.bareRepository', 'explicit'],
  ['core.fsmonitor', 'false'],
  ['core.pager', 'cat'],
  ['log.showSignature', 'false'],
  // A read that refreshes the index (`git diff`) would run the `post-index-change` hook.
  ['core.hooksPath', '/dev/null'],
  // No transport at all: a partial clone's lazy fetch would run `uploadpack` or `sshCommand`.
  ['protocol.allow', 'never'],
  // Submodules are other repositories, with configs this check never saw.
  ['diff.ignoreSubmodules', 'all'],
  ['status.submoduleSummary', 'false'],
  ['submodule.recurse', 'false'],
];

/** The environment of a command run without approval: the shim first, the forced config. */
export function shimEnvironment(env: NodeJS.ProcessEnv, shim: GitShim): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...env,
    PATH: `${shim.dir}${delimiter}${env.PATH ?? ''}`,
    SALVO_REAL_GIT: shim.realGit,
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_NO_LAZY_FETCH: '1',
  };
  delete out.GIT_EXTERNAL_DIFF;
  delete out.GIT_DIR;
  delete out.GIT_WORK_TREE;
  const start = Number(env.GIT_CONFIG_COUNT ?? 0);
  const base = Number.isInteger(start) && start >= 0 ? start : 0;
  forcedConfig.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${base + i}`] = key;
    out[`GIT_CONFIG_VALUE_${base + i}`] = value;
  });
  out.GIT_CONFIG_COUNT = String(base + forcedConfig.length);
  return out;
}
