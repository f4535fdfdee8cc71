import type { ApprovalMode } from '../../approval/approval.js';
import type { McpServerConfig } from '../../mcp/config.js';

/** The settings a config file may hold; every field is optional. */
export interface SalvoConfig {
  /** The model provider. */
  provider?: 'anthropic' | 'openai' | 'openai-responses';
  /** The model id; a non-empty string. */
  model?: string;
  /** The provider's API base URL; an absolute http(s) URL. */
  baseUrl?: string;
  /** How tool approvals are adjusted (`'ask'`, `'auto-edit'`, `'yolo'`, `'never-ask'`). */
  approval?: ApprovalMode;
  /** Tool calls running at once; a whole number from 1 and up. */
  maxConcurrency?: number;
  /** Subagents running at once; a whole number from 1 and up. */
  maxSubagents?: number;
  /** How deep subagents may nest; a whole number from 1 and up. */
  maxDepth?: number;
  /** Model steps per run; a whole number from 1 and up. */
  maxSteps?: number;
  /** Time a tool call may take, in milliseconds, from 1 to 2147483647. */
  toolTimeoutMs?: number;
  /** Extra text for the system prompt. */
  system?: string;
  /** MCP servers by name, in the format Claude Desktop, Claude Code and Cursor read. */
  mcpServers?: Record<string, McpServerConfig>;
  /** Let the model reason first: a budget in tokens (Anthropic), or `true` for the default. */
  thinking?: number | true;
  /** The most tokens the model writes per answer. */
  maxTokens?: number;
  /** Sampling temperature. */
  temperature?: number;
  /** `false` for endpoints that reject parallel tool calls (one call per answer). */
  parallelToolCalls?: boolean;
  /** Offer the model a `batch` tool (several calls in one). @default on when parallelToolCalls is false */
  batchTool?: boolean;
  /** Headers sent with every model request (a gateway's own). */
  headers?: Record<string, string>;
  /** Where shell commands run: `'workspace'` (bubblewrap) or `'off'`. */
  sandbox?: 'workspace' | 'off';
  /** Let sandboxed shell commands use the network. */
  sandboxNetwork?: boolean;
  /**
   * The model's context window in tokens, when salvo's table does not know the model (a local
   * server's own limit, say): older turns are summarized as a conversation nears it.
   */
  contextWindow?: number;
  /**
   * Hand subagents to `salvo worker`s through this Redis (`redis://host:6379`). Only from the
   * user's own config or a trusted project: it decides where prompts go.
   */
  redis?: string;
}

/** Every field of {@link SalvoConfig}, in the order they are documented. */
export const configFields: readonly (keyof SalvoConfig)[] = [
  'provider',
  'model',
  'baseUrl',
  'approval',
  'maxConcurrency',
  'maxSubagents',
  'maxDepth',
  'maxSteps',
  'toolTimeoutMs',
  'system',
  'thinking',
  'maxTokens',
  'temperature',
  'parallelToolCalls',
  'batchTool',
  'headers',
  'mcpServers',
  'sandbox',
  'sandboxNetwork',
  'contextWindow',
  'redis',
];
