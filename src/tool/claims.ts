import { describeValue } from '../errors.js';

export type ClaimMode = 'read' | 'write';

/**
 * A claim on a resource. Keys are hierarchical: a scheme, then `/`-separated segments
 * (`fs:/repo/src/a.ts`, `mcp:github`, `agent:42`). A key overlaps its ancestors and descendants.
 */
export interface Claim {
  key: string;
  mode: ClaimMode;
}

/**
 * Splits a claim key into the path used for overlap: the scheme (with its colon) first, then the
 * segments. Empty and `.` segments vanish and `..` climbs, so `fs:/a/./b/../c` equals `fs:/a/c`.
 */
export function claimPath(key: string): string[] {
  const colon = key.indexOf(':');
  const scheme = colon >= 0 ? key.slice(0, colon + 1) : '';
  const segments: string[] = [];
  for (const segment of key.slice(colon + 1).split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return [scheme, ...segments];
}

/** True when one key is the other, or an ancestor of it: `fs:/a` overlaps `fs:/a/b`, not `fs:/ab`. */
export function keysOverlap(a: string, b: string): boolean {
  const pa = claimPath(a);
  const pb = claimPath(b);
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) if (pa[i] !== pb[i]) return false;
  return true;
}

/** True when two claims conflict: their keys overlap and at least one of them writes. */
export function claimsConflict(a: Claim, b: Claim): boolean {
  return (a.mode === 'write' || b.mode === 'write') && keysOverlap(a.key, b.key);
}

/**
 * Checks what a tool's `claims` produced. Returns the claims, or a message naming what is wrong.
 */
export function checkClaims(
  value: unknown,
): { ok: true; claims: Claim[] } | { ok: false; message: string } {
  if (!Array.isArray(value)) {
    return {
      ok: false,
      message: `claims must be an array of { key, mode }, got ${describeValue(value)}`,
    };
  }
  // Each field is read once into a frozen copy: a getter cannot answer 'read' to this check and
  // something else to the scheduler.
  const claims: Claim[] = [];
  try {
    for (let index = 0; index < value.length; index++) {
      const claim: unknown = value[index];
      if (typeof claim !== 'object' || claim === null) {
        return { ok: false, message: `claims[${index}] must be an object { key, mode }` };
      }
      const { key, mode } = claim as { key?: unknown; mode?: unknown };
      if (typeof key !== 'string' || key.length === 0) {
        return { ok: false, message: `claims[${index}] needs a non-empty string \`key\`` };
      }
      if (mode !== 'read' && mode !== 'write') {
        return {
          ok: false,
          message: `claims[${index}].mode must be 'read' or 'write', got ${describeValue(mode)}`,
        };
      }
      claims.push(Object.freeze({ key, mode }));
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'a property could not be read';
    return { ok: false, message: `claims could not be read: ${reason}` };
  }
  return { ok: true, claims };
}
