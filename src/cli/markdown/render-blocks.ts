import type { Token, Tokens } from 'marked';
import { textWidth } from '../progress/text-width.js';
import { literal, readable, renderInline } from './render-inline.js';
import {
  lineWidth,
  type Mark,
  type Span,
  type StyledLine,
  span,
  withMarks,
  wrapSpans,
} from './styled-text.js';

/** Fewer columns than this for a nested block's text and it takes this many anyway. */
const narrowest = 10;
/** A table column is never squeezed below this (or its natural width, when smaller). */
const narrowestColumn = 6;
const bullets = ['•', '◦', '▪'] as const;
const codeGutter = '│ ';
const quoteGutter = '> ';

/**
 * Block tokens as rows of at most `width` columns (a word or code line longer than a row is
 * cut hard), one empty row between blocks, none between the blocks of a tight list item.
 */
export function renderBlocks(
  tokens: readonly Token[],
  width: number,
  options: { depth?: number; tight?: boolean } = {},
): StyledLine[] {
  const out: StyledLine[] = [];
  let first = true;
  for (const token of tokens) {
    if (token.type === 'space') continue;
    const lines = renderBlock(token, width, options.depth ?? 0);
    if (lines.length === 0) continue;
    if (!first && !options.tight) out.push([]);
    out.push(...lines);
    first = false;
  }
  return out;
}

/** One block token as rows; `depth` is the list nesting it sits in. */
export function renderBlock(token: Token, width: number, depth = 0): StyledLine[] {
  switch (token.type) {
    case 'paragraph':
      return wrapSpans(renderInline((token as Tokens.Paragraph).tokens), width);
    case 'text': {
      // The text of a tight list item: inline tokens, or plain text.
      const text = token as Tokens.Text;
      const spans = text.tokens ? renderInline(text.tokens) : [span(readable(text.text))];
      return wrapSpans(spans, width);
    }
    case 'heading':
      return heading(token as Tokens.Heading, width);
    case 'code':
      return code(token as Tokens.Code, width);
    case 'blockquote': {
      const inner = renderBlocks((token as Tokens.Blockquote).tokens, inside(width, 2), { depth });
      return inner.map((line) => [span(quoteGutter.trimEnd(), 'dim'), ...indentText(line)]);
    }
    case 'list':
      return list(token as Tokens.List, width, depth);
    case 'table':
      return table(token as Tokens.Table, width);
    case 'hr':
      return [[span('─'.repeat(Math.max(1, Math.min(width, 80))), 'dim')]];
    case 'def': {
      const def = token as Tokens.Def;
      const title = def.title ? ` "${readable(def.title)}"` : '';
      return wrapSpans(
        [span(`[${readable(def.tag)}]: ${readable(def.href)}${title}`, 'dim')],
        width,
      );
    }
    case 'space':
      return [];
    default:
      // HTML blocks, and anything newer than this renderer: the source, its lines kept.
      return wrapSpans([span(readable(String(token.raw ?? '').replace(/\n+$/, '')))], width);
  }
}

/** Columns left for text indented by `by`, never fewer than `narrowest` (or `width`). */
function inside(width: number, by: number): number {
  return Math.max(Math.min(width, narrowest), width - by);
}

/** A gutter's space, then the row; an empty row leaves no trailing space. */
function indentText(line: StyledLine): StyledLine {
  return line.length === 0 ? [] : [span(' '), ...line];
}

function heading(token: Tokens.Heading, width: number): StyledLine[] {
  // The `#` marks stay: with colour off they are what tells a heading from a paragraph.
  const marks: Mark[] = token.depth <= 1 ? ['bold', 'underline'] : ['bold'];
  const prefix = `${'#'.repeat(token.depth)} `;
  const rows = wrapSpans(renderInline(token.tokens), inside(width, prefix.length));
  return rows.map((row, i) => [
    i === 0 ? span(prefix, 'bold') : span(' '.repeat(prefix.length)),
    ...withMarks(row, ...marks),
  ]);
}

/** Code keeps its lines and spaces: never reflowed, cut hard at the width, a dim gutter. */
function code(token: Tokens.Code, width: number): StyledLine[] {
  const text = readableCode(token.text.replace(/\n+$/, ''));
  const room = inside(width, codeGutter.length);
  const out: StyledLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '') {
      out.push([span(codeGutter.trimEnd(), 'dim')]);
      continue;
    }
    for (const row of wrapSpans([span(line)], room, { code: true })) {
      out.push([span(codeGutter, 'dim'), ...row]);
    }
  }
  return out;
}

/** Code sanitized, its tabs expanded to stops of 4 (a wrapped row must know its width). */
function readableCode(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let out = '';
      for (const char of line) {
        if (char === '\t') out += ' '.repeat(4 - (textWidth(out) % 4));
        else out += char;
      }
      return literal(out);
    })
    .join('\n');
}

