import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { flush } from '../schedule/test-support.js';
import { defineTool } from '../tool/define-tool.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

describe('OpenTelemetry spans', () => {
  it('makes one execute_tool span per call, with GenAI and salvo attributes', async () => {
    exporter.reset();
    const ok = defineTool({
      name: 'read',
      description: '',
      input: {},
      claims: [{ key: 'fs:/a', mode: 'read' }],
      execute: async () => {
        await flush(1);
        return 'x';
      },
    });
    const write = defineTool({
      name: 'write',
      description: '',
      input: {},
      claims: [{ key: 'fs:/a', mode: 'write' }],
      execute: () => {
        throw new Error('disk full');
      },
    });
    const s = new Scheduler({ tools: [ok, write], tracer });
    await s.run([
      { id: 'r1', name: 'read', input: {} },
      { id: 'w1', name: 'write', input: {} },
      { id: 'x', name: 'nope', input: {} },
    ]);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name).sort()).toEqual([
      'execute_tool nope',
      'execute_tool read',
      'execute_tool write',
    ]);
    const w = spans.find((span) => span.attributes['gen_ai.tool.call.id'] === 'w1');
    expect(w?.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'write',
      'salvo.status': 'error',
      'error.type': 'error',
      'salvo.waited_for': ['r1'],
    });
    expect(w?.status).toMatchObject({ code: 2, message: 'Error: disk full' });
  });

  it('nests a tool’s own spans and a subagent’s calls under the call that ran them', async () => {
    exporter.reset();
    const inner = defineTool({
      name: 'inner',
      description: '',
      input: {},
      claims: [],
      execute: () => 'inner done',
    });
    const child = new Scheduler({ tools: [inner], tracer });
    const task = defineTool({
      name: 'task',
      description: 'runs a subagent turn',
      input: {},
      claims: [],
      execute: async () => {
        tracer.startActiveSpan('tool work', (span) => span.end());
        const { results } = await child.run([{ id: 'sub1', name: 'inner', input: {} }], {
          path: ['reviewer#1'],
        });
        return results[0]?.status;
      },
    });
    const parent = new Scheduler({ tools: [task], tracer });
    await tracer.startActiveSpan('agent turn', async (root) => {
      await parent.run([{ id: 't1', name: 'task', input: {} }]);
      root.end();
    });
    const spans = exporter.getFinishedSpans();
    const byName = (name: string) => spans.find((span) => span.name === name);
    const root = byName('agent turn');
    const taskSpan = byName('execute_tool task');
    const work = byName('tool work');
    const sub = byName('execute_tool inner');
    expect(taskSpan?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(work?.parentSpanContext?.spanId).toBe(taskSpan?.spanContext().spanId);
    expect(sub?.parentSpanContext?.spanId).toBe(taskSpan?.spanContext().spanId);
    expect(sub?.attributes['salvo.agent.path']).toBe('reviewer#1');
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
  });

  it('makes no spans with tracer: false, and none recorded without an SDK', async () => {
    exporter.reset();
    const t = defineTool({ name: 't', description: '', input: {}, claims: [], execute: () => 'x' });
    await new Scheduler({ tools: [t], tracer: false }).run([{ id: 'a', name: 't', input: {} }]);
    await new Scheduler({ tools: [t], tracer: trace.getTracer('no-sdk-registered') }).run([
      { id: 'b', name: 't', input: {} },
    ]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
