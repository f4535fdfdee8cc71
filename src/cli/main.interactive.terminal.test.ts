import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completionStream, textChunk } from '../agent/providers/test-openai-sse.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { cleanEnv, tempProject, textAnswer, toolCallsAnswer } from './test-cli.js';
import { TestTerminal } from './test-terminal.js';

// The real binary in a real pseudo-terminal (tmux): the interactive session, and the live block
// with a wide fan-out. Everything that must stay in flight is held by a barrier the test opens:
// model answers held by the test server, shell reads blocked on named pipes.

/** Generous: the machine is small and busy; waits end as soon as the screen is right. */
const slow = 45_000;

/** An elapsed time as the live block shows it: `0.4s`, `12s`, `1m05s`. */
const time = String.raw`(?:\d\.\ds|\d+s|\d+m\d\ds)`;

let server: TestServer;
const terminals: TestTerminal[] = [];
const cleanups: Array<() => void> = [];

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await Promise.all(terminals.splice(0).map((t) => t.close()));
  await server.close();
});

async function salvo(args: string[], dir: string, home: string): Promise<TestTerminal> {
  const env = cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });
  const terminal = await TestTerminal.start({ args, cwd: dir, env });
  terminals.push(terminal);
  return terminal;
}

/** A promise and the function that resolves it: a barrier the test opens. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** How many times `pattern` (global) occurs in `text`. */
function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

interface OpenAIMessage {
  role: string;
  content?: unknown;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

function messagesOf(body: unknown): OpenAIMessage[] {
  return (body as { messages: OpenAIMessage[] }).messages;
}

/** A message's text, whether the SDK sent a string or content parts. */
function textOf(message: OpenAIMessage | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: { text?: string }) => p.text ?? '').join('');
  return '';
}

