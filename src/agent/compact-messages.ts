import { InvalidOptionError } from '../errors.js';
import type { CallResult } from '../tool/call.js';
import { contentToText } from '../tool/content.js';
import type { AgentMessage, Model, Usage } from './model.js';

export interface CompactMessagesOptions {
  /** Writes the summary (usually the session's own model). */
  model: Model;
  messages: readonly AgentMessage[];
  /**
   * User turns kept verbatim at the end: the last `keepRecent` user messages and everything after
   * them. `0` summarizes the whole conversation (when the last turn alone is too big). @default 1
   */
  keepRecent?: number;
  signal?: AbortSignal;
  /** What the summary should pay most attention to (`/compact the API changes`). */
  instructions?: string;
  /** Characters of one tool result the summarizer reads (the rest is left out). @default 2000 */
  maxResultChars?: number;
}

export interface CompactResult {
  /**
   * The new conversation: one user message holding the summary, then the kept turns verbatim.
   * The messages given, unchanged (a copy of the list), when nothing was compacted.
   */
  messages: AgentMessage[];
  compacted: boolean;
  /** The summary the model wrote. */
  summary?: string;
  /** What the summary request cost. */
  usage: Usage;
  /** Messages before and after, for the UI: `compacted 48 messages into 5`. */
  messagesBefore: number;
  messagesAfter: number;
  /** Why nothing was compacted though there was something to: the summary request failed. */
  error?: Error;
}

/** The first words of a summary message: how it is told from the user's own. */
export const compactionSummaryPrefix = '[Summary of the earlier conversation]';

/** Whether `message` is a summary that {@link compactMessages} wrote. */
export function isCompactionSummary(message: AgentMessage): boolean {
  return message.role === 'user' && message.content.startsWith(compactionSummaryPrefix);
}

const summarizerSystem =
  "You write hand-off summaries of a coding agent's work, so that the agent can carry on from the summary alone. You never call tools.";

const summaryRequest = [
  'The conversation above, between a user and you (a coding agent), is being compacted: your',
  'summary will replace it, and the work will continue from the summary alone. Write it for',
  'yourself, to pick up exactly where you are. Under short headings:',
  '1. Goals: what the user asked for, in their words where it matters, and every preference or',
  '   constraint they stated.',
  '2. Decisions: what was decided and why; what was tried and failed (so it is not tried again).',
  '3. Files: the files read, created or changed, with what matters in each (names, key lines).',
  '4. Findings: commands run and what they showed (errors, test results) that still matter.',
  '5. State: what is done, what is in progress, what is left, and the very next step.',
  'Be specific (paths, names, numbers) and brief; leave out what no longer matters. Answer with',
  'the summary only.',
].join('\n');

/**
 * Compacts a conversation that nears the model's context window: the older part is replaced by
 * one user message holding a summary the model writes of it, and the last `keepRecent` user turns
 * are kept verbatim. The cut is always right before a user message, so an assistant message's
 * tool calls stay with their results (every call answered, no result without its call) and the
 * kept answers keep their reasoning, which some providers require back unchanged. The summarizer
 * reads the older part as text (long tool results cut, reasoning left out), so the request needs
 * no tool definitions and fits where the conversation barely did.
 *
 * Never loses the conversation: when the summary request fails or is cancelled, the messages
 * come back unchanged with `error` set. Throws only for bad options.
 */
