import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completionStream, textChunk } from '../agent/providers/test-openai-sse.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { cleanEnv, runSalvo, tempProject, textAnswer } from './test-cli.js';
import { TestTerminal } from './test-terminal.js';

// The interactive prompt of the real binary in a real terminal (tmux): pastes, history, text typed
// while a prompt runs, Ctrl-C and Ctrl-D at the prompt, `@path` mentions. The model is the
// scripted loopback server; an answer that must stay in flight is held by a gate the test opens.

/** Generous: the machine is small and busy; waits end as soon as the screen is right. */
const slow = 45_000;

let server: TestServer;
const terminals: TestTerminal[] = [];
const gates: Array<() => void> = [];

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const open of gates.splice(0)) open();
  await Promise.all(terminals.splice(0).map((t) => t.close()));
  await server.close();
});

const env = (home: string) =>
  cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });

async function salvo(args: string[], dir: string, home: string): Promise<TestTerminal> {
  const terminal = await TestTerminal.start({ args, cwd: dir, env: env(home) });
  terminals.push(terminal);
  return terminal;
}

/** Interactive salvo in `dir`, once its prompt is up. */
async function session(dir: string, home: string): Promise<TestTerminal> {
  const t = await salvo(['-m', 'm'], dir, home);
  await t.waitFor(/Ctrl-D\s+leaves\.[\s\S]*\n›$/, slow);
  return t;
}

/** A promise and the function that resolves it: a barrier the test opens. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  gates.push(open);
  return { wait, open };
}

interface WireMessage {
  role: string;
  content?: unknown;
}

/** The user messages of a request, as text. */
function userTexts(body: unknown): string[] {
  return (body as { messages: WireMessage[] }).messages
    .filter((m) => m.role === 'user')
    .map((m) =>
      typeof m.content === 'string'
        ? m.content
        : (m.content as { text?: string }[]).map((p) => p.text ?? '').join(''),
    );
}

/** How many times `pattern` (global) occurs in `text`. */
function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** `n` runs have ended and the prompt is back, empty. */
const doneAndPrompt = (n: number) => (s: string) => count(s, /— done in /g) === n && /\n›$/.test(s);

