/** The `_meta` key salvo puts on `tools/call` so transports can tell which call is which. */
export const callIdMetaKey = 'dev.salvo/callId';

type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` for the Streamable HTTP transport that learns which salvo call caused each request
 * a server sends back. The server sends such a request on the response stream of the `tools/call`
 * POST that caused it; this fetch reads that stream as it passes (bytes unchanged) and records
 * `server request id -> salvo call id` before the transport sees the message.
 */
export function correlatingFetch(
  record: (serverRequestId: string | number, callId: string) => void,
  base: Fetch = fetch,
): Fetch {
  return async (url, init) => {
    const response = await base(url, init);
    const callId = init?.method === 'POST' ? callIdOf(init.body) : undefined;
    const type = response.headers.get('content-type') ?? '';
    if (!callId || !response.body || !type.includes('text/event-stream')) return response;
    const decoder = new TextDecoder();
    let pending = '';
    const watch = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        pending += decoder.decode(chunk, { stream: true });
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.startsWith('data:')) continue;
          try {
            const message = JSON.parse(line.slice(5)) as { id?: string | number; method?: string };
            if (message.method !== undefined && message.id !== undefined)
              record(message.id, callId);
          } catch {
            // Not JSON: the transport reports it.
          }
        }
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(watch), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function callIdOf(body: unknown): string | undefined {
  if (typeof body !== 'string' || !body.includes(callIdMetaKey)) return undefined;
  try {
    const message = JSON.parse(body) as { params?: { _meta?: Record<string, unknown> } };
    const id = message.params?._meta?.[callIdMetaKey];
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
