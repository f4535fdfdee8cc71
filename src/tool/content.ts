/** JSON as the model sees it. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ImageBlock {
  type: 'image';
  /** Base64-encoded bytes. */
  data: string;
  mimeType: string;
}

export interface JsonBlock {
  type: 'json';
  value: JsonValue;
}

/** One piece of a tool's output. */
export type ContentBlock = TextBlock | ImageBlock | JsonBlock;

/** What `execute` may return: a string, a JSON value, or content blocks. */
export type ToolOutput = string | JsonValue | ContentBlock[] | undefined;

function isContentBlock(value: unknown): value is ContentBlock {
  if (typeof value !== 'object' || value === null) return false;
  const block = value as Record<string, unknown>;
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string';
    case 'image':
      return typeof block.data === 'string' && typeof block.mimeType === 'string';
    case 'json':
      return 'value' in block;
    default:
      return false;
  }
}

/** True for a non-empty array made only of content blocks. Never throws, even on hostile getters. */
export function isContentBlocks(value: unknown): value is ContentBlock[] {
  try {
    return Array.isArray(value) && value.length > 0 && value.every(isContentBlock);
  } catch {
    return false;
  }
}

/** A tool's output that cannot be turned into content for the model. */
export class UnsendableOutputError extends TypeError {
  constructor(reason: string) {
    super(`its output cannot be sent to the model: ${reason}`);
    this.name = 'UnsendableOutputError';
  }
}

/**
 * Turns whatever a tool returned into content blocks. Strings become text, content blocks pass
 * through (their JSON values copied), anything else is serialized as JSON. Throws
 * `UnsendableOutputError` for what JSON cannot hold (BigInt, cycles, throwing getters), so a
 * tool's bad output becomes an error result instead of garbage the model reads as success.
 */
export function toContent(output: unknown): ContentBlock[] {
  if (typeof output === 'string') return [{ type: 'text', text: output }];
  if (output === undefined) return [{ type: 'text', text: '' }];
  if (isContentBlocks(output)) {
    return output.map((block) => {
      if (block.type === 'json') return { type: 'json', value: toJsonValue(block.value) };
      if (block.type === 'text') return { type: 'text', text: block.text };
      return { type: 'image', data: block.data, mimeType: block.mimeType };
    });
  }
  if (typeof output === 'number' || typeof output === 'boolean') {
    return [{ type: 'json', value: output }];
  }
  return [{ type: 'json', value: toJsonValue(output) }];
}

/** A deep copy of `value` as plain JSON, or `UnsendableOutputError`. */
function toJsonValue(value: unknown): JsonValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'it is not JSON';
    throw new UnsendableOutputError(reason.length > 200 ? `${reason.slice(0, 200)}…` : reason);
  }
  if (text === undefined) throw new UnsendableOutputError(`a ${typeof value} is not JSON`);
  return JSON.parse(text) as JsonValue;
}

/** The content as plain text, for formats that only carry strings. */
export function contentToText(content: readonly ContentBlock[]): string {
  return content
    .map((block) => {
      switch (block.type) {
        case 'text':
          return block.text;
        case 'json':
          return JSON.stringify(block.value);
        default:
          return `[image ${block.mimeType}]`;
      }
    })
    .join('\n');
}
