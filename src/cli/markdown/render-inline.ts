import type { Token, Tokens } from 'marked';
import { sanitizePlain } from '../../trace/sanitize-text.js';
import { type Span, span, withMarks } from './styled-text.js';

const namedEntities: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  rarr: '→',
  larr: '←',
  times: '×',
  middot: '·',
  bull: '•',
  deg: '°',
};

/**
 * Text as a person should read it: HTML entities decoded (marked leaves them for an HTML
 * renderer), then sanitized again, since `&#27;` decodes to an escape character.
 */
export function readable(text: string): string {
  const decoded = text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, name) => {
    const lower = String(name).toLowerCase();
    if (lower.startsWith('#')) {
      const cp = lower.startsWith('#x')
        ? Number.parseInt(lower.slice(2), 16)
        : Number.parseInt(lower.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
    }
    return namedEntities[lower] ?? whole;
  });
  return literal(decoded);
}

/**
 * Text shown as written (code): sanitized, tabs as spaces (a terminal's own tab stops would
 * give a wrapped row a width nobody can know).
 */
export function literal(text: string): string {
  return sanitizePlain(text).replace(/\t/g, '  ');
}

/**
 * Inline tokens as styled spans: **bold**, *italic*, ~~struck~~, `code` in the code colour, links
 * with their URL after them (a terminal shows no hrefs), images as their alt text and URL, hard
 * and soft line breaks as newlines.
 */
export function renderInline(tokens: readonly Token[] | undefined): Span[] {
  const out: Span[] = [];
  for (const token of tokens ?? []) out.push(...inlineToken(token));
  return out;
}

function inlineToken(token: Token): Span[] {
  switch (token.type) {
    case 'strong':
      return withMarks(renderInline((token as Tokens.Strong).tokens), 'bold');
    case 'em':
      return withMarks(renderInline((token as Tokens.Em).tokens), 'italic');
    case 'del':
      return withMarks(renderInline((token as Tokens.Del).tokens), 'strike');
    case 'codespan':
      return [span(literal((token as Tokens.Codespan).text), 'code')];
    case 'br':
      return [span('\n')];
    case 'link':
      return link(token as Tokens.Link);
    case 'image': {
      const image = token as Tokens.Image;
      const alt = readable(image.text);
      return [span(`[image${alt ? `: ${alt}` : ''}]`, 'italic'), ...url(image.href)];
    }
    case 'checkbox':
      return [span((token as Tokens.Checkbox).checked ? '[x] ' : '[ ] ')];
    case 'text': {
      const text = token as Tokens.Text;
      if (text.tokens && text.tokens.length > 0) return renderInline(text.tokens);
      return [span(readable(text.text))];
    }
    case 'escape':
      return [span(readable((token as Tokens.Escape).text))];
    default:
      // Inline HTML and anything newer than this renderer: the source, as written.
      return [span(readable('raw' in token ? String(token.raw) : ''))];
  }
}

function link(token: Tokens.Link): Span[] {
  const text = renderInline(token.tokens);
  const label = text.map((s) => s.text).join('');
  const href = readable(token.href ?? '');
  // `<https://x>`, a bare URL, or an e-mail address: the text already says where it goes.
  if (href === '' || label === href || `mailto:${label}` === href || token.raw === label) {
    return withMarks(text, 'underline');
  }
  return [...withMarks(text, 'underline'), ...url(token.href)];
}

function url(href: string | undefined): Span[] {
  const shown = readable(href ?? '');
  return shown === '' ? [] : [span(` (${shown})`, 'dim')];
}
