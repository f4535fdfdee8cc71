import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { singleFlightRefresh } from './single-flight-refresh.js';

const tokenUrl = 'http://127.0.0.1:1/token';
const refresh = (token: string) => ({
  method: 'POST',
  body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
});

/** A token endpoint whose answers the test releases one by one, in any order. */
function controlledEndpoint() {
  const pending: { token: string; release(ok: boolean): void }[] = [];
  const posts: string[] = [];
  const base = (_url: string | URL, init?: RequestInit) => {
    const token = new URLSearchParams(init?.body as URLSearchParams).get('refresh_token') ?? '';
    posts.push(token);
    return new Promise<Response>((resolve) => {
      pending.push({
        token,
        release: (ok) =>
          resolve(
            ok
              ? Response.json({ access_token: `new-for-${token}`, token_type: 'Bearer' })
              : Response.json({ error: 'invalid_grant' }, { status: 400 }),
          ),
      });
    });
  };
  return { base, pending, posts };
}

describe('singleFlightRefresh', () => {
  it('posts each refresh token once however the requests and answers interleave; each caller reads its own answer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('r1', 'r2', 'r3'), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (tokens, releaseOrder) => {
          const endpoint = controlledEndpoint();
          const fetch = singleFlightRefresh(endpoint.base);
          const answers = tokens.map((token) => fetch(tokenUrl, refresh(token)));
          // Release the answers in an arbitrary order while the callers wait.
          while (endpoint.pending.length > 0) {
            const index = (releaseOrder.shift() ?? 0) % endpoint.pending.length;
            endpoint.pending.splice(index, 1)[0]?.release(true);
            await Promise.resolve();
          }
          const bodies = await Promise.all(answers.map(async (a) => (await a).json()));
          expect(new Set(endpoint.posts).size).toBe(endpoint.posts.length);
          expect(new Set(endpoint.posts)).toEqual(new Set(tokens));
          bodies.forEach((body, i) => {
            expect(body).toEqual({ access_token: `new-for-${tokens[i]}`, token_type: 'Bearer' });
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hands a refresh that came a little later the same answer, and forgets it after a minute', async () => {
    let now = 0;
    const endpoint = controlledEndpoint();
    const fetch = singleFlightRefresh(endpoint.base, () => now);
    const first = fetch(tokenUrl, refresh('r1'));
    endpoint.pending.shift()?.release(true);
    await first;
    now = 59_000;
    await fetch(tokenUrl, refresh('r1'));
    expect(endpoint.posts).toEqual(['r1']);
    now = 61_001;
    const late = fetch(tokenUrl, refresh('r1'));
    endpoint.pending.shift()?.release(true);
    await late;
    expect(endpoint.posts).toEqual(['r1', 'r1']);
  });

  it('does not keep a failed refresh: the next one asks again', async () => {
    const endpoint = controlledEndpoint();
    const fetch = singleFlightRefresh(endpoint.base);
    const failed = fetch(tokenUrl, refresh('r1'));
    endpoint.pending.shift()?.release(false);
    expect((await failed).status).toBe(400);
    const retried = fetch(tokenUrl, refresh('r1'));
    endpoint.pending.shift()?.release(true);
    expect((await retried).status).toBe(200);
    expect(endpoint.posts).toEqual(['r1', 'r1']);
  });

  it('passes every other request through unchanged', async () => {
    const seen: (RequestInit | undefined)[] = [];
    const fetch = singleFlightRefresh(async (_url, init) => {
      seen.push(init);
      return new Response('ok');
    });
    const code = {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'c' }),
    };
    await fetch(tokenUrl, code);
    await fetch(tokenUrl, code);
    await fetch('http://127.0.0.1:1/mcp', { method: 'GET' });
    expect(seen).toHaveLength(3);
  });
});
