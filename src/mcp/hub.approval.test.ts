import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { faultHub } from './fixtures/test-hub.js';
import type { McpHub } from './hub.js';

let hub: McpHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe('McpHub approvals follow MCP annotation defaults', () => {
  it('asks for a tool without annotations in ask mode, and not for a readOnlyHint one', async () => {
    hub = await faultHub({ f: { trust: 'annotations' } });
    const asked: string[] = [];
    const scheduler = new Scheduler({
      tools: hub.tools(),
      approvalMode: 'ask',
      approver: (request) => {
        asked.push(request.toolName);
        return 'deny';
      },
    });
    const { results } = await scheduler.run([
      { id: 'a', name: 'f__fail', input: {} },
      { id: 'b', name: 'f__info', input: {} },
    ]);
    expect(asked).toEqual(['f__fail']);
    expect(results.map((r) => r.status)).toEqual(['denied', 'success']);
  });

  it("asks for every tool under the default trust 'none', whatever the server's hints say", async () => {
    hub = await faultHub({ f: {} });
    const asked: string[] = [];
    const scheduler = new Scheduler({
      tools: hub.tools(),
      approvalMode: 'ask',
      approver: (request) => {
        asked.push(request.toolName);
        return 'deny';
      },
    });
    await scheduler.run([{ id: 'b', name: 'f__info', input: {} }]);
    expect(asked).toEqual(['f__info']);
  });

  it('runs it without asking when a per-tool override says so', async () => {
    hub = await faultHub({ f: { tools: { fail: { approval: 'auto' } } } });
    const scheduler = new Scheduler({ tools: hub.tools(), approvalMode: 'ask' });
    const { results } = await scheduler.run([{ id: 'a', name: 'f__fail', input: {} }]);
    expect(results[0]?.status).toBe('error'); // it ran: the tool answers isError
  });
});
