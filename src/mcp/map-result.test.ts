import { describe, expect, it } from 'vitest';
import { McpToolError, mapCallToolResult } from './map-result.js';

describe('mapCallToolResult', () => {
  it('maps text, images, resources, links, audio and structured content', () => {
    const blocks = mapCallToolResult({
      content: [
        { type: 'text', text: 'hi' },
        { type: 'image', data: 'AAAA', mimeType: 'image/png' },
        { type: 'resource_link', uri: 'file:///a', name: 'a', mimeType: 'text/plain' },
        { type: 'resource', resource: { uri: 'file:///b', mimeType: 'text/plain', text: 'body' } },
        {
          type: 'resource',
          resource: { uri: 'file:///c.png', mimeType: 'image/png', blob: 'BBBB' },
        },
        { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' },
      ],
      structuredContent: { n: 1 },
    });
    expect(blocks).toEqual([
      { type: 'text', text: 'hi' },
      { type: 'image', data: 'AAAA', mimeType: 'image/png' },
      {
        type: 'json',
        value: { type: 'resource_link', uri: 'file:///a', name: 'a', mimeType: 'text/plain' },
      },
      {
        type: 'json',
        value: { type: 'resource', uri: 'file:///b', mimeType: 'text/plain', text: 'body' },
      },
      { type: 'image', data: 'BBBB', mimeType: 'image/png' },
      { type: 'json', value: { type: 'audio', mimeType: 'audio/wav', bytes: 3 } },
      { type: 'json', value: { n: 1 } },
    ]);
  });

  it('throws the server text for isError', () => {
    expect(() =>
      mapCallToolResult({ isError: true, content: [{ type: 'text', text: 'nope' }] }),
    ).toThrow(new McpToolError('nope'));
    expect(() => mapCallToolResult({ isError: true })).toThrow(/without a message/);
  });

  it('gives an empty text block for an empty result', () => {
    expect(mapCallToolResult({ content: [] })).toEqual([{ type: 'text', text: '' }]);
  });
});
