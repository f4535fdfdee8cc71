export {
  sanitizeForTerminal,
  sanitizeInline,
  sanitizePlain,
  stripColors,
} from '../../trace/sanitize-text.js';
export { describeCall, parseCallInput } from './describe-call.js';
export { formatDuration } from './format-duration.js';
export { type LiveFrame, type LiveStream, LiveView, type LiveViewOptions } from './live-view.js';
export type {
  AgentActivity,
  Blocker,
  CallState,
  CallView,
  GroupView,
  ProgressCounts,
  ProgressSnapshot,
} from './progress-snapshot.js';
export { ProgressState, type ProgressStateOptions } from './progress-state.js';
export {
  type LiveBlockOptions,
  liveBlockHeight,
  liveRenderer,
  renderLiveBlock,
  spinnerFrames,
} from './render-live.js';
export { finishedText, type PlainOptions, PlainRenderer, plainLine } from './render-plain.js';
export { fitLine, textWidth } from './text-width.js';
export { type VisibleToken, visibleText, visibleTokens, wrapTokens } from './visible-text.js';
