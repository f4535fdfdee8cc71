import { afterEach, describe, expect, it } from 'vitest';
import { type LoopbackRedirect, startLoopbackRedirect } from './loopback-redirect.js';

let loopback: LoopbackRedirect | undefined;
afterEach(async () => {
  await loopback?.close();
  loopback = undefined;
});

const never = new AbortController().signal;

describe('startLoopbackRedirect', () => {
  it('listens on 127.0.0.1 and hands over the code of a redirect that came before anyone waited', async () => {
    loopback = await startLoopbackRedirect();
    expect(loopback.redirectUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    loopback.expect('s1');
    const page = await fetch(`${loopback.redirectUrl}?code=c1&state=s1`);
    expect(page.status).toBe(200);
    await expect(loopback.waitForCode('s1', never)).resolves.toBe('c1');
  });

  it('turns away a redirect with another state, and a second use of the same one', async () => {
    loopback = await startLoopbackRedirect();
    const code = loopback.waitForCode('right', never);
    expect((await fetch(`${loopback.redirectUrl}?code=evil&state=wrong`)).status).toBe(400);
    expect((await fetch(`${loopback.redirectUrl}?code=good&state=right`)).status).toBe(200);
    expect((await fetch(`${loopback.redirectUrl}?code=again&state=right`)).status).toBe(400);
    await expect(code).resolves.toBe('good');
  });

  it("rejects with the authorization server's error, and when the wait is called off", async () => {
    loopback = await startLoopbackRedirect();
    const denied = expect(loopback.waitForCode('s', never)).rejects.toThrow(
      /refused the login \(access_denied: no\)/,
    );
    await fetch(`${loopback.redirectUrl}?error=access_denied&error_description=no&state=s`);
    await denied;
    const stop = new AbortController();
    const waiting = loopback.waitForCode('t', stop.signal);
    stop.abort(new Error('given up'));
    await expect(waiting).rejects.toThrow('given up');
  });
});
