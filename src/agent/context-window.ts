import { InvalidOptionError } from '../errors.js';
import { contentToText } from '../tool/content.js';
import type { AgentMessage } from './model.js';

/**
 * Context windows by model family, in input tokens, most specific first. Ids are matched in
 * lower case anywhere in the id, so gateway and cloud spellings (`anthropic/claude-sonnet-4-5`,
 * `us.anthropic.claude-3-7-sonnet-20250219-v1:0`, `models/gemini-2.5-pro`) find their family.
 * Local servers are left out on purpose: their window is whatever the server was started with
 * (set `contextWindow` in the config).
 */
export const contextWindows: readonly { family: RegExp; tokens: number }[] = [
  { family: /claude/, tokens: 200_000 },
  { family: /gpt-5(\.\d+)?-chat/, tokens: 128_000 },
  { family: /gpt-5/, tokens: 272_000 },
  { family: /gpt-4\.1/, tokens: 1_047_576 },
  { family: /gpt-4o|gpt-4-turbo|gpt-4\.5|gpt-4-\d{4}-preview/, tokens: 128_000 },
  { family: /gpt-4-32k/, tokens: 32_768 },
  { family: /gpt-4(?![.\d])/, tokens: 8_192 },
  { family: /gpt-3\.5-turbo/, tokens: 16_385 },
  { family: /gpt-oss/, tokens: 131_072 },
  { family: /(^|[/.:])o1-(mini|preview)/, tokens: 128_000 },
  { family: /(^|[/.:])(o1|o3|o4-mini)(-|$)|codex-mini/, tokens: 200_000 },
  { family: /gemini-1\.5-pro/, tokens: 2_097_152 },
  { family: /gemini-(1\.5|2|3)/, tokens: 1_048_576 },
  { family: /deepseek/, tokens: 128_000 },
  { family: /grok-4|grok-code/, tokens: 256_000 },
  { family: /grok/, tokens: 131_072 },
  { family: /codestral/, tokens: 256_000 },
  { family: /mistral-(large|medium|small)|devstral|magistral/, tokens: 128_000 },
  { family: /qwen3-coder/, tokens: 262_144 },
  { family: /kimi-k2/, tokens: 131_072 },
  { family: /glm-4\.[6-9]/, tokens: 200_000 },
  { family: /glm-4\.5/, tokens: 128_000 },
];

/**
 * The model's context window in tokens: `override` (the config's `contextWindow`) when given,
 * else the family's from {@link contextWindows}, else `undefined` (unknown: no automatic
 * compaction).
 */
export function modelContextWindow(modelId: string, override?: number): number | undefined {
  if (override !== undefined) {
    if (!Number.isInteger(override) || override < 1) {
      throw new InvalidOptionError('contextWindow', 'a whole number of tokens from 1 up', override);
    }
    return override;
  }
  const id = modelId.toLowerCase();
  return contextWindows.find(({ family }) => family.test(id))?.tokens;
}

export interface ShouldCompactOptions {
  /**
   * The tokens of the last model request (its input, plus its output, which joins the context
   * next). Providers report them; {@link estimateTokens} when one does not.
   */
  lastInputTokens: number;
  /** The model's window (see {@link modelContextWindow}); unknown means never. */
  contextWindow: number | undefined;
  /** The share of the window that triggers compaction. @default 0.8 */
  threshold?: number;
}

/** Whether a conversation is close enough to the model's context window to compact it now. */
export function shouldCompact(options: ShouldCompactOptions): boolean {
  const { lastInputTokens, contextWindow, threshold = 0.8 } = options;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) {
    throw new InvalidOptionError('threshold', 'a share of the window from above 0 to 1', threshold);
  }
  if (typeof lastInputTokens !== 'number' || !(lastInputTokens >= 0)) {
    throw new InvalidOptionError(
      'lastInputTokens',
      'a number of tokens from 0 up',
      lastInputTokens,
    );
  }
  if (contextWindow === undefined) return false;
  return lastInputTokens >= contextWindow * threshold;
}

/** Tokens an image is counted as: about what providers charge for a screenshot. */
const imageTokens = 1_500;

/**
 * A rough count of the tokens a conversation takes (about 4 characters a token), for servers
 * that report no usage. It errs high on code and low on some languages: a trigger, not a bill.
 */
export function estimateTokens(messages: readonly AgentMessage[], system = ''): number {
  let chars = system.length;
  let images = 0;
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        chars += message.content.length;
        break;
      case 'assistant':
        chars += message.content.length;
        for (const call of message.toolCalls) chars += call.name.length + call.input.length;
        for (const part of message.reasoning ?? []) chars += part.text?.length ?? 0;
        break;
      case 'tool':
        for (const result of message.results) {
          images += result.content.filter((block) => block.type === 'image').length;
          chars += contentToText(result.content.filter((block) => block.type !== 'image')).length;
        }
        break;
    }
  }
  return Math.ceil(chars / 4) + images * imageTokens;
}
