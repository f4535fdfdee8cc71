import { getDefaults, Lexer, type Token } from 'marked';
import { sanitizePlain } from '../../trace/sanitize-text.js';
import { renderBlocks } from './render-blocks.js';
import { lineText } from './styled-text.js';

export interface MarkdownLayout {
  /** Columns a row may take. */
  width: number;
  /** SGR styles; without, the same rows with no escape (`NO_COLOR`, `TERM=dumb`). */
  color: boolean;
}

/**
 * Markdown's block tokens, GitHub-flavoured, a single newline kept as a line break (a model
 * that writes one means one). The text must be sanitized already: the rows are made from it.
 */
export function lexMarkdown(source: string): Token[] {
  // A fresh options object each time: the lexer writes its tokenizer into the one it is given.
  return Lexer.lex(source, { ...getDefaults(), gfm: true, breaks: true });
}

/** Block tokens as terminal rows (see `renderBlocks`), each at most `width` columns. */
export function renderTokens(tokens: readonly Token[], layout: MarkdownLayout): string[] {
  return renderBlocks(tokens, Math.max(1, Math.floor(layout.width))).map((line) =>
    lineText(line, layout.color),
  );
}

/** Markdown text from anyone as terminal rows: its own escapes and controls go first. */
export function renderMarkdown(text: string, layout: MarkdownLayout): string[] {
  return renderTokens(lexMarkdown(sanitizePlain(text)), layout);
}
