import { open, readdir, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import {
  type AgentDefinition,
  type DefinitionProblem,
  maxAgentDefinitionBytes,
  parseAgentDefinition,
} from './agent-definition.js';

export interface LoadAgentDefinitionsOptions {
  /** The project whose `.salvo/agents/` is read; default `process.cwd()`. */
  projectDir?: string;
  /** The user's home whose `.salvo/agents/` is read; default `os.homedir()`. */
  homeDir?: string;
}

export interface LoadedAgentDefinitions {
  /** Valid definitions, sorted by name. */
  definitions: AgentDefinition[];
  /** Skipped files and ignored fields, project folder first, each folder in file name order. */
  problems: DefinitionProblem[];
}

/** Where agent definition files live, under a project or a home folder. */
export const agentDefinitionsFolder = join('.salvo', 'agents');

/**
 * Loads the agent definitions in `<projectDir>/.salvo/agents/*.md` and
 * `<homeDir>/.salvo/agents/*.md`. A missing folder is not a problem. A project definition
 * silently overrides a user definition of the same name; within one folder the first file by
 * name wins and later ones are reported. Invalid files are reported and skipped. Throws only
 * for bad options ({@link InvalidOptionError}), never for what the files contain.
 */
export async function loadAgentDefinitions(
  options: LoadAgentDefinitionsOptions = {},
): Promise<LoadedAgentDefinitions> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const projectDir = checkDir('projectDir', options.projectDir) ?? process.cwd();
  const homeDir = checkDir('homeDir', options.homeDir) ?? homedir();

  const problems: DefinitionProblem[] = [];
  const projectFolder = resolve(projectDir, agentDefinitionsFolder);
  const homeFolder = resolve(homeDir, agentDefinitionsFolder);

  const project = await loadFolder(projectFolder, problems);
  const byName = new Map(project.map((definition) => [definition.name, definition]));
  // Working in the home folder itself: the same files must not be read twice.
  if (!(await sameFolder(projectFolder, homeFolder))) {
    for (const definition of await loadFolder(homeFolder, problems)) {
      if (!byName.has(definition.name)) byName.set(definition.name, definition);
    }
  }

  const definitions = [...byName.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return { definitions, problems };
}

function checkDir(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.includes('\0')) {
    throw new InvalidOptionError(option, 'a folder path (a non-empty string)', value);
  }
  return value;
}

/** The folder's valid definitions in file name order; problems are appended to `problems`. */
async function loadFolder(
  folder: string,
  problems: DefinitionProblem[],
): Promise<AgentDefinition[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    problems.push({ file: folder, message: `cannot read the folder: ${messageOf(error)}` });
    return [];
  }

  const files = names.filter((name) => name.endsWith('.md')).sort(byCodeUnits);
  const definitions: AgentDefinition[] = [];
  const firstFileOf = new Map<string, string>();
  for (const name of files) {
    const file = join(folder, name);
    const text = await readDefinitionFile(file);
    if (text === null) continue; // not a regular file: ignored like any non-definition
    if (typeof text !== 'string') {
      problems.push({ file, message: text.problem });
      continue;
    }
    const parsed = parseAgentDefinition(text, file);
    if (!parsed.ok) {
      problems.push(parsed.problem);
      continue;
    }
    const { definition } = parsed;
    const first = firstFileOf.get(definition.name);
    if (first !== undefined) {
      problems.push({
        file,
        field: 'name',
        message: `${JSON.stringify(definition.name)} is already defined by ${first}; this file is skipped`,
      });
      continue;
    }
    problems.push(...parsed.warnings);
    firstFileOf.set(definition.name, file);
    definitions.push(definition);
  }
  return definitions;
}

/**
 * The file's text; `null` for a folder or other non-file that happens to end in `.md`; a problem
 * for a file that cannot be read or is too large.
 */
async function readDefinitionFile(file: string): Promise<string | null | { problem: string }> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const stats = await handle.stat();
    if (!stats.isFile()) return null;
    if (stats.size > maxAgentDefinitionBytes) {
      return {
        problem: `file is ${stats.size} bytes, larger than ${maxAgentDefinitionBytes}; refused`,
      };
    }
    // Read at most one byte past the limit, in case the file grew since `stat`.
    const buffer = Buffer.allocUnsafe(maxAgentDefinitionBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxAgentDefinitionBytes) {
      return { problem: `file is larger than ${maxAgentDefinitionBytes} bytes; refused` };
    }
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return null;
    return { problem: `cannot read the file: ${messageOf(error)}` };
  } finally {
    await handle?.close().catch(() => {});
  }
}

async function sameFolder(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false; // at least one is missing: they cannot both hold files
  }
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