function list(token: Tokens.List, width: number, depth: number): StyledLine[] {
  const start = typeof token.start === 'number' ? token.start : 1;
  const markers = token.items.map((_, i) =>
    token.ordered ? `${start + i}.` : (bullets[depth % bullets.length] as string),
  );
  // Numbers right-aligned, so every item's text starts in the same column.
  const markerWidth = Math.max(...markers.map((m) => textWidth(m)));
  const out: StyledLine[] = [];
  token.items.forEach((item, i) => {
    if (i > 0 && token.loose) out.push([]);
    // A tight task item's box comes as a block of its own; a loose one's, inside its paragraph.
    const box = item.tokens[0]?.type === 'checkbox' ? (item.tokens[0] as Tokens.Checkbox) : null;
    const content = box ? item.tokens.slice(1) : item.tokens;
    const marker = `${(markers[i] as string).padStart(markerWidth)} ${box ? (box.checked ? '[x] ' : '[ ] ') : ''}`;
    // Continuation rows start under the item's text (after the box, if any).
    const hang = textWidth(marker);
    const rows = renderBlocks(content, inside(width, hang), {
      depth: depth + 1,
      tight: !item.loose,
    });
    if (rows.length === 0) rows.push([]);
    rows.forEach((row, r) => {
      if (r === 0) out.push([span(marker), ...row]);
      else out.push(row.length === 0 ? [] : [span(' '.repeat(hang)), ...row]);
    });
  });
  return out;
}

/**
 * A table in columns when it fits (wide columns squeezed, their cells wrapped, down to a
 * readable width); otherwise one record per row, `header: value` on lines of their own.
 */
function table(token: Tokens.Table, width: number): StyledLine[] {
  const header = token.header.map((cell) => withMarks(oneLine(cell.tokens), 'bold'));
  const rows = token.rows.map((row) => row.map((cell) => oneLine(cell.tokens)));
  const count = header.length;
  const natural = header.map((cell, c) =>
    Math.max(1, lineWidth(cell), ...rows.map((row) => lineWidth(row[c] ?? []))),
  );
  const separator = 3;
  const room = width - separator * (count - 1);
  const widths = squeeze(natural, room);
  if (!widths) return records(header, rows, width);

  const out: StyledLine[] = [];
  const align = token.align;
  const drawRow = (cells: readonly Span[][]) => {
    const wrapped = widths.map((w, c) => wrapSpans(cells[c] ?? [], w));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let r = 0; r < height; r++) {
      const line: StyledLine = [];
      widths.forEach((w, c) => {
        if (c > 0) line.push(span(' │ ', 'dim'));
        const cell = wrapped[c]?.[r] ?? [];
        const pad = w - lineWidth(cell);
        const where = align[c] === 'right' ? pad : align[c] === 'center' ? Math.floor(pad / 2) : 0;
        const last = c === count - 1;
        line.push(span(' '.repeat(where)), ...cell, span(last ? '' : ' '.repeat(pad - where)));
      });
      out.push(trimEnd(line));
    }
  };
  drawRow(header);
  out.push([span(widths.map((w) => '─'.repeat(w)).join('─┼─'), 'dim')]);
  for (const row of rows) drawRow(row);
  return out;
}

/** Column widths that fit `room`, the widest shrunk first; undefined when none fit. */
function squeeze(natural: readonly number[], room: number): number[] | undefined {
  const widths = [...natural];
  let total = widths.reduce((a, b) => a + b, 0);
  const floor = natural.map((w) => Math.min(w, narrowestColumn));
  while (total > room) {
    let widest = -1;
    for (let c = 0; c < widths.length; c++) {
      if ((widths[c] as number) > (floor[c] as number)) {
        if (widest < 0 || (widths[c] as number) > (widths[widest] as number)) widest = c;
      }
    }
    if (widest < 0) return undefined;
    widths[widest] = (widths[widest] as number) - 1;
    total--;
  }
  return widths;
}

function records(header: Span[][], rows: Span[][][], width: number): StyledLine[] {
  const out: StyledLine[] = [];
  rows.forEach((row, r) => {
    if (r > 0) out.push([]);
    header.forEach((name, c) => {
      const lines = wrapSpans([...name, span(': ', 'bold'), ...(row[c] ?? [])], inside(width, 2));
      lines.forEach((line, i) => {
        out.push(i === 0 ? line : [span('  '), ...line]);
      });
    });
  });
  return out;
}

/** A cell's content on one line: breaks inside a cell become spaces. */
function oneLine(tokens: readonly Token[]): Span[] {
  return renderInline(tokens).map((s) => ({ ...s, text: s.text.replace(/\n/g, ' ') }));
}

function trimEnd(line: StyledLine): StyledLine {
  const out = [...line];
  while (out.length > 0) {
    const last = out[out.length - 1] as Span;
    const trimmed = last.text.replace(/ +$/, '');
    if (trimmed !== '' || last.marks.length > 0) {
      out[out.length - 1] = { ...last, text: trimmed };
      break;
    }
    out.pop();
  }
  return out;
}
