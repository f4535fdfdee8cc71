import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { defineTool } from '../tool/define-tool.js';
import { readTrace, TraceFileError } from './read-trace.js';
import { writeTrace } from './write-trace.js';

const dir = await mkdtemp(join(tmpdir(), 'salvo-read-trace-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function sampleTurns() {
  const hostile = '</template><script>alert(1)</script> https://x';
  const t = defineTool({ name: 't', description: '', input: {}, claims: [], execute: () => 'x' });
  const bad = defineTool({
    name: 'bad',
    description: '',
    input: {},
    claims: [],
    execute: () => {
      throw new Error(hostile);
    },
  });
  const scheduler = new Scheduler({ tools: [t, bad] });
  const one = await scheduler.run([{ id: 'a', name: 't', input: {} }]);
  const two = await scheduler.run([{ id: hostile, name: 'bad', input: {} }], {
    path: ['reviewer#1'],
  });
  return [one.trace, two.trace];
}

describe('readTrace', () => {
  it('reads back exactly the turns written to HTML and to Chrome JSON', async () => {
    const turns = await sampleTurns();
    const expected = turns;
    for (const name of ['run.html', 'run.json']) {
      await writeTrace(join(dir, name), turns);
      expect(await readTrace(join(dir, name))).toEqual(expected);
    }
    await writeFile(join(dir, 'plain.json'), JSON.stringify(turns));
    expect(await readTrace(join(dir, 'plain.json'))).toEqual(expected);
  });

  it('says what is wrong with a file that is not a salvo trace', async () => {
    await writeFile(join(dir, 'broken.json'), '{"traceEvents": [');
    await writeFile(join(dir, 'other.json'), '{"traceEvents": []}');
    await writeFile(join(dir, 'page.html'), '<!doctype html><p>hi</p>');
    await writeFile(join(dir, 'wrong.json'), '[{"turnId": "x"}]');
    const cases: [string, RegExp][] = [
      ['missing.json', /missing\.json: cannot read the trace: no such file/],
      ['broken.json', /broken\.json: not valid JSON/],
      ['other.json', /Chrome trace without salvo turns/],
      ['page.html', /not a salvo HTML report/],
      ['wrong.json', /turn 1 is not a salvo turn trace/],
    ];
    for (const [name, message] of cases) {
      const error = await readTrace(join(dir, name)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TraceFileError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
