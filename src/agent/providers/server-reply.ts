import { sanitizeInline } from '../../trace/sanitize-text.js';

/**
 * What a server answered when it was neither the API's own error nor an event stream: an HTML
 * page (a web server or proxy at the wrong path), plain text, JSON without a stream.
 */
export interface ServerReply {
  status: number;
  /** The `content-type` header without its parameters, `''` when there was none. */
  contentType: string;
  /** The first words of the body (an HTML page's title, else its text), one sanitized line. */
  excerpt: string;
}

/** How much of a body is read to describe it, and how long its excerpt may be. */
const peekBytes = 4096;
const excerptChars = 80;

/** `text/event-stream`, whatever its parameters and case. */
export function isEventStream(contentType: string | null | undefined): boolean {
  return /^\s*text\/event-stream\s*(;|$)/i.test(contentType ?? '');
}

/** The media type of a `content-type` header: `text/html; charset=utf-8` → `text/html`. */
export function mediaType(contentType: string | null | undefined): string {
  return sanitizeInline((contentType ?? '').split(';')[0] ?? '').toLowerCase();
}

/**
 * The first words of a body, one line a terminal can show: an HTML page's `<title>` (else its
 * text without tags), JSON and plain text as they are, cut at 80 characters.
 */
export function replyExcerpt(body: string, contentType = ''): string {
  let text = body;
  if (/html/i.test(contentType) || /^\s*<(!doctype|html|head|body|title)\b/i.test(body)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1];
    text = title !== undefined && title.trim() !== '' ? title : withoutTags(body);
    text = decodeEntities(text);
  }
  const line = sanitizeInline(text);
  return line.length > excerptChars ? `${line.slice(0, excerptChars - 1).trimEnd()}…` : line;
}

function withoutTags(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ');
}

const entities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  middot: '·',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] !== '#') return entities[name.toLowerCase()] ?? whole;
    const hex = name[1] === 'x' || name[1] === 'X';
    const code = hex ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * The first bytes of a 200 answer to a streaming request, when it is not an event stream (nor a
 * body that reads like one, whatever its label); `undefined` when it is one. Reads a copy of the
 * body, so the SDK still gets all of it; `undefined` too when the body cannot be copied.
 */
export async function peekNonStream(
  response: Response,
): Promise<{ reply: ServerReply; head: string } | undefined> {
  const header = response.headers.get('content-type');
  if (isEventStream(header)) return undefined;
  let copy: Response;
  try {
    copy = response.clone();
  } catch {
    return undefined;
  }
  const head = await readHead(copy);
  // Some servers stream Server-Sent Events under another label (or none): that still works.
  if (looksLikeEvents(head)) return undefined;
  const reply = {
    status: response.status,
    contentType: mediaType(header),
    excerpt: replyExcerpt(head, header ?? ''),
  };
  return { reply, head };
}

function looksLikeEvents(text: string): boolean {
  return /^(data|event|id|retry)\s*:|^:/.test(text.trimStart());
}

/** Up to `peekBytes` of a body: enough to tell what it is, without waiting for all of it. */
async function readHead(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    while (bytes < peekBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      // An event stream shows itself in its first line; other bodies get read to the limit.
      if (looksLikeEvents(text)) break;
    }
  } finally {
    // Only this copy is cancelled: the SDK's branch of the body reads on.
    void reader.cancel().catch(() => {});
  }
  return text + decoder.decode();
}

/**
 * What the base URL should look like, in the provider's terms: the SDKs append their own paths
 * (`/chat/completions`, `/responses`, `/v1/messages`).
 */
export function baseUrlAdvice(provider: string): string {
  if (provider === 'anthropic') {
    return 'it should be the server itself, without /v1, such as https://api.anthropic.com';
  }
  if (provider === 'openai-responses') {
    return 'it should end in /v1, on a server that speaks the Responses API (else use the openai provider)';
  }
  return 'it should end in /v1 for OpenAI-compatible servers';
}

/** A header of a `Headers` (an SDK error's or a response's), or of a plain object. */
export function headerOf(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  const value: unknown =
    typeof get === 'function'
      ? get.call(headers, name)
      : (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
