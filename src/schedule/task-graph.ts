import type { Limiter, SlotRequest } from './limiter.js';

/** One unit of work in a TaskGraph. Opaque to callers. */
export interface Task<T = unknown> {
  readonly seq: number;
  /** What the owner attached to the task. */
  readonly data: T;
  /** Settled: finished after running, or withdrawn before it started. */
  readonly settled: boolean;
  /** Started: its slots were granted. */
  readonly started: boolean;
  /** Its slots were granted (it starts next) or it started: it can no longer be held back. */
  readonly granted: boolean;
}

/**
 * How a graph tells its owner what happens to tasks. One object per owner, not per task: a turn
 * of 10,000 calls allocates no callbacks.
 */
export interface TaskHooks<T> {
  /** Every dependency has settled (gates may still be closed). */
  onDependenciesSettled?(data: T): void;
  /**
   * Every dependency has settled and every gate is open. Return `false` to take no slot: the
   * owner then settles the task itself with `settle`. Return `'wait'` to close one more gate
   * first (something else the task needs, such as its agent's own slot): the owner opens it
   * with `open`, and `onReady` is asked again.
   */
  onReady?(data: T, task: Task<T>): boolean | 'wait' | undefined;
  /**
   * A task that was ready (asking for slots, or waiting behind the gate `onReady` closed) got a
   * new dependency before it started (`addDependency`): whatever it took for being ready, it
   * should give back. A gate it closed with `'wait'` is still closed: open it when done.
   */
  onUnready?(data: T): void;
  /** The task has to wait for a slot of the named limit. */
  onBlocked?(data: T, limit: string): void;
  /**
   * Slots are held; `waitedOn` is the limit it last waited for, if any. The owner calls `settle`
   * when the work is over.
   */
  start(data: T, task: Task<T>, waitedOn: string | undefined): void;
  /** The task has settled in the graph (after every task it waited for). */
  onSettled?(data: T): void;
  /**
   * A hook threw while the graph worked on this task. The graph has settled the task (its slots
   * are free) and goes on with the others; the owner should give it a result.
   */
  onError?(data: T, error: unknown): void;
}

export interface TaskSpec<T> {
  /** Order among waiting tasks: lower is served first. */
  seq: number;
  /** Limits the task takes a slot of while it runs. */
  limits: readonly string[];
  data: T;
  /** Tasks that must settle first. Settled ones are ignored. */
  after?: Iterable<Task<T>>;
  /** Conditions besides dependencies that the owner opens with `open` (an approval, say). */
  gates?: number;
}

/** A task is its own slot request: no second object per task. */
class TaskState<T> implements Task<T>, SlotRequest {
  settled = false;
  started = false;
  /** Unsettled dependencies plus closed gates. */
  pending: number;
  pendingDeps = 0;
  /** Withdrawn before it started, waiting for its dependencies before it settles. */
  withdrawn = false;
  /** Slots granted; `start` is queued. */
  granted = false;
  /** Asked the limiter for slots and not yet granted. */
  requested = false;
  /** `onReady` said yes (or `'wait'`) since its last dependency settled. */
  ready = false;
  blockedOn: string | undefined = undefined;
  heapIndex = -1;
  /** Holds its slots: from start until settled, except while it yields them. */
  holdsSlots = false;
  /** A request to take the slots back after yielding them, while it waits, and its waiter. */
  reacquiring: { request: SlotRequest; done: () => void } | undefined = undefined;
  dependents: TaskState<T>[] | undefined = undefined;

  constructor(
    readonly seq: number,
    readonly limits: readonly string[],
    readonly data: T,
    gates: number,
    readonly grant: (request: SlotRequest) => void,
  ) {
    this.pending = gates;
  }
}

/**
 * The eager DAG executor under both `runGraph` and the turn scheduler: a task starts the moment
 * its dependencies have settled, its gates are open and a slot of each of its limits is free.
 * There are no waves. Tasks can be added while others run; dependencies only point backwards,
 * so the graph stays acyclic by construction.
 */
