import { join } from 'node:path';
import { findProjectRoot } from './find-project-root.js';
import { readContextFile } from './read-context-file.js';

/** The instruction files read in each folder, in this order (the names other agents read). */
export const contextFileNames: readonly string[] = ['AGENTS.md', 'CLAUDE.md', 'GEMINI.md'];

/** One instruction file, as the model will read it. */
export interface ContextFile {
  /** Where it was found (not resolved through symlinks). */
  path: string;
  /** Its text, or the beginning of it when `truncated`. */
  content: string;
  truncated: boolean;
  /** `user` for `~/.salvo/AGENTS.md`, the user's own; `project` for the repository's. */
  source: 'user' | 'project';
}

export interface ProjectContext {
  /** General → specific: the user's file, then from the project root down to `cwd`. */
  files: ContextFile[];
  /** One line each: a file skipped or cut, and why. */
  warnings: string[];
  /** The git root, or `cwd` outside a repository. */
  root: string;
  git: boolean;
}

export interface FindProjectContextOptions {
  /** The project directory (`-C`). */
  cwd: string;
  /** The user's home: `~/.salvo/AGENTS.md` is read, and the search for a git root stops here. */
  home: string;
  /** The most of one file sent. @default 32 KiB */
  maxFileBytes?: number;
  /** The most of all files sent; the most specific files and the user's own come first. @default 96 KiB */
  maxTotalBytes?: number;
}

/**
 * Finds the instruction files for the model: `~/.salvo/AGENTS.md`, then `AGENTS.md`, `CLAUDE.md`
 * and `GEMINI.md` in every folder from the git root down to `cwd` (`cwd` alone outside a git
 * repository). A file reached twice (CLAUDE.md a symlink to AGENTS.md) or with the same text as
 * one before counts once. A repository's symlink to outside it is not followed; binary and
 * unreadable files are skipped, long ones cut, each with a warning. The files are text for the
 * model only: nothing in them changes a setting.
 */
export function findProjectContext(options: FindProjectContextOptions): ProjectContext {
  const { maxFileBytes = 32 * 1024, maxTotalBytes = 96 * 1024 } = options;
  const { root, git, folders } = findProjectRoot(options);
  const candidates: { path: string; source: ContextFile['source'] }[] = [
    { path: join(options.home, '.salvo', 'AGENTS.md'), source: 'user' },
  ];
  for (const folder of folders) {
    for (const name of contextFileNames)
      candidates.push({ path: join(folder, name), source: 'project' });
  }
  const warnings: string[] = [];
  const found: ContextFile[] = [];
  const seen = new Set<string>();
  for (const { path, source } of candidates) {
    const read = readContextFile(path, {
      maxBytes: maxFileBytes,
      ...(source === 'project' ? { within: root } : {}),
    });
    if (read.status === 'missing') continue;
    if (read.status === 'skipped') {
      warnings.push(`${path} is not sent to the model: ${read.reason}`);
      continue;
    }
    const text = read.text.trim();
    if (text === '' || seen.has(read.identity) || seen.has(text)) continue;
    seen.add(read.identity);
    seen.add(text);
    if (read.truncated) {
      warnings.push(`${path} is longer than ${kib(maxFileBytes)}: only its beginning is sent`);
    }
    found.push({ path, content: text, truncated: read.truncated, source });
  }
  return { files: withinBudget(found, maxTotalBytes, warnings), warnings, root, git };
}

/** Keeps the user's file and the most specific ones first while they fit; order unchanged. */
function withinBudget(files: ContextFile[], budget: number, warnings: string[]): ContextFile[] {
  const priority = [
    ...files.filter((f) => f.source === 'user'),
    ...files.filter((f) => f.source === 'project').reverse(),
  ];
  const kept = new Set<ContextFile>();
  let left = budget;
  for (const file of priority) {
    const size = Buffer.byteLength(file.content);
    if (size > left) {
      warnings.push(
        `${file.path} is not sent to the model: the instruction files together pass ${kib(budget)}`,
      );
      continue;
    }
    left -= size;
    kept.add(file);
  }
  return files.filter((f) => kept.has(f));
}

function kib(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}
