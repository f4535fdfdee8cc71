export type {
  McpConfig,
  McpOAuthConfig,
  McpRemoteServerConfig,
  McpServerConfig,
  McpStdioServerConfig,
  McpToolOverride,
  McpTrust,
} from './config.js';
export type { InFlightCall as McpInFlightCall } from './connection.js';
export { type DerivedPolicy, derivePolicy, serverKey } from './derive-policy.js';
export {
  McpHub,
  type McpHubOptions,
  type McpServerRequest,
  type McpServerStatus,
  type McpStartEvent,
  type McpTool,
} from './hub.js';
export { formatToolListing, listTools, type McpToolListing } from './list-tools.js';
export { McpToolError, mapCallToolResult } from './map-result.js';
export type { McpToolInfo } from './server.js';
