import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentResult } from '../../agent/run-agent.js';
import { describeRun } from '../../trace/describe-run.js';
import { summarizeRun } from '../../trace/summarize-run.js';
import { demoFindings, reviewAreas } from './demo-findings.js';
import { createDemoProject } from './demo-project.js';
import { type DemoSessionResult, runDemoSession } from './demo-session.js';
import { mostAtOnce } from './most-at-once.js';

/** Every file under `dir`, by `/`-separated relative path. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path).split('\\').join('/')] = await readFile(path, 'utf8');
  }
  return out;
}

/** Each transcript of a session: the root's and every subagent's. */
function transcripts(run: DemoSessionResult): [string, AgentResult][] {
  return [
    ['root', run.result],
    ...run.agents.map((a): [string, AgentResult] => [a.label, a.result as AgentResult]),
  ];
}

interface MemoryGraph {
  entities: { name: string; entityType: string; observations: string[] }[];
  relations: { from: string; to: string; relationType: string }[];
}

async function readMemory(file: string): Promise<MemoryGraph> {
  const graph: MemoryGraph = { entities: [], relations: [] };
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (line.trim() === '') continue;
    const item = JSON.parse(line);
    if (item.type === 'entity') graph.entities.push(item);
    if (item.type === 'relation') graph.relations.push(item);
  }
  return graph;
}

