import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { defineTool } from '../tool/define-tool.js';
import { writeTrace } from './write-trace.js';

const dir = await mkdtemp(join(tmpdir(), 'salvo-trace-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeTrace', () => {
  it('writes the HTML report or the Chrome trace by extension', async () => {
    const t = defineTool({ name: 't', description: '', input: {}, claims: [], execute: () => 'x' });
    const { trace } = await new Scheduler({ tools: [t] }).run([{ id: 'a', name: 't', input: {} }]);
    await writeTrace(join(dir, 'nested', 'run.html'), trace, { title: 'my run' });
    await writeTrace(join(dir, 'run.json'), [trace]);
    expect(await readFile(join(dir, 'nested', 'run.html'), 'utf8')).toMatch(
      /<title>my run<\/title>/,
    );
    const chrome = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
    expect(
      chrome.traceEvents.some((e: { args?: { callId?: string } }) => e.args?.callId === 'a'),
    ).toBe(true);
    await expect(writeTrace(join(dir, 'run.txt'), trace)).rejects.toThrow(
      'Expected `path` to be a file name ending in .html or .json',
    );
  });
});
