/**
 * One `abort` listener per host signal, however many turns share it: a session signal passed to
 * a fan-out of 50 subagent turns must not trip Node's MaxListenersExceededWarning. The listener
 * stays on its signal once added (it holds only an empty set when nobody listens): adding and
 * removing an EventTarget listener per turn costs more than the turn itself in a large fan-out,
 * and the signal and its listener are collected together.
 */
export class AbortFanout {
  #entries = new WeakMap<AbortSignal, Set<() => void>>();

  /** Calls `callback` once when `signal` aborts. Returns the unsubscribe function. */
  subscribe(signal: AbortSignal, callback: () => void): () => void {
    let callbacks = this.#entries.get(signal);
    if (!callbacks) {
      const set = new Set<() => void>();
      callbacks = set;
      this.#entries.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          const pending = [...set];
          set.clear();
          for (const cb of pending) cb();
        },
        { once: true },
      );
    }
    const set = callbacks;
    set.add(callback);
    return () => {
      set.delete(callback);
    };
  }
}
