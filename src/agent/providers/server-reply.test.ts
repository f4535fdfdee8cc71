import { describe, expect, it } from 'vitest';
import { isEventStream, mediaType, peekNonStream, replyExcerpt } from './server-reply.js';

describe('replyExcerpt', () => {
  it('takes an HTML page’s title, with its entities decoded', () => {
    const page =
      '<html><head><title>\n  Error 404 &ndash; Not&nbsp;Found &#x2F; x\n</title></head><body>long</body></html>';
    expect(replyExcerpt(page, 'text/html')).toBe('Error 404 – Not Found / x');
  });

  it('else the page’s text without tags, scripts or styles', () => {
    const page =
      '<!doctype html><body><style>p{}</style><script>alert(1)</script><h1>Oops</h1><p>Gone</p></body>';
    expect(replyExcerpt(page)).toBe('Oops Gone');
  });

  it('keeps one harmless line: no escapes, controls or bidi overrides, at most 80 characters', () => {
    expect(replyExcerpt('a\u001b]0;title\u0007b\nc\u202ed', 'text/plain')).toBe('ab cd');
    const long = replyExcerpt('word '.repeat(40), 'text/plain');
    expect(long).toHaveLength(80);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('isEventStream and mediaType', () => {
  it('read the content-type header', () => {
    expect(isEventStream('text/event-stream; charset=utf-8')).toBe(true);
    expect(isEventStream('Text/Event-Stream')).toBe(true);
    expect(isEventStream('text/plain')).toBe(false);
    expect(isEventStream(null)).toBe(false);
    expect(mediaType('Text/HTML; charset=utf-8')).toBe('text/html');
    expect(mediaType(undefined)).toBe('');
  });
});

describe('peekNonStream', () => {
  it('describes a body that is not a stream, and leaves the body whole for the SDK', async () => {
    const response = new Response('plain words', { headers: { 'content-type': 'text/plain' } });
    expect(await peekNonStream(response)).toEqual({
      reply: { status: 200, contentType: 'text/plain', excerpt: 'plain words' },
      head: 'plain words',
    });
    expect(await response.text()).toBe('plain words');
  });

  it('lets an event stream through, labelled or not', async () => {
    const labelled = new Response('data: {}\n\n', {
      headers: { 'content-type': 'text/event-stream' },
    });
    expect(await peekNonStream(labelled)).toBeUndefined();
    const unlabelled = new Response('\ndata: {}\n\n');
    expect(await peekNonStream(unlabelled)).toBeUndefined();
    expect(await unlabelled.text()).toBe('\ndata: {}\n\n');
  });
});