describe('the interactive prompt in a terminal', () => {
  it('sends a multi-line paste whole, as one message, and shows a long one as a label', async () => {
    const { dir, home } = tempProject();
    server.enqueue(textAnswer('Got the three lines.'), textAnswer('Got the long one.'));
    const t = await session(dir, home);

    await t.paste('first line\nsecond line\nthird line');
    // In the prompt, each line under the one before; nothing sent yet.
    await t.waitForScreen(/\n› first line\n {2}second line\n {2}third line$/, slow);
    expect(server.requests).toHaveLength(0);
    await t.press('Enter');
    await t.waitFor(doneAndPrompt(1), slow);
    expect(userTexts((await server.request(0)).body)).toEqual([
      'first line\nsecond line\nthird line',
    ]);

    const long = Array.from({ length: 8 }, (_, i) => `log line ${i + 1}`).join('\n');
    await t.type('look at this: ');
    await t.paste(long);
    await t.waitForScreen(/\n› look at this: \[pasted 8 lines\]$/, slow);
    await t.press('Enter');
    await t.waitFor(doneAndPrompt(2), slow);
    expect(userTexts((await server.request(1)).body)[1]).toBe(`look at this: ${long}`);

    await t.press('C-d');
    expect(await t.exitCode(slow)).toBe(0);
  }, 120_000);

  it('keeps the history per folder: Up brings back the last prompt after a restart, not in another folder', async () => {
    const { dir, home } = tempProject();
    const other = join(dirname(dir), 'other');
    mkdirSync(other);
    server.enqueue(textAnswer('Noted.'));
    const first = await session(dir, home);
    await first.type('remember this prompt');
    await first.press('Enter');
    await first.waitFor(doneAndPrompt(1), slow);
    await first.press('C-d');
    expect(await first.exitCode(slow)).toBe(0);

    const again = await session(dir, home);
    await again.press('Up');
    await again.waitForScreen(/\n› remember this prompt$/, slow);
    // Ctrl-C clears it; Ctrl-D on the empty prompt leaves.
    await again.press('C-c');
    await again.waitForScreen(/\n›$/, slow);
    await again.press('C-d');
    expect(await again.exitCode(slow)).toBe(0);

    const elsewhere = await session(other, home);
    await elsewhere.press('Up');
    // Up had nothing to bring back: what is typed next is alone in the prompt.
    await elsewhere.type('x');
    const screen = await elsewhere.waitForScreen(/\n› x$/, slow);
    expect(screen).not.toContain('remember this prompt');
    await elsewhere.press('C-c');
    await elsewhere.press('C-d');
    expect(await elsewhere.exitCode(slow)).toBe(0);
    // Only the one prompt reached the model.
    expect(server.requests).toHaveLength(1);
  }, 150_000);

  it('sends what was typed while a prompt ran as the next prompt, and keeps the unfinished draft', async () => {
    const { dir, home } = tempProject();
    const hold = gate();
    server.enqueue(
      completionStream([{ wait: hold.wait }, textChunk('First answer.')]),
      textAnswer('Second answer.'),
    );
    const t = await session(dir, home);
    await t.type('first prompt');
    await t.press('Enter');
    // The model's answer is held: the prompt runs while the test types.
    await server.request(0);
    await t.type('second prompt');
    await t.waitForScreen(/\n› second prompt$/, slow);
    await t.press('Enter');
    await t.waitForScreen(/\n› \(queued: 1\)$/, slow);
    await t.type('a draft');
    await t.waitForScreen(/\n› a draft \(queued: 1\)$/, slow);
    expect(server.requests).toHaveLength(1);

    hold.open();
    // The queued prompt goes next, shown as the user's, in the same conversation.
    const second = await server.request(1);
    expect(userTexts(second.body)).toEqual(['first prompt', 'second prompt']);
    const screen = await t.waitFor(
      (s) => count(s, /— done in /g) === 2 && /\n› a draft$/.test(s),
      slow,
    );
    expect(screen).toMatch(/First answer\.[\s\S]*\n› second prompt\n[\s\S]*Second answer\./);
    // The draft waits in the prompt: nothing more was sent.
    expect(server.requests).toHaveLength(2);

    await t.press('C-c');
    await t.waitForScreen(/\n›$/, slow);
    await t.press('C-d');
    expect(await t.exitCode(slow)).toBe(0);
  }, 120_000);

  it('a cancelled run sends nothing typed ahead: it is back in the prompt', async () => {
    const { dir, home } = tempProject();
    const hold = gate();
    server.enqueue(completionStream([{ wait: hold.wait }, textChunk('Never seen.')]));
    const t = await session(dir, home);
    await t.type('slow prompt');
    await t.press('Enter');
    await server.request(0);
    await t.type('queued one');
    await t.press('Enter');
    await t.type('half');
    await t.waitForScreen(/\n› half \(queued: 1\)$/, slow);
    await t.press('C-c');
    const screen = await t.waitFor(/run cancelled[\s\S]*\n› queued one\n {2}half$/, slow);
    expect(screen).toContain('The prompt typed ahead is back in the prompt: Enter sends it.');
    expect(server.requests).toHaveLength(1);
    await t.press('C-c');
    await t.press('C-d');
    expect(await t.exitCode(slow)).toBe(0);
  }, 90_000);

  it('Ctrl-C at the prompt clears the line; on an empty one it asks for a second, which exits 0', async () => {
    const { dir, home } = tempProject();
    const t = await session(dir, home);
    await t.type('half typed');
    await t.waitForScreen(/\n› half typed$/, slow);
    await t.press('C-c');
    const cleared = await t.waitForScreen(/\n›$/, slow);
    expect(cleared).not.toContain('half typed');
    expect(cleared).not.toContain('Ctrl-C again');

    await t.press('C-c');
    await t.waitForScreen(/\n›\nPress Ctrl-C again to exit$/, slow);
    await t.press('C-c');
    expect(await t.exitCode(slow)).toBe(0);
    expect(server.requests).toHaveLength(0);
  }, 90_000);

  it('Ctrl-D on the empty prompt exits 0 with the shell on a fresh line, the terminal as it was', async () => {
    const { dir, home } = tempProject();
    const t = await salvo(['-m', 'm'], dir, home);
    const output = join(dir, '..', 'output.log');
    await t.recordOutput(output);
    await t.waitFor(/Ctrl-D\s+leaves\.[\s\S]*\n›$/, slow);
    expect(await t.ttySettings()).toMatch(/(^|\s)-icanon(\s|$)/);
    await t.press('C-d');
    expect(await t.exitCode(slow)).toBe(0);
    expect(await t.screen()).toMatch(/\n›\n\[exit 0\]$/);
    expectTerminalRestored(await t.ttySettings(), readFileSync(output, 'utf8'));
  }, 90_000);

  it('SIGTERM at the prompt, or while a prompt runs, ends the session with 130 and the terminal as it was', async () => {
    const { dir, home } = tempProject();
    const idle = await salvo(['-m', 'm'], dir, home);
    const idleOutput = join(dir, '..', 'idle.log');
    await idle.recordOutput(idleOutput);
    await idle.waitFor(/Ctrl-D\s+leaves\.[\s\S]*\n›$/, slow);
    await idle.type('not sent');
    await idle.waitForScreen(/\n› not sent$/, slow);
    await idle.signal('SIGTERM');
    expect(await idle.exitCode(slow)).toBe(130);
    expectTerminalRestored(await idle.ttySettings(), readFileSync(idleOutput, 'utf8'));

    const hold = gate();
    server.enqueue(completionStream([{ wait: hold.wait }, textChunk('Never seen.')]));
    const running = await salvo(['-m', 'm'], dir, home);
    const runningOutput = join(dir, '..', 'running.log');
    await running.recordOutput(runningOutput);
    await running.waitFor(/Ctrl-D\s+leaves\.[\s\S]*\n›$/, slow);
    await running.type('a long job');
    await running.press('Enter');
    await server.request(0);
    await running.type('typed ahead');
    await running.waitForScreen(/\n› typed ahead$/, slow);
    await running.signal('SIGTERM');
    expect(await running.exitCode(slow)).toBe(130);
    expect(await running.history()).toMatch(/Stopping \(SIGTERM\)/);
    expectTerminalRestored(await running.ttySettings(), readFileSync(runningOutput, 'utf8'));
    expect(server.requests).toHaveLength(1);
  }, 120_000);

  it('@path attaches a file of the workspace; a path outside it is refused with a notice', async () => {
    const { dir, home } = tempProject();
    writeFileSync(join(dir, '..', 'outside.txt'), 'top secret\n');
    server.enqueue(textAnswer('a is 1.'));
    const t = await session(dir, home);
    await t.type('explain @src/a.ts and @../outside.txt');
    await t.press('Enter');
    const screen = await t.waitFor(doneAndPrompt(1), slow);
    expect(screen).toMatch(/\nattached src\/a\.ts \(20 bytes\)\n/);
    expect(screen).toMatch(/\n@\.\.\/outside\.txt: outside the workspace; not attached\n/);
    const [sent] = userTexts((await server.request(0)).body);
    expect(sent).toBe(
      'explain @src/a.ts and @../outside.txt\n\n<file path="src/a.ts">\nexport const a = 1;\n</file>',
    );
    await t.press('C-d');
    expect(await t.exitCode(slow)).toBe(0);
  }, 90_000);
});

