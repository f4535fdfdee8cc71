/**
 * A slot outside the scheduler that a turn's work needs: a subagent's own slot of its manager's
 * `maxConcurrent`. The agent holds it while its model answers and while one of its calls is
 * running (or ready to run); while every call it made waits (for an earlier conflicting call,
 * an approval, or its own children), it gives the slot back, so an agent blocked on other
 * agents' work never holds the slot their work needs.
 */
export interface TurnHold {
  /**
   * The agent goes on working: its next model request. Resolves once the slot is held
   * (`undefined` when it is held already); resolves too when `pause` withdraws the request.
   */
  resume(): Promise<void> | undefined;
  /** The agent waits for its calls: it no longer needs the slot for itself. */
  pause(): void;
  /**
   * A call needs the slot to run. `onHeld` is called once it is held, possibly before this
   * returns. Release the ticket when the call stops needing it, or to withdraw the request.
   */
  acquire(onHeld: () => void): HoldTicket;
  /** The limit the slot belongs to, for traces (`{ name: 'subagent', capacity: 4 }`). */
  readonly limit?: { readonly name: string; readonly capacity: number };
}

export interface HoldTicket {
  /** True once the slot is held for this ticket. */
  readonly held: boolean;
  /** Gives the ticket back. Idempotent. */
  release(): void;
}
