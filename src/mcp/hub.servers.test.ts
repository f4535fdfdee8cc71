import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { McpHub } from './hub.js';
import { listTools } from './list-tools.js';

const modules = join(process.cwd(), 'node_modules/@modelcontextprotocol');
const everything = join(modules, 'server-everything/dist/index.js');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sampled = (call: string | undefined) => ({
  role: 'assistant',
  content: { type: 'text', text: `answer for ${call}` },
  model: 'test',
});

describe('server-everything over stdio and Streamable HTTP', () => {
  let http: ChildProcess;
  let hub: McpHub;
  let dir: string;
  const samplingSeen: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    http = spawn(process.execPath, [everything, 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve) => {
      http.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('listening')) resolve();
      });
    });
    dir = await mkdtemp(join(tmpdir(), 'salvo-mcp-'));
    await writeFile(join(dir, 'hello.txt'), 'hello from disk');
    hub = await McpHub.fromConfig(
      {
        mcpServers: {
          everything: {
            command: process.execPath,
            args: [everything, 'stdio'],
            trust: 'annotations',
          },
          remote: { type: 'http', url: `http://127.0.0.1:${port}/mcp`, trust: 'parallel' },
          fs: {
            command: process.execPath,
            args: [join(modules, 'server-filesystem/dist/index.js'), dir],
            trust: 'annotations',
          },
          memory: {
            command: process.execPath,
            args: [join(modules, 'server-memory/dist/index.js')],
            env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') },
          },
        },
      },
      {
        onSampling: ({ server, call }) => {
          samplingSeen.push(`${server}:${call?.callId}`);
          return sampled(call?.callId);
        },
      },
    );
  }, 60_000);

  afterAll(async () => {
    await hub?.close();
    http?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('connects every server and namespaces their tools', () => {
    expect(hub.errors()).toEqual([]);
    const names = hub.tools().map((t) => t.name);
    for (const name of [
      'everything__echo',
      'remote__get-sum',
      'fs__read_text_file',
      'memory__read_graph',
    ]) {
      expect(names).toContain(name);
    }
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('calls echo, get-sum, structured content and images on both transports', async () => {
    const scheduler = new Scheduler({ tools: hub.tools(), approvalMode: 'yolo' });
    const { results } = await scheduler.run([
      { id: 'a', name: 'everything__echo', input: { message: 'hi' } },
      { id: 'b', name: 'remote__echo', input: { message: 'there' } },
      { id: 'c', name: 'everything__get-sum', input: { a: 2, b: 3 } },
      { id: 'd', name: 'remote__get-structured-content', input: { location: 'New York' } },
      { id: 'e', name: 'everything__get-tiny-image', input: {} },
      { id: 'f', name: 'everything__get-sum', input: { a: 'x' } },
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'success',
      'success',
      'success',
      'success',
      'success',
      'error',
    ]);
    expect(results[0]?.content?.[0]).toEqual({ type: 'text', text: 'Echo: hi' });
    expect(results[1]?.content?.[0]).toEqual({ type: 'text', text: 'Echo: there' });
    expect(JSON.stringify(results[2]?.content)).toContain('5');
    expect(results[3]?.content?.at(-1)).toMatchObject({
      type: 'json',
      value: { temperature: expect.any(Number) },
    });
    expect(results[4]?.content?.some((b) => b.type === 'image' && b.mimeType === 'image/png')).toBe(
      true,
    );
  });

  it('forwards progress of trigger-long-running-operation over stdio and HTTP', async () => {
    const progress: string[] = [];
    const scheduler = new Scheduler({
      tools: hub.tools(),
      onEvent: (e) => {
        if (e.type === 'progress') progress.push(e.callId);
      },
    });
    const { results } = await scheduler.run([
      {
        id: 'stdio',
        name: 'everything__trigger-long-running-operation',
        input: { duration: 0.6, steps: 3 },
      },
      {
        id: 'http',
        name: 'remote__trigger-long-running-operation',
        input: { duration: 0.6, steps: 3 },
      },
    ]);
    expect(results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(progress.filter((id) => id === 'stdio').length).toBeGreaterThanOrEqual(2);
    expect(progress.filter((id) => id === 'http').length).toBeGreaterThanOrEqual(2);
  });

  it('correlates sampling requests over HTTP with several calls in flight', async () => {
    const tools = hub.tools();
    expect(tools.map((t) => t.name)).toContain('remote__trigger-sampling-request');
    const scheduler = new Scheduler({ tools, approvalMode: 'yolo' });
    const { results } = await scheduler.run(
      ['s1', 's2', 's3'].map((id) => ({
        id,
        name: 'remote__trigger-sampling-request',
        input: { prompt: id },
      })),
    );
    for (const result of results) {
      expect(result.status).toBe('success');
      expect(JSON.stringify(result.content)).toContain(`answer for ${result.id}`);
    }
    expect(samplingSeen.sort()).toEqual(['remote:s1', 'remote:s2', 'remote:s3']);
  });

  it('reads through server-filesystem and writes through server-memory', async () => {
    const scheduler = new Scheduler({ tools: hub.tools(), approvalMode: 'yolo' });
    const { results } = await scheduler.run([
      { id: 'r', name: 'fs__read_text_file', input: { path: join(dir, 'hello.txt') } },
      {
        id: 'w',
        name: 'memory__create_entities',
        input: { entities: [{ name: 'salvo', entityType: 'library', observations: ['parallel'] }] },
      },
      { id: 'g', name: 'memory__read_graph', input: {} },
    ]);
    expect(results.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    expect(JSON.stringify(results[0]?.content)).toContain('hello from disk');
    expect(JSON.stringify(results[2]?.content)).toContain('salvo');
    expect(await readFile(join(dir, 'memory.jsonl'), 'utf8')).toContain('salvo');
  });

  it("carries a tool's outputSchema onto the salvo tool and the listing", () => {
    const schema = {
      type: 'object',
      properties: { temperature: { type: 'number' }, conditions: { type: 'string' } },
    };
    for (const name of ['everything__get-structured-content', 'remote__get-structured-content']) {
      expect(hub.tools().find((t) => t.name === name)?.outputSchema).toMatchObject(schema);
      expect(listTools(hub).find((t) => t.name === name)?.outputSchema).toMatchObject(schema);
    }
    expect(hub.tools().find((t) => t.name === 'everything__echo')).not.toHaveProperty(
      'outputSchema',
    );
  });

  it('derives claims and approval from annotations and trust', () => {
    const listing = listTools(hub);
    const read = listing.find((t) => t.name === 'fs__read_text_file');
    expect(read?.claims).toEqual([{ key: 'mcp:fs', mode: 'read' }]);
    const write = listing.find((t) => t.name === 'fs__write_file');
    expect(write?.claims).toEqual([{ key: 'mcp:fs', mode: 'write' }]);
    expect(listing.find((t) => t.name === 'remote__echo')?.claims).toEqual([]);
    expect(listing.find((t) => t.name === 'memory__read_graph')?.claims).toEqual([
      { key: 'mcp:memory', mode: 'write' },
    ]);
    expect(listing.find((t) => t.name === 'memory__delete_entities')?.approval).toBe('ask');
    const tool = hub.tools().find((t) => t.name === 'fs__read_text_file');
    expect(tool?.groups).toEqual(['mcp:fs']);
  });
});
