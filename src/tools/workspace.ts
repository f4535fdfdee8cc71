import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import { errnoCode, ToolError } from './tool-error.js';

/** Options of {@link createWorkspace}. */
export interface WorkspaceOptions {
  /** The folder every path is resolved in. It must exist; relative paths start there. */
  root: string;
}

/** A path the model gave, resolved inside the workspace. */
export interface ResolvedPath {
  /** Absolute, with every symlink of its existing part resolved: what the tool touches. */
  path: string;
  /** Relative to the root, `/`-separated, `.` for the root itself: what messages show. */
  relative: string;
  /** `fs:<path>`: the claim key, the same for every tool that touches this path. */
  key: string;
}

/**
 * The folder the built-in tools work in. Every path is resolved inside it: `..` that climbs out,
 * absolute paths elsewhere and symlinks that lead out are refused with a {@link ToolError}.
 */
export class Workspace {
  /** The root, with its symlinks resolved. */
  readonly root: string;
  /** The root as the host gave it (absolute), which absolute paths from the model may use. */
  readonly givenRoot: string;

  constructor(options: WorkspaceOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('options', 'an object', options);
    }
    const { root } = options;
    if (typeof root !== 'string' || root === '') {
      throw new InvalidOptionError('root', 'the path of an existing folder', root);
    }
    this.givenRoot = resolve(root);
    let real: string;
    try {
      real = realpathSync.native(this.givenRoot);
    } catch {
      throw new InvalidOptionError('root', 'the path of an existing folder', root);
    }
    if (!statSync(real).isDirectory()) {
      throw new InvalidOptionError('root', 'the path of a folder, not a file', root);
    }
    this.root = real;
  }

  /** The claim key of the whole workspace: `fs:<root>`. */
  get key(): string {
    return `fs:${this.root}`;
  }

  /**
   * Resolves a path from the model: relative to the root, or absolute inside it. Symlinks are
   * followed through the deepest part of the path that exists, so a new file in a symlinked
   * folder is judged by where the folder really is. Synchronous, so claims can use it.
   * @throws {ToolError} `invalid-path` or `outside-workspace`, with a message for the model.
   */
  resolve(input: string): ResolvedPath {
    if (typeof input !== 'string' || input === '') {
      throw new ToolError(
        'invalid-path',
        'The path is empty: give a path relative to the workspace root, or `.` for the root.',
      );
    }
    if (input.includes('\0')) {
      throw new ToolError('invalid-path', `The path ${quote(input)} contains a NUL byte.`);
    }
    const inside = this.#lexicallyInside(resolve(this.root, input));
    if (inside === undefined) {
      throw new ToolError(
        'outside-workspace',
        `The path ${quote(input)} is outside the workspace. Use a path inside ${this.givenRoot} (relative paths start there).`,
      );
    }
    const real = this.#realPath(inside, input);
    if (!isWithin(this.root, real)) {
      throw new ToolError(
        'outside-workspace',
        `The path ${quote(input)} leads outside the workspace through a symlink (to ${real}). Only files inside ${this.givenRoot} can be used.`,
      );
    }
    return { path: real, relative: this.relative(real), key: `fs:${real}` };
  }

  /** An absolute path inside the workspace as messages show it: relative, `.` for the root. */
  relative(absolute: string): string {
    const rel = relative(this.root, absolute);
    return rel === '' ? '.' : rel.split(sep).join('/');
  }

  /** The path under the real root, when it is under the real or the given root; else undefined. */
  #lexicallyInside(absolute: string): string | undefined {
    if (isWithin(this.root, absolute)) return absolute;
    if (isWithin(this.givenRoot, absolute)) {
      return join(this.root, relative(this.givenRoot, absolute));
    }
    return undefined;
  }

  /** The real path of the deepest existing ancestor, joined with the part that does not exist. */
  #realPath(absolute: string, input: string): string {
    const missing: string[] = [];
    let existing = absolute;
    for (;;) {
      try {
        const real = realpathSync.native(existing);
        return missing.length === 0 ? real : join(real, ...missing);
      } catch (error) {
        const code = errnoCode(error);
        if (code === 'ELOOP') {
          throw new ToolError(
            'invalid-path',
            `The path ${quote(input)} goes through a symlink loop.`,
          );
        }
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
        if (isSymlink(existing)) {
          throw new ToolError(
            'invalid-path',
            `The path ${quote(input)} goes through a broken symlink (${quote(this.relative(existing))}). Fix or remove the link first.`,
          );
        }
        const parent = dirname(existing);
        // The root exists, so this only stops for a root that vanished under us.
        if (parent === existing) throw error;
        missing.unshift(basename(existing));
        existing = parent;
      }
    }
  }
}

/** Creates the workspace the built-in tools work in. Throws when `root` is not a folder. */
export function createWorkspace(options: WorkspaceOptions): Workspace {
  return new Workspace(options);
}

/** True when `path` is `root` or inside it. */
export function isWithin(root: string, path: string): boolean {
  if (path === root) return true;
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** A path for a message: in backticks, control characters escaped. */
export function quote(path: string): string {
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  return `\`${shown.replace(/\p{Cc}/gu, (c) => JSON.stringify(c).slice(1, -1))}\``;
}
