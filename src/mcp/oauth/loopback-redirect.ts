import { createServer, type Server } from 'node:http';

/** The loopback end of a login: `http://127.0.0.1:<port>/callback`. */
export interface LoopbackRedirect {
  redirectUrl: string;
  /**
   * Accepts the redirect that carries `state` from now on (call it before the person can
   * follow the link, so a quick redirect is not missed). Redirects with another state are
   * turned away, so a page that guesses the port cannot end the login.
   */
  expect(state: string): void;
  /**
   * The `code` of the redirect that carries `state`; rejects with the authorization server's
   * `error` (the person said no) or when `signal` aborts.
   */
  waitForCode(state: string, signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><p>${text}</p>\n`;

interface Pending {
  promise: Promise<string>;
  resolve(code: string): void;
  reject(error: Error): void;
  settled: boolean;
}

/** Listens on 127.0.0.1 (`port` 0 picks a free one) for the authorization server's redirect. */
export async function startLoopbackRedirect(port = 0): Promise<LoopbackRedirect> {
  const pending = new Map<string, Pending>();
  const expect = (state: string): Pending => {
    const known = pending.get(state);
    if (known) return known;
    let resolve!: (code: string) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // read by waitForCode, or nobody
    const entry: Pending = { promise, resolve, reject, settled: false };
    pending.set(state, entry);
    return entry;
  };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== '/callback') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const entry = pending.get(url.searchParams.get('state') ?? '');
    if (!entry || entry.settled) {
      response
        .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
        .end(page('salvo', 'This login link is not the one salvo is waiting for.'));
      return;
    }
    entry.settled = true;
    const code = url.searchParams.get('code');
    if (code) {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(page('salvo: logged in', 'salvo is logged in. You can close this tab.'));
      entry.resolve(code);
      return;
    }
    const error = url.searchParams.get('error');
    const description = url.searchParams.get('error_description');
    response
      .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
      .end(page('salvo: login failed', 'The login did not complete. See the terminal.'));
    const reason = `${error ?? 'no code'}${description ? `: ${description}` : ''}`.slice(0, 300);
    entry.reject(new Error(`the authorization server refused the login (${reason})`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as { port: number };
  return {
    redirectUrl: `http://127.0.0.1:${bound}/callback`,
    expect(state) {
      expect(state);
    },
    waitForCode(state, signal) {
      const entry = expect(state);
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise<string>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        entry.promise
          .then(resolve, reject)
          .finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
