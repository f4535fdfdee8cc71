import { describe, expect, it } from 'vitest';
import { OutputCap } from './output-cap.js';

describe('OutputCap', () => {
  it('keeps everything under the cap', () => {
    const cap = new OutputCap({ maxBytes: 10 });
    cap.push(Buffer.from('abc'));
    cap.push(Buffer.from('def'));
    expect(cap.text()).toBe('abcdef');
    expect(cap.droppedBytes).toBe(0);
  });

  it('keeps the head and the tail and counts what it dropped, across chunk borders', () => {
    const cap = new OutputCap({ maxBytes: 8 });
    const input = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < input.length; i += 3) cap.push(Buffer.from(input.slice(i, i + 3)));
    expect(cap.totalBytes).toBe(26);
    expect(cap.droppedBytes).toBe(18);
    expect(cap.text()).toBe(
      'abcd\n[... 18 bytes dropped; showing the first 4 and the last 4 of 26 ...]\nwxyz',
    );
  });

  it('holds bounded memory for a flood of small chunks', () => {
    const cap = new OutputCap({ maxBytes: 100 });
    for (let i = 0; i < 100_000; i++) cap.push(Buffer.from(`${i % 10}`));
    expect(cap.totalBytes).toBe(100_000);
    expect(cap.text()).toMatch(/^0123456789.*\n\[\.\.\. 99,900 bytes dropped;.*\n.*9$/s);
  });
});
