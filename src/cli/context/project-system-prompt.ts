import { release, type } from 'node:os';
import { buildSystemPrompt } from './build-system-prompt.js';
import { type ContextFile, findProjectContext } from './find-project-context.js';

export interface ProjectSystemPromptOptions {
  /** The project directory (`-C`). */
  cwd: string;
  home: string;
  /** The `system` of the loaded (trusted) config. */
  system?: string | undefined;
  /** @default new Date() */
  date?: Date;
  /** @default the OS name and release, `Linux 6.8.0` */
  os?: string;
}

export interface ProjectSystemPrompt {
  prompt: string;
  /** The instruction files sent, general → specific (for a line telling the user). */
  files: ContextFile[];
  /** One line each about a file skipped or cut. */
  warnings: string[];
}

/** Finds the project's instruction files and builds the session's system prompt from them. */
export function projectSystemPrompt(options: ProjectSystemPromptOptions): ProjectSystemPrompt {
  const context = findProjectContext({ cwd: options.cwd, home: options.home });
  const prompt = buildSystemPrompt({
    cwd: options.cwd,
    date: options.date ?? new Date(),
    os: options.os ?? `${type()} ${release()}`,
    git: context.git,
    ...(context.git ? { gitRoot: context.root } : {}),
    contextFiles: context.files,
    ...(options.system === undefined ? {} : { extra: options.system }),
  });
  return { prompt, files: context.files, warnings: context.warnings };
}
