type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** How long a refresh's answer is handed to later uses of the same refresh token. */
const reuseMs = 60_000;

/**
 * A `fetch` that sends one refresh per refresh token. Parallel calls that all meet an expired
 * token each start the SDK's `auth()`, and each would post the same refresh token: where the
 * authorization server rotates refresh tokens, every post after the first fails with
 * `invalid_grant`, and the SDK then throws away the tokens the first one just saved. Here the
 * later posts get a copy of the first one's answer, also when they come a little later (the
 * SDK reads the token before its discovery requests). Other requests pass through unchanged.
 */
export function singleFlightRefresh(base: Fetch = fetch, now: () => number = Date.now): Fetch {
  const refreshes = new Map<string, { response: Promise<Response>; settledAt?: number }>();
  return async (url, init) => {
    const token = init?.method === 'POST' ? refreshTokenOf(init.body) : undefined;
    if (token === undefined) return base(url, init);
    for (const [key, entry] of refreshes) {
      if (entry.settledAt !== undefined && now() - entry.settledAt > reuseMs) refreshes.delete(key);
    }
    const key = `${String(url)} ${token}`;
    let entry = refreshes.get(key);
    if (!entry) {
      const created: { response: Promise<Response>; settledAt?: number } = {
        response: base(url, init).then(
          (response) => {
            // Only a new token is worth handing on: a failure is retried afresh.
            if (response.ok) created.settledAt = now();
            else refreshes.delete(key);
            return response;
          },
          (error: unknown) => {
            refreshes.delete(key);
            throw error;
          },
        ),
      };
      entry = created;
      refreshes.set(key, entry);
    }
    // Every caller reads its own copy; the first answer is never read itself.
    return (await entry.response).clone();
  };
}

function refreshTokenOf(body: unknown): string | undefined {
  const params =
    body instanceof URLSearchParams
      ? body
      : typeof body === 'string'
        ? new URLSearchParams(body)
        : undefined;
  if (params?.get('grant_type') !== 'refresh_token') return undefined;
  return params.get('refresh_token') ?? undefined;
}
