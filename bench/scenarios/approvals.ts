import { defineTool, Scheduler, type ToolCall } from '../../src/index.js';
import {
  assertAllSucceeded,
  type Contender,
  measure,
  round,
  type Scenario,
  sleep,
} from '../harness.js';

/**
 * One call needs a human who answers after a second; nine auto-approved calls should not wait for
 * that answer (they are pure, so they conflict with nothing).
 */
export const approvals: Scenario = {
  name: 'approvals',
  description: '1 call approved after 1 s (approvalMode ask) + 9 auto calls of 100 ms, all pure',
  target: 'all 9 auto calls done before the approval arrives (autoDoneBeforeApprovalMs > 0)',
  contenders: ['salvo', 'approve-first'],
  async run({ reps = 2, quick = false } = {}) {
    const approvalMs = quick ? 20 : 1000;
    const callMs = quick ? 2 : 100;
    const calls: ToolCall[] = [
      { id: 'call_0', name: 'publish_release', input: { tag: 'v1.2.0' } },
      ...Array.from({ length: 9 }, (_, i) => ({
        id: `call_${i + 1}`,
        name: 'fetch_status',
        input: { service: `svc-${i}` },
      })),
    ];
    const needsApproval = (call: ToolCall) => call.name === 'publish_release';
    const work = (signal?: AbortSignal) => sleep(callMs, signal).then(() => 'ok');
    const tools = [
      defineTool({
        name: 'publish_release',
        description: 'Publishes a release (asks first)',
        input: { type: 'object', properties: { tag: { type: 'string' } } },
        claims: [],
        approval: 'ask',
        execute: (_input, ctx) => work(ctx.signal),
      }),
      defineTool({
        name: 'fetch_status',
        description: 'Reads a service status',
        input: { type: 'object', properties: { service: { type: 'string' } } },
        claims: [],
        execute: (_input, ctx) => work(ctx.signal),
      }),
    ];
    /** The human: answers after `approvalMs`, and notes when. */
    const human = async (signal?: AbortSignal) => {
      await sleep(approvalMs, signal);
      return performance.now();
    };

    const contenders: Contender[] = [
      {
        name: 'salvo',
        async run() {
          let approvedAt = Number.NaN;
          const autoFinished: number[] = [];
          const scheduler = new Scheduler({
            tools,
            approvalMode: 'ask',
            approver: async (request) => {
              approvedAt = await human(request.signal);
              return 'approve' as const;
            },
            onEvent: (event) => {
              if (event.type === 'finished' && event.toolName === 'fetch_status') {
                autoFinished.push(event.at);
              }
            },
          });
          const startedAt = performance.now();
          const { results } = await scheduler.run(calls);
          assertAllSucceeded(results);
          const autoDoneAt = Math.max(...autoFinished);
          return {
            fields: { autoDoneBeforeApprovalMs: round(approvedAt - autoDoneAt) },
            details: { autoDoneMs: autoDoneAt - startedAt },
          };
        },
      },
      {
        // Ask every approval first, then run every call.
        name: 'approve-first',
        async run() {
          const startedAt = performance.now();
          let approvedAt = Number.NaN;
          for (const call of calls) if (needsApproval(call)) approvedAt = await human();
          const autoFinished: number[] = [];
          await Promise.all(
            calls.map(async (call) => {
              await work();
              if (!needsApproval(call)) autoFinished.push(performance.now());
            }),
          );
          const autoDoneAt = Math.max(...autoFinished);
          return {
            details: {
              autoDoneBeforeApprovalMs: approvedAt - autoDoneAt,
              autoDoneMs: autoDoneAt - startedAt,
            },
          };
        },
      },
    ];
    return measure({ scenario: this.name, lowerBoundMs: approvalMs + callMs, contenders, reps });
  },
  verdicts(rows) {
    const salvo = rows.find((r) => r.contender === 'salvo');
    const value = Number(salvo?.autoDoneBeforeApprovalMs);
    return [
      {
        label: 'salvo autoDoneBeforeApprovalMs',
        value,
        goal: '> 0 ms',
        met: value > 0,
      },
    ];
  },
};
