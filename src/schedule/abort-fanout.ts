interface Entry {
  callbacks: Set<() => void>;
  onAbort: () => void;
}

/**
 * One `abort` listener per host signal, however many turns share it: a session signal passed to
 * a fan-out of 50 subagent turns must not trip Node's MaxListenersExceededWarning, and the
 * listener goes when the last turn on the signal is done.
 */
export class AbortFanout {
  #entries = new WeakMap<AbortSignal, Entry>();

  /** Calls `callback` once when `signal` aborts. Returns the unsubscribe function. */
  subscribe(signal: AbortSignal, callback: () => void): () => void {
    let entry = this.#entries.get(signal);
    if (!entry) {
      const callbacks = new Set<() => void>();
      const onAbort = () => {
        this.#entries.delete(signal);
        for (const cb of [...callbacks]) cb();
      };
      entry = { callbacks, onAbort };
      this.#entries.set(signal, entry);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    const { callbacks, onAbort } = entry;
    callbacks.add(callback);
    return () => {
      if (!callbacks.delete(callback) || callbacks.size > 0) return;
      signal.removeEventListener('abort', onAbort);
      if (this.#entries.get(signal)?.callbacks === callbacks) this.#entries.delete(signal);
    };
  }
}
