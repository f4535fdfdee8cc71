import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentMessage } from '../../agent/model.js';
import {
  defaultTranscriptPath,
  findSession,
  listSessions,
  newSessionId,
  readSession,
  saveSession,
  sessionsDir,
  titleOf,
  tracePathFor,
} from './session-store.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function home(): string {
  const root = mkdtempSync(join(tmpdir(), 'salvo-sessions-'));
  roots.push(root);
  return root;
}

const conversation: AgentMessage[] = [
  { role: 'user', content: 'Read   a.ts\nplease' },
  {
    role: 'assistant',
    content: '',
    toolCalls: [{ id: 'c1', name: 'read_file', input: '{"path":"a.ts"}' }],
  },
  {
    role: 'tool',
    results: [
      {
        id: 'c1',
        name: 'read_file',
        status: 'success',
        content: [{ type: 'text', text: 'x' }],
        isError: false,
      },
    ],
  },
  { role: 'assistant', content: 'It says x.', toolCalls: [] },
];

async function save(file: string, cwd: string, messages: AgentMessage[] = conversation) {
  await saveSession(file, {
    provider: 'openai',
    model: 'm',
    cwd,
    finishReason: 'stop',
    messages,
    transcript: [],
    usage: { inputTokens: 1, outputTokens: 2 },
  });
}

describe('session files', () => {
  it('round-trips a session, readable by the user only, with its title and id', async () => {
    const h = home();
    const file = defaultTranscriptPath(h, 'abc');
    await save(file, '/work/p');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = await readSession(file);
    expect(saved.id).toBe('abc');
    expect(saved.messages).toEqual(conversation);
    expect(titleOf(saved.messages)).toBe('Read a.ts please');
    expect(tracePathFor(file)).toBe(join(sessionsDir(h), 'abc.trace.json'));
  });

  it('fails with a plain error, never spinning, where a folder cannot be made (/proc)', async () => {
    await expect(save('/proc/salvo-no-such/t.json', '/')).rejects.toThrow(/ENOENT|not/);
  });

  it('refuses to write over something that is not a regular file', async () => {
    const h = home();
    mkdirSync(join(h, 'dir.json'));
    await expect(save(join(h, 'dir.json'), '/')).rejects.toThrow(/not a regular file/);
  });

  it('rejects files that are not sessions with a reason, and unanswered calls', async () => {
    const h = home();
    const bad = join(h, 'bad.json');
    writeFileSync(bad, '{"version":2,"messages":[{"role":"system","content":"x"}]}');
    await expect(readSession(bad)).rejects.toThrow(
      /not a salvo session: message 1 has an unknown role/,
    );
    writeFileSync(bad, 'nope');
    await expect(readSession(bad)).rejects.toThrow(/not JSON/);
    const unanswered = join(h, 'unanswered.json');
    await save(unanswered, '/p', conversation.slice(0, 2));
    await expect(readSession(unanswered)).rejects.toThrow(/message 2 has calls without results/);
  });

  it('lists the sessions of a folder, newest first, skipping broken files', async () => {
    const h = home();
    const older = defaultTranscriptPath(h, newSessionId(new Date('2026-01-01T00:00:00Z')));
    const newer = defaultTranscriptPath(h, newSessionId(new Date('2026-01-02T00:00:00Z')));
    const elsewhere = defaultTranscriptPath(h, 'other');
    await save(older, '/work/p');
    await save(newer, '/work/p');
    await save(elsewhere, '/work/q');
    utimesSync(older, new Date('2026-01-01'), new Date('2026-01-01'));
    utimesSync(newer, new Date('2026-01-02'), new Date('2026-01-02'));
    writeFileSync(join(sessionsDir(h), 'broken.json'), '{');
    const listed = await listSessions(h, { cwd: '/work/p' });
    expect(listed.map((s) => s.file)).toEqual([newer, older]);
    expect(listed[0]?.prompts).toBe(1);
    expect((await listSessions(h)).length).toBe(3);
  });

  it('finds a session by id, by a unique start of one, or by path; says what is wrong otherwise', async () => {
    const h = home();
    const a = defaultTranscriptPath(h, 'aaa-1');
    const b = defaultTranscriptPath(h, 'aaa-2');
    await save(a, '/p');
    await save(b, '/p');
    expect(await findSession(h, 'aaa-1', '/p')).toBe(a);
    expect(await findSession(h, b, '/p')).toBe(b);
    await expect(findSession(h, 'aaa', '/p')).rejects.toThrow(/matches 2 sessions/);
    await expect(findSession(h, 'zzz', '/p')).rejects.toThrow(/no session "zzz"/);
  });
});
