import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * Config keys that make a reading git command run a program, read outside the work tree, or
 * read another config file that could add such keys: a repository that sets one of these in
 * its own config can run code the moment git reads it (`git status` runs `core.fsmonitor` and
 * clean filters, `git diff` runs `diff.external` and textconv drivers, `git log
 * --show-signature` runs `gpg.program`). Keys only writing or networking commands use (hooks,
 * editors, credential helpers, ssh) are left out: those commands are asked for anyway. The
 * user's own (global, system) config is trusted; a repository's is not. Lowercase section and
 * key names, with `*` for a subsection.
 */
const programKeys = [
  'core.fsmonitor',
  'core.worktree',
  'core.pager',
  'pager.*',
  'diff.external',
  'diff.*.textconv',
  'diff.*.command',
  'filter.*.clean',
  'filter.*.smudge',
  'filter.*.process',
  'merge.*.driver',
  'gpg.program',
  'gpg.*.program',
  'include.path',
  'includeif.*.path',
];

/** `core.fsmonitor` values that run no program: off, or git's own daemon. */
const harmlessFsmonitor = /^(?:|false|no|off|0|true|yes|on|1)$/i;

/** The same list as a pattern over `git config --list` names, for the runtime check. */
export const programKeyPattern = programKeys
  .map((key) =>
    key
      .split('.')
      .map((part) => (part === '*' ? '.+' : part.replace(/[.]/g, '\\.')))
      .join('\\.'),
  )
  .join('|');

/**
 * Why git must not run without asking in these folders: the first repository config (of the
 * repositories git would find from them) that names a program, or `undefined`. Reads the
 * config files directly, without running git; include files are not followed (an include is
 * itself a reason).
 */
export function repositoryConfigProblem(
  folders: readonly string[],
  root: string,
): string | undefined {
  const seen = new Set<string>();
  for (const folder of folders) {
    const found = findGitDir(folder, root);
    if (!found || seen.has(found.gitDir)) continue;
    if (found.outside)
      return `the repository reads data from outside the workspace (${found.outside})`;
    const gitDir = found.gitDir;
    seen.add(gitDir);
    for (const file of configFiles(gitDir)) {
      const key = programKeyIn(file);
      if (key) {
        const shown = relative(root, file);
        const where = shown.startsWith('..') || isAbsolute(shown) ? file : shown;
        return `the repository's git config (${where}) names a program or another config file (\`${key}\`)`;
      }
    }
  }
  return undefined;
}

/**
 * The git dir git finds from `folder` (walking up), or `undefined`. Bare ones are not found.
 * `outside` is set when the repository would make git read another repository's data: a `.git`
 * file (in the workspace) that points outside it, or borrowed objects (`alternates`).
 */
function findGitDir(
  folder: string,
  root: string,
): { gitDir: string; outside?: string } | undefined {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    const kind = statKind(dotGit);
    if (kind === 'dir') return withAlternates(dotGit);
    if (kind === 'file') {
      // As git reads it: after `gitdir: ` exactly, line ends trimmed, spaces kept.
      const match = /^gitdir: (.*?)[\r\n]*$/.exec(readText(dotGit)?.split('\n')[0] ?? '');
      if (!match?.[1]) return undefined;
      const gitDir = resolve(dir, match[1]);
      if (inside(root, dotGit) && !inside(root, gitDir)) {
        return { gitDir, outside: `${dotGit} points to ${gitDir}` };
      }
      return withAlternates(gitDir);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function withAlternates(gitDir: string): { gitDir: string; outside?: string } {
  const alternates = join(gitDir, 'objects', 'info', 'alternates');
  return statKind(alternates) === 'file'
    ? { gitDir, outside: `${alternates} borrows objects from another repository` }
    : { gitDir };
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The config files of a git dir: its own, its worktree config, and its common dir's. */
function configFiles(gitDir: string): string[] {
  const files = [join(gitDir, 'config'), join(gitDir, 'config.worktree')];
  const common = readText(join(gitDir, 'commondir'))?.trim();
  if (common) {
    const commonDir = resolve(gitDir, common);
    files.push(join(commonDir, 'config'), join(commonDir, 'config.worktree'));
  }
  return files;
}

/** The first key of a git config file that names a program, with the value's form checked. */
function programKeyIn(file: string): string | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]\s"]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\](.*)$/.exec(line);
    if (header) {
      const [, name = '', sub] = header;
      // `[section.sub]` is the old spelling of `[section "sub"]`.
      section = sub === undefined ? name.toLowerCase() : `${name.toLowerCase()}.${sub}`;
      const rest = header[3]?.trim() ?? '';
      if (rest === '' || rest.startsWith('#') || rest.startsWith(';')) continue;
      // `[core] bare = false` on one line: check the entry, and read on.
      const found = checkEntry(section, rest);
      if (found) return found;
      continue;
    }
    const found = checkEntry(section, line);
    if (found) return found;
  }
  return undefined;
}

function checkEntry(section: string, entry: string): string | undefined {
  const match = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(entry);
  if (!match) return undefined;
  const key = `${section}.${(match[1] as string).toLowerCase()}`;
  const value = unquote(match[2] ?? '');
  if (key === 'core.fsmonitor' && harmlessFsmonitor.test(value)) return undefined;
  return programKeys.some((pattern) => keyMatches(pattern, key)) ? key : undefined;
}

function keyMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key.split('.');
  if (p.length === 2) {
    if (p[1] === '*') return k.length >= 2 && k[0] === p[0];
    return k.length === 2 && p[0] === k[0] && p[1] === k[1];
  }
  // section.*.name: the subsection may itself contain dots.
  return k.length >= 3 && k[0] === p[0] && k.at(-1) === p[2];
}

function unquote(value: string): string {
  return value
    .replace(/\s+[#;].*$/, '')
    .trim()
    .replace(/^"(.*)"$/, '$1');
}

function statKind(path: string): 'dir' | 'file' | undefined {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isFile() || stat.size > 1_000_000) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
