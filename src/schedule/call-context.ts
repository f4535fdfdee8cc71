import type { ProgressInfo, ToolContext } from '../tool/define-tool.js';
import type { CallRecord } from './call-record.js';

/** What a running tool sees. The AbortController is made only when someone needs the signal. */
export class CallContext implements ToolContext {
  #controller: AbortController | undefined;
  readonly #record: CallRecord;
  readonly #onProgress: (record: CallRecord, info: ProgressInfo) => void;
  readonly #yieldSlots: (record: CallRecord) => () => Promise<void>;

  /** The callbacks are shared by every call of a turn: no closure per call. */
  constructor(
    record: CallRecord,
    onProgress: (record: CallRecord, info: ProgressInfo) => void,
    yieldSlots: (record: CallRecord) => () => Promise<void>,
  ) {
    this.#record = record;
    this.#onProgress = onProgress;
    this.#yieldSlots = yieldSlots;
  }

  get callId(): string {
    return this.#record.id;
  }

  get turnId(): number {
    return this.#record.turnId;
  }

  get toolName(): string {
    return this.#record.name;
  }

  get path(): readonly string[] {
    return (this.#record.owner as { path: readonly string[] }).path;
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Aborts the tool's signal, whether or not the tool has read it yet. */
  abort(reason: unknown): void {
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
  }

  progress(info: ProgressInfo): void {
    this.#onProgress(this.#record, info);
  }

  async waitFor<T>(work: PromiseLike<T>): Promise<T> {
    const takeBack = this.#yieldSlots(this.#record);
    try {
      return await work;
    } finally {
      // A cancelled or timed-out call will not run on: it needs its slots no more.
      if (!this.#controller?.signal.aborted) await takeBack();
    }
  }
}
