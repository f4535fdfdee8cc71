import { InvalidOptionError } from '../errors.js';
import type {
  AgentMessage,
  FinishReason,
  Model,
  ModelEvent,
  ModelRequest,
  Usage,
} from './model.js';

/** One scripted answer: text, then tool calls, streamed chunk by chunk. */
export interface ScriptedTurn {
  text?: string;
  toolCalls?: { id?: string; name: string; input?: unknown }[];
  /** @default 'tool-calls' when there are tool calls, else 'stop' */
  finish?: FinishReason;
  /** The output limit hits in the middle of the last tool call's arguments (finish `length`). */
  cutOff?: boolean;
  usage?: Usage;
}

export interface ScriptedModelOptions {
  /** The answers, in order, or a function of the request (for subagents and tests). */
  turns: readonly ScriptedTurn[] | ((request: ModelRequest, index: number) => ScriptedTurn);
  /** Milliseconds between streamed chunks: simulated token timing. @default 0 */
  chunkDelayMs?: number;
  /** Characters per streamed chunk. @default 24 */
  chunkSize?: number;
  /** @default 'scripted' */
  modelId?: string;
}

/**
 * A model that replays scripted answers with simulated token timing, so the agent loop, the demo
 * and tests run with no API key and no network. Its transcript format is salvo's own.
 */
export function scriptedModel(options: ScriptedModelOptions): Model {
  const { turns, chunkDelayMs = 0, chunkSize = 24, modelId = 'scripted' } = options;
  if (typeof turns !== 'function' && !Array.isArray(turns)) {
    throw new InvalidOptionError('turns', 'an array of scripted turns or a function', turns);
  }
  let served = 0;
  return {
    provider: 'scripted',
    modelId,
    async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
      const index = served++;
      const turn = typeof turns === 'function' ? turns(request, index) : turns[index];
      if (!turn) {
        throw new Error(
          `scripted model: no answer scripted for request ${index + 1} (${(turns as readonly ScriptedTurn[]).length} scripted)`,
        );
      }
      // One abort listener for the whole stream, not one per chunk: a fan-out of a thousand
      // scripted agents should measure the scheduler, not this fixture.
      const clock = new ChunkClock(chunkDelayMs, request.signal);
      try {
        const text = turn.text ?? '';
        for (let at = 0; at < text.length; at += chunkSize) {
          await clock.tick();
          yield { type: 'text-delta', text: text.slice(at, at + chunkSize) };
        }
        const calls = turn.toolCalls ?? [];
        for (const [i, call] of calls.entries()) {
          const id = call.id ?? `call_${index + 1}_${i + 1}`;
          const input =
            typeof call.input === 'string' ? call.input : JSON.stringify(call.input ?? {});
          const cut = turn.cutOff === true && i === calls.length - 1;
          const streamed = cut ? input.slice(0, Math.max(1, Math.floor(input.length / 2))) : input;
          await clock.tick();
          yield { type: 'tool-call-start', id, name: call.name };
          for (let at = 0; at < streamed.length; at += chunkSize) {
            await clock.tick();
            yield { type: 'tool-call-delta', id, delta: streamed.slice(at, at + chunkSize) };
          }
          if (!cut) yield { type: 'tool-call', id, name: call.name, input };
        }
        await clock.tick();
        const reason = turn.cutOff
          ? 'length'
          : (turn.finish ?? (calls.length > 0 ? 'tool-calls' : 'stop'));
        yield { type: 'finish', reason, usage: turn.usage ?? { inputTokens: 0, outputTokens: 0 } };
      } finally {
        clock.stop();
      }
    },
    toProviderMessages(messages: readonly AgentMessage[]): unknown[] {
      return messages.map((m) => ({ ...m }));
    },
  };
}

/** Simulated token timing: each `tick` waits `ms`, or rejects once `signal` aborts. */
class ChunkClock {
  readonly #ms: number;
  readonly #signal: AbortSignal;
  #reject: ((reason: unknown) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onAbort = () => {
    clearTimeout(this.#timer);
    this.#reject?.(this.#signal.reason);
  };

  constructor(ms: number, signal: AbortSignal) {
    this.#ms = ms;
    this.#signal = signal;
    if (ms > 0) signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  tick(): Promise<void> {
    if (this.#signal.aborted) return Promise.reject(this.#signal.reason);
    if (this.#ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#reject = reject;
      this.#timer = setTimeout(resolve, this.#ms);
    });
  }

  stop(): void {
    clearTimeout(this.#timer);
    if (this.#ms > 0) this.#signal.removeEventListener('abort', this.#onAbort);
  }
}

/** Waits `ms`, or rejects with the abort reason as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
