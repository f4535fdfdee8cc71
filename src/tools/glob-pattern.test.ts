import { describe, expect, it } from 'vitest';
import { compileGlob, expandBraces } from './glob-pattern.js';
import { ToolError } from './tool-error.js';

const matches = (pattern: string, path: string, matchBase = false) =>
  compileGlob({ pattern, matchBase }).regex.test(path);

describe('compileGlob', () => {
  it.each([
    ['*.ts', 'a.ts', true],
    ['*.ts', 'src/a.ts', false],
    ['**/*.ts', 'a.ts', true],
    ['**/*.ts', 'src/deep/a.ts', true],
    ['**/*.ts', 'src/a.tsx', false],
    ['src/**', 'src/a/b.ts', true],
    ['src/**', 'lib/a.ts', false],
    ['src/**/test/*.ts', 'src/test/a.ts', true],
    ['src/**/test/*.ts', 'src/x/y/test/a.ts', true],
    ['src/**/test/*.ts', 'src/x/test/sub/a.ts', false],
    ['?.md', 'a.md', true],
    ['?.md', 'ab.md', false],
    ['[ab].txt', 'b.txt', true],
    ['[!ab].txt', 'b.txt', false],
    ['[!ab].txt', 'c.txt', true],
    ['*.{ts,tsx}', 'a.tsx', true],
    ['{src,test}/**/*.ts', 'test/a.ts', true],
    ['{src,test}/**/*.ts', 'lib/a.ts', false],
    ['a.b', 'axb', false],
    ['\\*.ts', '*.ts', true],
    ['\\*.ts', 'a.ts', false],
    ['(x)+.ts', '(x)+.ts', true],
    ['*', 'a/b', false],
  ])('%s on %s: %s', (pattern, path, expected) => {
    expect(matches(pattern, path)).toBe(expected);
  });

  it('matches names at any depth with matchBase when the pattern has no `/`', () => {
    expect(matches('*.ts', 'src/deep/a.ts', true)).toBe(true);
    expect(matches('src/*.ts', 'x/src/a.ts', true)).toBe(false);
  });

  it('finds the literal leading folders', () => {
    expect(compileGlob({ pattern: 'src/lib/**/*.ts' }).prefix).toBe('src/lib');
    expect(compileGlob({ pattern: './src/*.ts' }).prefix).toBe('src');
    expect(compileGlob({ pattern: '**/*.ts' }).prefix).toBe('');
    expect(compileGlob({ pattern: 'a.ts' }).prefix).toBe('');
    expect(compileGlob({ pattern: '{src,test}/*.ts' }).prefix).toBe('');
    expect(compileGlob({ pattern: 'src/{a,b}.ts' }).prefix).toBe('src');
  });

  it('refuses absolute patterns, `..` and explosive braces', () => {
    expect(() => compileGlob({ pattern: '/etc/*' })).toThrow(ToolError);
    expect(() => compileGlob({ pattern: '../*.ts' })).toThrow(/climbs/);
    expect(() => compileGlob({ pattern: '{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}' })).toThrow(
      /alternatives/,
    );
  });
});

describe('expandBraces', () => {
  it('expands nested braces and leaves braces without commas alone', () => {
    expect(expandBraces('a{b,c{d,e}}f')).toEqual(['abf', 'acdf', 'acef']);
    expect(expandBraces('a{b}c')).toEqual(['a{b}c']);
    expect(expandBraces('a\\{b,c\\}')).toEqual(['a{b,c}']);
  });
});
