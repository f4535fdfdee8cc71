import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoFindings, reviewAreas } from './demo-findings.js';
import { createDemoProject, demoProjectFiles } from './demo-project.js';

describe('createDemoProject', () => {
  it('writes the same realistic project every time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'salvo-demo-project-'));
    try {
      createDemoProject(dir);
      const written = (await readdir(dir, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) =>
          join(e.parentPath, e.name)
            .slice(dir.length + 1)
            .split('\\')
            .join('/'),
        )
        .sort();
      const files = demoProjectFiles();
      expect(written).toEqual(Object.keys(files).sort());
      expect(written.length).toBeGreaterThanOrEqual(15);
      expect(written.length).toBeLessThanOrEqual(25);
      for (const path of written) {
        expect(await readFile(join(dir, path), 'utf8')).toBe(files[path]);
      }
      expect(JSON.parse(files['package.json'] as string).name).toBe('orders-api');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('demoFindings', () => {
  const files = demoProjectFiles();
  const findings = demoFindings();

  it('points every finding at the line of its planted problem', () => {
    for (const f of findings) {
      const line = (files[f.file] as string).split('\n')[f.line - 1];
      expect(line, f.id).toContain(f.needle.trim());
    }
    expect(new Set(findings.map((f) => f.id)).size).toBe(findings.length);
    for (const area of reviewAreas) expect(findings.some((f) => f.area === area)).toBe(true);
  });

  it('has fixes whose old text occurs exactly once', () => {
    const fixes = findings.filter((f) => f.fix);
    expect(fixes.map((f) => f.id)).toEqual(['sql-injection', 'missing-await']);
    for (const f of fixes) {
      const text = files[f.file] as string;
      const old = f.fix?.oldString as string;
      expect(text.split(old).length - 1, f.id).toBe(1);
    }
  });
});
