// A local HTTP server on 127.0.0.1 that answers model API requests with scripted responses, so
// the real provider SDKs run against their real wire format with no network. Tests pace the
// stream with gates they open by hand, never with sleeps.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One step of a streamed (Server-Sent Events) response. */
export type SseStep =
  /** An event: `event: <name>` (when given) and `data: <JSON or raw text>`, then a blank line. */
  | { event?: string; data: unknown }
  /** A comment line (`: ...`), as servers send to keep a connection alive. */
  | { comment: string }
  /** Waits before the next step: until the promise settles, or for `ms` milliseconds. */
  | { wait: Promise<unknown> }
  | { delayMs: number }
  /** Destroys the connection, mid-stream. */
  | { drop: true };

/** A scripted answer to one request. */
export type ScriptedResponse =
  | {
      type: 'stream';
      steps: readonly SseStep[];
      headers?: Record<string, string>;
      /** Holds the status line and headers back until this settles. */
      headersAfter?: Promise<unknown>;
    }
  /** An HTTP error status with a JSON body. */
  | { type: 'error'; status: number; body: unknown; headers?: Record<string, string> }
  /** Any status and body as they are (an HTML 404 page, a 200 that is not a stream). */
  | { type: 'raw'; status: number; body: string; headers?: Record<string, string> };

/** How a response ended. `client-closed`: the client went away before it was complete. */
export type ResponseOutcome = 'completed' | 'client-closed' | 'dropped';

/** A request the server received, as the SDK sent it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (the raw text when it is not JSON). */
  body: unknown;
  /** Settles when the response is over, saying how it ended. */
  outcome: Promise<ResponseOutcome>;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Queues answers: each request takes the next one. */
  enqueue(...responses: ScriptedResponse[]): void;
  /** Resolves with the `n`-th request (0-based) once it has arrived. */
  request(n: number): Promise<RecordedRequest>;
  /** Stops the server and destroys open connections. */
  close(): Promise<void>;
}

/**
 * Starts a scriptable model API server on a random loopback port. A request with no scripted
 * answer gets a 500 saying so. Error answers carry `retry-after-ms: 1` unless their headers set
 * it, so the SDKs' retries do not wait for their default back-off.
 */
export async function startTestServer(): Promise<TestServer> {
  const queue: ScriptedResponse[] = [];
  const requests: RecordedRequest[] = [];
  const arrivals: Array<(request: RecordedRequest) => void> = [];

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    let outcome: ResponseOutcome | undefined;
    const done = new Promise<ResponseOutcome>((resolve) => {
      res.on('close', () =>
        resolve(outcome ?? (res.writableFinished ? 'completed' : 'client-closed')),
      );
    });
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: parseJson(text),
      outcome: done,
    };
    requests.push(recorded);
    for (const notify of arrivals.splice(0)) notify(recorded);

    const response = queue.shift() ?? {
      type: 'error',
      status: 500,
      body: { error: { type: 'test_server_error', message: 'test server: no response scripted' } },
      headers: { 'x-should-retry': 'false' },
    };
    if (response.type === 'raw') {
      res.writeHead(response.status, response.headers ?? {});
      res.end(response.body);
      return;
    }
    if (response.type === 'error') {
      const body = JSON.stringify(response.body);
      res.writeHead(response.status, {
        'content-type': 'application/json',
        'retry-after-ms': '1',
        ...response.headers,
      });
      res.end(body);
      return;
    }
    if (response.headersAfter) {
      await Promise.race([response.headersAfter.catch(() => undefined), done]);
      if (res.destroyed) return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...response.headers,
    });
    res.flushHeaders();
    for (const step of response.steps) {
      if (res.destroyed) return;
      if ('wait' in step) {
        await Promise.race([step.wait.catch(() => undefined), done]);
      } else if ('delayMs' in step) {
        await Promise.race([new Promise((r) => setTimeout(r, step.delayMs)), done]);
      } else if ('drop' in step) {
        outcome = 'dropped';
        res.destroy();
        return;
      } else if ('comment' in step) {
        res.write(`: ${step.comment}\n\n`);
      } else {
        res.write(formatEvent(step.event, step.data));
      }
    }
    if (!res.destroyed) res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...responses) => {
      queue.push(...responses);
    },
    request(n) {
      const ready = requests[n];
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => {
        const check = (): void => {
          const arrived = requests[n];
          if (arrived) resolve(arrived);
          else arrivals.push(check);
        };
        arrivals.push(check);
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** One Server-Sent Event: objects are sent as JSON, strings as they are. */
function formatEvent(event: string | undefined, data: unknown): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  const lines = payload.split('\n').map((line) => `data: ${line}\n`);
  return `${event === undefined ? '' : `event: ${event}\n`}${lines.join('')}\n`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
