import { type Tracer, trace } from '@opentelemetry/api';
import {
  type ApprovalMode,
  type ApprovalPolicy,
  type Approver,
  approvalModes,
} from '../approval/approval.js';
import { InvalidOptionError } from '../errors.js';
import type { ToolCall } from '../tool/call.js';
import { defineTool, isTool, type Tool, type ToolDefinition } from '../tool/define-tool.js';
import { defaultMaxInputBytes, parseToolInput } from '../tool/parse-tool-input.js';
import type { TurnTrace } from '../trace/call-trace.js';
import { assertCount, assertTimeoutMs } from '../validate-options.js';
import { AbortFanout } from './abort-fanout.js';
import { admitCall } from './admission.js';
import { callHooks } from './call-hooks.js';
import type { CallRecord } from './call-record.js';
import { ConflictTracker, type HolderView } from './conflict-tracker.js';
import { EventChannel, type EventListener } from './events.js';
import { Limiter } from './limiter.js';
import type { SchedulerCore } from './scheduler-core.js';
import { TaskGraph } from './task-graph.js';
import { Turn, type TurnOutcome } from './turn.js';
import type { TurnOptions } from './turn-options.js';

export interface SchedulerOptions {
  /** The tools calls may name: defined with `defineTool`, or plain definitions. */
  tools: readonly (Tool | ToolDefinition)[] | Record<string, Tool | ToolDefinition>;
  /** Calls running at once, across every turn of this scheduler. @default Infinity */
  maxConcurrency?: number;
  /** Capacities of named concurrency groups (a tool's `group`). Groups not named are unlimited. @default {} */
  limits?: Record<string, number>;
  /** How tools' approval policies are adjusted. @default 'ask' */
  approvalMode?: ApprovalMode;
  /** Asked about every call that needs approval, the moment it is admitted. Without one, such calls are denied. */
  approver?: Approver;
  /** Timeout of tools that set none, from the moment they start. @default 300_000 */
  defaultTimeoutMs?: number;
  /** Largest argument accepted from the model, in UTF-8 bytes. @default 1_048_576 */
  maxInputBytes?: number;
  /**
   * Run identical calls of one turn that only read (same tool, same input, read claims only, no
   * approval needed) once, and give each the same result, unless a write was admitted in between.
   * @default false
   */
  dedupeReads?: boolean;
  /**
   * Where each call's `execute_tool` span goes. By default the global OpenTelemetry tracer:
   * a no-op until the host registers an SDK. `false` makes no spans at all.
   * @default trace.getTracer('salvo')
   */
  tracer?: Tracer | false;
  /** Receives every event, without ever holding up the scheduler. */
  onEvent?: EventListener;
  /**
   * Called with every turn's trace when the turn ends (subagents' turns included), after its
   * events were delivered. Errors it throws are dropped.
   */
  onTurnEnd?: (trace: TurnTrace) => void;
  /** The clock, in milliseconds. @default performance.now */
  now?: () => number;
}

export interface RunOptions extends TurnOptions {}

/**
 * Runs tool calls in parallel, safely: every call starts as soon as the earlier calls it
 * conflicts with have settled, it is approved, and its limits have a free slot. Claims and slots
 * belong to the scheduler, so a call that outlives its turn still holds them.
 */
export class Scheduler {
  readonly #core: SchedulerCore;
  #tools: Map<string, Tool>;
  readonly #limitsOf = new Map<Tool, readonly string[]>();
  #seq = 0;
  #turnIds = 0;

  constructor(options: SchedulerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('options', 'an object', options);
    }
    const {
      maxConcurrency = Infinity,
      limits = {},
      approvalMode = 'ask',
      approver,
      defaultTimeoutMs = 300_000,
      maxInputBytes = defaultMaxInputBytes,
      dedupeReads = false,
      tracer = trace.getTracer('salvo'),
      onEvent,
      onTurnEnd,
      now = () => performance.now(),
    } = options;
    assertCount('maxConcurrency', maxConcurrency);
    if (typeof limits !== 'object' || limits === null) {
      throw new InvalidOptionError('limits', 'an object of group names to counts', limits);
    }
    for (const [name, capacity] of Object.entries(limits)) {
      if (name === 'global') {
        throw new InvalidOptionError('limits.global', 'absent (use `maxConcurrency`)', capacity);
      }
      assertCount(`limits.${name}`, capacity);
    }
    if (!approvalModes.includes(approvalMode)) {
      throw new InvalidOptionError(
        'approvalMode',
        `one of ${approvalModes.map((m) => `'${m}'`).join(', ')}`,
        approvalMode,
      );
    }
    if (approver !== undefined && typeof approver !== 'function') {
      throw new InvalidOptionError('approver', 'a function', approver);
    }
    assertTimeoutMs('defaultTimeoutMs', defaultTimeoutMs);
    assertCount('maxInputBytes', maxInputBytes);
    if (onEvent !== undefined && typeof onEvent !== 'function') {
      throw new InvalidOptionError('onEvent', 'a function', onEvent);
    }
    if (onTurnEnd !== undefined && typeof onTurnEnd !== 'function') {
      throw new InvalidOptionError('onTurnEnd', 'a function', onTurnEnd);
    }
    if (typeof now !== 'function') throw new InvalidOptionError('now', 'a function', now);
    if (
      tracer !== false &&
      (typeof tracer !== 'object' || tracer === null || typeof tracer.startSpan !== 'function')
    ) {
      throw new InvalidOptionError('tracer', 'an OpenTelemetry Tracer, or false', tracer);
    }
    if (typeof dedupeReads !== 'boolean') {
      throw new InvalidOptionError('dedupeReads', 'a boolean', dedupeReads);
    }

