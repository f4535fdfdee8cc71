/** Options of {@link OutputCap}. */
export interface OutputCapOptions {
  /** Bytes kept in all: the first half and the last half of the output. */
  maxBytes: number;
}

/**
 * Collects a stream's bytes in bounded memory: the first `maxBytes / 2` and the last
 * `maxBytes / 2` are kept, and the bytes dropped between them are counted.
 */
export class OutputCap {
  readonly #headLimit: number;
  readonly #tailLimit: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(options: OutputCapOptions) {
    this.#headLimit = Math.ceil(options.maxBytes / 2);
    this.#tailLimit = Math.floor(options.maxBytes / 2);
  }

  /** Bytes received so far. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Bytes received but not kept. */
  get droppedBytes(): number {
    return this.#total - this.#headBytes - this.#tailBytes;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    if (this.#headBytes < this.#headLimit) {
      const take = Math.min(rest.length, this.#headLimit - this.#headBytes);
      this.#head.push(rest.subarray(0, take));
      this.#headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.#tailLimit === 0) return;
    this.#tail.push(rest);
    this.#tailBytes += rest.length;
    // Trim the front of the tail down to its limit, dropping whole chunks first.
    while (this.#tailBytes - (this.#tail[0]?.length ?? 0) >= this.#tailLimit) {
      this.#tailBytes -= (this.#tail.shift() as Buffer).length;
    }
    if (this.#tailBytes > this.#tailLimit) {
      const excess = this.#tailBytes - this.#tailLimit;
      this.#tail[0] = (this.#tail[0] as Buffer).subarray(excess);
      this.#tailBytes -= excess;
    }
  }

  /** The kept output as text, with `[... N bytes dropped ...]` where bytes were dropped. */
  text(): string {
    const head = Buffer.concat(this.#head).toString('utf8');
    const tail = Buffer.concat(this.#tail).toString('utf8');
    const dropped = this.droppedBytes;
    if (dropped === 0) return head + tail;
    const n = (v: number) => v.toLocaleString('en-US');
    const gap = `\n[... ${n(dropped)} bytes dropped; showing the first ${n(this.#headBytes)} and the last ${n(this.#tailBytes)} of ${n(this.#total)} ...]\n`;
    return head + gap + tail;
  }
}
