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
 * override. Annotations are the server's own word: they count only under `trust:
 * 'annotations'` or `'parallel'`, never under the default `'none'`, where every tool asks unless
 * an override says otherwise. Where they count, approval follows MCP's defaults
 * (`readOnlyHint: false`, `destructiveHint: true`): a tool runs without asking when it says it
 * only reads (`readOnlyHint: true`) or only adds (`destructiveHint: false`), or, on a server
 * trusted fully (`'parallel'`), unless it says it destroys; a tool without annotations asks.
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
  // Hints are the server's word: they count only where the user said to believe it.
  const believed = trust === 'none' ? undefined : annotations;
  const harmless =
    believed?.readOnlyHint === true ||
    believed?.destructiveHint === false ||
    (trust === 'parallel' && believed?.destructiveHint !== true);
  const approval: ApprovalPolicy = override?.approval ?? (harmless ? 'auto' : 'ask');
  return { claims, approval, reason };
}
