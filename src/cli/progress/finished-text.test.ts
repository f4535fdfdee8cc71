import { describe, expect, it } from 'vitest';
import { cancelPhrase, finishedText } from './finished-text.js';
import type { CallView } from './progress-snapshot.js';

function call(fields: Partial<CallView>): CallView {
  return {
    key: '1:0',
    turnId: 1,
    callId: 'c1',
    toolName: 'shell',
    index: 0,
    path: [],
    description: 'shell "make"',
    status: 'done',
    since: 0,
    queuedAt: 0,
    startedAt: 100,
    endedAt: 1300,
    ...fields,
  };
}

describe('cancelPhrase', () => {
  it('says what cancelled it once, however the reason words it', () => {
    expect(cancelPhrase('Cancelled: cancelled by Ctrl-C.')).toEqual({
      phrase: 'cancelled by Ctrl-C',
    });
    expect(cancelPhrase('Cancelled: stopped by SIGTERM.')).toEqual({
      phrase: 'stopped by SIGTERM',
    });
    expect(cancelPhrase('cancelled by the user (Ctrl-C)')).toEqual({
      phrase: 'cancelled by the user (Ctrl-C)',
    });
    expect(cancelPhrase('Cancelled: cancelled by its parent.')).toEqual({
      phrase: 'cancelled by its parent',
    });
    expect(cancelPhrase('Cancelled: the run was cancelled.')).toEqual({ phrase: 'cancelled' });
    expect(cancelPhrase(undefined)).toEqual({ phrase: 'cancelled' });
    expect(cancelPhrase('Cancelled: call c1 failed.')).toEqual({
      phrase: 'cancelled',
      why: 'call c1 failed',
    });
  });
});

describe('finishedText', () => {
  it('says a shell command exit code, or done', () => {
    expect(finishedText(call({ status: 'error', exit: { code: 3 }, error: 'exit code 3' }))).toBe(
      'exit 3 after 1.2s',
    );
    expect(finishedText(call({ status: 'error', exit: { code: null, signal: 'SIGKILL' } }))).toBe(
      'killed by SIGKILL after 1.2s',
    );
    expect(finishedText(call({ status: 'done', exit: { code: 0 } }))).toBe('done in 1.2s');
    expect(finishedText(call({ status: 'error', error: 'Error: no such file' }))).toBe(
      'failed after 1.2s: no such file',
    );
  });

  it('never says "cancelled" twice', () => {
    const cancelled = call({ status: 'cancelled', error: 'Cancelled: cancelled by Ctrl-C.' });
    expect(finishedText(cancelled)).toBe('cancelled by Ctrl-C after 1.2s');
    const early = call({
      status: 'cancelled',
      error: 'Cancelled: stopped by SIGTERM.',
      startedAt: undefined,
    });
    expect(finishedText(early)).toBe('stopped by SIGTERM');
    const why = call({ status: 'cancelled', error: 'Cancelled: call c0 failed.' });
    expect(finishedText(why)).toBe('cancelled after 1.2s: call c0 failed');
  });

  it('says denials and timeouts in their own words', () => {
    expect(finishedText(call({ status: 'denied', error: 'Denied: the user said no.' }))).toBe(
      'denied: the user said no',
    );
    expect(finishedText(call({ status: 'timeout', error: 'Timed out after 1s' }))).toBe(
      'timed out after 1.2s',
    );
  });
});