    this.#tools = toolMap(options.tools);
    const capacities = { ...limits, global: maxConcurrency };
    const events = new EventChannel();
    if (onEvent) events.subscribe(onEvent);
    const limitsOf = this.#limitsOf;
    for (const tool of this.#tools.values()) limitsOf.set(tool, ['global', ...tool.groups]);
    this.#core = {
      aborts: new AbortFanout(),
      tools: this.#tools,
      graph: new TaskGraph(new Limiter(capacities), callHooks),
      limitsOf: (tool) => limitsOf.get(tool) ?? ['global', ...tool.groups],
      tracker: new ConflictTracker<CallRecord>(holderView),
      turns: new Map(),
      allowedTools: new WeakMap(),
      events,
      limits: capacities,
      approvalMode,
      approver,
      defaultTimeoutMs,
      maxInputBytes,
      dedupeReads,
      tracer: tracer === false ? undefined : tracer,
      writeEpoch: 0,
      now,
      onTurnEnd,
      nextSeq: () => this.#seq++,
      nextTurnId: () => ++this.#turnIds,
    };
  }

  /** The scheduler's clock (the `now` option), in ms: model requests are timed on it too. */
  now(): number {
    return this.#core.now();
  }

  /** Where spans go (the `tracer` option); `undefined` when tracing is off. */
  get tracer(): Tracer | undefined {
    return this.#core.tracer;
  }

  /** The tools, by name. */
  get tools(): ReadonlyMap<string, Tool> {
    return this.#tools;
  }

  /**
   * Replaces the tools (an MCP server's tools/list_changed) for turns opened from now on. Turns
   * already open keep the tools they started with, and calls already made run to their end.
   * Throws, leaving the tools as they were, on a bad list.
   */
  setTools(tools: SchedulerOptions['tools']): void {
    const next = toolMap(tools);
    for (const tool of next.values()) {
      if (!this.#limitsOf.has(tool)) this.#limitsOf.set(tool, ['global', ...tool.groups]);
    }
    this.#tools = next;
    this.#core.tools = next;
  }

  /**
   * What approval a call would need, after the approval mode: `'auto'`, `'ask'` or `'deny'`.
   * For a framework's own approval flow (its `needsApproval`). A call this cannot judge now (an
   * unknown tool, input that does not parse or validates only asynchronously) gives `'auto'`:
   * it is checked again, approver included, when it runs.
   */
  approvalPolicy(call: { name: string; input: unknown }): ApprovalPolicy {
    const tool = this.#tools.get(call.name);
    if (!tool) return 'auto';
    const parsed = parseToolInput(call.input, {
      toolName: tool.name,
      maxInputBytes: this.#core.maxInputBytes,
    });
    if (!parsed.ok) return 'auto';
    let validation: ReturnType<typeof tool.inputSchema.validate>;
    try {
      validation = tool.inputSchema.validate(parsed.value);
    } catch {
      return 'auto';
    }
    if (validation instanceof Promise) {
      validation.catch(() => {}); // judged at run time instead
      return 'auto';
    }
    if (!validation.ok) return 'auto';
    const admission = admitCall(tool, validation.value, this.#core.approvalMode, true);
    if (!admission.run) return admission.status === 'denied' ? 'deny' : 'auto';
    return admission.needsApproval ? 'ask' : 'auto';
  }

  /** Opens a turn for calls that arrive while the model streams. */
  turn(options: TurnOptions = {}): Turn {
    return new Turn(this.#core, options);
  }

  /**
   * Runs one turn's calls. Resolves with exactly one result per call, in call order; anything
   * wrong with a call becomes its result, never a rejection.
   */
  async run(calls: readonly ToolCall[], options: RunOptions = {}): Promise<TurnOutcome> {
    if (!Array.isArray(calls))
      throw new InvalidOptionError('calls', 'an array of tool calls', calls);
    const turn = this.turn(options);
    for (const call of calls) turn.add(call);
    turn.end();
    return turn.done;
  }

  /** Subscribes to every event of every turn. Returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    if (typeof listener !== 'function')
      throw new InvalidOptionError('listener', 'a function', listener);
    return this.#core.events.subscribe(listener);
  }
}

/** How the conflict tracker sees calls: their place in the order, and whether they run. */
const holderView: HolderView<CallRecord> = {
  lineage: (record) => record.lineage,
  state: (record) => {
    if (!record.running && !record.task?.granted) return 'waiting';
    return record.suspended ? 'suspended' : 'running';
  },
};

function toolMap(tools: SchedulerOptions['tools']): Map<string, Tool> {
  if (typeof tools !== 'object' || tools === null) {
    throw new InvalidOptionError('tools', 'an array or a record of tools', tools);
  }
  const map = new Map<string, Tool>();
  const entries: [string | number, unknown][] = Array.isArray(tools)
    ? [...tools.entries()]
    : Object.entries(tools);
  for (const [at, entry] of entries) {
    if (typeof entry !== 'object' || entry === null) {
      throw new InvalidOptionError(
        `tools[${JSON.stringify(at)}]`,
        'a tool from defineTool or a tool definition',
        entry,
      );
    }
    const tool = isTool(entry) ? entry : defineTool(entry as ToolDefinition);
    if (map.has(tool.name)) {
      throw new InvalidOptionError(
        'tools',
        'tools with distinct names, but one name came twice',
        tool.name,
      );
    }
    map.set(tool.name, tool);
  }
  return map;
}
