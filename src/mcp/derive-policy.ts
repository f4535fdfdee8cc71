import type { ApprovalPolicy } from '../approval/approval.js';
import type { Claim } from '../tool/claims.js';
import type { McpToolOverride, McpTrust } from './config.js';

/** The hints of MCP's `ToolAnnotations` that salvo reads. */
export interface McpToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
}

export interface DerivedPolicy {
  claims: readonly Claim[];
  approval: ApprovalPolicy;
  /** Why: `trust 'none'`, `readOnlyHint`, `override`... for `listTools`. */
  reason: string;
}

/** The claim key of a server: `mcp:<server>`, with `/` (a key separator) replaced. */
export function serverKey(server: string): string {
  return `mcp:${server.replaceAll('/', '_')}`;
}

/**
 * Claims and approval of one MCP tool from its annotations, the server's trust and the config's
 * override. Annotations only count under `trust: 'annotations'`; `destructiveHint: true` asks.
 */
export function derivePolicy(options: {
  server: string;
  trust: McpTrust;
  annotations?: McpToolHints | undefined;
  override?: McpToolOverride | undefined;
}): DerivedPolicy {
  const { server, trust, annotations, override } = options;
  const key = serverKey(server);
  let claims: readonly Claim[];
  let reason: string;
  if (override?.claims !== undefined) {
    claims = override.claims;
    reason = 'override';
  } else if (trust === 'parallel') {
    claims = [];
    reason = "trust 'parallel'";
  } else if (trust === 'annotations' && annotations?.readOnlyHint === true) {
    claims = [{ key, mode: 'read' }];
    reason = 'readOnlyHint';
  } else {
    claims = [{ key, mode: 'write' }];
    reason = trust === 'annotations' ? 'not readOnlyHint' : "trust 'none'";
  }
  const approval: ApprovalPolicy =
    override?.approval ?? (annotations?.destructiveHint === true ? 'ask' : 'auto');
  return { claims, approval, reason };
}
