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

/**
 * The model's reasoning of one step in one line: `thought: <its start>… (N words)`. The text is
 * the model's: the caller has taken its escape sequences out.
 */
export function thoughtLine(text: string, width = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const words = flat === '' ? 0 : flat.split(' ').length;
  const room = Math.max(20, width - 30);
  const start = flat.length > room ? `${flat.slice(0, room - 1)}…` : flat;
  return `thought: ${start} (${words} word${words === 1 ? '' : 's'})`;
}
