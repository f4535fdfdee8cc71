import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeName, ToolNamer } from './tool-names.js';

describe('ToolNamer', () => {
  it('namespaces and sanitizes', () => {
    const namer = new ToolNamer();
    expect(namer.name('github', 'create_issue')).toBe('github__create_issue');
    expect(namer.name('my.server', 'get file')).toBe('my_server__get_file');
    expect(sanitizeName('')).toBe('_');
  });

  it('keeps names valid and unique, hashing long or colliding ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.string({ maxLength: 100 })), { maxLength: 30 }),
        (pairs) => {
          const namer = new ToolNamer();
          const names = pairs.map(([s, t]) => namer.name(s, t));
          for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
          expect(new Set(names).size).toBe(names.length);
        },
      ),
    );
    const namer = new ToolNamer();
    expect(namer.name('a.b', 'c')).toBe('a_b__c');
    expect(namer.name('a_b', 'c')).toMatch(/^a_b__c_[0-9a-f]{8}$/);
  });
});
