import { describe, expect, it } from 'vitest';
import { base64Bytes, describeImage, formatBytes, jsonText } from './result-text.js';

describe('base64Bytes', () => {
  it('counts decoded bytes, ignoring padding and line breaks', () => {
    expect(base64Bytes('')).toBe(0);
    expect(base64Bytes('QQ==')).toBe(1);
    expect(base64Bytes('QUI=')).toBe(2);
    expect(base64Bytes('QUJD')).toBe(3);
    expect(base64Bytes('QUJD\nREVG')).toBe(6);
    expect(base64Bytes(Buffer.alloc(12_345).toString('base64'))).toBe(12_345);
  });
});

describe('formatBytes', () => {
  it('picks a readable unit', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(12 * 1024 + 100)).toBe('12 KB');
    expect(formatBytes(3.4 * 1024 * 1024)).toBe('3.4 MB');
  });
});

describe('describeImage', () => {
  it('names the type and size, and the reason when given', () => {
    const data = Buffer.alloc(2048).toString('base64');
    expect(describeImage('image/png', data)).toBe('[image image/png, 2 KB omitted]');
    expect(describeImage('image/bmp', data, 'unsupported type')).toBe(
      '[image image/bmp, 2 KB omitted: unsupported type]',
    );
    expect(describeImage(undefined, undefined)).toBe('[image unknown omitted]');
  });
});

describe('jsonText', () => {
  it('never throws and never returns undefined', () => {
    expect(jsonText({ a: [1, null] })).toBe('{"a":[1,null]}');
    expect(jsonText(undefined)).toBe('undefined');
    expect(jsonText(10n)).toBe('10');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonText(cyclic)).toBe('[object Object]');
  });
});