export class TaskGraph<T> {
  readonly #limiter: Limiter;
  readonly #hooks: TaskHooks<T>;
  #queue: TaskState<T>[] = [];
  #draining = false;
  readonly #grant = (request: SlotRequest) => {
    const task = request as TaskState<T>;
    task.granted = true;
    task.ready = false;
    task.requested = false;
    this.#schedule(task);
  };

  constructor(limiter: Limiter, hooks: TaskHooks<T>) {
    this.#limiter = limiter;
    this.#hooks = hooks;
  }

  /** Creates and submits a task. */
  add(spec: TaskSpec<T>): Task<T> {
    const task = this.create(spec);
    this.submit(task);
    return task;
  }

  /**
   * Creates a task without scheduling it, so the owner can store it before it may start:
   * `start` can run inside `submit`.
   */
  create(spec: TaskSpec<T>): Task<T> {
    const task = new TaskState(spec.seq, spec.limits, spec.data, spec.gates ?? 0, this.#grant);
    if (spec.after) {
      for (const dep of spec.after as Iterable<TaskState<T>>) {
        if (dep.settled) continue;
        if (dep.dependents) dep.dependents.push(task);
        else dep.dependents = [task];
        task.pending++;
        task.pendingDeps++;
      }
    }
    return task;
  }

  /** Schedules a task made by `create`. */
  submit(task: Task<T>): void {
    const state = task as TaskState<T>;
    if (state.pendingDeps === 0) this.#hooks.onDependenciesSettled?.(state.data);
    if (state.pending === 0) this.#schedule(state);
  }

  /**
   * Makes a task that has not been granted its slots wait for `dep` too (a call that arrived
   * later but comes first in the order of nested work). Returns false, changing nothing, when
   * the task was already granted its slots or settled. Dependencies must stay acyclic: the
   * caller guarantees `dep` does not wait for `task`.
   */
  addDependency(task: Task<T>, dep: Task<T>): boolean {
    const state = task as TaskState<T>;
    const on = dep as TaskState<T>;
    if (state.settled || state.granted || state.started) return false;
    if (on.settled || on === state) return true;
    if (on.dependents) on.dependents.push(state);
    else on.dependents = [state];
    state.pending++;
    state.pendingDeps++;
    if (state.requested) {
      this.#limiter.withdraw(state);
      state.requested = false;
    }
    if (state.ready) {
      state.ready = false;
      this.#hooks.onUnready?.(state.data);
    }
    return true;
  }

  /**
   * Stops `task` waiting for `dep` (a later call it waited for because it was running, which
   * is now suspended on work of its own). No-op when it did not wait for it.
   */
  removeDependency(task: Task<T>, dep: Task<T>): void {
    const state = task as TaskState<T>;
    const on = dep as TaskState<T>;
    const index = on.dependents?.indexOf(state) ?? -1;
    if (index < 0) return;
    on.dependents?.splice(index, 1);
    state.pending--;
    state.pendingDeps--;
    if (state.pendingDeps === 0) {
      if (state.withdrawn) {
        this.#schedule(state);
        return;
      }
      this.#hooks.onDependenciesSettled?.(state.data);
    }
    if (state.pending === 0) this.#schedule(state);
  }

  /**
   * Gives a running task's slots back while it waits for work of its own (a `task` call waiting
   * for its subagent), so that work can use them: limits then count the work in progress at
   * every depth, and nesting can never starve itself. Returns a function that takes the slots
   * back, first-come in call order, and resolves once they are held again.
   */
  yieldSlots(task: Task<T>): () => Promise<void> {
    const state = task as TaskState<T>;
    if (!state.holdsSlots || state.settled) return () => Promise.resolve();
    state.holdsSlots = false;
    this.#limiter.release(state.limits);
    return () => {
      if (state.settled || state.holdsSlots) return Promise.resolve();
      if (state.reacquiring) return Promise.reject(new Error('already taking its slots back'));
      return new Promise<void>((resolve) => {
        const request: SlotRequest = {
          seq: state.seq,
          limits: state.limits,
          grant: () => {
            state.reacquiring = undefined;
            state.holdsSlots = true;
            resolve();
          },
        };
        state.reacquiring = { request, done: resolve };
        this.#limiter.request(request);
      });
    };
  }

  /** Opens one gate of `task`. */
  open(task: Task<T>): void {
    const state = task as TaskState<T>;
    if (state.settled || state.pending <= 0) return;
    state.pending--;
    if (state.pending === 0) this.#schedule(state);
  }

  /**
   * Settles `task`: frees its slots if it started and wakes the tasks that waited for it. A task
   * withdrawn before it started settles only once its own dependencies have: a task that waits
   * for it must never overtake what it was waiting for. Idempotent.
   */
  settle(task: Task<T>): void {
    const state = task as TaskState<T>;
    if (state.settled || state.withdrawn) return;
    if (state.requested) {
      this.#limiter.withdraw(state);
      state.requested = false;
    }
    if (!state.started && state.pendingDeps > 0) {
      state.withdrawn = true;
      return;
    }
    this.#complete(state);
  }

  #complete(state: TaskState<T>): void {
    state.settled = true;
    const dependents = state.dependents;
    state.dependents = undefined;
    if (dependents) {
      for (const dependent of dependents) {
        dependent.pending--;
        dependent.pendingDeps--;
        if (dependent.pendingDeps === 0) {
          if (dependent.withdrawn) {
            this.#schedule(dependent);
            continue;
          }
          this.#hooks.onDependenciesSettled?.(dependent.data);
        }
        if (dependent.pending === 0) this.#schedule(dependent);
      }
    }
    if (state.reacquiring) {
      // Settled while waiting for its slots back: it needs none now.
      this.#limiter.withdraw(state.reacquiring.request);
      state.reacquiring.done();
      state.reacquiring = undefined;
    }
    if (state.holdsSlots) {
      state.holdsSlots = false;
      this.#limiter.release(state.limits);
    }
    this.#hooks.onSettled?.(state.data);
  }

  #schedule(task: TaskState<T>): void {
    // One iterative loop for readiness and starts: a task that settles inside `start` (a
    // synchronous tool) frees a slot whose next task is queued here instead of recursing, so a
    // chain of 10,000 synchronous calls runs in constant stack depth.
    this.#queue.push(task);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let i = 0; i < this.#queue.length; i++) {
        const task = this.#queue[i] as TaskState<T>;
        try {
          this.#step(task);
        } catch (error) {
          // One task's failure must not drop the rest of the queue nor leak its slots.
          if (!task.settled && !task.withdrawn) this.settle(task);
          try {
            this.#hooks.onError?.(task.data, error);
          } catch {
            // Nothing more can be done for this task.
          }
        }
      }
    } finally {
      this.#queue = [];
      this.#draining = false;
    }
  }

  #step(task: TaskState<T>): void {
    if (task.granted && !task.started) {
      this.#begin(task);
      return;
    }
    if (task.settled) return;
    if (task.withdrawn) {
      if (task.pendingDeps === 0) this.#complete(task);
      return;
    }
    // Queued while ready, then given a dependency or a gate: it is asked again when they clear.
    if (task.pending > 0 || task.requested || task.granted) return;
    const ready = this.#hooks.onReady?.(task.data, task);
    if (ready === false || task.settled) return;
    task.ready = true;
    if (ready === 'wait') {
      task.pending++;
      return;
    }
    task.requested = true;
    this.#limiter.request(task);
    if (task.requested && task.blockedOn !== undefined) {
      this.#hooks.onBlocked?.(task.data, task.blockedOn);
    }
  }

  #begin(task: TaskState<T>): void {
    if (task.settled) {
      // Settled while its start was queued: give the slots back.
      this.#limiter.release(task.limits);
      return;
    }
    task.started = true;
    task.holdsSlots = true;
    this.#hooks.start(task.data, task, task.blockedOn);
  }
}
