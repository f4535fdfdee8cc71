import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errnoCode } from '../../tools/tool-error.js';
import { type PermissionRule, parseRule } from './permission-rule.js';

/**
 * Where a project's saved rules live: `~/.salvo/projects/<hash of the folder>/permissions.json`,
 * in the user's home and never in the repository, so that a repository cannot grant itself
 * anything. `folder` is the project's real path (symlinks resolved).
 */
export function permissionsFile(home: string, folder: string): string {
  const hash = createHash('sha256').update(folder).digest('hex').slice(0, 16);
  return join(home, '.salvo', 'projects', hash, 'permissions.json');
}

/** What a permissions file holds: the rules that passed the checks, and why others did not. */
export interface ReadPermissions {
  rules: PermissionRule[];
  /** One line per problem, naming the file: a rule skipped, a file not readable. */
  problems: string[];
}

/**
 * Reads the rules saved for `folder`. A missing file holds none; a broken file, a file written
 * for another folder or a rule that fails the checks is skipped with a problem line, never thrown.
 */
export async function readPermissionsFile(file: string, folder: string): Promise<ReadPermissions> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { rules: [], problems: [] };
    return { rules: [], problems: [`${file}: cannot be read (${errnoCode(error) ?? 'error'})`] };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { rules: [], problems: [`${file}: not valid JSON; its rules were not loaded`] };
  }
  const saved = data as { folder?: unknown; rules?: unknown } | null;
  if (typeof saved !== 'object' || saved === null || !Array.isArray(saved.rules)) {
    return { rules: [], problems: [`${file}: expected { "folder": ..., "rules": [...] }`] };
  }
  if (saved.folder !== folder) {
    return {
      rules: [],
      problems: [`${file}: written for another folder; its rules were not loaded`],
    };
  }
  const rules: PermissionRule[] = [];
  const problems: string[] = [];
  saved.rules.forEach((value, i) => {
    const parsed = parseRule(value);
    if (parsed.ok) rules.push(parsed.rule);
    else problems.push(`${file}: rule ${i + 1} skipped: ${parsed.reason}`);
  });
  return { rules, problems };
}

/** Writes the rules for `folder`, readable by the user alone, replacing the file at once. */
export async function writePermissionsFile(
  file: string,
  folder: string,
  rules: readonly PermissionRule[],
): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const text = `${JSON.stringify({ folder, rules }, null, 2)}\n`;
  try {
    await writeFile(temp, text, { flag: 'wx', mode: 0o600 });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
