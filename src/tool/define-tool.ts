import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ApprovalPolicy } from '../approval/approval.js';
import { InvalidOptionError } from '../errors.js';
import { assertTimeoutMs } from '../validate-options.js';
import { type Claim, checkClaims } from './claims.js';
import { createInputSchema, type InputSchema, type JsonSchema } from './input-schema.js';

/** What a running call can see and do. */
export interface ToolContext {
  /** Aborted on timeout, cancellation of the call or of its turn. */
  signal: AbortSignal;
  callId: string;
  /** The turn the call belongs to (its scheduler's turn id). */
  turnId: number;
  toolName: string;
  /** The agent that made the call: empty for the root agent, `['reviewer#2']` for a subagent. */
  path: readonly string[];
  /** Reports progress; delivered as a `progress` event without blocking the call. */
  progress(info: ProgressInfo): void;
  /**
   * Waits for `work` the call started on this scheduler (a subagent's turns, a nested run),
   * with this call suspended meanwhile: its concurrency slots (and its agent's slot) go back,
   * and calls before it in the order stop waiting for it, so its own work can never wait for it
   * and nesting never deadlocks. The slots come back, first-come in call order, before this
   * returns. Claims stay registered: calls after it in the order still wait for it.
   */
  waitFor<T>(work: PromiseLike<T>): Promise<T>;
  /**
   * This call as the `parent` of the turns it opens for its own work
   * (`scheduler.turn({ parent: ctx.asParent })`, `runAgent({ parent: ctx.asParent })`): their
   * calls are its descendants, never wait for it, and take its place in the order.
   */
  readonly asParent: TurnParent;
  /**
   * The signal of the call's turn (the agent run's): for work the call starts that may outlive
   * the call but not the run (a detached subagent). `undefined` when the turn has none.
   */
  readonly turnSignal: AbortSignal | undefined;
}

/**
 * The call whose work a turn is part of: a subagent's turns under the `task` call that runs it.
 * Calls of the turn are its descendants (see `ToolContext.asParent`).
 */
export interface TurnParent {
  turnId: number;
  callId: string;
  /**
   * The parent's place in the order of nested work, as `ctx.asParent` gives it. Without it, the
   * scheduler finds the parent among its running calls; a parent that has finished (a detached
   * agent's start call) is only found through it.
   */
  lineage?: readonly number[];
}

export interface ProgressInfo {
  progress?: number;
  total?: number;
  message?: string;
}

/** A Standard Schema (zod, valibot, arktype...) or a JSON Schema object. */
export type ToolInputSchema<I> = StandardSchemaV1<unknown, I> | JsonSchema;

// biome-ignore lint/suspicious/noExplicitAny: a tool list mixes input types; each tool checks its own.
export interface ToolDefinition<I = any> {
  /** Letters, digits, `_` and `-`, at most 64 characters: what every provider accepts. */
  name: string;
  description: string;
  /** Validates the input before approval; the JSON Schema sent to the model is derived from it. */
  input: ToolInputSchema<I>;
  /**
   * The JSON Schema sent to the model, when it cannot be derived (valibot without its converter).
   * Typed as `object` so converters' own schema types are accepted as they are.
   */
  inputJsonSchema?: object;
  /**
   * The resources a call touches. Omitted: the call is exclusive (conflicts with every call).
   * `[]`: the call is pure (conflicts only with exclusive calls). A function may return
   * `undefined` to make that one call exclusive (a shell command it cannot prove read-only).
   */
  claims?: readonly Claim[] | ((input: I) => readonly Claim[] | undefined);
  /** @default 'auto' */
  approval?: ApprovalPolicy | ((input: I) => ApprovalPolicy);
  /** Time a call may run before its signal is aborted and it resolves as `timeout`. */
  timeoutMs?: number;
  /** Concurrency groups the call counts against (limits are set on the Scheduler). */
  group?: string | readonly string[];
  /**
   * Runs the call. Return a string, a JSON value or content blocks (see `ToolOutput`); anything
   * else is serialized. A thrown error or rejection becomes an error result, or a `timeout`
   * result when the error's name is `TimeoutError` (the tool's own deadline expired). A thrown
   * `ToolFailure` gives an error result whose content is its output, in full.
   */
  execute(input: I, ctx: ToolContext): unknown;
}

