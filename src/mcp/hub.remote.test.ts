import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { McpHub } from './hub.js';

const everything = join(
  process.cwd(),
  'node_modules/@modelcontextprotocol/server-everything/dist/index.js',
);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts server-everything on `port` with the given transport; resolves once it listens. */
async function startEverything(transport: 'sse' | 'streamableHttp', port: number) {
  const child = spawn(process.execPath, [everything, transport], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server-everything exited with ${code}`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      if (/listening|running on port/i.test(chunk.toString())) resolve();
    });
  });
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const cases = [
  { type: 'http', transport: 'streamableHttp', path: '/mcp' },
  { type: 'sse', transport: 'sse', path: '/sse' },
] as const;

describe.each(cases)('server-everything over remote transport $type', (c) => {
  let hub: McpHub | undefined;
  let server: ChildProcess | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    await stop(server);
    server = undefined;
  });

  it('calls echo through the hub', async () => {
    const port = await freePort();
    server = await startEverything(c.transport, port);
    hub = await McpHub.fromConfig({
      mcpServers: { remote: { type: c.type, url: `http://127.0.0.1:${port}${c.path}` } },
    });
    expect(hub.status()[0]).toMatchObject({ transport: c.type, state: 'connected' });
    const scheduler = new Scheduler({ tools: hub.tools(), approvalMode: 'yolo' });
    const { results } = await scheduler.run([
      { id: 'a', name: 'remote__echo', input: { message: `over ${c.type}` } },
      { id: 'b', name: 'remote__get-sum', input: { a: 20, b: 22 } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(results[0]?.content?.[0]).toEqual({ type: 'text', text: `Echo: over ${c.type}` });
    expect(JSON.stringify(results[1]?.content)).toContain('42');
  }, 30_000);

  it('fails in-flight calls at once when the server goes away, then reconnects', async () => {
    const port = await freePort();
    server = await startEverything(c.transport, port);
    hub = await McpHub.fromConfig(
      {
        mcpServers: {
          remote: { type: c.type, url: `http://127.0.0.1:${port}${c.path}`, trust: 'parallel' },
        },
      },
      { restartDelayMs: 50 },
    );
    const scheduler = new Scheduler({ tools: hub.tools(), approvalMode: 'yolo' });
    const run = scheduler.run(
      Array.from({ length: 5 }, (_, i) => ({
        id: `c${i}`,
        name: 'remote__trigger-long-running-operation',
        input: { duration: 30, steps: 30 },
      })),
    );
    await new Promise((r) => setTimeout(r, 500));
    const stoppedAt = performance.now();
    await stop(server);
    const { results } = await run;
    expect(performance.now() - stoppedAt).toBeLessThan(1_000);
    for (const result of results) {
      expect(result.status).toBe('error');
      expect(result.error?.message).toMatch(
        /MCP server "remote" went away \(.+\) while "trigger-long-running-operation" was running; it is reconnected on the next call/,
      );
    }
    expect(hub.status()[0]).toMatchObject({
      state: 'down',
      error: expect.stringMatching(/went away/),
    });
    server = await startEverything(c.transport, port);
    const again = await scheduler.run([
      { id: 'e', name: 'remote__echo', input: { message: 'back' } },
    ]);
    expect(again.results[0]?.content?.[0]).toEqual({ type: 'text', text: 'Echo: back' });
    expect(hub.status()[0]).toMatchObject({ state: 'connected', restarts: 1 });
  }, 30_000);
});
