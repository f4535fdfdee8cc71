import { describe, expect, it } from 'vitest';
import { derivePolicy } from './derive-policy.js';

const read = { key: 'mcp:gh', mode: 'read' };
const write = { key: 'mcp:gh', mode: 'write' };

describe('derivePolicy', () => {
  it("trust 'none' writes the server whatever the annotations say", () => {
    expect(
      derivePolicy({ server: 'gh', trust: 'none', annotations: { readOnlyHint: true } }).claims,
    ).toEqual([write]);
  });

  it("trust 'annotations' reads for readOnlyHint, writes otherwise", () => {
    expect(
      derivePolicy({ server: 'gh', trust: 'annotations', annotations: { readOnlyHint: true } })
        .claims,
    ).toEqual([read]);
    expect(derivePolicy({ server: 'gh', trust: 'annotations', annotations: {} }).claims).toEqual([
      write,
    ]);
    expect(derivePolicy({ server: 'gh', trust: 'annotations' }).claims).toEqual([write]);
  });

  it("trust 'parallel' is pure", () => {
    expect(derivePolicy({ server: 'gh', trust: 'parallel' }).claims).toEqual([]);
  });

  it('destructiveHint asks, overrides win', () => {
    expect(
      derivePolicy({ server: 'gh', trust: 'none', annotations: { destructiveHint: true } })
        .approval,
    ).toBe('ask');
    // MCP's defaults: readOnlyHint false, destructiveHint true. A tool that says nothing asks.
    expect(derivePolicy({ server: 'gh', trust: 'none' }).approval).toBe('ask');
    expect(derivePolicy({ server: 'gh', trust: 'annotations', annotations: {} }).approval).toBe(
      'ask',
    );
    expect(
      derivePolicy({ server: 'gh', trust: 'annotations', annotations: { readOnlyHint: true } })
        .approval,
    ).toBe('auto');
    expect(
      derivePolicy({ server: 'gh', trust: 'annotations', annotations: { destructiveHint: false } })
        .approval,
    ).toBe('auto');
    // Under the default trust, a server's hints do not lower approval: a lying server asks too.
    expect(
      derivePolicy({ server: 'gh', trust: 'none', annotations: { readOnlyHint: true } }).approval,
    ).toBe('ask');
    // A server the user trusts fully runs without asking, unless a tool says it destroys.
    expect(derivePolicy({ server: 'gh', trust: 'parallel' }).approval).toBe('auto');
    const policy = derivePolicy({
      server: 'gh',
      trust: 'none',
      annotations: { destructiveHint: true },
      override: { claims: [{ key: 'fs:/x', mode: 'read' }], approval: 'auto' },
    });
    expect(policy).toEqual({
      claims: [{ key: 'fs:/x', mode: 'read' }],
      approval: 'auto',
      reason: 'override',
    });
  });

  it('keeps a server name with / from becoming a hierarchy', () => {
    expect(derivePolicy({ server: 'a/b', trust: 'none' }).claims).toEqual([
      { key: 'mcp:a_b', mode: 'write' },
    ]);
  });
});