describe('the demo session, with real MCP servers and real files', () => {
  let dir: string;
  let salvo: DemoSessionResult;
  let sequential: DemoSessionResult;
  const salvoDir = () => join(dir, 'salvo');
  const sequentialDir = () => join(dir, 'sequential');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salvo-demo-'));
    createDemoProject(salvoDir());
    createDemoProject(sequentialDir());
    salvo = await runDemoSession({
      projectDir: salvoDir(),
      memoryFile: join(dir, 'salvo-memory.jsonl'),
      chunkDelayMs: 1,
    });
    sequential = await runDemoSession({
      projectDir: sequentialDir(),
      memoryFile: join(dir, 'sequential-memory.jsonl'),
      chunkDelayMs: 1,
      maxConcurrency: 1,
      maxSubagents: 1,
    });
  }, 60_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('completes, every agent stopping normally and reporting nothing wrong', () => {
    for (const run of [salvo, sequential]) {
      expect(run.missing).toEqual([]);
      expect(run.errors).toEqual([]);
      expect(run.result.finishReason).toBe('stop');
      expect(run.result.steps).toBe(4);
      expect(run.result.text).toContain('Review done: 9 findings from 5 reviewers');
      expect(run.agents.map((a) => a.label)).toEqual(
        reviewAreas.map((area, i) => `${area}-reviewer#${i + 1}`),
      );
      for (const agent of run.agents) {
        expect(agent.status, agent.label).toBe('done');
        expect(agent.result?.finishReason, agent.label).toBe('stop');
      }
    }
  });

  it('gets a success for every tool call of every transcript, root and subagents', () => {
    for (const run of [salvo, sequential]) {
      let results = 0;
      for (const [who, result] of transcripts(run)) {
        for (const message of result.messages) {
          if (message.role !== 'tool') continue;
          for (const r of message.results) {
            results++;
            if (r.status !== 'success') {
              throw new Error(
                `${who}: ${r.name} (${r.id}) ${r.status}: ${JSON.stringify(r.content)}`,
              );
            }
          }
        }
      }
      // Root: 7 to orient, 5 tasks, 5 to fix and write; reviewers: 8, 8, 7, 8, 7.
      expect(results).toBe(55);
      expect(run.calls).toBe(results);
    }
  });

  it("uses the built-in tools, both MCP servers and the task tool, and traces every agent's turns", () => {
    const names = new Set(salvo.traces.flatMap((t) => t.calls.map((c) => c.name)));
    for (const name of [
      'list_dir',
      'glob',
      'grep',
      'read_file',
      'shell',
      'edit_file',
      'write_file',
      'task',
      'files__directory_tree',
      'files__read_text_file',
      'memory__read_graph',
      'memory__create_entities',
      'memory__create_relations',
      'memory__add_observations',
    ]) {
      expect(names, name).toContain(name);
    }
    // One turn per model request, the final answers' (no calls) included, each with its model.
    const rootTurns = salvo.traces.filter((t) => t.path.length === 0);
    expect(rootTurns.map((t) => t.calls.length)).toEqual([7, 5, 5, 0]);
    for (const agent of salvo.agents) {
      const turns = salvo.traces.filter((t) => t.path.join('/') === agent.label);
      expect(turns.map((t) => t.calls.length > 0)).toEqual([true, true, false]);
    }
    expect(salvo.traces.every((t) => t.model !== undefined)).toBe(true);
    // The run reads right: model and tools on the critical path, every reviewer at once.
    const run = summarizeRun(salvo.traces, { source: 'cli' });
    expect(run.model.requests).toBe(salvo.traces.length);
    expect(run.wallSplit.modelMs).toBeGreaterThan(0);
    expect(run.subagents).toMatchObject({ count: 5, mostAtOnce: 5 });
    expect(run.toolParallelism).toBeGreaterThan(1);
    expect(describeRun(run)).toMatch(
      /^wall .+: model .+, tools .+ on the critical path; 5 subagents, 5 at once; tools \d+\.\dx parallel/,
    );
  });

  it('really edits the files and writes REVIEW.md', async () => {
    const files = await snapshot(salvoDir());
    expect(files['src/db/users.ts']).toContain("WHERE email = $1', [\n    email,\n  ]);");
    expect(files['src/db/users.ts']).not.toContain('" + email + "');
    expect(files['src/handlers/orders.ts']).toContain('  await saveOrder(order);\n');
    const review = files['REVIEW.md'] as string;
    for (const finding of demoFindings()) {
      expect(review).toContain(`\`${finding.file}:${finding.line}\` ${finding.summary}`);
    }
    expect(review).toContain('- [x] `src/db/users.ts:11`');
    // The check after the fixes finds neither pattern.
    const check = salvo.result.messages
      .flatMap((m) => (m.role === 'tool' ? m.results : []))
      .find((r) => r.name === 'grep');
    expect(JSON.stringify(check?.content)).toContain('No matches');
  });

  it('records the findings in the memory server', async () => {
    for (const file of ['salvo-memory.jsonl', 'sequential-memory.jsonl']) {
      const graph = await readMemory(join(dir, file));
      const names = graph.entities.map((e) => e.name).sort();
      expect(names).toEqual(['orders-api', ...demoFindings().map((f) => f.id)].sort());
      expect(graph.relations).toHaveLength(demoFindings().length);
      const injection = graph.entities.find((e) => e.name === 'sql-injection');
      expect(injection?.observations).toContain('src/db/users.ts:11');
      expect(injection?.observations.some((o) => o.startsWith('fixed in the review'))).toBe(true);
    }
  });

  it('ends with the same files one call at a time as with salvo', async () => {
    const [a, b] = await Promise.all([snapshot(salvoDir()), snapshot(sequentialDir())]);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(a).toEqual(b);
    expect(Object.keys(a)).toHaveLength(24);
  });

  it('runs the reviewers at the same time with salvo, one after the other without', () => {
    expect(mostAtOnce(salvo.agents.map((a) => [a.startedAt, a.endedAt]))).toBeGreaterThanOrEqual(3);
    expect(mostAtOnce(sequential.agents.map((a) => [a.startedAt, a.endedAt]))).toBe(1);
    const rootFanOut = salvo.traces.find((t) => t.path.length === 0 && t.calls[0]?.name === 'task');
    expect(rootFanOut?.summary.parallelism).toBeGreaterThan(2);
  });

  it('remembers an earlier review when the memory file is reused', async () => {
    const again = join(dir, 'again');
    createDemoProject(again);
    const memoryFile = join(dir, 'again-memory.jsonl');
    await copyFile(join(dir, 'salvo-memory.jsonl'), memoryFile);
    const run = await runDemoSession({
      projectDir: again,
      memoryFile,
      chunkDelayMs: 0,
      firstTokenDelayMs: 0,
    });
    expect(run.errors).toEqual([]);
    const second = run.result.messages.filter((m) => m.role === 'assistant')[1];
    expect(second?.content).toContain('memory already holds 10 entities');
  }, 20_000);

  it('runs with the built-in tools alone when the MCP servers are left out', async () => {
    const project = join(dir, 'no-mcp');
    createDemoProject(project);
    const run = await runDemoSession({
      projectDir: project,
      memoryFile: join(dir, 'unused.jsonl'),
      mcp: false,
      chunkDelayMs: 0,
      firstTokenDelayMs: 0,
    });
    expect(run.errors).toEqual([]);
    expect(run.result.finishReason).toBe('stop');
    const names = new Set(run.traces.flatMap((t) => t.calls.map((c) => c.name)));
    expect([...names].filter((n) => n.includes('__'))).toEqual([]);
    const files = await snapshot(project);
    expect(files).toEqual(await snapshot(salvoDir()));
  }, 20_000);
});
