/** A request for one slot of each of several limits. */
export interface SlotRequest {
  /** Lower is served first: the call order. */
  readonly seq: number;
  /** Names of the limits to take a slot of. Names without a capacity are unlimited. */
  readonly limits: readonly string[];
  /** Called once, when every slot is held, with the request itself (one function can serve all). */
  readonly grant: (request: SlotRequest) => void;
  /** The limit the request last waited on; set by the limiter. */
  blockedOn?: string | undefined;
  /** Position in the waiting heap, -1 when not waiting; kept by the limiter. */
  heapIndex?: number;
}

interface Limit {
  capacity: number;
  used: number;
  /** Requests blocked on this limit, as a min-heap by `seq`. */
  waiting: SlotRequest[];
}

/**
 * Counts slots of named limits and grants requests first-come in call order.
 *
 * A request blocked on a full limit waits in that limit's queue only, so it never holds back a
 * later request that needs other limits. When a slot frees, the earliest request waiting on that
 * limit retries all its limits and moves to the next full one if any. Every grant takes all of a
 * request's slots at once, so partial holds can never deadlock.
 */
export class Limiter {
  #limits = new Map<string, Limit>();
  #waitingOn = new Map<SlotRequest, Limit>();

  constructor(capacities: Record<string, number>) {
    for (const [name, capacity] of Object.entries(capacities)) {
      this.#limits.set(name, { capacity, used: 0, waiting: [] });
    }
  }

  /** Grants now if every limit has room, else queues. `grant` may run before this returns. */
  request(request: SlotRequest): void {
    const full = this.#firstFull(request);
    if (full) {
      this.#enqueue(request, full);
    } else {
      this.#take(request);
      request.grant(request);
    }
  }

  /** Removes a request that no longer wants its slots. No-op once granted. */
  withdraw(request: SlotRequest): void {
    const limit = this.#waitingOn.get(request);
    if (!limit) return;
    this.#waitingOn.delete(request);
    // Removed at once (O(log n)): a cancelled call must not stay reachable until a slot frees.
    heapRemove(limit.waiting, request);
  }

  /** Gives back one slot of each limit, then grants whoever can now run. */
  release(limits: readonly string[]): void {
    const granted: SlotRequest[] = [];
    for (const name of limits) {
      const limit = this.#limits.get(name);
      if (limit) limit.used--;
    }
    for (const name of limits) {
      const limit = this.#limits.get(name);
      if (limit) this.#drain(limit, granted);
    }
    for (const request of granted) request.grant(request);
  }

  /** Slots in use of a limit. */
  used(name: string): number {
    return this.#limits.get(name)?.used ?? 0;
  }

  capacity(name: string): number {
    return this.#limits.get(name)?.capacity ?? Infinity;
  }

  /** Requests waiting for any limit. */
  get waiting(): number {
    return this.#waitingOn.size;
  }

  #drain(limit: Limit, granted: SlotRequest[]): void {
    while (limit.used < limit.capacity && limit.waiting.length > 0) {
      const next = heapPop(limit.waiting);
      if (!next) break;
      this.#waitingOn.delete(next);
      const full = this.#firstFull(next);
      if (full) {
        this.#enqueue(next, full);
      } else {
        this.#take(next);
        granted.push(next);
      }
    }
  }

  #take(request: SlotRequest): void {
    for (const name of request.limits) {
      const limit = this.#limits.get(name);
      if (limit) limit.used++;
    }
  }

  #firstFull(request: SlotRequest): Limit | undefined {
    for (const name of request.limits) {
      const limit = this.#limits.get(name);
      if (limit && limit.used >= limit.capacity) {
        request.blockedOn = name;
        return limit;
      }
    }
    return undefined;
  }

  #enqueue(request: SlotRequest, limit: Limit): void {
    this.#waitingOn.set(request, limit);
    heapPush(limit.waiting, request);
  }
}

function place(heap: SlotRequest[], index: number, item: SlotRequest): void {
  heap[index] = item;
  item.heapIndex = index;
}

function heapPush(heap: SlotRequest[], item: SlotRequest): void {
  heap.push(item);
  siftUp(heap, heap.length - 1, item);
}

function heapPop(heap: SlotRequest[]): SlotRequest | undefined {
  const top = heap[0];
  if (!top) return undefined;
  heapRemove(heap, top);
  return top;
}

function heapRemove(heap: SlotRequest[], item: SlotRequest): void {
  const index = item.heapIndex ?? -1;
  if (index < 0 || heap[index] !== item) return;
  item.heapIndex = -1;
  const last = heap.pop() as SlotRequest;
  if (index === heap.length) return;
  place(heap, index, last);
  siftDown(heap, index, last);
  siftUp(heap, last.heapIndex as number, last);
}

function siftUp(heap: SlotRequest[], start: number, item: SlotRequest): void {
  let i = start;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const above = heap[parent] as SlotRequest;
    if (above.seq <= item.seq) break;
    place(heap, i, above);
    i = parent;
  }
  place(heap, i, item);
}

function siftDown(heap: SlotRequest[], start: number, item: SlotRequest): void {
  let i = start;
  const n = heap.length;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    const right = child + 1;
    if (right < n && (heap[right] as SlotRequest).seq < (heap[child] as SlotRequest).seq) {
      child = right;
    }
    const below = heap[child] as SlotRequest;
    if (below.seq >= item.seq) break;
    place(heap, i, below);
    i = child;
  }
  place(heap, i, item);
}
