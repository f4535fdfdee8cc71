import type { ProgressInfo, ToolContext, TurnParent } from '../tool/define-tool.js';
import type { CallRecord } from './call-record.js';
import { parentRecordKey } from './scheduler-core.js';

/** What a running tool sees. The AbortController is made only when someone needs the signal. */
export class CallContext implements ToolContext {
  #controller: AbortController | undefined;
  readonly #record: CallRecord;
  readonly #onProgress: (record: CallRecord, info: ProgressInfo) => void;
  readonly #suspend: (record: CallRecord) => (aborted: boolean) => Promise<void>;
  readonly #turnSignal: AbortSignal | undefined;

  /** The callbacks are shared by every call: no closure per call. */
  constructor(
    record: CallRecord,
    onProgress: (record: CallRecord, info: ProgressInfo) => void,
    suspend: (record: CallRecord) => (aborted: boolean) => Promise<void>,
    turnSignal: AbortSignal | undefined,
  ) {
    this.#record = record;
    this.#onProgress = onProgress;
    this.#suspend = suspend;
    this.#turnSignal = turnSignal;
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

  get asParent(): TurnParent {
    const record = this.#record;
    const parent: TurnParent = {
      turnId: record.turnId,
      callId: record.id,
      lineage: record.lineage,
    };
    // Hidden: the turn opened under it finds the call without a lookup.
    Object.defineProperty(parent, parentRecordKey, { value: record });
    return parent;
  }

  get turnSignal(): AbortSignal | undefined {
    return this.#turnSignal;
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
    const resume = this.#suspend(this.#record);
    try {
      return await work;
    } finally {
      await resume(this.#controller?.signal.aborted ?? false);
    }
  }
}
