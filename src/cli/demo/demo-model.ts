import type { Model, ModelEvent, ModelRequest } from '../../agent/model.js';
import { type ScriptedTurn, scriptedModel, sleep } from '../../agent/scripted-model.js';
import { InvalidOptionError } from '../../errors.js';
import { reviewerIntro } from './demo-agents.js';
import { type DemoFinding, demoFindings, reviewAreas } from './demo-findings.js';
import { reviewerStep } from './demo-reviewer-script.js';
import { rootStep } from './demo-root-script.js';
import { adaptCall, type ScriptStep } from './demo-script.js';

/** Milliseconds between streamed chunks at the demo's default pace. */
export const defaultDemoChunkDelayMs = 5;

export interface DemoModelsOptions {
  /**
   * Milliseconds between streamed chunks (24 characters each): the simulated token timing.
   * Every duration of the session scales with it. @default defaultDemoChunkDelayMs
   */
  chunkDelayMs?: number;
  /** Time before the first chunk of every answer, as a real model's. @default 10 × chunkDelayMs */
  firstTokenDelayMs?: number;
}

export interface DemoModels {
  /** Plays the root agent: orients, fans out the reviewers, fixes, reports. */
  root: Model;
  /** Plays every reviewer subagent, telling them apart by their system prompt. */
  reviewer: Model;
}

/**
 * The scripted models of `salvo demo`. Each answer is a function of the request alone (which
 * agent by its system prompt, which step by the answers already in the transcript), so any
 * number of reviewers can run at once and a session can run again in the same process.
 */
export function demoModels(options: DemoModelsOptions = {}): DemoModels {
  const { chunkDelayMs = defaultDemoChunkDelayMs } = options;
  if (typeof chunkDelayMs !== 'number' || !(chunkDelayMs >= 0) || chunkDelayMs === Infinity) {
    throw new InvalidOptionError('chunkDelayMs', 'a number of milliseconds from 0', chunkDelayMs);
  }
  const firstTokenDelayMs = options.firstTokenDelayMs ?? chunkDelayMs * 10;
  if (
    typeof firstTokenDelayMs !== 'number' ||
    !(firstTokenDelayMs >= 0) ||
    firstTokenDelayMs === Infinity
  ) {
    throw new InvalidOptionError(
      'firstTokenDelayMs',
      'a number of milliseconds from 0',
      firstTokenDelayMs,
    );
  }
  const findings = demoFindings();
  const root = scriptedModel({
    modelId: 'demo-root',
    chunkDelayMs,
    turns: (request) =>
      toTurn(rootStep(stepOf(request), findings, remembered(request)), 'root', request),
  });
  const reviewer = scriptedModel({
    modelId: 'demo-reviewer',
    chunkDelayMs,
    turns: (request) => reviewerTurn(request, findings),
  });
  return {
    root: withFirstTokenDelay(root, firstTokenDelayMs),
    reviewer: withFirstTokenDelay(reviewer, firstTokenDelayMs),
  };
}

function reviewerTurn(request: ModelRequest, findings: readonly DemoFinding[]): ScriptedTurn {
  const area = reviewAreas.find((a) => request.system.includes(reviewerIntro(a)));
  if (!area) {
    return toTurn(
      {
        text: `I am a scripted demo reviewer: I review one of ${reviewAreas.join(', ')}, named by my agent definition, and was given none of them.`,
        calls: [],
      },
      'reviewer',
      request,
    );
  }
  return toTurn(reviewerStep(area, stepOf(request), findings), area, request);
}

/** Entities in the memory graph when the agent read it (`memory__read_graph`), if it did. */
function remembered(request: ModelRequest): number | undefined {
  for (const message of request.messages) {
    if (message.role !== 'tool') continue;
    const result = message.results.find((r) => r.name === 'memory__read_graph');
    if (result?.status !== 'success') continue;
    for (const block of result.content) {
      if (block.type !== 'json') continue;
      const entities = (block.value as { entities?: unknown } | null)?.entities;
      if (Array.isArray(entities)) return entities.length;
    }
    return undefined;
  }
  return undefined;
}

/** How many answers the agent already gave: its step, from the transcript alone. */
function stepOf(request: ModelRequest): number {
  return request.messages.filter((m) => m.role === 'assistant').length;
}

/** A scripted step as the model streams it, with the calls it may make with the tools offered. */
function toTurn(step: ScriptStep, tag: string, request: ModelRequest): ScriptedTurn {
  const offered = new Set(request.tools.map((t) => t.name));
  const n = stepOf(request) + 1;
  const calls = step.calls.flatMap((scripted) => {
    const adapted = adaptCall(scripted, offered);
    return adapted ? [adapted] : [];
  });
  const toolCalls = calls.map((c, i) => ({
    id: `${tag}_${n}_${i + 1}`,
    name: c.name,
    input: c.input,
  }));
  const written =
    step.text.length + calls.reduce((sum, c) => sum + JSON.stringify(c.input).length, 0);
  const read = request.system.length + JSON.stringify(request.messages).length;
  return {
    text: step.text,
    toolCalls,
    usage: { inputTokens: Math.ceil(read / 4), outputTokens: Math.ceil(written / 4) },
  };
}

/** The model, with a wait before each answer starts streaming (a real model's time to first token). */
function withFirstTokenDelay(model: Model, ms: number): Model {
  if (ms <= 0) return model;
  return {
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
      await sleep(ms, request.signal);
      yield* model.stream(request);
    },
    toProviderMessages: (messages) => model.toProviderMessages(messages),
  };
}
