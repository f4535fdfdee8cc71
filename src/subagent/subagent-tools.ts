import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import type { AgentRecord, SubagentManager } from './subagent-manager.js';

/** The result a finished agent gives its parent, or an error (a timeout stays a timeout). */
function answer(record: AgentRecord): string {
  record.read = true;
  if (record.status === 'done') return record.text;
  const error = new Error(
    `${record.label} ${record.status}${record.error ? `: ${record.error}` : ''}`,
  );
  if (record.status === 'timeout') error.name = 'TimeoutError';
  throw error;
}

function summary(record: AgentRecord, manager: SubagentManager) {
  const position = manager.queued().indexOf(record);
  return {
    id: record.id,
    agent: record.label,
    status: record.status,
    ...(position >= 0 ? { queuePosition: position + 1 } : {}),
  };
}

function definitionsText(manager: SubagentManager): string {
  const list = [...manager.definitions.values()].map((d) => `- ${d.name}: ${d.description}`);
  return list.length > 0 ? `\nAgents you can name in \`agent\`:\n${list.join('\n')}` : '';
}

/**
 * The `task` tool: runs a subagent to completion and returns its final answer. Several `task`
 * calls in one response run in parallel, up to the manager's limit.
 */
export function taskTool(manager: SubagentManager): Tool {
  return defineTool({
    name: 'task',
    description: `Runs a subagent on a self-contained task and returns its final answer. Up to ${manager.maxConcurrent} subagents run at once; more wait for a free slot. Issue independent tasks together in one response: they run in parallel.${definitionsText(manager)}`,
    input: z.object({
      description: z.string().describe('A few words on what the subagent does, for the user'),
      prompt: z.string().min(1).describe('Everything the subagent needs to know to do the task'),
      agent: z.string().optional().describe('The name of an agent definition to use'),
    }),
    claims: [], // subagents are independent; their own calls carry their own claims
    timeoutMs: Infinity, // the manager times subagents out itself
    execute: async (input, ctx) => {
      let announced = false;
      const record = manager.start({
        prompt: input.prompt,
        agent: input.agent,
        callerPath: ctx.path,
        signal: ctx.signal,
        parentCall: ctx.asParent,
        // Said only after "queued": an agent that gets a slot at once starts inside `start`.
        onRunning: (started) => {
          if (announced) ctx.progress({ message: `${started.label} running` });
        },
        // Run elsewhere (a dispatcher): where, for the live view.
        onWorker: (running) => {
          ctx.progress({ message: `${running.label} running on ${running.worker}` });
        },
      });
      ctx.progress({ message: `${record.label} ${record.status}` });
      announced = true;
      // Blocked on a child: this call is suspended, its slots and its agent's slot go back.
      const done = await ctx.waitFor(record.done);
      return answer(done);
    },
  });
}

const agentInput = z.object({
  action: z.enum(['start', 'status', 'peek', 'wait', 'cancel']),
  prompt: z.string().min(1).optional().describe('start: the task'),
  agent: z.string().optional().describe('start: an agent definition name'),
  id: z.string().optional().describe('peek, cancel: the agent id'),
  ids: z
    .array(z.string())
    .optional()
    .describe('status, wait: agent ids (all of this run when left out)'),
  mode: z
    .enum(['all', 'any'])
    .optional()
    .describe('wait: for all (default) or for the first to finish'),
  timeoutMs: z
    .number()
    .int()
    .min(1)
    .max(600_000)
    .optional()
    .describe('wait: give up after this (default 60000)'),
});

/**
 * The `agent` tool: detached subagents. `start` returns an id at once; `status` and `peek` read
 * without changing anything; `wait` waits for all or any of them, with a timeout; `cancel` stops
 * one and everything below it.
 */
export function agentTool(manager: SubagentManager): Tool {
  return defineTool({
    name: 'agent',
    description: `Starts subagents that run in the background while you go on (action start, returns an id at once), then status, peek (its answer so far), wait (all or any, with a timeout) and cancel. Up to ${manager.maxConcurrent} subagents run at once. Start independent agents together in one response.${definitionsText(manager)}`,
    input: agentInput,
    claims: (i) => {
      if (i.action === 'cancel' && i.id) return [{ key: `agent:${i.id}`, mode: 'write' }];
      if (i.action === 'wait')
        return (i.ids ?? ['']).map((id) => ({ key: `agent:${id}`, mode: 'read' as const }));
      return []; // start creates, status and peek only read
    },
    timeoutMs: Infinity,
    execute: async (i, ctx) => {
      const mine = () =>
        manager
          .agents()
          .filter(
            (a) =>
              a.path.length === ctx.path.length + 1 &&
              a.path.slice(0, -1).join('\u0000') === ctx.path.join('\u0000'),
          );
      const find = (id: string | undefined) => {
        const record = id === undefined ? undefined : manager.get(id);
        if (!record)
          throw new Error(
            `No agent with id "${id ?? ''}". Known: ${
              mine()
                .map((a) => a.id)
                .join(', ') || 'none'
            }.`,
          );
        return record;
      };
      switch (i.action) {
        case 'start': {
          if (!i.prompt) throw new Error('start needs a `prompt`.');
          const record = manager.start({
            prompt: i.prompt,
            agent: i.agent,
            callerPath: ctx.path,
            // It may outlive this call, not the run: it ends when its caller's run does.
            signal: ctx.turnSignal,
            parentCall: ctx.asParent,
            detached: true,
          });
          return summary(record, manager);
        }
        case 'status':
          return (i.ids ? i.ids.map(find) : mine()).map((a) => summary(a, manager));
        case 'peek': {
          const record = find(i.id);
          return { ...summary(record, manager), text: record.text };
        }
        case 'cancel':
          return { id: i.id, cancelled: manager.cancel(find(i.id).id) };
        case 'wait': {
          const targets = i.ids ? i.ids.map(find) : mine();
          if (targets.length === 0) return [];
          let timer: ReturnType<typeof setTimeout> | undefined;
          const timeout = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, i.timeoutMs ?? 60_000);
          });
          const settled =
            i.mode === 'any'
              ? Promise.race(targets.map((t) => t.done))
              : Promise.all(targets.map((t) => t.done));
          try {
            await ctx.waitFor(Promise.race([settled, timeout]));
          } finally {
            clearTimeout(timer);
          }
          return targets.map((a) => {
            const base = summary(a, manager);
            if (a.status === 'queued' || a.status === 'running') return base;
            a.read = true;
            return { ...base, text: a.text, ...(a.error ? { error: a.error } : {}) };
          });
        }
      }
    },
  });
}
