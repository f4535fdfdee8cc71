// A real redis-server for the tests: a random free 127.0.0.1 port, no persistence, its own
// folder, stopped (and the folder removed) when the test file is done.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedis {
  host: string;
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** The `redis-server` program; missing, the test fails with how to install it. */
export function requireRedisServer(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'These tests need `redis-server` on PATH: install it: apt-get install redis-server (or npm run setup).',
    );
  }
}

/** A port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Resolves once the server answers PING with PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/** Starts a redis-server and waits (at most `startTimeoutMs`) until it answers PING. */
export async function startTestRedis({ startTimeoutMs = 10_000 } = {}): Promise<TestRedis> {
  const program = requireRedisServer();
  // A port taken between `freePort` and the server's bind: try again with another.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'salvo-redis-'));
    const child: ChildProcess = spawn(
      program,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let exited = false;
    const exit = new Promise<void>((resolve) =>
      child.once('exit', () => {
        exited = true;
        resolve();
      }),
    );
    const deadline = Date.now() + startTimeoutMs;
    let answered = false;
    while (!exited && !answered && Date.now() < deadline) {
      answered = await ping(port);
      if (!answered) await new Promise((r) => setTimeout(r, 20));
    }
    const stop = async () => {
      if (!exited) child.kill('SIGKILL');
      await exit;
      rmSync(dir, { recursive: true, force: true });
    };
    if (answered && !exited) {
      return { host: '127.0.0.1', port, url: `redis://127.0.0.1:${port}`, stop };
    }
    await stop();
    if (attempt >= 2) {
      throw new Error(
        `redis-server did not answer PING on 127.0.0.1:${port} within ${startTimeoutMs} ms`,
      );
    }
  }
}
