import type { Limiter, SlotRequest } from '../schedule/limiter.js';
import type { HoldTicket, TurnHold } from '../schedule/turn-hold.js';

interface Ticket extends HoldTicket {
  held: boolean;
  onHeld: () => void;
}

/**
 * One subagent's slot of its manager's `maxConcurrent`, held while anything of the agent needs
 * it: its loop (a model request, or going on to the next one) or one of its calls (ready or
 * running). When nothing needs it, it goes back to the limiter at the end of the current
 * microtask, so a call that frees the slot and a call it wakes in the same tick hand it over
 * without another agent taking it in between.
 */
export class AgentSlot implements TurnHold {
  readonly #limiter: Limiter;
  readonly #seq: number;
  readonly #tickets = new Set<Ticket>();
  #held = false;
  #request: SlotRequest | undefined;
  #loop: { ticket: Ticket; promise: Promise<void> } | undefined;
  #releaseQueued = false;
  #closed = false;
  #onFirstHeld: (() => void) | undefined;

  /** `seq` orders it among agents waiting for a slot: first started, first served. */
  constructor(limiter: Limiter, seq: number, onFirstHeld?: () => void) {
    this.#limiter = limiter;
    this.#seq = seq;
    this.#onFirstHeld = onFirstHeld;
  }

  /** The manager's `subagent` limit, for traces. */
  get limit(): { name: string; capacity: number } {
    return { name: 'subagent', capacity: this.#limiter.capacity('subagent') };
  }

  /** True while the agent holds its slot. */
  get held(): boolean {
    return this.#held;
  }

  acquire(onHeld: () => void): HoldTicket {
    const ticket: Ticket = {
      held: false,
      onHeld,
      release: () => this.#drop(ticket),
    };
    this.#tickets.add(ticket);
    if (this.#held || this.#closed) {
      ticket.held = true;
      onHeld();
    } else {
      this.#ask();
    }
    return ticket;
  }

  resume(): Promise<void> | undefined {
    const loop = this.#loop;
    if (loop) return loop.ticket.held ? undefined : loop.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    const ticket = this.acquire(resolve) as Ticket;
    // Withdrawn by `pause` before it was held: whoever waits goes on (and finds out why).
    this.#loop = { ticket, promise };
    ticket.onHeld = resolve;
    if (ticket.held) return undefined;
    const release = ticket.release;
    ticket.release = () => {
      release();
      resolve();
    };
    return promise;
  }

  pause(): void {
    const loop = this.#loop;
    if (!loop) return;
    this.#loop = undefined;
    loop.ticket.release();
  }

  /**
   * Takes the slot for work done elsewhere (a dispatched agent) and resolves with its release;
   * rejects with the signal's reason when it aborts first.
   */
  take(signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let onHeld = () => {};
      const ticket = this.acquire(() => onHeld());
      if (ticket.held) {
        resolve(() => ticket.release());
        return;
      }
      const onAbort = () => {
        ticket.release();
        reject(signal.reason);
      };
      onHeld = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(() => ticket.release());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The agent is over: its slot goes back now, and nothing of it waits for one any more. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#loop = undefined;
    const waiting = [...this.#tickets].filter((t) => !t.held);
    this.#tickets.clear();
    this.#withdraw();
    this.#giveBack();
    for (const ticket of waiting) {
      ticket.held = true;
      ticket.onHeld();
    }
  }

  #ask(): void {
    if (this.#request || this.#closed) return;
    const request: SlotRequest = {
      seq: this.#seq,
      limits: ['subagent'],
      grant: () => {
        this.#request = undefined;
        if (this.#closed || this.#tickets.size === 0) {
          this.#limiter.release(['subagent']);
          return;
        }
        this.#held = true;
        const first = this.#onFirstHeld;
        this.#onFirstHeld = undefined;
        first?.();
        for (const ticket of [...this.#tickets]) {
          if (ticket.held || !this.#tickets.has(ticket)) continue;
          ticket.held = true;
          ticket.onHeld();
        }
      },
    };
    this.#request = request;
    this.#limiter.request(request);
  }

  #drop(ticket: Ticket): void {
    if (!this.#tickets.delete(ticket) || this.#tickets.size > 0) return;
    if (!this.#held) {
      this.#withdraw();
      return;
    }
    if (this.#releaseQueued) return;
    this.#releaseQueued = true;
    queueMicrotask(() => {
      this.#releaseQueued = false;
      if (this.#tickets.size === 0) this.#giveBack();
    });
  }

  #withdraw(): void {
    if (!this.#request) return;
    this.#limiter.withdraw(this.#request);
    this.#request = undefined;
  }

  #giveBack(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#limiter.release(['subagent']);
  }
}
