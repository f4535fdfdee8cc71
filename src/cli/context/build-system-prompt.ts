import type { ContextFile } from './find-project-context.js';

export interface BuildSystemPromptOptions {
  /** The working folder (the project directory, `-C`). */
  cwd: string;
  /** Today, in the user's time zone. */
  date: Date;
  /** The operating system, in words: `linux 6.8.0`, `darwin 24.1.0`. */
  os: string;
  /** Whether `cwd` is in a git repository. */
  git: boolean;
  /** The git root, when it is not `cwd`. */
  gitRoot?: string;
  /** The instruction files, general → specific (see `findProjectContext`). */
  contextFiles: readonly ContextFile[];
  /** The `system` of the user's config (trusted): added last. */
  extra?: string;
}

const identity = [
  "You are salvo, a coding agent in the user's terminal whose tool calls run in parallel. You",
  'help with software engineering tasks: understanding code, changing it, running commands,',
  'answering questions about the project.',
  '',
  '- Find things out with your tools rather than guessing; read code before you change it.',
  '- Keep changes to what was asked, in the style of the code around them. Check your work',
  '  (build, tests, lint) when the project has a way to.',
  '- Be brief: no preamble, no summary of what you are about to do at length. When you are done,',
  '  say what you changed (the files) and anything left for the user.',
  '- Ask before anything destructive or hard to undo that the user did not ask for (deleting',
  '  files, `git reset --hard`, force pushes, dropping data).',
].join('\n');

/**
 * The system prompt of a salvo session: who the agent is, where it works (folder, date, OS, git),
 * the project's instruction files each under a heading with its path, then the user's own
 * `system` text. The files are presented as the repository's instructions, below the user's:
 * they are text for the model, never settings.
 */
export function buildSystemPrompt(options: BuildSystemPromptOptions): string {
  const git = options.git
    ? `yes${options.gitRoot && options.gitRoot !== options.cwd ? ` (root ${options.gitRoot})` : ''}`
    : 'no';
  const sections = [
    identity,
    [
      '# Environment',
      `Working folder: ${options.cwd}`,
      `Git repository: ${git}`,
      `Operating system: ${options.os}`,
      `Today's date: ${formatDate(options.date)}`,
    ].join('\n'),
  ];
  if (options.contextFiles.length > 0) {
    sections.push(
      [
        '# Project instructions',
        'The files below hold instructions for work in this project (the first may be the',
        "user's own, from ~/.salvo). Follow them; where they disagree, a file in a deeper folder",
        "wins over one above it, and the user's requests in the conversation win over all of them.",
      ].join('\n'),
      ...options.contextFiles.map(
        (file) =>
          `## ${file.path}\n\n${file.content}${file.truncated ? '\n\n[cut here: the file is longer]' : ''}`,
      ),
    );
  }
  const extra = options.extra?.trim();
  if (extra) sections.push(extra);
  return sections.join('\n\n');
}

/** `2025-06-12 (Thursday)`, in the date's local time. */
function formatDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = date.toLocaleDateString('en-US', { weekday: 'long' });
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} (${day})`;
}