describe('salvo in a terminal, interactive', () => {
  it('keeps the conversation from one prompt to the next, and /exit ends with code 0', async () => {
    const { dir, home } = tempProject();
    server.enqueue(
      toolCallsAnswer([{ id: 'call_a', name: 'read_file', input: { path: 'src/a.ts' } }]),
      textAnswer('The file a.ts exports a = 1.'),
      textAnswer('And b.ts exports b = 2.'),
    );
    const t = await salvo(['-m', 'm'], dir, home);
    // The greeting, then the prompt.
    await t.waitFor(
      /salvo openai:m in .*\/help lists commands;\s+Ctrl-D\s+leaves\.[\s\S]*\n›$/,
      slow,
    );

    await t.type('what does a.ts export?');
    await t.press('Enter');
    // The answer, the tool call it made, the run's last line, and the prompt again.
    const first = await t.waitFor(
      (s) => /— done in [\s\S]*\n›$/.test(s) && s.includes('The file a.ts exports a = 1.'),
      slow,
    );
    expect(first).toMatch(/read_file src\/a\.ts.*done/);
    expect(first).toMatch(/— done in \S+ · 1 tool call · model \S+, tools \S+ · \d+ tokens/);
    const firstRequest = messagesOf((await server.request(0)).body);
    expect(firstRequest.filter((m) => m.role === 'user').map(textOf)).toEqual([
      'what does a.ts export?',
    ]);

    await t.type('and b.ts?');
    await t.press('Enter');
    // The third request is the second prompt's: it carries the whole first exchange.
    const messages = messagesOf((await server.request(2)).body).filter((m) => m.role !== 'system');
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(textOf(messages[0])).toBe('what does a.ts export?');
    expect(messages[1]?.tool_calls).toEqual([
      expect.objectContaining({
        id: 'call_a',
        function: expect.objectContaining({ name: 'read_file' }),
      }),
    ]);
    expect(JSON.parse(messages[1]?.tool_calls?.[0]?.function.arguments ?? '')).toEqual({
      path: 'src/a.ts',
    });
    expect(messages[2]?.tool_call_id).toBe('call_a');
    expect(textOf(messages[2])).toContain('export const a = 1;');
    expect(textOf(messages[3])).toBe('The file a.ts exports a = 1.');
    expect(textOf(messages[4])).toBe('and b.ts?');

    const second = await t.waitFor((s) => count(s, /— done in /g) === 2 && /\n›$/.test(s), slow);
    expect(second).toContain('And b.ts exports b = 2.');
    expect(second).toMatch(/— done in \S+ · 0 tool calls · model \S+ · \d+ tokens/);

    await t.type('/exit');
    await t.press('Enter');
    expect(await t.exitCode(slow)).toBe(0);
    // Three model requests in all: nothing was sent after /exit.
    expect(server.requests).toHaveLength(3);
  }, 120_000);

  it('shows the live block of a wide fan-out: running calls, a subagent group, calls waiting for a slot', async () => {
    const { dir, home } = tempProject();
    mkdirSync(join(dir, '.salvo', 'agents'), { recursive: true });
    writeFileSync(
      join(dir, '.salvo', 'agents', 'reviewer.md'),
      '---\nname: reviewer\ndescription: Reviews one part of the code\n---\nYou review code.\n',
    );
    // 21 shell reads, each blocked on a named pipe of its own until the test writes to it.
    mkdirSync(join(dir, 'hold'));
    const pipes = Array.from({ length: 21 }, (_, i) => `hold/p${String(i + 1).padStart(2, '0')}`);
    execFileSync('mkfifo', pipes, { cwd: dir });
    cleanups.push(() => unblockReaders(pipes.map((p) => join(dir, p))));
    // 3 subagents, whose model answers the test server holds back until the test opens a gate.
    const reviews = [gate(), gate(), gate()];
    cleanups.push(() => {
      for (const review of reviews) review.open();
    });
    const tasks = [1, 2, 3].map((n) => ({
      id: `task_${n}`,
      name: 'task',
      input: { agent: 'reviewer', description: `review part ${n}`, prompt: `Review part ${n}.` },
    }));
    const reads = pipes.map((pipe, i) => ({
      id: `read_${i + 1}`,
      name: 'shell',
      input: { command: `cat ${pipe}` },
    }));
    server.enqueue(
      toolCallsAnswer([...tasks, ...reads]),
      ...reviews.map((review) =>
        completionStream([{ wait: review.wait }, textChunk('Part reviewed: fine.')]),
      ),
      textAnswer('Reviewed and read everything.'),
    );
    const t = await salvo(['run', '-m', 'm', '--max-concurrency', '4', 'review it all'], dir, home);
    // The 3 tasks start, then yield their slots while their subagents work: 4 reads take them,
    // and the other 17 wait for one. Wait for a frame where the times have moved on.
    const frame = await t.waitForScreen(
      (s) =>
        /7 running, 17 waiting/.test(s) &&
        /shell "cat hold\/p01" +(?!0\.)\S+s\n/.test(s) &&
        /\n… and \d+ more waiting$/.test(s),
      slow,
    );
    // The subagents' model requests are out, held by the test server.
    await server.request(3);
    const block = liveBlock(frame);
    expect(block[0]).toMatch(new RegExp(`^\\S step 1 · 7 running, 17 waiting · ${time}$`));
    // The group line, right under the header.
    expect(block[1]).toMatch(/^⠿ reviewers 0\/3 done {2}3 running$/);
    // One line per running call, with its elapsed time: the 3 tasks (with their agent) and the
    // 4 reads that got a slot.
    const running = block.filter((line) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (task|shell)/.test(line));
    expect(running).toHaveLength(7);
    for (const n of [1, 2, 3]) {
      expect(running).toContainEqual(
        expect.stringMatching(
          new RegExp(`^\\S task reviewer "review part ${n}" +${time} {2}reviewer#\\d\\b`),
        ),
      );
    }
    for (const pipe of pipes.slice(0, 4)) {
      expect(running).toContainEqual(
        expect.stringMatching(new RegExp(`^\\S shell "cat ${pipe}" +${time}$`)),
      );
    }
    // Waiting calls say why, in call order; those that do not fit are counted on the last line.
    const waiting = block.filter((line) => line.startsWith('· '));
    expect(waiting.length).toBeGreaterThan(0);
    waiting.forEach((line, i) => {
      const pipe = pipes[4 + i] as string;
      expect(line).toMatch(
        new RegExp(`^· shell "cat ${pipe}" +${time} {2}waits for a slot: global$`),
      );
    });
    expect(block.at(-1)).toBe(`… and ${17 - waiting.length} more waiting`);
    expect(block.length).toBeLessThanOrEqual(20);

    // Release the reads, in call order (each write waits for its reader to open the pipe).
    const writer = spawn('sh', ['-c', 'for f; do printf "ok\\n" > "$f"; done', 'sh', ...pipes], {
      cwd: dir,
      stdio: 'ignore',
    });
    cleanups.push(() => stop(writer));
    expect(await exited(writer)).toBe(0);
    // Only the tasks remain, their subagents still held.
    const reviewing = await t.waitForScreen(
      (s) =>
        /\S step 1 · 3 running · 21 done · /.test(s) && /task reviewer "review part 3"/.test(s),
      slow,
    );
    expect(liveBlock(reviewing)[1]).toMatch(/^⠿ reviewers 0\/3 done {2}3 running$/);

    // One subagent answers: its group counts it.
    reviews[0]?.open();
    await t.waitForScreen(
      (s) =>
        /\S step 1 · 2 running · 22 done · /.test(s) &&
        /\n⠿ reviewers 1\/3 done {2}2 running\n/.test(s),
      slow,
    );

    for (const review of reviews) review.open();
    expect(await t.exitCode(slow)).toBe(0);
    const history = await t.history();
    expect(history).toContain('Reviewed and read everything.');
    // Where the time went, and how parallel the tools and subagents ran: never a parallelism
    // figure that reads as a fault because the subagents' model took the time.
    expect(history).toMatch(
      /— done in \S+ · 24 tool calls · model \S+, tools \S+(, waits \S+)? · tools \d+\.\dx parallel · 3 subagents, 3 at once · \d+ tokens/,
    );
    expect(history).not.toMatch(/parallelism/);

    // The model got one result per call, in its order: the reads' text, the reviews' answers.
    const results = messagesOf((await server.request(4)).body).filter((m) => m.role === 'tool');
    expect(results.map((m) => m.tool_call_id)).toEqual([...tasks, ...reads].map((c) => c.id));
    for (const result of results.slice(0, 3))
      expect(textOf(result)).toContain('Part reviewed: fine.');
    for (const result of results.slice(3)) expect(textOf(result)).toContain('ok');
  }, 120_000);
});

/**
 * Wakes every reader blocked opening one of `pipes` (it then reads end-of-file) and removes the
 * pipes, so a read started later fails at once: no `cat` outlives a failed test. Opening a FIFO
 * read-write never blocks on Linux.
 */
function unblockReaders(pipes: readonly string[]): void {
  for (const pipe of pipes) {
    try {
      const fd = openSync(pipe, constants.O_RDWR | constants.O_NONBLOCK);
      rmSync(pipe, { force: true });
      closeSync(fd);
    } catch {
      // Gone already.
    }
  }
}

/** The live block of a screen: from its header line (spinner, `step n · ...`) to the end. */
function liveBlock(screen: string): string[] {
  const lines = screen.split('\n');
  const start = lines.findIndex((line) => /^\S step \d+ · /.test(line));
  return start < 0 ? [] : lines.slice(start);
}

/** Resolves with the exit code of `child` (`null` when a signal ended it). */
function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill();
}
