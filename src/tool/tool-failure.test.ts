import { describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { defineTool } from './define-tool.js';
import { ToolFailure } from './tool-failure.js';

function failingTool(thrown: () => unknown) {
  return defineTool({
    name: 'check',
    description: 'Fails with output',
    input: { type: 'object' },
    claims: [],
    execute: async () => {
      throw thrown();
    },
  });
}

async function runOnce(thrown: () => unknown) {
  const scheduler = new Scheduler({ tools: [failingTool(thrown)] });
  const { results } = await scheduler.run([{ id: 'c1', name: 'check', input: {} }]);
  return results[0];
}

describe('ToolFailure', () => {
  it('gives an error result whose content is the whole output, not a cut message', async () => {
    const output = `${'x'.repeat(5000)}\n[exit code 2]`;
    const result = await runOnce(() => new ToolFailure('exit code 2', output));
    expect(result).toMatchObject({
      id: 'c1',
      status: 'error',
      isError: true,
      content: [{ type: 'text', text: output }],
      error: { message: 'exit code 2' },
    });
    expect(ToolFailure.isInstance(result?.error?.cause)).toBe(true);
    expect(result?.output).toBeUndefined();
  });

  it('keeps content blocks and JSON as they are', async () => {
    const blocks = [
      { type: 'text' as const, text: '2 tests failed' },
      { type: 'json' as const, value: { failed: 2 } },
    ];
    expect((await runOnce(() => new ToolFailure('tests failed', blocks)))?.content).toEqual(blocks);
    expect((await runOnce(() => new ToolFailure('bad', { failed: 2 })))?.content).toEqual([
      { type: 'json', value: { failed: 2 } },
    ]);
  });

  it('an output JSON cannot hold becomes a plain error result', async () => {
    const result = await runOnce(() => new ToolFailure('bad', { n: 1n } as unknown as string));
    expect(result?.status).toBe('error');
    expect(result?.content[0]).toMatchObject({ type: 'text' });
    expect(JSON.stringify(result?.content)).toContain('cannot be sent to the model');
  });

  it('is told apart by its marker, and a hostile value never makes the check throw', () => {
    expect(ToolFailure.isInstance(new ToolFailure('x', 'y'))).toBe(true);
    expect(ToolFailure.isInstance(new Error('x'))).toBe(false);
    expect(ToolFailure.isInstance('x')).toBe(false);
    const hostile = new Proxy(
      {},
      {
        has() {
          throw new Error('trap');
        },
      },
    );
    expect(ToolFailure.isInstance(hostile)).toBe(false);
  });
});
