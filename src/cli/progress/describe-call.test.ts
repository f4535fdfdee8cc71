import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeCall } from './describe-call.js';
import { textWidth } from './text-width.js';

describe('describeCall', () => {
  it('names the main argument of the built-in tools', () => {
    expect(describeCall('read_file', { path: 'src/a.ts' }, 80)).toBe('read_file src/a.ts');
    expect(describeCall('grep', { pattern: 'TODO', path: 'src' }, 80)).toBe('grep "TODO" in src');
    expect(describeCall('glob', { pattern: '**/*.ts', path: '.' }, 80)).toBe('glob "**/*.ts"');
    expect(describeCall('shell', { command: 'npm test' }, 80)).toBe('shell "npm test"');
    expect(describeCall('edit_file', { path: 'my file.ts', old_string: 'a' }, 80)).toBe(
      'edit_file "my file.ts"',
    );
    expect(describeCall('fetch', { url: 'https://example.com/x' }, 80)).toBe(
      'fetch https://example.com/x',
    );
    expect(describeCall('list_dir', {}, 80)).toBe('list_dir');
  });

  it('shows the agent and what a task is about', () => {
    const input = { description: 'Review auth', prompt: 'Long instructions', agent: 'reviewer' };
    expect(describeCall('task', input, 80)).toBe('task reviewer "Review auth"');
    expect(describeCall('task', { prompt: 'Find the bug' }, 80)).toBe('task "Find the bug"');
    expect(describeCall('agent', { action: 'wait', ids: ['a1', 'a2', 'a3'] }, 80)).toBe(
      'agent wait a1 +2',
    );
  });

  it('reads JSON strings, as the agent loop passes them', () => {
    expect(describeCall('read_file', '{"path":"src/b.ts"}', 80)).toBe('read_file src/b.ts');
    expect(describeCall('shell', '{"command":"ls', 80)).toBe('shell "ls"');
    expect(describeCall('shell', 'not json', 80)).toBe('shell "not json"');
    expect(describeCall('shell', '   ', 80)).toBe('shell');
  });

  it('describes other tools by their first simple field', () => {
    expect(describeCall('github__create_issue', { repo: 'a/b', title: 'Bug' }, 80)).toBe(
      'github__create_issue repo="a/b"',
    );
    expect(describeCall('calc', { expr: { nested: true }, n: 3 }, 80)).toBe('calc n=3');
  });

  it('copes with any input', () => {
    expect(describeCall('t', null, 80)).toBe('t');
    expect(describeCall('t', undefined, 80)).toBe('t');
    expect(describeCall('t', 42, 80)).toBe('t 42');
    expect(describeCall('t', [1, 2], 80)).toBe('t [2 items]');
    expect(describeCall('t', true, 80)).toBe('t true');
    expect(describeCall('', { path: 'x' }, 80)).toBe('? x');
  });

  it('strips escape sequences and control characters from model text', () => {
    const out = describeCall('read_file', { path: 'a\u001b[2J\u001b[Hb\nc\u0007.ts' }, 80);
    expect(out).toBe('read_file "ab c.ts"');
    expect(describeCall('shell\u001b[1A', { command: 'x\u001b]0;title\u0007' }, 80)).toBe(
      'shell "x"',
    );
  });

  it('cuts to the width, keeping quotes closed and the end of paths', () => {
    const command = describeCall('shell', { command: 'npm run build && npm test -- --all' }, 20);
    expect(command).toBe('shell "npm run bui…"');
    expect(textWidth(command)).toBe(20);
    const path = describeCall('read_file', { path: 'src/very/deep/folder/file.ts' }, 24);
    expect(path).toBe('read_file …older/file.ts');
    expect(textWidth(path)).toBe(24);
    expect(describeCall('grep', { pattern: 'TODO', path: 'src/a/long/path' }, 14)).toBe(
      'grep "TODO"',
    );
    expect(describeCall('read_file', { path: 'x.ts' }, 5)).toBe('read…');
    expect(describeCall('read_file', { path: 'x.ts' }, 0)).toBe('');
  });

  it('handles huge inputs without parsing them whole', () => {
    const content = 'x'.repeat(2_000_000);
    expect(describeCall('write_file', { path: 'big.txt', content }, 60)).toBe('write_file big.txt');
    const json = JSON.stringify({ path: 'big.txt', content });
    expect(describeCall('write_file', json, 60)).toBe('write_file big.txt');
    expect(textWidth(describeCall('shell', { command: content }, 60))).toBe(60);
  });

  it('never exceeds the width nor lets a control character through', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.jsonValue(),
        fc.integer({ min: 0, max: 120 }),
        (name, input, width) => {
          const out = describeCall(name, input, width);
          expect(textWidth(out)).toBeLessThanOrEqual(width);
          expect([...out].some((c) => c < ' ' || (c >= '\u007f' && c <= '\u009f'))).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
