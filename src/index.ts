export {
  type CompactMessagesOptions,
  type CompactResult,
  compactionSummaryPrefix,
  compactMessages,
  isCompactionSummary,
} from './agent/compact-messages.js';
export {
  contextWindows,
  estimateTokens,
  modelContextWindow,
  type ShouldCompactOptions,
  shouldCompact,
} from './agent/context-window.js';
export { parallelToolGuidance, systemPrompt } from './agent/guidance.js';
export type {
  AgentMessage,
  FinishReason,
  Model,
  ModelEvent,
  ModelRequest,
  ModelTool,
  ModelToolCall,
  Usage,
} from './agent/model.js';
export { type AnthropicModelOptions, anthropicModel } from './agent/providers/anthropic-model.js';
export { ModelApiError } from './agent/providers/model-api-error.js';
export { type OpenAIModelOptions, openAIModel } from './agent/providers/openai-model.js';
export {
  type OpenAIResponsesModelOptions,
  openAIResponsesModel,
} from './agent/providers/openai-responses-model.js';
export {
  type AgentEvent,
  type AgentFinish,
  type AgentResult,
  type RunAgentOptions,
  runAgent,
} from './agent/run-agent.js';
export {
  type ScriptedModelOptions,
  type ScriptedTurn,
  scriptedModel,
} from './agent/scripted-model.js';
export type {
  ApprovalDecision,
  ApprovalMode,
  ApprovalPolicy,
  ApprovalRequest,
  ApprovalResponse,
  Approver,
} from './approval/approval.js';
export { approvalModes } from './approval/approval.js';
export { effectiveApproval } from './approval/effective-approval.js';
export { describeValue, InvalidOptionError, SalvoError } from './errors.js';
export * from './formats/anthropic.js';
export * from './formats/openai.js';
export * from './mcp/index.js';
export { ConflictTracker } from './schedule/conflict-tracker.js';
export type { EventListener, SchedulerEvent, SchedulerEventType } from './schedule/events.js';
export {
  GraphError,
  type GraphNode,
  type GraphNodeContext,
  type GraphNodeResult,
  type GraphResults,
  type RunGraphOptions,
  runGraph,
} from './schedule/run-graph.js';
export { type RunOptions, Scheduler, type SchedulerOptions } from './schedule/scheduler.js';
export {
  StepBatcher,
  type StepBatcherOptions,
  type StepCallOptions,
} from './schedule/step-batcher.js';
export {
  Turn,
  TurnClosedError,
  type TurnEndOptions,
  type TurnOptions,
  type TurnOutcome,
} from './schedule/turn.js';
export type { AddOptions } from './schedule/turn-options.js';
export {
  type AgentDefinition,
  type DefinitionProblem,
  parseAgentDefinition,
} from './subagent/agent-definition.js';
export { loadAgentDefinitions } from './subagent/load-agent-definitions.js';
export {
  localDispatcher,
  type SubagentDispatch,
  type SubagentDispatcher,
  type SubagentProgress,
  type SubagentTask,
} from './subagent/subagent-dispatcher.js';
export {
  type AgentRecord,
  type AgentStatus,
  type SubagentDefinition,
  SubagentManager,
  type SubagentManagerOptions,
} from './subagent/subagent-manager.js';
export { agentTool, taskTool } from './subagent/subagent-tools.js';
export type { CallResult, CallStatus, ToolCall } from './tool/call.js';
export {
  type Claim,
  type ClaimMode,
  claimPath,
  claimsConflict,
  keysOverlap,
} from './tool/claims.js';
export {
  type ContentBlock,
  contentToText,
  type ImageBlock,
  type JsonBlock,
  type JsonValue,
  type TextBlock,
  type ToolOutput,
  toContent,
} from './tool/content.js';
export {
  defineTool,
  isTool,
  type ProgressInfo,
  type Tool,
  type ToolContext,
  type ToolDefinition,
  type ToolInputSchema,
} from './tool/define-tool.js';
export type { InputSchema, JsonSchema } from './tool/input-schema.js';
export { ToolFailure } from './tool/tool-failure.js';
export * from './tools/index.js';
export type {
  CallTrace,
  ModelRequestTrace,
  TurnSummary,
  TurnTrace,
} from './trace/call-trace.js';
export { type ChromeTrace, type ChromeTraceEvent, toChromeTrace } from './trace/chrome-trace.js';
export { describeRun } from './trace/describe-run.js';
export { type HtmlReportOptions, renderHtmlReport } from './trace/html-report.js';
export {
  parseTrace,
  parseTraceFile,
  readTrace,
  readTraceFile,
  type TraceFile,
  TraceFileError,
} from './trace/read-trace.js';
export { type RenderTimelineOptions, renderTimeline } from './trace/render-timeline.js';
export {
  duration,
  type LostTime,
  type LostToBlocker,
  type LostToLimit,
  type ModelTotals,
  type RunSource,
  type RunSummary,
  type SummarizeRunOptions,
  summarizeRun,
  type WallSplit,
} from './trace/summarize-run.js';
export { summarizeTurn } from './trace/summarize-turn.js';
export { writeTrace } from './trace/write-trace.js';
