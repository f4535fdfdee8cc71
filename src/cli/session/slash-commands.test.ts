import { describe, expect, it } from 'vitest';
import type { CliSession } from './cli-session.js';
import { parseSlash, runSlash, type SlashContext, sessionLine } from './slash-commands.js';

function context(session: Partial<CliSession> = {}): { context: SlashContext; printed: string[] } {
  const printed: string[] = [];
  return {
    printed,
    context: {
      session: session as CliSession,
      print: (line) => printed.push(line),
      pick: async () => undefined,
    },
  };
}

describe('slash commands', () => {
  it('are a word after one slash; paths and //text are prompts', () => {
    expect(parseSlash('/help')).toEqual({ name: 'help', args: '' });
    expect(parseSlash('  /model  gpt-4.1 ')).toEqual({ name: 'model', args: 'gpt-4.1' });
    expect(parseSlash('/usr/bin/env is missing')).toBeUndefined();
    expect(parseSlash('//help')).toBeUndefined();
    expect(parseSlash('fix /help')).toBeUndefined();
  });

  it('an unknown command says so, with the nearest, and goes nowhere', async () => {
    const { context: c, printed } = context();
    expect(await runSlash('/halp', c)).toEqual({ kind: 'continue' });
    expect(printed).toEqual([
      'Unknown command /halp (did you mean /help?): /help lists the commands; //text sends text that starts with /.',
    ]);
  });

  it('/help lists every command, /exit and /quit leave', async () => {
    const { context: c, printed } = context();
    await runSlash('/help', c);
    const text = printed.join('\n');
    for (const name of [
      '/clear',
      '/model',
      '/compact',
      '/resume',
      '/permissions',
      '/trace',
      '/cost',
      '/status',
      '/exit',
    ]) {
      expect(text).toContain(name);
    }
    expect(await runSlash('/exit', c)).toEqual({ kind: 'exit' });
    expect(await runSlash('/QUIT', c)).toEqual({ kind: 'exit' });
  });

  it('/model shows the model, switches to a valid id, refuses an id with spaces or escapes', async () => {
    const session = { choice: { provider: 'openai', model: 'a' } } as unknown as CliSession;
    session.setModel = (id: string) => {
      session.choice = { ...session.choice, model: id };
    };
    const { context: c, printed } = context(session);
    await runSlash('/model', c);
    await runSlash('/model b', c);
    await runSlash('/model b c', c);
    await runSlash('/model \u001b[2Jx', c);
    expect(printed[0]).toBe('Model: openai:a');
    expect(printed[1]).toBe('Model: openai:b from the next prompt on.');
    expect(printed[2]).toMatch(/one word/);
    expect(printed[3]).toMatch(/one word/);
    expect(session.choice.model).toBe('b');
  });

  it('/status reports the totals', async () => {
    const session = {
      id: 's1',
      cwd: '/p',
      transcriptFile: '/h/s1.json',
      choice: { provider: 'openai', model: 'm' },
      lastInputTokens: 12_345,
      totals: {
        prompts: 1,
        calls: 3,
        wallMs: 1500,
        usage: { inputTokens: 20_000, outputTokens: 5 },
      },
    } as unknown as CliSession;
    const { context: c, printed } = context(session);
    await runSlash('/cost', c);
    expect(printed.join('\n')).toMatch(
      /Session s1: 1 prompt, 3 tool calls, 1\.5 s working\nTokens: 20\.0k in, 5 out .*last request 12\.3k in/,
    );
  });

  it('a session line names the title, prompts, age and id', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    expect(
      sessionLine(
        {
          id: 'x',
          file: '/x.json',
          cwd: '/p',
          title: 'fix the bug',
          savedAt: new Date('2026-01-01T11:00:00Z'),
          provider: 'openai',
          model: 'm',
          prompts: 2,
        },
        now,
      ),
    ).toBe('fix the bug  (2 prompts, 1 h ago, x)');
  });
});
