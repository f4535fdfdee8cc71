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

/** True for a non-empty array made only of content blocks. */
export function isContentBlocks(value: unknown): value is ContentBlock[] {
  return Array.isArray(value) && value.length > 0 && value.every(isContentBlock);
}

/**
 * Turns whatever a tool returned into content blocks. Strings become text, content blocks pass
 * through, anything else is serialized as JSON (a value JSON cannot hold becomes text).
 */
export function toContent(output: unknown): ContentBlock[] {
  if (typeof output === 'string') return [{ type: 'text', text: output }];
  if (output === undefined) return [{ type: 'text', text: '' }];
  if (isContentBlocks(output)) return output;
  try {
    const text = JSON.stringify(output);
    if (text === undefined) return [{ type: 'text', text: String(output) }];
    return [{ type: 'json', value: JSON.parse(text) as JsonValue }];
  } catch {
    return [{ type: 'text', text: String(output) }];
  }
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
