export { MarkdownStream } from './markdown-stream.js';
export { type MarkdownLayout, renderMarkdown } from './render-markdown.js';
