import type { SubagentTask } from '../../subagent/subagent-dispatcher.js';

/** A job's data: the task, nothing else (the worker has its own tools and credentials). */
export type TaskPayload = Omit<SubagentTask, 'id'>;

/** Longest prompt a worker takes from the queue. */
const maxPromptChars = 1_000_000;

/** The task of a job, read as untrusted; throws a one-line error saying what is wrong. */
export function readTaskPayload(data: unknown): TaskPayload {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (typeof d.prompt !== 'string' || d.prompt.length === 0 || d.prompt.length > maxPromptChars) {
    throw new Error(
      `Not a salvo task: \`prompt\` must be a string of 1 to ${maxPromptChars} characters`,
    );
  }
  if (d.agent !== undefined && typeof d.agent !== 'string') {
    throw new Error('Not a salvo task: `agent` must be a definition name');
  }
  const path = Array.isArray(d.path) && d.path.every((p) => typeof p === 'string') ? d.path : [];
  const maxTurns =
    typeof d.maxTurns === 'number' && Number.isInteger(d.maxTurns) && d.maxTurns >= 1
      ? d.maxTurns
      : 1;
  return {
    prompt: d.prompt,
    ...(typeof d.agent === 'string' ? { agent: d.agent } : {}),
    path: path as string[],
    maxTurns,
  };
}
