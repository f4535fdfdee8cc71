import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../tool/call.js';
import { exitText, shellOutcome, tailOf } from './shell-outcome.js';

function shellResult(text: string, status: CallResult['status'] = 'error'): CallResult {
  return {
    id: 's1',
    name: 'shell',
    status,
    isError: status !== 'success',
    content: [{ type: 'text', text }],
  };
}

describe('shellOutcome', () => {
  it('reads the exit code and the last lines of the output', () => {
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    const outcome = shellOutcome('shell', shellResult(`${lines.join('\n')}\n[exit code 3]`));
    expect(outcome).toEqual({
      exit: { code: 3 },
      tail: { lines: ['line 8', 'line 9', 'line 10', 'line 11', 'line 12'], omitted: 7 },
    });
    expect(exitText({ code: 3 })).toBe('exit 3');
  });

  it('reads a kill by a signal, a success, and a command with no output', () => {
    expect(shellOutcome('shell', shellResult('a\n[killed by signal SIGKILL]'))).toEqual({
      exit: { code: null, signal: 'SIGKILL' },
      tail: { lines: ['a'], omitted: 0 },
    });
    expect(exitText({ code: null, signal: 'SIGKILL' })).toBe('killed by SIGKILL');
    expect(shellOutcome('shell', shellResult('ok\n[exit code 0]', 'success'))?.exit).toEqual({
      code: 0,
    });
    expect(shellOutcome('shell', shellResult('(no output)\n[exit code 1]'))).toEqual({
      exit: { code: 1 },
      tail: { lines: [], omitted: 0 },
    });
  });

  it('is undefined for other tools, other statuses and results without the exit line', () => {
    expect(shellOutcome('grep', shellResult('x\n[exit code 1]'))).toBeUndefined();
    expect(shellOutcome('shell', shellResult('Timed out', 'timeout'))).toBeUndefined();
    expect(shellOutcome('shell', shellResult('x\n[exit code 1]', 'cancelled'))).toBeUndefined();
    expect(shellOutcome('shell', shellResult('exit code 3'))).toBeUndefined();
    expect(shellOutcome('shell', shellResult('[exit code 3] and more'))).toBeUndefined();
    expect(shellOutcome('shell', undefined)).toBeUndefined();
    const json = { ...shellResult(''), content: [{ type: 'json' as const, value: 1 }] };
    expect(shellOutcome('shell', json)).toBeUndefined();
    const hostile = {
      ...shellResult(''),
      get content(): never {
        throw new Error('no');
      },
    };
    expect(shellOutcome('shell', hostile)).toBeUndefined();
  });
});

describe('tailOf', () => {
  it('leaves out trailing blank lines, keeps indentation, expands tabs', () => {
    expect(tailOf('first\n  at f (a.ts:1)\n\tat g\n\n\n')).toEqual({
      lines: ['first', '  at f (a.ts:1)', '    at g'],
      omitted: 0,
    });
    expect(tailOf('a\n\nb', 2)).toEqual({ lines: ['', 'b'], omitted: 1 });
    expect(tailOf('')).toEqual({ lines: [], omitted: 0 });
  });

  it('shows what a terminal would: the last redraw of a progress line, no escape sequences', () => {
    expect(
      tailOf('10%\r50%\r100%\r\ndone \u001b[31mred\u001b[0m \u001b]0;title\u0007\u202eok').lines,
    ).toEqual(['100%', 'done red ok']);
  });

  it('property: at most `max` lines, none with a control character, counts add up', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 6 }), (text, max) => {
        const tail = tailOf(text, max);
        expect(tail.lines.length).toBeLessThanOrEqual(max);
        for (const line of tail.lines) {
          // biome-ignore lint/suspicious/noControlCharactersInRegex: checking there are none
          expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        }
        const trimmed = text.replace(/\s+$/, '');
        const total = trimmed === '' ? 0 : trimmed.split('\n').length;
        expect(tail.omitted + tail.lines.length).toBe(total);
      }),
    );
  });
});
