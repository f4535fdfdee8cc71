import { sanitizeInline } from '../../trace/sanitize-text.js';
import type { CliSession } from './cli-session.js';
import { runSlash, type SlashContext } from './slash-commands.js';

/** Where the interactive loop reads what the user types. */
export interface PromptInput {
  /** One prompt: its text, `null` when the user left (Ctrl-D, Ctrl-C twice), `undefined` when cancelled. */
  read(): Promise<string | null | undefined>;
  /** A short answer to a question (`/resume`'s choice): `undefined` when none was given. */
  ask(question: string): Promise<string | undefined>;
  /** Prompts typed ahead while the last one ran, to run next. */
  takeQueued?(): string[];
}

export interface InteractiveOptions {
  input: PromptInput;
  /** Turns `@path` mentions into attachments; says what it attached or could not. */
  expandMentions?: (text: string) => Promise<string>;
  compact?: SlashContext['compact'];
  permissions?: SlashContext['permissions'];
  /** Run before each prompt (auto-compaction when the context window is nearly full). */
  beforePrompt?: () => Promise<void>;
}

/**
 * `salvo` alone: prompts until /exit or Ctrl-D; the conversation carries on. Slash commands and
 * `!command` are handled here, never sent to the model as they are.
 */
export async function interactive(
  session: CliSession,
  options: InteractiveOptions,
): Promise<number> {
  const { io, reporter } = session;
  const print = (line: string) => io.stdout.write(`${line}\n`);
  reporter.info(
    `salvo ${session.choice.provider}:${sanitizeInline(session.choice.model)} in ${session.cwd}. /help lists commands; Ctrl-D leaves.`,
  );
  if (session.messages.length > 0) {
    reporter.info(
      `Carrying on: ${session.messages.filter((m) => m.role === 'user').length} earlier prompts in this conversation.`,
    );
  }
  const context: SlashContext = {
    session,
    print,
    pick: async (title, items) => {
      print(title);
      items.forEach((item, i) => {
        print(`  ${String(i + 1).padStart(2)}. ${item}`);
      });
      const answer = await options.input.ask(`Number (1-${items.length}, Enter for none): `);
      const n = Number(answer?.trim());
      return Number.isInteger(n) && n >= 1 && n <= items.length ? n - 1 : undefined;
    },
    ...(options.compact ? { compact: options.compact } : {}),
    ...(options.permissions ? { permissions: options.permissions } : {}),
  };
  /** What the user's own `!commands` printed, told to the model with the next prompt. */
  let shellContext = '';
  const queued: string[] = [];
  for (;;) {
    // The line editor reads the terminal now: Ctrl-C at the prompt is its own.
    session.keys.stop();
    const line = queued.shift() ?? (await options.input.read());
    if (line === null) return 0;
    if (line === undefined) continue;
    const text = line.trim();
    if (text === '') continue;
    const outcome = await runSlash(text, context);
    if (outcome?.kind === 'exit') return 0;
    if (outcome?.kind === 'continue') continue;
    if (text.startsWith('!')) {
      const command = text.slice(1).trim();
      if (command === '') {
        print('!command runs a shell command, such as !git status');
        continue;
      }
      const ran = await session.runUserShell(command, { canAsk: true });
      shellContext += `I ran \`${command}\` in the shell myself (${ran.status}):\n${ran.text}\n\n`;
      continue;
    }
    let prompt = outcome?.kind === 'prompt' ? outcome.text : text.replace(/^\/\//, '/');
    if (options.expandMentions) prompt = await options.expandMentions(prompt);
    if (shellContext !== '') {
      prompt = `${shellContext}${prompt}`;
      shellContext = '';
    }
    await options.beforePrompt?.();
    await session.runPrompt(prompt, { canAsk: true });
    queued.push(...(options.input.takeQueued?.() ?? []));
  }
}
