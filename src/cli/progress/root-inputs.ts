const maxPending = 256;

/**
 * Matches the root agent's `tool-call` events (which carry the input) with the scheduler's
 * calls (which do not), whichever comes first. Only root calls are matched, by id and tool
 * name: the agent loop announces each call just before adding it to its turn.
 */
export class RootInputs<Call> {
  /** Inputs announced before the scheduler's first event for the call; the oldest go first. */
  readonly #pending = new Map<string, { toolName: string; input: unknown }>();
  /** Calls seen before their announcement. */
  readonly #waiting = new Map<string, { toolName: string; call: Call }>();

  get size(): number {
    return this.#pending.size + this.#waiting.size;
  }

  /** The agent announced a call: returns the call waiting for this input, if any. */
  announce(id: string, toolName: string, input: unknown): Call | undefined {
    const waiting = this.#waiting.get(id);
    if (waiting && waiting.toolName === toolName) {
      this.#waiting.delete(id);
      return waiting.call;
    }
    this.#pending.delete(id);
    this.#pending.set(id, { toolName, input });
    if (this.#pending.size > maxPending) {
      this.#pending.delete(this.#pending.keys().next().value as string);
    }
    return undefined;
  }

  /** The scheduler saw a root call: its announced input, or `{ found: false }` (then it waits). */
  claim(
    id: string,
    toolName: string,
    call: Call,
  ): { found: true; input: unknown } | { found: false } {
    const pending = this.#pending.get(id);
    if (pending && pending.toolName === toolName) {
      this.#pending.delete(id);
      return { found: true, input: pending.input };
    }
    this.#waiting.set(id, { toolName, call });
    return { found: false };
  }

  /** The call no longer needs its input (described otherwise, or finished). */
  forget(id: string, call: Call): void {
    if (this.#waiting.get(id)?.call === call) this.#waiting.delete(id);
  }
}
