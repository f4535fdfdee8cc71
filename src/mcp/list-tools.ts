import type { ApprovalPolicy } from '../approval/approval.js';
import type { Claim } from '../tool/claims.js';
import { derivePolicy } from './derive-policy.js';
import type { McpHub } from './hub.js';
import { ToolNamer } from './tool-names.js';

export interface McpToolListing {
  server: string;
  /** The name on the server. */
  tool: string;
  /** The salvo tool name (`server__tool`). */
  name: string;
  description: string;
  claims: readonly Claim[];
  approval: ApprovalPolicy;
  /** Why these claims: `trust 'none'`, `readOnlyHint`, `override`... */
  reason: string;
  annotations: Record<string, unknown>;
  /** The JSON Schema of the tool's `structuredContent`, when the server declares one. */
  outputSchema?: Record<string, unknown>;
}

/** Each connected server's tools with the claims and approval salvo derived (`salvo mcp tools`). */
export function listTools(hub: McpHub): McpToolListing[] {
  const namer = new ToolNamer();
  const listing: McpToolListing[] = [];
  for (const server of hub.servers()) {
    const { name, trust, tools: overrides } = server.config;
    for (const info of server.tools) {
      const policy = derivePolicy({
        server: name,
        trust,
        annotations: info.annotations,
        override: overrides[info.name],
      });
      listing.push({
        server: name,
        tool: info.name,
        name: namer.name(name, info.name),
        description: info.description ?? '',
        claims: policy.claims,
        approval: policy.approval,
        reason: policy.reason,
        annotations: { ...(info.annotations ?? {}) },
        ...(info.outputSchema ? { outputSchema: info.outputSchema } : {}),
      });
    }
  }
  return listing;
}

/** The listing as an aligned text table. */
export function formatToolListing(listing: readonly McpToolListing[]): string {
  const rows = listing.map((t) => [
    t.name,
    t.claims.length === 0 ? 'pure' : t.claims.map((c) => `${c.mode} ${c.key}`).join(', '),
    t.approval,
    t.reason,
  ]);
  const header = ['tool', 'claims', 'approval', 'why'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
