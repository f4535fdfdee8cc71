import type { Limiter, SlotRequest } from './limiter.js';

/** One unit of work in a TaskGraph. Opaque to callers. */
export interface Task {
  readonly seq: number;
  /** Settled: finished after running, or withdrawn before it started. */
  readonly settled: boolean;
  /** Started: its slots were granted. */
  readonly started: boolean;
}

export interface TaskSpec {
  /** Order among waiting tasks: lower is served first. */
  seq: number;
  /** Limits the task takes a slot of while it runs. */
  limits: readonly string[];
  /** Tasks that must settle first. Settled ones are ignored. */
  after?: Iterable<Task>;
  /** Conditions besides dependencies that the owner opens with `open` (an approval, say). */
  gates?: number;
  /** Called once every dependency has settled (gates may still be closed). */
  onDependenciesSettled?(): void;
  /**
   * Called once every dependency has settled and every gate is open. Return `false` to take no
   * slot: the owner then settles the task itself with `settle`.
   */
  onReady?(task: Task): boolean | undefined;
  /** Called when the task has to wait for a slot of the named limit. */
  onBlocked?(limit: string): void;
  /**
   * Called once slots are held, with the limit it last waited for if any. The owner calls
   * `settle` when the work is over.
   */
  start(task: Task, waitedOn: string | undefined): void;
  /** Called once the task has settled in the graph (after every task it waited for). */
  onSettled?(): void;
}

interface TaskState extends Task {
  seq: number;
  settled: boolean;
  started: boolean;
  spec: TaskSpec;
  /** Unsettled dependencies plus closed gates. */
  pending: number;
  pendingDeps: number;
  /** Withdrawn before it started, waiting for its dependencies before it settles. */
  withdrawn: boolean;
  dependents: TaskState[];
  request: SlotRequest | undefined;
}

/**
 * The eager DAG executor under both `runGraph` and the turn scheduler: a task starts the moment
 * its dependencies have settled, its gates are open and a slot of each of its limits is free.
 * There are no waves. Tasks can be added while others run; dependencies only point backwards,
 * so the graph stays acyclic by construction.
 */
export class TaskGraph {
  readonly #limiter: Limiter;
  #wakeQueue: TaskState[] = [];
  #waking = false;

  constructor(limiter: Limiter) {
    this.#limiter = limiter;
  }

  /** Creates and submits a task. */
  add(spec: TaskSpec): Task {
    const task = this.create(spec);
    this.submit(task);
    return task;
  }

  /**
   * Creates a task without scheduling it, so the owner can store it before it may start:
   * `start` can run inside `submit`.
   */
  create(spec: TaskSpec): Task {
    const task: TaskState = {
      seq: spec.seq,
      settled: false,
      started: false,
      spec,
      pending: spec.gates ?? 0,
      pendingDeps: 0,
      withdrawn: false,
      dependents: [],
      request: undefined,
    };
    if (spec.after) {
      for (const dep of spec.after as Iterable<TaskState>) {
        if (dep.settled) continue;
        dep.dependents.push(task);
        task.pending++;
        task.pendingDeps++;
      }
    }
    return task;
  }

  /** Schedules a task made by `create`. */
  submit(task: Task): void {
    const state = task as TaskState;
    if (state.pendingDeps === 0) state.spec.onDependenciesSettled?.();
    if (state.pending === 0) this.#schedule(state);
  }

  /** Opens one gate of `task`. */
  open(task: Task): void {
    const state = task as TaskState;
    if (state.settled || state.pending <= 0) return;
    state.pending--;
    if (state.pending === 0) this.#schedule(state);
  }

  /**
   * Settles `task`: frees its slots if it started and wakes the tasks that waited for it. A task
   * withdrawn before it started settles only once its own dependencies have: a task that waits
   * for it must never overtake what it was waiting for. Idempotent.
   */
  settle(task: Task): void {
    const state = task as TaskState;
    if (state.settled || state.withdrawn) return;
    if (state.request) {
      this.#limiter.withdraw(state.request);
      state.request = undefined;
    }
    if (!state.started && state.pendingDeps > 0) {
      state.withdrawn = true;
      return;
    }
    this.#complete(state);
  }

  #complete(state: TaskState): void {
    state.settled = true;
    const dependents = state.dependents;
    state.dependents = [];
    for (const dependent of dependents) {
      dependent.pending--;
      dependent.pendingDeps--;
      if (dependent.pendingDeps === 0) {
        if (dependent.withdrawn) {
          this.#schedule(dependent);
          continue;
        }
        dependent.spec.onDependenciesSettled?.();
      }
      if (dependent.pending === 0) this.#schedule(dependent);
    }
    if (state.started) this.#limiter.release(state.spec.limits);
    state.spec.onSettled?.();
  }

  #schedule(task: TaskState): void {
    // Iterative: settling a task inside onReady would otherwise recurse once per chained task.
    this.#wakeQueue.push(task);
    if (this.#waking) return;
    this.#waking = true;
    try {
      for (let i = 0; i < this.#wakeQueue.length; i++) this.#ready(this.#wakeQueue[i] as TaskState);
    } finally {
      this.#wakeQueue = [];
      this.#waking = false;
    }
  }

  #ready(task: TaskState): void {
    if (task.settled) return;
    if (task.withdrawn) {
      this.#complete(task);
      return;
    }
    if (task.spec.onReady?.(task) === false) return;
    if (task.settled) return;
    let granted = false;
    const request: SlotRequest = {
      seq: task.seq,
      limits: task.spec.limits,
      grant: () => {
        granted = true;
        task.request = undefined;
        if (task.settled) {
          this.#limiter.release(task.spec.limits);
          return;
        }
        task.started = true;
        task.spec.start(task, request.blockedOn);
      },
    };
    task.request = request;
    this.#limiter.request(request);
    if (!granted && request.blockedOn !== undefined) task.spec.onBlocked?.(request.blockedOn);
  }
}
