import { formatDuration } from './format-duration.js';
import type { CallView } from './progress-snapshot.js';
import { exitText } from './shell-outcome.js';

/** `the user said no` from `Denied: the user said no.`: the status word is said elsewhere. */
export function reasonOf(message: string | undefined): string {
  const text = (message ?? '')
    .trim()
    .replace(/^(denied|cancell?ed|timeout|timed out|error):\s*/i, '');
  return text.replace(/\.$/, '');
}

/**
 * A cancellation in words: `cancelled by Ctrl-C` and `stopped by SIGTERM` as their reason says
 * them, `cancelled` alone when the reason only repeats it (`the run was cancelled`), and
 * `cancelled` with a `why` otherwise (`call c1 failed`).
 */
export function cancelPhrase(reason: string | undefined): { phrase: string; why?: string } {
  const text = reasonOf(reason);
  if (text === '' || /^the (run|turn|call|prompt) was cancell?ed$/i.test(text)) {
    return { phrase: 'cancelled' };
  }
  const said = /^(cancell?ed|stopped|interrupted|aborted|killed)\b\s*(.*)$/i.exec(text);
  if (said) {
    const verb = (said[1] as string).toLowerCase();
    return { phrase: said[2] ? `${verb} ${said[2]}` : verb };
  }
  return { phrase: 'cancelled', why: text };
}

/**
 * What happened to a finished call: `done in 0.4s`, `exit 3 after 1.2s` (a shell command),
 * `failed after 1.2s: no such file`, `denied: the user said no`, `cancelled by Ctrl-C after 2.0s`.
 */
export function finishedText(call: CallView): string {
  const ran = call.startedAt !== undefined && call.endedAt !== undefined;
  const duration = ran ? formatDuration((call.endedAt as number) - (call.startedAt as number)) : '';
  const why = reasonOf(call.error);
  const colon = why ? `: ${why}` : '';
  const after = ran ? ` after ${duration}` : '';
  switch (call.status) {
    case 'done':
      return ran ? `done in ${duration}` : 'done';
    case 'timeout':
      return ran ? `timed out after ${duration}` : `timed out${colon}`;
    case 'denied':
      return `denied${colon}`;
    case 'cancelled': {
      const cancel = cancelPhrase(call.error);
      return `${cancel.phrase}${after}${cancel.why ? `: ${cancel.why}` : ''}`;
    }
    default:
      if (call.exit && (call.exit.code === null || call.exit.code !== 0)) {
        return `${exitText(call.exit)}${after}`;
      }
      return `failed${after}${colon}`;
  }
}