export async function compactMessages(options: CompactMessagesOptions): Promise<CompactResult> {
  const { model, messages, keepRecent = 1, signal, maxResultChars = 2_000 } = options;
  if (typeof model?.stream !== 'function') throw new InvalidOptionError('model', 'a Model', model);
  if (!Array.isArray(messages)) {
    throw new InvalidOptionError('messages', 'an array of agent messages', messages);
  }
  if (!Number.isInteger(keepRecent) || keepRecent < 0) {
    throw new InvalidOptionError('keepRecent', 'a whole number from 0 up', keepRecent);
  }
  if (!Number.isInteger(maxResultChars) || maxResultChars < 1) {
    throw new InvalidOptionError('maxResultChars', 'a whole number from 1 up', maxResultChars);
  }
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const unchanged = (error?: Error): CompactResult => ({
    messages: [...messages],
    compacted: false,
    usage,
    messagesBefore: messages.length,
    messagesAfter: messages.length,
    ...(error ? { error } : {}),
  });
  const cut = compactionCut(messages, keepRecent);
  const older = messages.slice(0, cut);
  if (older.length === 0 || (older.length === 1 && isCompactionSummary(older[0] as AgentMessage))) {
    return unchanged();
  }
  const focus = options.instructions?.trim();
  const request = [
    '<conversation>',
    renderConversation(older, maxResultChars),
    '</conversation>',
    '',
    summaryRequest,
    ...(focus ? ['', `Pay most attention to: ${focus}`] : []),
  ].join('\n');
  let summary = '';
  let finish: string | undefined;
  try {
    if (signal?.aborted) throw signal.reason;
    for await (const event of model.stream({
      system: summarizerSystem,
      messages: [{ role: 'user', content: request }],
      tools: [],
      signal: signal ?? new AbortController().signal,
    })) {
      if (event.type === 'text-delta') summary += event.text;
      if (event.type === 'finish') {
        finish = event.reason;
        usage.inputTokens += event.usage.inputTokens;
        usage.outputTokens += event.usage.outputTokens;
      }
    }
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    return unchanged(
      new Error(`the summary request failed, nothing was compacted: ${error.message}`, {
        cause: thrown,
      }),
    );
  }
  summary = summary.trim();
  if (finish === 'content-filter' || summary === '') {
    const why =
      summary === ''
        ? 'the model wrote no summary'
        : "the provider's content filter stopped the summary";
    return unchanged(new Error(`${why}, nothing was compacted`));
  }
  const head: AgentMessage = {
    role: 'user',
    content: `${compactionSummaryPrefix} ${older.length} earlier messages were replaced by this summary to save context; the messages after it are verbatim.\n\n${summary}`,
  };
  const compacted = [head, ...messages.slice(cut)];
  return {
    messages: compacted,
    compacted: true,
    summary,
    usage,
    messagesBefore: messages.length,
    messagesAfter: compacted.length,
  };
}

/**
 * Where the kept part begins: the `keepRecent`-th user message from the end (the whole list
 * for `0`; the first user message when there are fewer). Always a user message's index, or the
 * end: never between a call and its results.
 */
export function compactionCut(messages: readonly AgentMessage[], keepRecent: number): number {
  if (keepRecent === 0) return messages.length;
  let seen = 0;
  let cut = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role !== 'user' || isCompactionSummary(messages[i] as AgentMessage)) continue;
    cut = i;
    if (++seen === keepRecent) break;
  }
  return cut;
}

/** The older part as the summarizer reads it: every message, long parts cut. */
function renderConversation(messages: readonly AgentMessage[], maxResultChars: number): string {
  const parts: string[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        parts.push(
          isCompactionSummary(message)
            ? `[earlier summary]\n${message.content}`
            : `[user]\n${clip(message.content, 20_000)}`,
        );
        break;
      case 'assistant': {
        const lines = ['[assistant]'];
        if (message.content.trim() !== '') lines.push(clip(message.content, 8_000));
        for (const call of message.toolCalls) {
          lines.push(`-> ${call.name} (${call.id}) ${clip(call.input, 1_000)}`);
        }
        parts.push(lines.join('\n'));
        break;
      }
      case 'tool':
        parts.push(
          ['[tool results]', ...message.results.map((r) => renderResult(r, maxResultChars))].join(
            '\n',
          ),
        );
        break;
    }
  }
  return parts.join('\n\n');
}

function renderResult(result: CallResult, maxChars: number): string {
  return `<- ${result.name} (${result.id}) ${result.status}: ${clip(contentToText(result.content), maxChars)}`;
}

/** The beginning and the end of a long text, with what was left out said in between. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil(max * 0.7);
  const tail = max - head;
  return `${text.slice(0, head)}\n[… ${text.length - max} characters left out …]\n${text.slice(text.length - tail)}`;
}
