import { sanitizeInline } from '../trace/sanitize-text.js';
import { outcomeWords } from './progress/call-outcomes.js';
import { cancelPhrase } from './progress/finished-text.js';
import { formatDuration } from './progress/index.js';
import { counted } from './progress/pluralize.js';
import type { RunEnd } from './reporter.js';

/**
 * The last line of a run: how it ended, its calls (and those that failed, were denied or were
 * cancelled), its figures, where the files went.
 */
export function endLine(end: RunEnd, width = Infinity): string {
  const took = formatDuration(end.wallMs);
  const how =
    end.finishReason === 'stop'
      ? `done in ${took}`
      : end.finishReason === 'cancelled'
        ? cancelledRun(end, took)
        : end.finishReason === 'max-steps'
          ? `stopped after ${counted(end.steps, 'model request')} (raise --max-steps) in ${took}`
          : end.finishReason === 'length'
            ? `cut off: the answer reached the model’s output limit in ${took}`
            : end.finishReason === 'content-filter'
              ? `stopped by the provider’s content filter in ${took}`
              : end.finishReason === 'error'
                ? `failed after ${took}`
                : end.finishReason === 'timeout'
                  ? `timed out after ${took}`
                  : end.finishReason === 'denied'
                    ? 'denied'
                    : `ended: ${end.finishReason} in ${took}`;
  const notes = end.outcomes ? outcomeWords(end.outcomes) : [];
  const parts = [
    how,
    `${counted(end.calls, 'tool call')}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`,
  ];
  parts.push(...timingParts(end));
  parts.push(counted(end.usage.inputTokens + end.usage.outputTokens, 'token'));
  for (const name of end.needsLogin ?? []) {
    const server = sanitizeInline(name);
    parts.push(`${server} needs login: run \`salvo mcp login ${server}\``);
  }
  const files = [
    end.transcriptFile ? `transcript ${end.transcriptFile}` : '',
    end.traceFile ? `trace ${end.traceFile}` : '',
  ].filter(Boolean);
  const lines = joinWithin(['—', ...parts], width, ' · ');
  if (files.length > 0) lines.push(...joinWithin(['', ...files], width, ' · '));
  return lines.join('\n');
}

/**
 * What matters of the run's time, and only what happened: `model 1.2s, tools 0.4s`, `tools 2.1x
 * parallel`, `5 subagents, 5 at once`. Nothing that reads as a fault when nothing went wrong
 * (a run whose model took the time has tools running a small part of the wall: that is right).
 */
function timingParts(end: RunEnd): string[] {
  const t = end.timing;
  if (!t) {
    return end.calls > 1 && end.parallelism >= 1.05
      ? [`parallelism ${end.parallelism.toFixed(1)}x`]
      : [];
  }
  const parts: string[] = [];
  if (t.requests > 0) {
    const split = [`model ${short(t.modelMs)}`];
    if (end.calls > 0) split.push(`tools ${short(t.toolsMs)}`);
    if (t.waitsMs >= Math.max(50, end.wallMs * 0.05)) split.push(`waits ${short(t.waitsMs)}`);
    parts.push(split.join(', '));
  }
  if (end.calls > 1 && t.toolParallelism >= 1.05) {
    parts.push(`tools ${t.toolParallelism.toFixed(1)}x parallel`);
  }
  if (t.subagents > 1) {
    parts.push(
      t.subagentsAtOnce > 1
        ? `${t.subagents} subagents, ${t.subagentsAtOnce} at once`
        : `${t.subagents} subagents`,
    );
  } else if (t.subagents === 1) parts.push('1 subagent');
  return parts;
}

/** `90ms` below a second, `1.2s` above (as the rest of the line). */
function short(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))}ms` : formatDuration(ms);
}

/**
 * The parts on one line joined by `separator` while they fit in `width`; a part that does not
 * fit starts a new line indented by two spaces, so a narrow terminal never splits a word.
 */
function joinWithin(parts: readonly string[], width: number, separator: string): string[] {
  const [first = '', ...rest] = parts;
  const lines: string[] = [];
  let line = first === '' ? ' ' : first;
  let joiner = first === '' || first === '—' ? ' ' : separator;
  for (const part of rest) {
    const next = `${line}${joiner}${part}`;
    if (next.length > width && line.trim() !== '' && line.trim() !== '—') {
      lines.push(line);
      line = `  ${part}`;
    } else line = next;
    joiner = separator;
  }
  lines.push(line);
  return lines;
}

/**
 * `run cancelled by Ctrl-C after 2.1s`, `run stopped by SIGTERM after 2.1s`: what was cancelled
 * and by what, in one phrase, from the abort reason (or an error that is one).
 */
function cancelledRun(end: RunEnd, took: string): string {
  const reason =
    end.cancelReason ??
    (/^(cancell?ed|stopped|interrupted) by /i.test(end.error ?? '') ? end.error : undefined);
  const { phrase, why } = cancelPhrase(reason);
  return `run ${phrase} after ${took}${why ? ` (${why})` : ''}`;
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
  return `thought: ${start} (${counted(words, 'word')})`;
}