/** A tool ready for a Scheduler: its definition plus the derived input schema. */
// biome-ignore lint/suspicious/noExplicitAny: as for ToolDefinition.
export interface Tool<I = any> extends ToolDefinition<I> {
  readonly inputSchema: InputSchema<I>;
  /** The concurrency groups, always as a list. */
  readonly groups: readonly string[];
}

const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

const toolMarker = Symbol.for('salvo.tool');

/** True for anything `defineTool` returned (a plain definition, or an MCP tool, is not). */
export function isTool(value: unknown): value is Tool {
  return typeof value === 'object' && value !== null && toolMarker in value;
}

/**
 * Defines a tool. Every option is checked now, so a mistake surfaces when the tool is written,
 * not when the model first calls it.
 */
export function defineTool<I>(definition: ToolDefinition<I>): Tool<I> {
  if (typeof definition !== 'object' || definition === null) {
    throw new InvalidOptionError(
      'definition',
      'an object with name, description, input and execute',
      definition,
    );
  }
  const { name, description, execute, claims, approval, timeoutMs, group } = definition;
  if (typeof name !== 'string' || !toolNamePattern.test(name)) {
    throw new InvalidOptionError('name', 'letters, digits, `_` or `-` (1 to 64 of them)', name);
  }
  if (typeof description !== 'string') {
    throw new InvalidOptionError(`${name}.description`, 'a string', description);
  }
  if (typeof execute !== 'function') {
    throw new InvalidOptionError(`${name}.execute`, 'a function', execute);
  }
  let staticClaims: readonly Claim[] | undefined;
  if (claims !== undefined && typeof claims !== 'function') {
    const checked = checkClaims(claims);
    if (!checked.ok) {
      throw new InvalidOptionError(
        `${name}.claims`,
        `a function or a list of claims (${checked.message})`,
        claims,
      );
    }
    staticClaims = Object.freeze(checked.claims);
  }
  if (
    approval !== undefined &&
    typeof approval !== 'function' &&
    approval !== 'auto' &&
    approval !== 'ask' &&
    approval !== 'deny'
  ) {
    throw new InvalidOptionError(
      `${name}.approval`,
      "'auto', 'ask', 'deny' or a function",
      approval,
    );
  }
  if (timeoutMs !== undefined) assertTimeoutMs(`${name}.timeoutMs`, timeoutMs);
  const groups = checkGroups(name, group);
  const inputSchema = createInputSchema<I>(definition.input, {
    jsonSchema: definition.inputJsonSchema as JsonSchema | undefined,
    toolName: name,
  });
  const tool: Tool<I> = { ...definition, inputSchema, groups };
  if (staticClaims) tool.claims = staticClaims;
  Object.defineProperty(tool, toolMarker, { value: true });
  return tool;
}

/** The tool's groups as a list without repeats (a group named twice would take two slots). */
function checkGroups(name: string, group: unknown): string[] {
  const listed = group === undefined ? [] : typeof group === 'string' ? [group] : group;
  if (!Array.isArray(listed)) {
    throw new InvalidOptionError(`${name}.group`, 'a non-empty string or a list of them', group);
  }
  for (const g of listed) {
    if (typeof g !== 'string' || g.length === 0) {
      throw new InvalidOptionError(`${name}.group`, 'a non-empty string or a list of them', group);
    }
    if (g === 'global') {
      throw new InvalidOptionError(
        `${name}.group`,
        "a name other than 'global' (that limit is `maxConcurrency`)",
        g,
      );
    }
  }
  return [...new Set(listed as string[])];
}
