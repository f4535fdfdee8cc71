// The interactive prompt: the line editor, its history, type-ahead while a prompt runs, and
// `@path` mentions.
export { type AttachMentionsOptions, attachMentions, attachmentLine } from './attach-mentions.js';
export type { Draft } from './edit-buffer.js';
export {
  type Attachment,
  type ExpandedPrompt,
  type ExpandMentionsOptions,
  expandMentions,
} from './expand-mentions.js';
export { findMentions, type Mention } from './find-mentions.js';
export type { InputEvent, KeyName } from './key-decoder.js';
export {
  disableBracketedPaste,
  type EditorInput,
  type EditorOutput,
  enableBracketedPaste,
  exitHint,
  LineEditor,
  type LineEditorOptions,
  type ReadOptions,
  type ReadResult,
} from './line-editor.js';
export {
  type OpenedTerminalInput,
  type OpenTerminalInputOptions,
  openTerminalInput,
} from './open-terminal-input.js';
export { historyFile, PromptHistory, type PromptHistoryOptions } from './prompt-history.js';
export { TerminalInput, type TerminalInputOptions } from './terminal-input.js';
export { TypeAhead, type TypeAheadOptions } from './type-ahead.js';