/** Out of raw mode, echo on, and the last bracketed-paste switch written was `off`. */
function expectTerminalRestored(stty: string, output: string): void {
  expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
  expect(stty).toMatch(/(^|\s)echo(\s|$)/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escapes are what is checked
  const switches = output.match(/\u001b\[\?2004[hl]/g) ?? [];
  expect(switches.length).toBeGreaterThan(0);
  expect(switches.at(-1)).toBe('\u001b[?2004l');
}

describe('@path mentions in salvo run', () => {
  it('attaches the file, says so, and the transcript keeps what the model got', async () => {
    const { dir, home } = tempProject();
    server.enqueue(textAnswer('It exports a.'));
    const run = await runSalvo(['run', '-m', 'm', 'what does @src/a.ts export? (@nope.ts too)'], {
      cwd: dir,
      env: env(home),
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('attached src/a.ts (20 bytes)');
    expect(run.stderr).toContain('@nope.ts: no such file or folder in the workspace; sent as text');
    const [sent] = userTexts((await server.request(0)).body);
    expect(sent).toContain('<file path="src/a.ts">\nexport const a = 1;\n</file>');
    const sessions = join(home, '.salvo', 'sessions');
    const file = readdirSync(sessions).find(
      (f) => f.endsWith('.json') && !f.endsWith('.trace.json'),
    );
    const saved = JSON.parse(readFileSync(join(sessions, file as string), 'utf8')) as {
      messages: { role: string; content: unknown }[];
    };
    expect(JSON.stringify(saved.messages[0])).toContain('export const a = 1;');

    // -p: the answer alone on stdout, the attachment's line with the rest on stderr.
    server.enqueue(textAnswer('b is 2.'));
    const print = await runSalvo(['-m', 'm', '-p', 'and @src/b.ts?'], { cwd: dir, env: env(home) });
    expect(print.code).toBe(0);
    expect(print.stdout).toBe('b is 2.\n');
    expect(print.stderr).toContain('attached src/b.ts (20 bytes)');
    expect(userTexts((await server.request(1)).body)[0]).toContain(
      '<file path="src/b.ts">\nexport const b = 2;\n</file>',
    );
  }, 60_000);
});
