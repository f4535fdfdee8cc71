import { InvalidOptionError } from '../errors.js';
import type { Scheduler } from '../schedule/scheduler.js';
import type { CallResult } from '../tool/call.js';
import { contentToText } from '../tool/content.js';
import type { Tool } from '../tool/define-tool.js';
import type { TurnTrace } from '../trace/call-trace.js';
import { assertCount } from '../validate-options.js';

// What the framework adapters share: options, the tools they expose, the traces they keep.

export interface AdapterOptions {
  /**
   * Who approves the calls that need approval. `'scheduler'`: the scheduler's approver, asked
   * the moment a call arrives, without holding back the others. `'framework'`: the framework's
   * own pause-and-resume flow (its `needsApproval`), set from salvo's policies; a call approved
   * there still waits for conflicting calls and free slots. @default 'scheduler'
   */
  approvals?: 'scheduler' | 'framework';
  /** Only these of the scheduler's tools. @default every tool */
  tools?: readonly string[];
  /** Who is asking, for approval requests and traces. @default [] */
  path?: readonly string[];
  /** Called with each turn's trace (one turn per model step). */
  onTurnEnd?: (trace: TurnTrace) => void;
  /** Traces kept for `tracesOf`, newest last. @default 100 */
  maxTraces?: number;
}

/** The turns' traces an adapter keeps, newest last, by what it returned. */
const logs = new WeakMap<object, TurnTrace[]>();

/**
 * The traces of the turns an adapter ran (one per model step), newest last: for
 * `summarizeRun`, `renderTimeline` and `writeTrace`. Empty for anything else.
 */
export function tracesOf(adapted: object): readonly TurnTrace[] {
  return logs.get(adapted) ?? [];
}

/** Checks the shared options; returns the tools to expose and where traces go. */
export function prepareAdapter(scheduler: Scheduler, options: AdapterOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  if (typeof (scheduler as Partial<Scheduler> | null)?.turn !== 'function') {
    throw new InvalidOptionError('scheduler', 'a salvo Scheduler', scheduler);
  }
  const { approvals = 'scheduler', tools: names, path = [], onTurnEnd, maxTraces = 100 } = options;
  if (approvals !== 'scheduler' && approvals !== 'framework') {
    throw new InvalidOptionError('approvals', "'scheduler' or 'framework'", approvals);
  }
  if (onTurnEnd !== undefined && typeof onTurnEnd !== 'function') {
    throw new InvalidOptionError('onTurnEnd', 'a function', onTurnEnd);
  }
  assertCount('maxTraces', maxTraces, { min: 0 });
  let tools = [...scheduler.tools.values()];
  if (names !== undefined) {
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
      throw new InvalidOptionError('tools', 'an array of tool names', names);
    }
    const unknown = names.filter((n) => !scheduler.tools.has(n));
    if (unknown.length > 0) {
      throw new InvalidOptionError('tools', `names of the scheduler's tools`, unknown.join(', '));
    }
    tools = tools.filter((t) => names.includes(t.name));
  }
  const traces: TurnTrace[] = [];
  const record = (trace: TurnTrace) => {
    if (maxTraces > 0) {
      traces.push(trace);
      if (traces.length > maxTraces) traces.splice(0, traces.length - maxTraces);
    }
    try {
      onTurnEnd?.(trace);
    } catch {
      // A host's hook cannot break the run.
    }
  };
  const turnOptions = { path, ...(names === undefined ? {} : { tools: names }) };
  return {
    tools,
    framework: approvals === 'framework',
    turnOptions,
    record,
    /** Makes `tracesOf(adapted)` find these traces. */
    expose: <T extends object>(adapted: T): T => {
      logs.set(adapted, traces);
      return adapted;
    },
  };
}

/** What the model reads of a result: the tool's text, or why it did not run ("Denied: ..."). */
export function resultText(result: CallResult): string {
  return contentToText(result.content);
}

/** The tool's JSON Schema as frameworks take it (an object schema). */
export function parametersOf(tool: Tool): Record<string, unknown> {
  return tool.inputSchema.jsonSchema as Record<string, unknown>;
}

/** A call id the framework gave, or one made up when it gave none (never shared). */
export function callIdOf(value: unknown, fallback: () => string): string {
  return typeof value === 'string' && value !== '' ? value : fallback();
}
