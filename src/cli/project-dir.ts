import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './cli-error.js';
import type { CliIo } from './io.js';

/** The project directory: `--cwd` resolved against where salvo started, checked to exist. */
export function projectDir(io: CliIo, flag: string | undefined): string {
  const dir = resolve(io.cwd, flag ?? '.');
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new CliError(`--cwd: ${dir} is not a directory`);
  return dir;
}
