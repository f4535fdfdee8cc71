import type { AsyncResource } from 'node:async_hooks';
import type { CallResult } from '../tool/call.js';
import type { ProgressInfo } from '../tool/define-tool.js';

interface EventBase {
  /** Milliseconds on the scheduler's clock. */
  at: number;
  turnId: number;
  callId: string;
  toolName: string;
  /** Position of the call in its turn. */
  index: number;
  /** The agent whose turn it is: empty for the root, the subagent path otherwise. */
  path: readonly string[];
}

export type SchedulerEvent =
  /** `input` as the call carried it (unparsed: it may be a JSON string or anything a model sent). */
  | (EventBase & { type: 'queued'; input: unknown })
  | (EventBase & { type: 'awaiting-approval'; input: unknown })
  | (EventBase & { type: 'waiting'; reason: 'conflict'; on: string[] })
  | (EventBase & { type: 'waiting'; reason: 'slot'; limit: string })
  | (EventBase & { type: 'started' })
  | (EventBase & { type: 'progress'; progress: ProgressInfo })
  | (EventBase & { type: 'finished'; result: CallResult });

export type SchedulerEventType = SchedulerEvent['type'];

/** A listener may be slow or async: it never holds up the scheduler. Its errors are dropped. */
export type EventListener = (event: SchedulerEvent) => void | Promise<void>;

/**
 * Delivers events after the scheduler's own work, in a later macrotask, in order. Listeners
 * cannot block, reorder or break scheduling: their errors and rejections are swallowed.
 */
export class EventChannel {
  #listeners = new Set<EventListener>();
  #queue: SchedulerEvent[] = [];
  /** The async context each queued event was emitted in (`undefined`: none captured). */
  #scopes: (AsyncResource | undefined)[] = [];
  #afterFlush: (() => void)[] = [];
  #scheduled = false;

  get active(): boolean {
    return this.#listeners.size > 0;
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Queues `event` for delivery. Listeners get it in `scope`, the async context of the code that
   * added the call, so a listener that reads AsyncLocalStorage sees that call's request.
   */
  emit(event: SchedulerEvent, scope?: AsyncResource): void {
    if (this.#listeners.size === 0) return;
    this.#queue.push(event);
    this.#scopes.push(scope);
    this.#schedule();
  }

  /** Runs `callback` once every event emitted so far has been delivered. */
  afterFlush(callback: () => void): void {
    if (this.#queue.length === 0 && !this.#scheduled) {
      callback();
      return;
    }
    this.#afterFlush.push(callback);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const events = this.#queue;
    const scopes = this.#scopes;
    const callbacks = this.#afterFlush;
    this.#queue = [];
    this.#scopes = [];
    this.#afterFlush = [];
    for (const [index, event] of events.entries()) {
      const scope = scopes[index];
      if (scope) scope.runInAsyncScope(this.#deliver, this, event);
      else this.#deliver(event);
    }
    for (const callback of callbacks) callback();
  }

  #deliver(event: SchedulerEvent): void {
    for (const listener of this.#listeners) {
      try {
        const returned = listener(event);
        if (returned && typeof returned.catch === 'function') returned.catch(() => {});
      } catch {
        // A listener's failure is its own; scheduling goes on.
      }
    }
  }
}
