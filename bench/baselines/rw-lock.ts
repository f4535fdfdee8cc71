/**
 * A FIFO-fair reader-writer lock, as Codex guards tool calls: read-only calls share it, every
 * other call holds it alone, and a waiting writer holds back every later reader.
 */
export class RwLock {
  #readers = 0;
  #writer = false;
  #queue: { shared: boolean; grant: () => void }[] = [];

  /** Resolves with the release function once the lock is held. */
  acquire(shared: boolean): Promise<() => void> {
    return new Promise((resolve) => {
      this.#queue.push({ shared, grant: () => resolve(this.#releaser(shared)) });
      this.#pump();
    });
  }

  #releaser(shared: boolean): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (shared) this.#readers--;
      else this.#writer = false;
      this.#pump();
    };
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.#writer) {
      const next = this.#queue[0] as { shared: boolean; grant: () => void };
      if (next.shared) {
        this.#readers++;
      } else {
        if (this.#readers > 0) return;
        this.#writer = true;
      }
      this.#queue.shift();
      next.grant();
    }
  }
}
