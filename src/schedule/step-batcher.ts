import { InvalidOptionError } from '../errors.js';
import type { CallResult, ToolCall } from '../tool/call.js';
import { assertTimeoutMs } from '../validate-options.js';
import { abortedByTimeout, abortReason } from './admission.js';
import type { Scheduler } from './scheduler.js';
import type { Turn, TurnOutcome } from './turn.js';
import type { TurnOptions } from './turn-options.js';

export interface StepBatcherOptions {
  /** Options of every turn the batcher opens (`path`, `tools`, `cancelOnError`...). */
  turn?: Omit<TurnOptions, 'signal'>;
  /**
   * Longest an announced call the framework has not run yet holds back later calls that
   * conflict with it; then it is cancelled (the framework dropped it). @default 1_000
   */
  arrivalTimeoutMs?: number;
  /** Called with each step's outcome (one result per call, and the turn's trace). */
  onStepEnd?: (outcome: TurnOutcome) => void;
}

export interface StepCallOptions {
  /**
   * The framework's signal: aborting it cancels the call (and, for the call that opened the
   * step, every call of the step), or times it out when its reason is a `TimeoutError`.
   */
  signal?: AbortSignal;
  /** Approved by the framework's own approval flow (see `turn.add`). @default false */
  approved?: boolean;
}

interface Announced {
  result: Promise<CallResult>;
  arrive(): void;
  drop(reason: string): void;
}

interface Step {
  key: object;
  signal: AbortSignal | undefined;
  turn: Turn;
  announced: Map<string, Announced>;
  unsettled: number;
}

/**
 * Joins the tool calls of one model step into one turn, in the model's call order, when a
 * framework runs them through separate `execute` invocations: they arrive one by one, and its
 * hooks may delay them by different amounts. Announce each call as soon as the framework shows
 * it (in order); a call that arrives before an earlier announced one waits for it only when the
 * two conflict. A step is any object the framework passes to every call of that step (its
 * message list, its run context); its turn ends once every call it was given has settled.
 */
export class StepBatcher {
  readonly #scheduler: Scheduler;
  readonly #turnOptions: Omit<TurnOptions, 'signal'>;
  readonly #arrivalTimeoutMs: number;
  readonly #onStepEnd: ((outcome: TurnOutcome) => void) | undefined;
  readonly #steps = new Map<object, Step>();

  constructor(scheduler: Scheduler, options: StepBatcherOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('options', 'an object', options);
    }
    const { turn = {}, arrivalTimeoutMs = 1_000, onStepEnd } = options;
    assertTimeoutMs('arrivalTimeoutMs', arrivalTimeoutMs);
    if (onStepEnd !== undefined && typeof onStepEnd !== 'function') {
      throw new InvalidOptionError('onStepEnd', 'a function', onStepEnd);
    }
    if (typeof turn !== 'object' || turn === null || 'signal' in turn) {
      throw new InvalidOptionError('turn', 'turn options without `signal`', turn);
    }
    this.#scheduler = scheduler;
    this.#turnOptions = turn;
    this.#arrivalTimeoutMs = arrivalTimeoutMs;
    this.#onStepEnd = onStepEnd;
  }

  /** Steps whose turn is still open. */
  get openSteps(): number {
    return this.#steps.size;
  }

  /**
   * The framework showed a call it is about to run: it takes its place in the step's order
   * now, and starts once `run` is called for it. Announcing an id twice keeps the first.
   */
  announce(step: object, call: ToolCall, options: StepCallOptions = {}): void {
    const state = this.#open(step, options.signal);
    const id = readId(call);
    if (id !== undefined && state.announced.has(id)) return;
    let arrive!: () => void;
    let drop!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      arrive = resolve;
      drop = reject;
    });
    const timer = setTimeout(
      () => entry.drop(`the framework did not run it within ${this.#arrivalTimeoutMs} ms`),
      this.#arrivalTimeoutMs,
    );
    timer.unref?.();
    const result = this.#add(state, call, { ready, approved: options.approved === true });
    const entry: Announced = {
      result,
      arrive: () => {
        clearTimeout(timer);
        arrive();
      },
      drop: (reason) => {
        clearTimeout(timer);
        drop(new Error(reason));
      },
    };
    if (id !== undefined) state.announced.set(id, entry);
  }

  /**
   * Runs a call of the step (the framework's `execute`): an announced one starts (still after
   * the earlier calls it conflicts with), any other joins the step's turn now. Resolves with
   * its result as soon as it settles.
   */
  run(step: object, call: ToolCall, options: StepCallOptions = {}): Promise<CallResult> {
    const id = readId(call);
    const announced = id === undefined ? undefined : this.#steps.get(step)?.announced.get(id);
    const state = this.#open(step, options.signal);
    let result: Promise<CallResult>;
    if (announced) {
      announced.arrive();
      result = announced.result;
    } else {
      result = this.#add(state, call, { approved: options.approved === true });
    }
    if (id !== undefined && options.signal) this.#cancelOnAbort(state, id, options.signal, result);
    return result;
  }

  /**
   * An announced call will not be run after all (the framework holds it for its own approval):
   * calls after it stop waiting for it, and it ends as cancelled with `reason`. Returns false
   * when no announced call of that id is waiting.
   */
  withdraw(step: object, callId: string, reason = 'the framework did not run it'): boolean {
    const announced = this.#steps.get(step)?.announced.get(callId);
    if (!announced) return false;
    announced.drop(reason);
    return true;
  }

  /** A call's own signal, when it is not the one its step's turn was opened with. */
  #cancelOnAbort(state: Step, id: string, signal: AbortSignal, result: Promise<CallResult>): void {
    if (state.signal === signal) return;
    const stop = () => {
      const reason = abortReason(signal);
      state.turn.cancelCall(id, reason, { timeout: abortedByTimeout(signal) });
    };
    if (signal.aborted) {
      stop();
      return;
    }
    signal.addEventListener('abort', stop, { once: true });
    void result.then(() => signal.removeEventListener('abort', stop));
  }

  #open(step: object, signal: AbortSignal | undefined): Step {
    if (typeof step !== 'object' || step === null) {
      throw new InvalidOptionError('step', 'an object shared by the calls of one step', step);
    }
    let state = this.#steps.get(step);
    if (!state) {
      const options = signal ? { ...this.#turnOptions, signal } : this.#turnOptions;
      const turn = this.#scheduler.turn(options);
      state = { key: step, signal, turn, announced: new Map(), unsettled: 0 };
      this.#steps.set(step, state);
      const onStepEnd = this.#onStepEnd;
      if (onStepEnd) {
        void turn.done.then((outcome) => {
          try {
            onStepEnd(outcome);
          } catch {
            // A host's hook cannot break the batcher.
          }
        });
      }
    }
    return state;
  }

  #add(
    state: Step,
    call: ToolCall,
    options: { ready?: Promise<void>; approved: boolean },
  ): Promise<CallResult> {
    state.unsettled++;
    const result = state.turn.add(call, options);
    void result.then(() => {
      state.unsettled--;
      // Nothing of the step is left: its turn ends, and a call arriving later opens another
      // (still ordered after this one's calls: claims are the scheduler's, not the turn's).
      if (state.unsettled > 0) return;
      if (this.#steps.get(state.key) === state) this.#steps.delete(state.key);
      state.turn.end();
    });
    return result;
  }
}

function readId(call: ToolCall): string | undefined {
  try {
    const id = (call as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
