import { describe, expect, it } from 'vitest';
import type { CliSession } from './cli-session.js';
import { interactive, type PromptInput } from './interactive.js';

/**
 * A session that records the prompts it runs. `during(n)` runs while the n-th prompt runs (what
 * the user types meanwhile); `exitCodes` says how each ends (0 unless given).
 */
function fakeSession(
  options: { exitCodes?: number[]; during?: (n: number) => void; onShell?: () => string } = {},
) {
  const ran: string[] = [];
  const said: string[] = [];
  let written = '';
  const session = {
    io: {
      stdout: {
        write: (s: string) => {
          written += s;
          return true;
        },
      },
    },
    reporter: { info: (line: string) => said.push(line) },
    choice: { provider: 'openai', model: 'm' },
    cwd: '/project',
    messages: [],
    keys: { stop: () => {} },
    ctrlC: { press: () => {} },
    runPrompt: async (prompt: string) => {
      ran.push(prompt);
      options.during?.(ran.length);
      return { exitCode: options.exitCodes?.[ran.length - 1] ?? 0 };
    },
    runUserShell: async (command: string) => {
      ran.push(`!${command}`);
      return { text: '', status: options.onShell?.() ?? 'success' };
    },
  };
  return {
    session: session as unknown as CliSession,
    ran,
    said,
    written: () => written,
  };
}

/** An input that reads `lines` in turn (then leaves), with a queue the test fills. */
function scriptedInput(lines: (string | null)[]) {
  const queue: string[] = [];
  const putBack: string[][] = [];
  const shown: string[] = [];
  const input: Required<PromptInput> = {
    read: async () => (lines.length > 0 ? (lines.shift() as string | null) : null),
    ask: async () => undefined,
    takeQueued: () => queue.splice(0),
    putBack: (prompts) => putBack.push([...prompts]),
    show: (prompt) => shown.push(prompt),
  };
  return { input, queue, putBack, shown, lines };
}

describe('interactive', () => {
  it('sends the prompts typed ahead during a run next, in order, each shown as the user typed it', async () => {
    const scripted = scriptedInput(['first', null]);
    const { session, ran } = fakeSession({
      during: (n) => {
        if (n === 1) scripted.queue.push('second', 'third');
        if (n === 2) scripted.queue.push('fourth');
      },
    });
    expect(await interactive(session, { input: scripted.input })).toBe(0);
    // `fourth`, typed while `second` ran, waits behind `third`, queued before it.
    expect(ran).toEqual(['first', 'second', 'third', 'fourth']);
    expect(scripted.shown).toEqual(['second', 'third', 'fourth']);
  });

  it('after a cancelled run, puts what was typed ahead back in the prompt instead of sending it', async () => {
    const scripted = scriptedInput(['slow', 'edited', null]);
    const { session, ran, said } = fakeSession({
      exitCodes: [130],
      during: (n) => {
        if (n === 1) scripted.queue.push('next', 'after');
      },
    });
    expect(await interactive(session, { input: scripted.input })).toBe(0);
    expect(ran).toEqual(['slow', 'edited']);
    expect(scripted.putBack).toEqual([['next', 'after']]);
    expect(said).toContain('The prompts typed ahead are back in the prompt: Enter sends them.');
  });

  it('does the same after a cancelled !command', async () => {
    const scripted = scriptedInput(['!sleep 100', null]);
    const { session, ran } = fakeSession({
      onShell: () => {
        scripted.queue.push('typed');
        return 'cancelled';
      },
    });
    expect(await interactive(session, { input: scripted.input })).toBe(0);
    expect(ran).toEqual(['!sleep 100']);
    expect(scripted.putBack).toEqual([['typed']]);
  });

  it('expands @mentions of every prompt, typed or typed ahead', async () => {
    const scripted = scriptedInput(['read @a.ts', null]);
    const { session, ran } = fakeSession({
      during: (n) => {
        if (n === 1) scripted.queue.push('and @b.ts');
      },
    });
    await interactive(session, {
      input: scripted.input,
      expandMentions: async (text) => `${text} [attached]`,
    });
    expect(ran).toEqual(['read @a.ts [attached]', 'and @b.ts [attached]']);
  });

  it('ends with 130 when stopped: at once at the prompt, or after the run in progress', async () => {
    const stop = new AbortController();
    const scripted = scriptedInput(['working', 'never read']);
    const { session, ran } = fakeSession({
      during: () => {
        scripted.queue.push('never sent');
        stop.abort();
      },
    });
    expect(await interactive(session, { input: scripted.input, stop: stop.signal })).toBe(130);
    expect(ran).toEqual(['working']);
    expect(scripted.lines).toEqual(['never read']);

    // The read itself ends (null) when stopped meanwhile.
    const atPrompt = new AbortController();
    const idle = fakeSession();
    const input = {
      ...scriptedInput([]).input,
      read: async () => {
        atPrompt.abort();
        return null;
      },
    };
    expect(await interactive(idle.session, { input, stop: atPrompt.signal })).toBe(130);
  });
});
