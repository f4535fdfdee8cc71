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
  type McpAuthTarget,
  McpHub,
  type McpHubOptions,
  type McpServerRequest,
  type McpServerStatus,
  type McpStartEvent,
  type McpTool,
} from './hub.js';
export { formatToolListing, listTools, type McpToolListing } from './list-tools.js';
export { McpToolError, mapCallToolResult } from './map-result.js';
export { McpLoginRequiredError } from './oauth/login-required-error.js';
export { type LoopbackRedirect, startLoopbackRedirect } from './oauth/loopback-redirect.js';
export {
  type InteractiveOAuthClientProvider,
  type OAuthLoginInteraction,
  StoredOAuthProvider,
  type StoredOAuthProviderOptions,
} from './oauth/stored-oauth-provider.js';
export { McpTokenStore, type StoredServerAuth } from './oauth/token-store.js';
export type { McpToolInfo } from './server.js';
