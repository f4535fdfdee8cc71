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
 * override. Claims follow annotations only under `trust: 'annotations'`. Approval follows MCP's
 * defaults (`readOnlyHint: false`, `destructiveHint: true`): a tool runs without asking when it
 * says it only reads (`readOnlyHint: true`) or only adds (`destructiveHint: false`), or when the
 * server is trusted fully (`trust: 'parallel'`) and the tool does not say it destroys; any
 * other tool, one without annotations included, asks.
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
  const harmless =
    annotations?.readOnlyHint === true ||
    annotations?.destructiveHint === false ||
    (trust === 'parallel' && annotations?.destructiveHint !== true);
  const approval: ApprovalPolicy = override?.approval ?? (harmless ? 'auto' : 'ask');
  return { claims, approval, reason };
}
