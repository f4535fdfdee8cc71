import type { CallResult } from '../tool/call.js';
import type { CallRecord } from './call-record.js';

/**
 * Identical read-only calls of a turn that may share one run. A call is the leader of its
 * tool-and-input key until a write is admitted anywhere (the scheduler's write epoch moves on).
 */
export class SharedReads {
  #leaders = new Map<string, { record: CallRecord; epoch: number }>();

  /**
   * The leader `record` may follow, or `undefined` after making `record` the leader of its key.
   * Inputs JSON cannot hold are never shared.
   */
  leaderFor(record: CallRecord, toolName: string, epoch: number): CallRecord | undefined {
    let key: string;
    try {
      key = `${toolName}\u0000${stableJson(record.input)}`;
    } catch {
      return undefined;
    }
    const earlier = this.#leaders.get(key);
    if (earlier && earlier.epoch === epoch) return earlier.record;
    this.#leaders.set(key, { record, epoch });
    return undefined;
  }
}

/** The result of the call that ran, under the id and name of the call that shared it. */
export function sharedResult(record: CallRecord, result: CallResult): CallResult {
  return { ...result, id: record.id, name: record.name };
}

/** JSON with object keys sorted, so equal inputs give equal keys. Throws on what JSON cannot hold. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') {
      throw new TypeError('not JSON');
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
