import { formatDuration } from './progress/index.js';
import type { RunEnd } from './reporter.js';

/** The last line of a run: how it ended, its figures, where the files went. */
export function endLine(end: RunEnd): string {
  const how =
    end.finishReason === 'stop'
      ? 'done'
      : end.finishReason === 'cancelled'
        ? 'cancelled'
        : end.finishReason === 'max-steps'
          ? `stopped after ${end.steps} model requests (raise --max-steps)`
          : end.finishReason === 'length'
            ? 'cut off: the answer reached the model’s output limit'
            : end.finishReason === 'content-filter'
              ? 'stopped by the provider’s content filter'
              : `ended: ${end.finishReason}`;
  const parts = [
    `${how} in ${formatDuration(end.wallMs)}`,
    `${end.calls} tool call${end.calls === 1 ? '' : 's'}`,
  ];
  if (end.calls > 1) parts.push(`parallelism ${end.parallelism.toFixed(1)}x`);
  parts.push(`${end.usage.inputTokens + end.usage.outputTokens} tokens`);
  const files = [
    end.transcriptFile ? `transcript ${end.transcriptFile}` : '',
    end.traceFile ? `trace ${end.traceFile}` : '',
  ].filter(Boolean);
  return `— ${parts.join(' · ')}${files.length > 0 ? `\n  ${files.join(' · ')}` : ''}`;
}
