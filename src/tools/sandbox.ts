import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';

/** Whether the shell's sandbox can run here, and if not, why. */
export interface SandboxStatus {
  available: boolean;
  /** Why not, in one line that says what to do. */
  reason?: string;
}

/** What the sandbox of one command lets through. */
export interface SandboxSpec {
  /** The workspace: the only folder the command can write. */
  root: string;
  /** Let the command use the network. @default false */
  network?: boolean;
  /** The command's environment (its PATH and HOME decide what else stays visible). */
  env: NodeJS.ProcessEnv;
  /** More folders to show read-only (a helper script's folder). */
  readOnly?: readonly string[];
  /**
   * The workspace read-only too: for commands that run without approval, which are proven to
   * write nothing (a second wall behind that proof). @default false
   */
  readOnlyWorkspace?: boolean;
  /** The bubblewrap executable. @default 'bwrap' */
  bwrap?: string;
}

/** Files hidden behind an empty one: password hashes. */
const hiddenFiles = ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-'];

/** The user's own git config stays visible (read-only): commits need the name in it. */
const homeConfigFiles = ['.gitconfig', '.config/git'];

/**
 * Checks once that bubblewrap can make a sandbox here (it needs user namespaces, or to run as
 * root). Resolves, never rejects.
 */
export function detectSandbox(bwrap = 'bwrap'): Promise<SandboxStatus> {
  return new Promise((resolveStatus) => {
    execFile(
      bwrap,
      ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-all', 'true'],
      { timeout: 10_000 },
      (error, _stdout, stderr) => {
        if (!error) return resolveStatus({ available: true });
        const code = (error as NodeJS.ErrnoException).code;
        const reason =
          code === 'ENOENT'
            ? 'bubblewrap (bwrap) is not installed: apt-get install bubblewrap'
            : `bubblewrap cannot make a sandbox here: ${
                String(stderr || error.message)
                  .trim()
                  .split('\n')[0]
              }`;
        resolveStatus({ available: false, reason });
      },
    );
  });
}

/**
 * The bubblewrap command line that runs `argv` confined: the whole file system read-only, the
 * workspace writable, the home folders, other users, `/run` (agent sockets) and password hashes
 * hidden, a private `/tmp`, its own `/proc` and process tree, no network unless allowed, and it
 * dies with salvo.
 */
export function sandboxCommand(spec: SandboxSpec, argv: readonly string[]): [string, string[]] {
  const root = resolve(spec.root);
  // No capabilities inside, even for root: with them, a command could remount `/` writable or
  // unmount what hides the secrets.
  const args = ['--die-with-parent', '--new-session', '--unshare-all', '--cap-drop', 'ALL'];
  if (spec.network) args.push('--share-net');
  args.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc');
  const hidden = ['/tmp', '/var/tmp', '/run', '/home', '/root'];
  const home = spec.env.HOME ?? homedir();
  const homes = [home, homedir()].filter((h) => isAbsolute(h) && h !== '/');
  for (const h of homes) if (!hidden.some((d) => inside(d, h))) hidden.push(h);
  for (const dir of hidden) if (existsSync(dir)) args.push('--tmpfs', dir);
  for (const file of hiddenFiles) if (existsSync(file)) args.push('--ro-bind', '/dev/null', file);
  // What stays visible inside the hidden folders: the programs on PATH (nvm, ~/.local/bin), the
  // user's git config, helper scripts.
  const shown = new Set<string>();
  for (const dir of (spec.env.PATH ?? '').split(delimiter)) {
    if (isAbsolute(dir) && hidden.some((d) => inside(d, dir))) shown.add(dir);
  }
  for (const h of homes) for (const file of homeConfigFiles) shown.add(join(h, file));
  for (const dir of spec.readOnly ?? []) shown.add(dir);
  for (const path of shown) {
    if (existsSync(path) && !inside(root, path)) args.push('--ro-bind', path, path);
  }
  args.push(spec.readOnlyWorkspace ? '--ro-bind' : '--bind', root, root);
  args.push('--chdir', root, '--', ...argv);
  return [spec.bwrap ?? 'bwrap', args];
}

/** True when `path` is `dir` or below it. */
function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
