import { sanitizeInline } from '../../trace/sanitize-text.js';
import { exitCodes } from '../cli-error.js';
import type { CliSession } from './cli-session.js';
import { runSlash, type SlashContext } from './slash-commands.js';

/** Where the interactive loop reads what the user types. */
export interface PromptInput {
  /** One prompt: its text, `null` when the user left (Ctrl-D, Ctrl-C twice), `undefined` when cancelled. */
  read(): Promise<string | null | undefined>;
  /** A short answer to a question (`/resume`'s choice): `undefined` when none was given. */
  ask(question: string): Promise<string | undefined>;
  /** Prompts typed ahead while the last one ran, oldest first, taken: they run next. */
  takeQueued?(): string[];
  /** The last run was cancelled: the prompts typed ahead go back to the next read, unsent. */
  putBack?(prompts: readonly string[]): void;
  /** Shows a prompt typed ahead as the user's, as it is sent. */
  show?(prompt: string): void;
}

export interface InteractiveOptions {
  input: PromptInput;
  /** Turns `@path` mentions into attachments; says what it attached or could not. */
  expandMentions?: (text: string) => Promise<string>;
  compact?: SlashContext['compact'];
  permissions?: SlashContext['permissions'];
  /** Run before each prompt (auto-compaction when the context window is nearly full). */
  beforePrompt?: () => Promise<void>;
  /** Aborted to end the session (SIGTERM): after the run in progress, or at the prompt (130). */
  stop?: AbortSignal;
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
  /** Prompts typed ahead, still to send, oldest first. */
  const queued: string[] = [];
  /** The last run was cancelled: what was typed ahead meanwhile is not sent by itself. */
  let cancelled = false;
  const show = options.input.show?.bind(options.input) ?? ((text: string) => print(`› ${text}`));
  for (;;) {
    // The line editor reads the terminal now: Ctrl-C at the prompt is its own.
    session.keys.stop();
    // No run to cancel: a Ctrl-C still on its way must not reach the last run's second press.
    session.ctrlC.press = () => {};
    if (options.stop?.aborted) return exitCodes.cancelled;
    queued.push(...(options.input.takeQueued?.() ?? []));
    if (cancelled && queued.length > 0 && options.input.putBack) {
      reporter.info(
        queued.length === 1
          ? 'The prompt typed ahead is back in the prompt: Enter sends it.'
          : 'The prompts typed ahead are back in the prompt: Enter sends them.',
      );
      options.input.putBack(queued.splice(0));
    }
    cancelled = false;
    let line = queued.shift();
    if (line !== undefined) show(line);
    else {
      const read = await options.input.read();
      if (read === null) return options.stop?.aborted ? exitCodes.cancelled : 0;
      if (read === undefined) continue;
      line = read;
    }
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
      cancelled = ran.status === 'cancelled';
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
    const { exitCode } = await session.runPrompt(prompt, { canAsk: true });
    cancelled = exitCode === exitCodes.cancelled;
  }
}
