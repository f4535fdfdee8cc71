import { resolve } from 'node:path';
import { readTrace } from '../../trace/read-trace.js';
import { sanitizeInline } from '../../trace/sanitize-text.js';
import { oneLine } from '../cli-error.js';
import { closestName } from '../config/closest-name.js';
import { type CliSession, writeTraceFile } from './cli-session.js';
import { findSession, listSessions, readSession, type SessionSummary } from './session-store.js';

/** What the interactive loop does after a slash command. */
export type SlashOutcome =
  | { kind: 'continue' }
  | { kind: 'exit' }
  /** Send this prompt to the model (a command that turns into a prompt). */
  | { kind: 'prompt'; text: string };

/** What a slash command can reach besides the session. */
export interface SlashContext {
  session: CliSession;
  /** A line for the user. */
  print: (line: string) => void;
  /** Asks the user to pick one of `items` (a numbered list); `undefined` when they did not. */
  pick: (title: string, items: readonly string[]) => Promise<number | undefined>;
  /** `/compact`, when the session can summarize (see `compactSession`). */
  compact?: (instructions: string) => Promise<void>;
  /** `/permissions`, when approvals keep rules. */
  permissions?: (args: string) => Promise<void> | void;
}

export interface SlashCommand {
  name: string;
  aliases?: readonly string[];
  /** What follows the name, for `/help`: `[id]`. */
  usage?: string;
  description: string;
  run: (context: SlashContext, args: string) => Promise<SlashOutcome> | SlashOutcome;
}

const carryOn: SlashOutcome = { kind: 'continue' };

function formatTokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function ago(date: Date, now: Date): string {
  const minutes = Math.round((now.getTime() - date.getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** A session as the `/resume` list shows it. */
export function sessionLine(summary: SessionSummary, now: Date = new Date()): string {
  return `${summary.title}  (${plural(summary.prompts, 'prompt')}, ${ago(summary.savedAt, now)}, ${summary.id})`;
}

/** Loads a saved session into `session`: its messages, its transcript file and its trace. */
export async function resumeInto(session: CliSession, file: string): Promise<string> {
  const saved = await readSession(file);
  let earlier: Awaited<ReturnType<typeof readTrace>> = [];
  try {
    earlier = await readTrace(file.replace(/(\.json)?$/i, '.trace.json'));
  } catch {
    // A session without a kept trace (older, or its trace could not be written) still resumes.
  }
  session.resume(saved, file, earlier);
  return `Resumed ${saved.title ?? saved.id} (${plural(
    saved.messages.filter((m) => m.role === 'user').length,
    'prompt',
  )}; session ${saved.id}).`;
}

export const slashCommands: readonly SlashCommand[] = [
  {
    name: 'help',
    description: 'these commands, and what else the prompt understands',
    run: ({ print }) => {
      for (const command of slashCommands) {
        const names = [command.name, ...(command.aliases ?? [])].map((n) => `/${n}`).join(', ');
        const usage = command.usage ? ` ${command.usage}` : '';
        print(`  ${`${names}${usage}`.padEnd(26)} ${command.description}`);
      }
      print('  @path                      attach a file of the project to the prompt');
      print('  !command                   run a shell command (asks like the model’s would)');
      print('  //text                     send text that starts with / to the model');
      print('  Up/Down                    this folder’s earlier prompts');
      print('  typing during a run        queues the text as the next prompt (Enter)');
      print(
        '  Ctrl-C cancels a running prompt (twice exits); at the prompt, clears it (twice exits); Ctrl-D exits',
      );
      return carryOn;
    },
  },
  {
    name: 'clear',
    description: 'start a new conversation (the current one stays saved)',
    run: ({ session, print }) => {
      session.clear();
      print(`New conversation (session ${session.id}).`);
      return carryOn;
    },
  },
  {
    name: 'model',
    usage: '[id]',
    description: 'show the model, or use another one of the same provider',
    run: ({ session, print }, args) => {
      const id = args.trim();
      if (id === '') {
        print(`Model: ${session.choice.provider}:${sanitizeInline(session.choice.model)}`);
        return carryOn;
      }
      if (/\s/.test(id) || sanitizeInline(id) !== id) {
        print('A model id is one word, such as /model gpt-4.1 or /model claude-sonnet-4-5.');
        return carryOn;
      }
      try {
        session.setModel(id);
        print(`Model: ${session.choice.provider}:${id} from the next prompt on.`);
      } catch (error) {
        print(`Cannot use ${id}: ${oneLine(error)}`);
      }
      return carryOn;
    },
  },
  {
    name: 'compact',
    usage: '[focus]',
    description: 'summarize the conversation so far to free the context window',
    run: async ({ compact, print }, args) => {
      if (!compact) {
        print('This session cannot summarize its conversation.');
        return carryOn;
      }
      await compact(args.trim());
      return carryOn;
    },
  },
  {
    name: 'resume',
    usage: '[id]',
    description: 'carry on an earlier session of this folder',
    run: async ({ session, print, pick }, args) => {
      try {
        let file: string;
        if (args.trim() !== '') {
          file = await findSession(session.io.home, args.trim(), session.cwd);
        } else {
          const sessions = (await listSessions(session.io.home, { cwd: session.cwd })).filter(
            (s) => s.id !== session.id,
          );
          if (sessions.length === 0) {
            print(`No earlier session in ${session.cwd}.`);
            return carryOn;
          }
          const now = new Date();
          const chosen = await pick(
            'Resume which session?',
            sessions.map((s) => sessionLine(s, now)),
          );
          const summary = chosen === undefined ? undefined : sessions[chosen];
          if (!summary) {
            print('Nothing resumed.');
            return carryOn;
          }
          file = summary.file;
        }
        print(await resumeInto(session, file));
      } catch (error) {
        print(oneLine(error));
      }
      return carryOn;
    },
  },
  {
    name: 'permissions',
    usage: '[revoke N | save]',
    description:
      'the calls you allowed for this session; revoke one, or save them for this project',
    run: async ({ permissions, print }, args) => {
      if (!permissions) {
        print('No approvals are remembered in this session.');
        return carryOn;
      }
      await permissions(args.trim());
      return carryOn;
    },
  },
  {
    name: 'trace',
    usage: '[out.html | out.json]',
    description: "write this session's trace (an HTML report by default)",
    run: async ({ session, print }, args) => {
      const traces = session.traces;
      if (traces.length === 0) {
        print('No tool calls yet: the trace is empty.');
        return carryOn;
      }
      const name = args.trim();
      if (name !== '' && !/\.(html?|json)$/i.test(name)) {
        print('The trace file name must end in .html or .json.');
        return carryOn;
      }
      const file =
        name === ''
          ? session.keptTraceFile.replace(/\.json$/i, '.html')
          : resolve(session.cwd, name);
      try {
        await writeTraceFile(file, traces, `salvo session ${session.id}`);
        print(`Trace written: ${file}  (salvo trace ${file} shows it here)`);
      } catch (error) {
        print(`Could not write the trace to ${file}: ${oneLine(error)}`);
      }
      return carryOn;
    },
  },
  {
    name: 'status',
    aliases: ['cost'],
    description: 'tokens, time and calls so far; model, session and folder',
    run: ({ session, print }) => {
      const { totals } = session;
      print(
        `Session ${session.id}: ${plural(totals.prompts, 'prompt')}, ${plural(totals.calls, 'tool call')}, ${formatDuration(totals.wallMs)} working`,
      );
      print(
        `Tokens: ${formatTokens(totals.usage.inputTokens)} in, ${formatTokens(totals.usage.outputTokens)} out (subagents included); last request ${formatTokens(session.lastInputTokens)} in`,
      );
      print(`Model: ${session.choice.provider}:${sanitizeInline(session.choice.model)}`);
      print(`Folder: ${session.cwd}`);
      print(`Transcript: ${session.transcriptFile}`);
      return carryOn;
    },
  },
  {
    name: 'exit',
    aliases: ['quit'],
    description: 'leave salvo (Ctrl-D does too)',
    run: () => ({ kind: 'exit' }),
  },
];

/**
 * `/name args` when `text` is a slash command: a word of letters after one `/`. Anything else
 * (`/usr/bin/env is missing`, `//literal`) is a prompt.
 */
export function parseSlash(text: string): { name: string; args: string } | undefined {
  const match = /^\/([A-Za-z][\w-]*)(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match?.[1]) return undefined;
  return { name: match[1].toLowerCase(), args: match[2] ?? '' };
}

/** Runs a slash command; an unknown one says so (and what is near), never reaching the model. */
export async function runSlash(
  text: string,
  context: SlashContext,
  commands: readonly SlashCommand[] = slashCommands,
): Promise<SlashOutcome | undefined> {
  const parsed = parseSlash(text);
  if (!parsed) return undefined;
  const command = commands.find(
    (c) => c.name === parsed.name || (c.aliases ?? []).includes(parsed.name),
  );
  if (!command) {
    const names = commands.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    const near = closestName(parsed.name, names);
    context.print(
      `Unknown command /${sanitizeInline(parsed.name)}${near ? ` (did you mean /${near}?)` : ''}: /help lists the commands; //text sends text that starts with /.`,
    );
    return carryOn;
  }
  return await command.run(context, parsed.args);
}
